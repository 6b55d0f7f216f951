"""Loan-to-value proofs: "the committed lien amount is at most k% of this public valuation, less
the public liens ahead of it".

Statement: the lien's amount commitment C (on chain, range-proved on 40 bits when the lien was
granted), a public valuation V, a threshold of k basis points and a public deduction d (the
amounts of the liens ranking ahead). Claim: 10000 * (a + d) <= k * V, which for integers is
a <= L with L = floor(k * V / 10000) - d, the limit. The statement is malformed, and refused
before any proof is looked at, unless 0 < V < 2**40, 1 <= k <= 10000, 0 <= d < 2**40 and L >= 0.

The prover shows that D = L*G - C = (L - a)*G + (-r)*H opens to a value s in [0, 2**n) with
n = max(1, bit length of L): a range proof on a commitment anyone derives from public data.

Why n bits suffice, not 40: D opens to s, so a = L - s modulo the group order q. C's own range
proof gives 0 <= a < 2**40, and 0 <= L < 2**40 and 0 <= s < 2**n <= 2**40, so a - (L - s) lies
strictly between -2**41 and 2**41; q is about 2**254, so the only multiple of q in there is 0:
a = L - s as integers, and s >= 0 gives a <= L. (The lower bound is C's range proof, which this
proof leans on: without it, a "negative" amount q - x would pass.) Sizing n by L keeps the proof
as short as the limit allows; it reveals only L's bit length, and L is public.

The transcript binds C, V, k, d, the number of bits n and the context (chain, contract, lien).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import ProofError
from .curve import G, ORDER, Point
from .pedersen import Opening
from .range import BITS, RangeProof, check_points
from .slack import prove_slack, slack_bits, verify_slack
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/ltv/v3"


@dataclass(frozen=True)
class LtvStatement:
    """"The amount in `commitment` is at most `threshold_bps` of `valuation`, less `deducted`", in
    `context`."""

    context: Context
    commitment: Point
    valuation: int  # minor units
    threshold_bps: int
    deducted: int = 0  # minor units: the public liens ahead of this one

    @property
    def limit(self) -> int:
        """The largest amount the claim allows: floor(threshold * valuation / 10000) - deducted
        (negative for a malformed statement)."""
        return self.threshold_bps * self.valuation // 10_000 - self.deducted

    @property
    def bits(self) -> int:
        """The number of bits the slack is range-proved on: max(1, bit length of the limit)."""
        return slack_bits(self.limit)

    def slack_commitment(self) -> list[tuple[int, Point]]:
        """Returns D = limit*G - C, a commitment to limit - amount, as a linear combination."""
        return [(self.limit, G), (ORDER - 1, self.commitment)]

    def check(self) -> None:
        """Checks that the statement is well formed.

        Raises:
            ProofError: If the valuation is not in (0, 2**40), the threshold not 1-10000 bps, the
                deduction not in [0, 2**40), or the deduction exceeds the threshold's share of the
                valuation (a negative limit).
        """
        if not (0 < self.valuation < 2**BITS and 0 < self.threshold_bps <= 10_000):
            raise ProofError("a loan-to-value statement needs a valuation in (0, 2**40) and a threshold of 1-10000 bps")
        if not 0 <= self.deducted < 2**BITS:
            raise ProofError(f"a loan-to-value deduction must be in [0, 2**40), not {self.deducted}")
        if self.limit < 0:
            raise ProofError(
                f"the deduction {self.deducted} exceeds {self.threshold_bps / 100:g}% of the valuation "
                f"{self.valuation}: no amount fits, there is nothing to prove"
            )


def _transcript(statement: LtvStatement) -> Transcript:
    statement.check()
    t = Transcript(PROTOCOL, statement.context)
    t.append_point(b"C", statement.commitment)
    t.append_scalar(b"V", statement.valuation)
    t.append_scalar(b"k", statement.threshold_bps)
    t.append_scalar(b"d", statement.deducted)
    return t


def prove(statement: LtvStatement, witness: Opening, *, rng: random.Random | None = None) -> RangeProof:
    """Proves the claim for the lien whose amount and blinding are `witness`.

    Raises:
        ProofError: If the statement is malformed, the witness does not open the commitment, or
            the amount exceeds the limit.
    """
    t = _transcript(statement)
    if witness.commit() != statement.commitment:
        raise ProofError("the witness does not open the commitment")
    if not 0 <= witness.value <= statement.limit:
        raise ProofError(
            f"the amount exceeds {statement.threshold_bps / 100:g}% of the valuation less {statement.deducted} "
            f"(a limit of {statement.limit}): nothing to prove"
        )
    return prove_slack(t, statement, witness, rng=rng)


def verify(statement: LtvStatement, proof: RangeProof) -> None:
    """Checks a loan-to-value proof: raises `InvalidProof` if it does not verify, `ProofError` if
    the statement itself is malformed."""
    check_points([statement.commitment])
    verify_slack(_transcript(statement), statement, proof)

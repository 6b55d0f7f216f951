"""Loan-to-value proofs: "the committed lien amount is at most k% of this public valuation".

Statement: the lien's amount commitment C (on chain, range-proved when the lien was granted), a
public valuation V and a threshold of k basis points. Claim: 10000 * a <= k * V, which for an
integer amount a is a <= L with L = floor(k * V / 10000). The prover shows that
D = L*G - C = (L - a)*G + (-r)*H opens to a value in [0, 2**40): a range proof on a commitment
anyone derives from public data. Together with C's own range proof (no negative amount), that is
the claim. The transcript binds V, k, L, C and the context (chain, contract, lien).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import ProofError
from .curve import G, ORDER, Point
from .pedersen import Opening
from .range import BITS, RangeProof, prove_bits, verify_bits
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/ltv/v1"


@dataclass(frozen=True)
class LtvStatement:
    """"The amount in `commitment` is at most `threshold_bps` of `valuation`", in `context`."""

    context: Context
    commitment: Point
    valuation: int  # minor units
    threshold_bps: int

    @property
    def limit(self) -> int:
        """The largest amount the claim allows: floor(threshold * valuation / 10000)."""
        return self.threshold_bps * self.valuation // 10_000

    def slack_commitment(self) -> list[tuple[int, Point]]:
        """Returns D = limit*G - C, a commitment to limit - amount, as a linear combination."""
        return [(self.limit, G), (ORDER - 1, self.commitment)]


def _transcript(statement: LtvStatement) -> Transcript:
    if not (0 < statement.valuation < 2**BITS and 0 < statement.threshold_bps <= 10_000):
        raise ProofError("a loan-to-value statement needs a valuation in (0, 2**40) and a threshold of 1-10000 bps")
    t = Transcript(PROTOCOL, statement.context)
    t.append_point(b"C", statement.commitment)
    t.append_scalar(b"V", statement.valuation)
    t.append_scalar(b"k", statement.threshold_bps)
    return t


def prove(statement: LtvStatement, witness: Opening, *, rng: random.Random | None = None) -> RangeProof:
    """Proves the claim for the lien whose amount and blinding are `witness`.

    Raises:
        ProofError: If the witness does not open the commitment, or the amount exceeds the limit.
    """
    if witness.commit() != statement.commitment:
        raise ProofError("the witness does not open the commitment")
    if witness.value > statement.limit:
        raise ProofError(f"the amount exceeds {statement.threshold_bps / 100:g}% of the valuation: nothing to prove")
    slack = Opening(statement.limit - witness.value, (-witness.blinding) % ORDER)
    return prove_bits(_transcript(statement), slack, BITS, rng=rng)


def verify(statement: LtvStatement, proof: RangeProof) -> None:
    """Checks a loan-to-value proof.

    Raises:
        InvalidProof: If it does not verify.
        ProofError: If the statement itself is malformed.
    """
    verify_bits(_transcript(statement), statement.slack_commitment(), BITS, proof)

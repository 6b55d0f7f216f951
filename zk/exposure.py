"""Exposure proofs: "the sum of these committed lien amounts is at most a public limit".

Statement: the commitments C_1..C_n of a lender's active liens, and a limit N with
0 <= N < 2**48. A private lien's C_j carries a 40-bit range proof from its grant; a public lien
enters as a_j*G, the verifier deriving it from its public amount a_j > 0 (blinding 0). Claim:
a_1 + ... + a_n <= N.

The prover shows that D = N*G - sum(C_j) = (N - S)*G + r*H, with S = a_1 + ... + a_n and r the
blindings' negated sum, opens to a value s in [0, 2**b) with b = max(1, bit length of N): a range
proof on a commitment anyone derives from public data.

Why b bits suffice: D opens to s, so N - S = s modulo the group order q (about 2**254). Every
a_j is non-negative and far below q: a private one is below 2**40 by its range proof, and a public
one is in plain sight, for the verifier to refuse past 2**40 too (lienchain's audit does). So S is
below 2**200 for any number of liens a chain can hold. With 0 <= N < 2**48 and
0 <= s < 2**b <= 2**48, N - S - s lies strictly between -q and q, and the only multiple of q in
there is 0: S = N - s as integers, and s >= 0 gives S <= N. (The lower bound is every C_j's own
range proof, which this proof leans on: a "negative" private amount q - x would pass without it.)
And b bits lose no honest statement: the slack N - S of a sum within the limit is at most N, below
2**b. Sizing b by N keeps the proof as short as the limit allows; it reveals only N's bit length,
and N is public. When every lien is public and their sum is exactly N, D is the identity; the
verifiers never evaluate D on its own, so that proof verifies like any other.

The transcript binds N, the number of commitments, every C_j in order, the number of bits b (in
the range proof's part) and the context (chain, contract, lender).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import ProofError
from .curve import G, ORDER, Point
from .pedersen import Opening
from .range import RangeProof, check_points
from .slack import prove_slack, slack_bits, verify_slack
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/exposure/v3"
#: A limit is below 2**LIMIT_BITS.
LIMIT_BITS = 48


@dataclass(frozen=True)
class ExposureStatement:
    """"The amounts in `commitments` add up to at most `limit`", in `context`."""

    context: Context
    commitments: tuple[Point, ...]
    limit: int

    @property
    def bits(self) -> int:
        """The number of bits the slack is range-proved on: max(1, bit length of the limit)."""
        return slack_bits(self.limit)

    def slack_commitment(self) -> list[tuple[int, Point]]:
        """Returns D = limit*G - sum(C_j), as a linear combination."""
        return [(self.limit, G), *((ORDER - 1, c) for c in self.commitments)]

    def check(self) -> None:
        """Checks that the statement is well formed.

        Raises:
            ProofError: If it has no commitment, or the limit is not in [0, 2**48).
        """
        if not self.commitments or not 0 <= self.limit < 2**LIMIT_BITS:
            raise ProofError(f"an exposure statement needs at least one commitment and a limit in [0, 2**48), "
                             f"not {self.limit}")


def _transcript(statement: ExposureStatement) -> Transcript:
    statement.check()
    t = Transcript(PROTOCOL, statement.context)
    t.append_scalar(b"N", statement.limit)
    t.append_scalar(b"n", len(statement.commitments))
    for c in statement.commitments:
        t.append_point(b"C", c)
    return t


def prove(statement: ExposureStatement, witnesses: list[Opening], *, rng: random.Random | None = None) -> RangeProof:
    """Proves the claim, given the opening of every commitment in order.

    Raises:
        ProofError: If the statement is malformed, the openings do not match the commitments, or
            the sum exceeds the limit.
    """
    t = _transcript(statement)
    if len(witnesses) != len(statement.commitments) or any(
        w.commit() != c for w, c in zip(witnesses, statement.commitments)
    ):
        raise ProofError("the openings do not open the statement's commitments")
    # The sum of the openings opens the sum of the commitments.
    total = Opening(sum(w.value for w in witnesses), sum(w.blinding for w in witnesses) % ORDER)
    if total.value > statement.limit:
        raise ProofError(f"the exposure {total.value} exceeds the limit {statement.limit}: nothing to prove")
    return prove_slack(t, statement, total, rng=rng)


def verify(statement: ExposureStatement, proof: RangeProof) -> None:
    """Checks an exposure proof: raises `InvalidProof` if it does not verify, `ProofError` if the
    statement itself is malformed."""
    check_points(statement.commitments)
    verify_slack(_transcript(statement), statement, proof)

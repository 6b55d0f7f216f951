"""Exposure proofs: "the sum of these committed lien amounts is at most a public limit".

Statement: the commitments C_1..C_n of a lender's active liens (each range-proved at grant; public
liens enter as commitments with blinding 0), and a limit N. The prover shows that
D = N*G - sum(C_j) opens to a value in [0, 2**48): the sum is at most N (48 bits leave room for
the sum of up to 256 liens of 40 bits). The transcript binds N, every C_j in order, and the context
(chain, contract, lender).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import ProofError
from .curve import G, ORDER, Point
from .pedersen import Opening
from .range import RangeProof, prove_bits, verify_bits
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/exposure/v2"
BITS = 48


@dataclass(frozen=True)
class ExposureStatement:
    """"The amounts in `commitments` add up to at most `limit`", in `context`."""

    context: Context
    commitments: tuple[Point, ...]
    limit: int

    def slack_commitment(self) -> list[tuple[int, Point]]:
        """Returns D = limit*G - sum(C_j), as a linear combination."""
        return [(self.limit, G), *((ORDER - 1, c) for c in self.commitments)]


def _transcript(statement: ExposureStatement) -> Transcript:
    if not statement.commitments or not 0 <= statement.limit < 2**BITS:
        raise ProofError("an exposure statement needs at least one commitment and a limit below 2**48")
    t = Transcript(PROTOCOL, statement.context)
    t.append_scalar(b"N", statement.limit)
    t.append_scalar(b"n", len(statement.commitments))
    for c in statement.commitments:
        t.append_point(b"C", c)
    return t


def prove(statement: ExposureStatement, witnesses: list[Opening], *, rng: random.Random | None = None) -> RangeProof:
    """Proves the claim, given the opening of every commitment in order.

    Raises:
        ProofError: If the openings do not match the commitments, or the sum exceeds the limit.
    """
    if len(witnesses) != len(statement.commitments) or any(
        w.commit() != c for w, c in zip(witnesses, statement.commitments)
    ):
        raise ProofError("the openings do not open the statement's commitments")
    total = sum(w.value for w in witnesses)
    if total > statement.limit:
        raise ProofError(f"the exposure {total} exceeds the limit {statement.limit}: nothing to prove")
    slack = Opening(statement.limit - total, (-sum(w.blinding for w in witnesses)) % ORDER)
    return prove_bits(_transcript(statement), slack, BITS, rng=rng)


def verify(statement: ExposureStatement, proof: RangeProof) -> None:
    """Checks an exposure proof.

    Raises:
        InvalidProof: If it does not verify.
        ProofError: If the statement itself is malformed.
    """
    verify_bits(_transcript(statement), statement.slack_commitment(), BITS, proof)

"""Proof of knowledge of a commitment's opening (Schnorr, Okamoto's form for two generators).

Statement: a commitment C. Witness: (v, r) with C = v*G + r*H.
Prover: random a, b; A = a*G + b*H; c = challenge(context, C, A); z_v = a + c*v, z_r = b + c*r.
Verifier: z_v*G + z_r*H == A + c*C.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from ..errors import InvalidProof, ProofError
from .curve import G_FIXED, ORDER, Point, combination_equals, scalar
from .generators import H_FIXED
from .pedersen import Opening, commit
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/opening/v1"


@dataclass(frozen=True)
class OpeningStatement:
    """"I know how to open `commitment`", in `context`."""

    context: Context
    commitment: Point


@dataclass(frozen=True)
class OpeningProof:
    """The proof: the prover's commitment A and the two responses."""

    a: Point
    z_value: int
    z_blinding: int


def _challenge(statement: OpeningStatement, a: Point) -> int:
    t = Transcript(PROTOCOL, statement.context)
    t.append_point(b"C", statement.commitment)
    t.append_point(b"A", a)
    return t.challenge(b"c")


def prove(statement: OpeningStatement, witness: Opening, *, rng: random.Random | None = None) -> OpeningProof:
    """Proves knowledge of the opening of the statement's commitment.

    Raises:
        ProofError: If `witness` does not open the commitment.
    """
    if witness.commit() != statement.commitment:
        raise ProofError("the witness does not open the commitment")
    rng = rng or secrets.SystemRandom()
    a, b = rng.randrange(1, ORDER), rng.randrange(1, ORDER)
    big_a = commit(a, b)
    c = _challenge(statement, big_a)
    return OpeningProof(big_a, (a + c * witness.value) % ORDER, (b + c * witness.blinding) % ORDER)


def verify(statement: OpeningStatement, proof: OpeningProof) -> None:
    """Checks a proof of opening.

    Raises:
        InvalidProof: If it does not verify.
    """
    c = _challenge(statement, proof.a)
    left = [(scalar(proof.z_value), G_FIXED), (scalar(proof.z_blinding), H_FIXED)]
    if not combination_equals(left, [(1, proof.a), (c, statement.commitment)]):
        raise InvalidProof("the proof of opening does not verify")

"""Range proofs: a committed amount lies in [0, 2**bits), by bit decomposition.

The amount v = sum(b_i * 2**i) is committed bit by bit, C_i = b_i*G + r_i*H, with the blinding
factors chosen so that sum(2**i * C_i) == C exactly (the last one takes up the difference); each
C_i carries an OR-proof (Cramer-Damgård-Schoenmakers) that it commits to 0 or to 1: a proof that
C_i or C_i - G is a multiple of H, one branch real and one simulated, their challenges summing
to the transcript's challenge. Since no one knows log_G(H), v is the sum of the bits: no amount
outside the range, and no negative amount disguised modulo the group order, can be proved.

`BITS` = 40: amounts are in minor units, and 2**40 - 1 minor units is about 11 billion in a
two-decimal currency, beyond any single vehicle loan.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from ..errors import InvalidProof, ProofError
from .curve import G, ORDER, Point, combination_equals, multi, scalar
from .generators import H
from .pedersen import Opening
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/range/v1"
BITS = 40


@dataclass(frozen=True)
class RangeStatement:
    """"`commitment` opens to an amount in [0, 2**bits)", in `context`."""

    context: Context
    commitment: Point
    bits: int = BITS


@dataclass(frozen=True)
class BitProof:
    """One bit: its commitment and the OR-proof that it commits to 0 or 1."""

    commitment: Point
    a0: Point
    a1: Point
    c0: int
    z0: int
    z1: int


@dataclass(frozen=True)
class RangeProof:
    """The proof: one `BitProof` per bit, least significant first."""

    bits: tuple[BitProof, ...]


def _transcript(statement: RangeStatement) -> Transcript:
    t = Transcript(PROTOCOL, statement.context)
    t.append_point(b"C", statement.commitment)
    return t


def _challenge(t: Transcript, bits: int, parts: list[tuple[Point, Point, Point]]) -> int:
    t.append_scalar(b"bits", bits)
    for commitment, a0, a1 in parts:
        t.append_point(b"Ci", commitment)
        t.append_point(b"A0", a0)
        t.append_point(b"A1", a1)
    return t.challenge(b"c")


def prove(statement: RangeStatement, witness: Opening, *, rng: random.Random | None = None) -> RangeProof:
    """Proves that the committed amount is in range.

    Raises:
        ProofError: If the witness does not open the commitment, or the amount is out of range.
    """
    if witness.commit() != statement.commitment:
        raise ProofError("the witness does not open the commitment")
    return prove_bits(_transcript(statement), witness, statement.bits, rng=rng)


def verify(statement: RangeStatement, proof: RangeProof) -> None:
    """Checks a range proof.

    Raises:
        InvalidProof: If it does not verify, or has another number of bits than the statement.
    """
    verify_bits(_transcript(statement), [(1, statement.commitment)], statement.bits, proof)


def prove_bits(t: Transcript, witness: Opening, bits: int, *, rng: random.Random | None = None) -> RangeProof:
    """Proves that `witness` opens a commitment to a value in [0, 2**bits), continuing transcript
    `t` (which has absorbed the statement): the building block of the statements on amounts.

    Raises:
        ProofError: If the value is out of range.
    """
    if not 0 <= witness.value < 2**bits:
        raise ProofError(f"{witness.value} is outside [0, 2**{bits}): it cannot be proved in range")
    rng = rng or secrets.SystemRandom()
    n = bits
    digits = [(witness.value >> i) & 1 for i in range(n)]
    blind = [rng.randrange(1, ORDER) for _ in range(n - 1)]
    # The last blinding factor makes sum(2^i * r_i) equal the commitment's: sum(2^i * C_i) == C.
    rest = (witness.blinding - sum(r << i for i, r in enumerate(blind))) % ORDER
    blind.append(rest * pow(2 ** (n - 1), -1, ORDER) % ORDER)
    parts, secrets_ = [], []
    for b, r in zip(digits, blind):
        ci = multi([(b, G), (r, H)]) if b else r * H
        k = rng.randrange(1, ORDER)
        c_fake, z_fake = rng.randrange(ORDER), rng.randrange(ORDER)
        target_fake = ci if b else ci - G  # the branch the bit is not: C_i (bit 0) or C_i - G (bit 1)
        a_fake = multi([(z_fake, H), (ORDER - c_fake, target_fake)])
        a_real = k * H
        a0, a1 = (a_fake, a_real) if b else (a_real, a_fake)
        parts.append((ci, a0, a1))
        secrets_.append((b, r, k, c_fake, z_fake))
    c = _challenge(t, bits, parts)
    proofs = []
    for (ci, a0, a1), (b, r, k, c_fake, z_fake) in zip(parts, secrets_):
        c_real = (c - c_fake) % ORDER
        z_real = (k + c_real * r) % ORDER
        c0, z0, z1 = (c_fake, z_fake, z_real) if b else (c_real, z_real, z_fake)
        proofs.append(BitProof(ci, a0, a1, c0, z0, z1))
    return RangeProof(tuple(proofs))


def verify_bits(t: Transcript, commitment: list[tuple[int, Point]], bits: int, proof: RangeProof) -> None:
    """Checks a proof from `prove_bits` that a commitment opens to a value in [0, 2**bits).

    The commitment is given as a linear combination of points (`[(1, C)]`, or `[(L, G), (-1, C)]`
    for one derived from public data), never evaluated on its own: it may be the identity.

    Raises:
        InvalidProof: If it does not verify, or has another number of bits.
    """
    if len(proof.bits) != bits:
        raise InvalidProof(f"the proof has {len(proof.bits)} bits, the statement {bits}")
    c = _challenge(t, bits, [(p.commitment, p.a0, p.a1) for p in proof.bits])
    for i, p in enumerate(proof.bits):
        c0, z0, z1 = scalar(p.c0), scalar(p.z0), scalar(p.z1)
        c1 = (c - c0) % ORDER
        # z0*H == A0 + c0*C_i, and z1*H == A1 + c1*(C_i - G): one branch real, one simulated.
        if not combination_equals([(z0, H)], [(1, p.a0), (c0, p.commitment)]):
            raise InvalidProof(f"bit {i} is neither 0 nor 1")
        if not combination_equals([(z1, H), (c1, G)], [(1, p.a1), (c1, p.commitment)]):
            raise InvalidProof(f"bit {i} is neither 0 nor 1")
    if not combination_equals([(1 << i, p.commitment) for i, p in enumerate(proof.bits)], commitment):
        raise InvalidProof("the bits do not add up to the committed amount")

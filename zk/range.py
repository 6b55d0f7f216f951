"""Range proofs: a committed amount lies in [0, 2**bits), by decomposition into radix-4 digits.

The amount v is split into digits d_i, least significant first: one of radix 4 for each pair of
bits, and one of radix 2 on top if `bits` is odd, so v = sum(d_i * 4**i). Each digit is
committed, C_i = d_i*G + r_i*H, with the blinding factors chosen so that sum(4**i * C_i) == C
exactly (the last one takes up the difference), and carries a 1-out-of-k OR-proof
(Cramer-Damgård-Schoenmakers) that C_i - j*G is a multiple of H for some j < k: one branch real
and k - 1 simulated, their challenges summing to the transcript's challenge c. Since no one knows
log_G(H), v is the sum of the digits: no amount outside the range, and no negative amount
disguised modulo the group order, can be proved. (Radix 4 takes 5 points and 7 scalars per two
bits where radix 2 takes 6 and 6: fewer scalar multiplications on chain, the dominant cost.)

Verification is one batched check. Every branch equation z_ij*H == A_ij + c_ij*(C_i - j*G) is
weighted by w**e (e = 1, 2, ... over the branches in order), the sum equation
sum(4**i * C_i) == D by 1, and the weighted sum must be the identity. w is a challenge drawn after
the transcript has absorbed every point and every scalar of the proof, so a proof with any false
equation passes only if w is a root of a nonzero polynomial of degree at most 2 * bits: a chance
of about 2**-247 per attempt. The check costs one scalar multiplication per point of the proof
plus two (for G and H), which the on-chain verifier makes with the precompiles; both verifiers
compute the same sum, so they accept and refuse the same proofs.

Transcript, after the statement: "bits" (32-byte scalar), "points" (every C_i and A_ij, in proof
order), challenge "c", "scalars" (every c_ij, j < k - 1, and z_ij, in proof order), challenge "w".

`BITS` = 40: amounts are in minor units, and 2**40 - 1 minor units is about 11 billion in a
two-decimal currency, beyond any single vehicle loan. A statement takes 1 to `MAX_BITS` bits.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidProof, ProofError
from .curve import G, G_FIXED, ORDER, FixedBase, Point, combination_is_identity, scalar
from .generators import H_FIXED
from .pedersen import Opening, commit
from .transcript import Context, Transcript

PROTOCOL = b"lienchain/range/v2"
BITS = 40
MAX_BITS = 64


@dataclass(frozen=True)
class RangeStatement:
    """"`commitment` opens to an amount in [0, 2**bits)", in `context`."""

    context: Context
    commitment: Point
    bits: int = BITS


@dataclass(frozen=True)
class DigitProof:
    """One digit of radix k = len(a): its commitment C, and the OR-proof that it commits to one of
    0..k-1: the branch commitments A_0..A_{k-1}, the challenges c_0..c_{k-2} (c_{k-1} is the
    transcript's challenge less their sum) and the responses z_0..z_{k-1}."""

    commitment: Point
    a: tuple[Point, ...]
    c: tuple[int, ...]
    z: tuple[int, ...]

    @property
    def radix(self) -> int:
        """The digit's radix: 4, or 2 for the top digit of an odd number of bits."""
        return len(self.a)


@dataclass(frozen=True)
class RangeProof:
    """The proof: one `DigitProof` per digit, least significant first."""

    digits: tuple[DigitProof, ...]


def radices(bits: int) -> tuple[int, ...]:
    """Returns the radices of the digits of a `bits`-bit range proof, least significant first.

    Raises:
        ProofError: If `bits` is not an integer from 1 to MAX_BITS.
    """
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= MAX_BITS:
        raise ProofError(f"a range proof takes 1 to {MAX_BITS} bits, not {bits!r}")
    return (4,) * (bits // 2) + (2,) * (bits % 2)


def points_bytes(proof: RangeProof) -> bytes:
    """Returns every point of the proof in order: for each digit, C then A_0..A_{k-1}."""
    return b"".join(d.commitment.to_bytes() + b"".join(a.to_bytes() for a in d.a) for d in proof.digits)


def scalars_bytes(proof: RangeProof) -> bytes:
    """Returns every scalar of the proof in order: for each digit, c_0..c_{k-2} then z_0..z_{k-1}."""
    return b"".join(x.to_bytes(32, "big") for d in proof.digits for x in (*d.c, *d.z))


def _transcript(statement: RangeStatement) -> Transcript:
    t = Transcript(PROTOCOL, statement.context)
    t.append_point(b"C", statement.commitment)
    return t


def prove(statement: RangeStatement, witness: Opening, *, rng: random.Random | None = None) -> RangeProof:
    """Proves that the committed amount is in range.

    Raises:
        ProofError: If the witness does not open the commitment, the amount is out of range, or
            the number of bits is not 1 to MAX_BITS.
    """
    if witness.commit() != statement.commitment:
        raise ProofError("the witness does not open the commitment")
    return prove_bits(_transcript(statement), witness, statement.bits, rng=rng)


def verify(statement: RangeStatement, proof: RangeProof) -> None:
    """Checks a range proof.

    Raises:
        InvalidProof: If it does not verify, its digits do not fit the statement's bits, or the
            statement's commitment is no point of the curve's group other than the identity.
        ProofError: If the statement's number of bits is not 1 to MAX_BITS.
    """
    check_points([statement.commitment])
    verify_bits(_transcript(statement), [(1, statement.commitment)], statement.bits, proof)


def check_points(points: Sequence[Point]) -> None:
    """Checks a statement's points as the on-chain verifier does, before any arithmetic: a point
    read from a node may be anything, and an invalid-curve point must not reach the group law.

    Raises:
        InvalidProof: If one is not a canonical curve point other than the identity.
    """
    for p in points:
        Point.checked(p.x, p.y)


def prove_bits(t: Transcript, witness: Opening, bits: int, *, rng: random.Random | None = None) -> RangeProof:
    """Proves that `witness` opens a commitment to a value in [0, 2**bits), continuing transcript
    `t` (which has absorbed the statement): the building block of the statements on amounts.

    Raises:
        ProofError: If the value is out of range, or `bits` is not 1 to MAX_BITS.
    """
    ks = radices(bits)
    if not 0 <= witness.value < 2**bits:
        raise ProofError(f"{witness.value} is outside [0, 2**{bits}): it cannot be proved in range")
    rng = rng or secrets.SystemRandom()
    values = [(witness.value >> (2 * i)) % k for i, k in enumerate(ks)]
    blind = [rng.randrange(1, ORDER) for _ in ks[:-1]]
    # The last blinding factor makes sum(4^i * r_i) equal the commitment's: sum(4^i * C_i) == C.
    rest = (witness.blinding - sum(r * 4**i for i, r in enumerate(blind))) % ORDER
    blind.append(rest * pow(4 ** (len(ks) - 1), -1, ORDER) % ORDER)
    drafts = []
    for k, d, r in zip(ks, values, blind):
        ci = commit(d, r)
        nonce = rng.randrange(1, ORDER)
        # The branches the digit is not are simulated: A_j = z_j*H - c_j*(C_i - j*G) for random c_j,
        # z_j, which is c_j*(j - d)*G + (z_j - c_j*r)*H: multiples of G and H alone, as every point
        # the prover computes (see curve.FixedBase).
        fake = {j: (rng.randrange(ORDER), rng.randrange(ORDER)) for j in range(k) if j != d}
        a = tuple(commit(0, nonce) if j == d else commit(fake[j][0] * (j - d), fake[j][1] - fake[j][0] * r)
                  for j in range(k))
        drafts.append((ci, a, d, r, nonce, fake))
    c = _absorb_points(t, bits, b"".join(ci.to_bytes() + b"".join(x.to_bytes() for x in a) for ci, a, *_ in drafts))
    digits = []
    for ci, a, d, r, nonce, fake in drafts:
        c_real = (c - sum(cj for cj, _ in fake.values())) % ORDER
        cs = [c_real if j == d else fake[j][0] for j in range(len(a))]
        zs = [(nonce + c_real * r) % ORDER if j == d else fake[j][1] for j in range(len(a))]
        digits.append(DigitProof(ci, a, tuple(cs[:-1]), tuple(zs)))
    return RangeProof(tuple(digits))


def verify_bits(t: Transcript, commitment: list[tuple[int, Point]], bits: int, proof: RangeProof) -> None:
    """Checks a proof from `prove_bits` that a commitment opens to a value in [0, 2**bits).

    The commitment D is given as a linear combination of points (`[(1, C)]`, or `[(L, G), (-1, C)]`
    for one derived from public data), never evaluated on its own: it may be the identity.

    Raises:
        InvalidProof: If it does not verify, or its digits do not fit `bits`.
        ProofError: If `bits` is not 1 to MAX_BITS.
    """
    ks = radices(bits)
    if tuple(d.radix for d in proof.digits) != ks:
        raise InvalidProof(f"the proof's digits have radices {[d.radix for d in proof.digits]}, {bits} bits take {list(ks)}")
    for d in proof.digits:
        if len(d.c) != d.radix - 1 or len(d.z) != d.radix:
            raise InvalidProof(f"a digit of radix {d.radix} takes {d.radix - 1} challenges and {d.radix} responses")
        for p in (d.commitment, *d.a):
            Point.checked(p.x, p.y)
        for x in (*d.c, *d.z):
            scalar(x)
    c = _absorb_points(t, bits, points_bytes(proof))
    t.append(b"scalars", scalars_bytes(proof))
    w = t.challenge(b"w")
    # The batched equation: -D + sum(4^i * C_i) + sum(w^e * (z_ij*H - A_ij - c_ij*(C_i - j*G))) == O.
    # A multiple of G in D joins G's coefficient: G and H are multiplied once each, through their tables.
    terms: list[tuple[int, Point | FixedBase]] = [((ORDER - k) % ORDER, p) for k, p in commitment if p != G]
    weight, h, g = 1, 0, -sum(k for k, p in commitment if p == G)
    for i, d in enumerate(proof.digits):
        cs = (*d.c, (c - sum(d.c)) % ORDER)
        coefficient = 4**i
        for j, (a, cj, zj) in enumerate(zip(d.a, cs, d.z)):
            weight = weight * w % ORDER
            h, g, coefficient = h + weight * zj, g + weight * cj * j, coefficient - weight * cj
            terms.append((ORDER - weight, a))
        terms.append((coefficient % ORDER, d.commitment))
    terms += [(h % ORDER, H_FIXED), (g % ORDER, G_FIXED)]
    if not combination_is_identity(terms):
        raise InvalidProof("the range proof does not verify: a digit is out of its radix, or the digits do not add up")


def _absorb_points(t: Transcript, bits: int, points: bytes) -> int:
    t.append_scalar(b"bits", bits)
    t.append(b"points", points)
    return t.challenge(b"c")

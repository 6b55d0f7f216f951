"""Canonical bytes and JSON for proofs: one encoding per proof, decoded with every check.

Bytes (as the Solidity verifier reads them): a point is 64 bytes (x, y big-endian), a scalar
32 bytes big-endian below the group order.

- range-based proof (range, loan-to-value, exposure) of n bits: its digits, least significant
  first, are n // 2 of radix 4 and, if n is odd, one of radix 2 on top. First every point, for each
  digit C || A_0 .. A_{k-1}; then every scalar, for each digit c_0 .. c_{k-2} || z_0 .. z_{k-1}.
  A radix-4 digit takes 320 + 224 bytes, a radix-2 digit 192 + 96: 272 bytes a bit
  (288 for the odd top bit).
"""

from __future__ import annotations

from ..errors import InvalidProof
from .curve import Point, scalar
from .range import DigitProof, RangeProof, points_bytes, radices, scalars_bytes


def _scalar(data: bytes) -> int:
    return scalar(int.from_bytes(data, "big"))


def range_size(bits: int) -> int:
    """Returns the size in bytes of a range-based proof of `bits` bits.

    Raises:
        ProofError: If `bits` is not 1 to MAX_BITS.
    """
    return sum(64 * (k + 1) + 32 * (2 * k - 1) for k in radices(bits))


def range_to_bytes(proof: RangeProof) -> bytes:
    """Returns a range-based proof's canonical bytes."""
    return points_bytes(proof) + scalars_bytes(proof)


def range_from_bytes(data: bytes, bits: int) -> RangeProof:
    """Decodes a range-based proof of `bits` bits.

    Raises:
        InvalidProof: If its length is not `range_size(bits)`, or a point or scalar is invalid.
        ProofError: If `bits` is not 1 to MAX_BITS.
    """
    if len(data) != range_size(bits):
        raise InvalidProof(f"a {bits}-bit proof is {range_size(bits)} bytes, not {len(data)}")
    points = data[: sum(64 * (k + 1) for k in radices(bits))]
    scalars = data[len(points) :]
    p = s = 0
    digits = []
    for k in radices(bits):
        ps = [Point.from_bytes(points[p + 64 * j : p + 64 * (j + 1)]) for j in range(k + 1)]
        xs = [_scalar(scalars[s + 32 * j : s + 32 * (j + 1)]) for j in range(2 * k - 1)]
        digits.append(DigitProof(ps[0], tuple(ps[1:]), tuple(xs[: k - 1]), tuple(xs[k - 1 :])))
        p, s = p + 64 * (k + 1), s + 32 * (2 * k - 1)
    return RangeProof(tuple(digits))

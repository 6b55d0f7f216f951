"""BN254 (alt_bn128) G1, the group of the EVM's precompiles 0x06 (add) and 0x07 (scalar multiply).

Points travel as the precompiles take them: 64 bytes, x then y, each a 32-byte big-endian integer
below the field modulus. Every point a proof carries is checked at the boundary: on the curve,
canonical, and not the identity (the precompiles encode the identity as (0, 0), which no proof may
use). Scalars are integers modulo the group order `ORDER`; a scalar a proof carries must already be
below it, so one proof has one encoding.

The arithmetic is py_ecc's (optimized_bn128, Jacobian coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from py_ecc import optimized_bn128

from ..errors import InvalidProof

bn: Any = optimized_bn128  # its names are re-exported without __all__, which mypy --strict refuses

#: The order of G1 (and the modulus of scalars).
ORDER: int = bn.curve_order
#: The modulus of the base field (coordinates).
FIELD: int = bn.field_modulus
_B = 3  # y^2 = x^3 + 3


@dataclass(frozen=True)
class Point:
    """A point of G1 other than the identity, in affine coordinates."""

    x: int
    y: int

    @classmethod
    def _from(cls, p: Any) -> Point:
        if bn.is_inf(p):
            raise InvalidProof("a computation reached the identity point, which no valid proof produces")
        x, y = bn.normalize(p)
        return cls(int(x.n), int(y.n))

    def _jacobian(self) -> Any:
        return (bn.FQ(self.x), bn.FQ(self.y), bn.FQ.one())

    def __add__(self, other: Point) -> Point:
        return Point._from(bn.add(self._jacobian(), other._jacobian()))

    def __sub__(self, other: Point) -> Point:
        return Point._from(bn.add(self._jacobian(), bn.neg(other._jacobian())))

    def __mul__(self, scalar: int) -> Point:
        return Point._from(bn.multiply(self._jacobian(), scalar % ORDER))

    __rmul__ = __mul__

    def to_bytes(self) -> bytes:
        """Returns the 64-byte encoding the EVM precompiles use."""
        return self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Decodes and checks a point.

        Raises:
            InvalidProof: If it is not 64 bytes of canonical coordinates of a point of G1, or it is the identity.
        """
        if len(data) != 64:
            raise InvalidProof(f"a point is 64 bytes, not {len(data)}")
        return cls.checked(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big"))

    @classmethod
    def checked(cls, x: int, y: int) -> Point:
        """Returns the point (x, y) after checking it.

        Raises:
            InvalidProof: If a coordinate is not below the field modulus, the point is the identity
                (0, 0), or it is not on the curve.
        """
        if not (0 <= x < FIELD and 0 <= y < FIELD):
            raise InvalidProof("a point's coordinate is not below the field modulus")
        if x == 0 and y == 0:
            raise InvalidProof("a proof may not use the identity point")
        if (y * y - x * x * x - _B) % FIELD != 0:
            raise InvalidProof(f"({x:#x}, {y:#x}) is not a point of BN254")
        return cls(x, y)  # G1 has cofactor 1: every curve point is in the group


#: The standard generator of G1, (1, 2).
G = Point(1, 2)


def scalar(value: int) -> int:
    """Checks a scalar a proof carries.

    Raises:
        InvalidProof: If it is not an integer in [0, ORDER).
    """
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < ORDER:
        raise InvalidProof("a scalar is not an integer below the group order")
    return value


def _total(pairs: list[tuple[int, Point]]) -> Any:
    """sum(k * P) over `pairs`, in Jacobian coordinates, the identity included."""
    acc: Any = bn.Z1
    for k, p in pairs:
        acc = bn.add(acc, bn.multiply(p._jacobian(), k % ORDER))  # noqa: SLF001 - same module family
    return acc


def multi(pairs: list[tuple[int, Point]]) -> Point:
    """Returns the sum of scalar * point over `pairs`.

    Raises:
        InvalidProof: If the sum is the identity.
    """
    return Point._from(_total(pairs))  # noqa: SLF001


def combination_is_identity(pairs: list[tuple[int, Point]]) -> bool:
    """Tells whether sum(k*P) over `pairs` is the identity: the one comparison the on-chain
    verifier makes at the end of a batched check (the precompiles return (0, 0) for it)."""
    return bool(bn.is_inf(_total(pairs)))


def combination_equals(left: list[tuple[int, Point]], right: list[tuple[int, Point]]) -> bool:
    """Tells whether sum(k*P) over `left` equals that over `right`, the identity allowed on either
    side: exactly the comparison the on-chain verifier makes with the precompiles (which return
    (0, 0) for the identity), so both accept and refuse the same proofs."""
    return bool(bn.eq(_total(left), _total(right)))

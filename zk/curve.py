"""BN254 (alt_bn128) G1, the group of the EVM's precompiles 0x06 (add) and 0x07 (scalar multiply).

Points travel as the precompiles take them: 64 bytes, x then y, each a 32-byte big-endian integer
below the field modulus. Every point a proof carries is checked at the boundary: on the curve,
canonical, and not the identity (the precompiles encode the identity as (0, 0), which no proof may
use). Scalars are integers modulo the group order `ORDER`; a scalar a proof carries must already be
below it, so one proof has one encoding.

The arithmetic is py_ecc's (optimized_bn128, projective coordinates), except for multiples of a
fixed base (G, H): a `FixedBase` adds up entries of a table computed once, on Python integers in
Jacobian coordinates, about forty times faster than py_ecc's multiplication (a test checks it
against py_ecc). Provers multiply only by G and H; verifiers by them once each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
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


# Jacobian coordinates over Python integers, for the fixed-base tables: (X, Y, Z) is the point
# (X/Z^2, Y/Z^3), and Z = 0 the identity. The formulas are the Explicit-Formulas Database's for
# a = 0 (madd-2007-bl, dbl-2009-l).
_Jacobian = tuple[int, int, int]
_IDENTITY: _Jacobian = (1, 1, 0)


def _double(p: _Jacobian) -> _Jacobian:
    x, y, z = p
    a, b = x * x % FIELD, y * y % FIELD
    c = b * b % FIELD
    d = 2 * ((x + b) * (x + b) - a - c) % FIELD
    e = 3 * a
    x3 = (e * e - 2 * d) % FIELD
    return x3, (e * (d - x3) - 8 * c) % FIELD, 2 * y * z % FIELD


def _add_affine(p: _Jacobian, x2: int, y2: int) -> _Jacobian:
    """p + (x2, y2), the latter a point of the curve in affine coordinates."""
    x1, y1, z1 = p
    if z1 == 0:
        return x2, y2, 1
    z1z1 = z1 * z1 % FIELD
    h = (x2 * z1z1 - x1) % FIELD
    r = 2 * (y2 * z1 * z1z1 - y1) % FIELD
    if h == 0:  # the same x: the same point, or opposite ones
        return _double(p) if r == 0 else _IDENTITY
    hh = h * h % FIELD
    i = 4 * hh
    j, v = h * i % FIELD, x1 * i % FIELD
    x3 = (r * r - j - 2 * v) % FIELD
    return x3, (r * (v - x3) - 2 * y1 * j) % FIELD, ((z1 + h) * (z1 + h) - z1z1 - hh) % FIELD


def _affine(points: list[_Jacobian]) -> list[tuple[int, int]]:
    """The affine coordinates of points other than the identity, with one inversion for all
    (Montgomery's trick)."""
    prefix = [1]
    for _, _, z in points:
        prefix.append(prefix[-1] * z % FIELD)
    inverse = pow(prefix[-1], -1, FIELD)
    out = []
    for (x, y, z), before in zip(reversed(points), reversed(prefix[:-1])):
        zi = inverse * before % FIELD  # 1/z
        inverse = inverse * z % FIELD
        zi2 = zi * zi % FIELD
        out.append((x * zi2 % FIELD, y * zi2 * zi % FIELD))
    return out[::-1]


class FixedBase:
    """A point to be multiplied many times, through a table of its multiples.

    With windows of w bits, the table holds d * 2^(w*i) * P for every digit 1 <= d < 2^w and
    every window i of a scalar below the group order (254 bits), in affine coordinates; k*P is
    then the sum of one entry per nonzero digit of k: about 254/w additions, and no doubling. The
    table is built on first use (about 30 ms for w = 6), then kept as long as the object. No entry
    is the identity: d * 2^(w*i) is never a multiple of the prime order.
    """

    def __init__(self, point: Point, window: int = 6) -> None:
        """Prepares multiples of `point` with windows of `window` bits (the table comes later)."""
        self.point = point
        self.window = window

    @cached_property
    def _table(self) -> list[list[tuple[int, int]]]:
        rows = []
        x, y = self.point.x, self.point.y
        for _ in range(-(-ORDER.bit_length() // self.window)):
            row = [(x, y, 1)]
            for _ in range(2**self.window - 1):  # up to 2^w times this window's base: the next one's
                row.append(_add_affine(row[-1], x, y))
            *entries, (x, y) = _affine(row)
            rows.append(entries)
        return rows

    def _add_multiple(self, acc: _Jacobian, k: int) -> _Jacobian:
        """acc + k*P."""
        k %= ORDER
        mask = 2**self.window - 1
        for row in self._table:
            if k & mask:
                acc = _add_affine(acc, *row[(k & mask) - 1])
            k >>= self.window
        return acc

    def __repr__(self) -> str:
        return f"FixedBase({self.point!r}, window={self.window})"


#: G, multiplied through its table.
G_FIXED = FixedBase(G)

_Pairs = Sequence[tuple[int, Point | FixedBase]]


def _sum_fixed(pairs: _Pairs) -> _Jacobian:
    acc = _IDENTITY
    for k, p in pairs:
        if isinstance(p, FixedBase):
            acc = p._add_multiple(acc, k)  # noqa: SLF001 - same module
    return acc


def _total(pairs: _Pairs) -> Any:
    """sum(k * P) over `pairs`, in py_ecc's projective coordinates, the identity included."""
    acc: Any = bn.Z1
    for k, p in pairs:
        if isinstance(p, Point):
            acc = bn.add(acc, bn.multiply(p._jacobian(), k % ORDER))  # noqa: SLF001 - same module
    fixed = _sum_fixed(pairs)
    if fixed[2] != 0:
        x, y = _affine([fixed])[0]
        acc = bn.add(acc, (bn.FQ(x), bn.FQ(y), bn.FQ.one()))
    return acc


def multi(pairs: _Pairs) -> Point:
    """Returns the sum of scalar * point over `pairs`, a point or a `FixedBase` each.

    Raises:
        InvalidProof: If the sum is the identity.
    """
    if all(isinstance(p, FixedBase) for _, p in pairs):  # a prover's: no py_ecc at all
        fixed = _sum_fixed(pairs)
        if fixed[2] == 0:
            raise InvalidProof("a computation reached the identity point, which no valid proof produces")
        x, y = _affine([fixed])[0]
        return Point(x, y)
    return Point._from(_total(pairs))  # noqa: SLF001


def combination_is_identity(pairs: _Pairs) -> bool:
    """Tells whether sum(k*P) over `pairs` is the identity: the one comparison the on-chain
    verifier makes at the end of a batched check (the precompiles return (0, 0) for it)."""
    return bool(bn.is_inf(_total(pairs)))


def combination_equals(left: _Pairs, right: _Pairs) -> bool:
    """Tells whether sum(k*P) over `left` equals that over `right`, the identity allowed on either
    side: exactly the comparison the on-chain verifier makes with the precompiles (which return
    (0, 0) for the identity), so both accept and refuse the same proofs."""
    return bool(bn.eq(_total(left), _total(right)))

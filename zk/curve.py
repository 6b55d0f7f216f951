"""BN254 (alt_bn128) G1, the group of the EVM's precompiles 0x06 (add) and 0x07 (scalar multiply).

Points travel as the precompiles take them: 64 bytes, x then y, each a 32-byte big-endian integer
below the field modulus. Every point a proof carries is checked at the boundary: on the curve,
canonical, and not the identity (the precompiles encode the identity as (0, 0), which no proof may
use). Scalars are integers modulo the group order `ORDER`; a scalar a proof carries must already be
below it, so one proof has one encoding.

The arithmetic is on Python integers in Jacobian coordinates, with the Explicit-Formulas
Database's formulas for a = 0; tests check it against py_ecc's, and the shared test vectors against
the precompiles. Every computation is a sum of multiples sum(k_i * P_i): the multiples of a fixed
base (G, H) add up entries of its table (`FixedBase`), computed once; those of other points, as
a verifier's, share their doublings (Straus). Provers multiply only by G and H.
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

    def __add__(self, other: Point) -> Point:
        return _point(_add_affine((self.x, self.y, 1), other.x, other.y))

    def __sub__(self, other: Point) -> Point:
        return _point(_add_affine((self.x, self.y, 1), other.x, FIELD - other.y))  # no point has y = 0

    def __mul__(self, scalar: int) -> Point:
        return multi([(scalar, self)])

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


# Jacobian coordinates over Python integers, for all the arithmetic: (X, Y, Z) is the point
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


def _point(p: _Jacobian) -> Point:
    if p[2] == 0:
        raise InvalidProof("a computation reached the identity point, which no valid proof produces")
    return Point(*_affine([p])[0])


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
_WINDOW = 4  # bits of a scalar taken at a time by Straus's method


def _straus(pairs: list[tuple[int, Point]]) -> _Jacobian:
    """sum(k * P) over points that are not fixed bases: the multiples 1..15 of each (affine, one
    inversion for all), then every scalar 4 bits at a time from the top, one doubling of the sum
    per bit for all points together."""
    if not pairs:
        return _IDENTITY
    rows = []
    for _, p in pairs:
        row = [(p.x, p.y, 1)]
        for _ in range(2**_WINDOW - 2):
            row.append(_add_affine(row[-1], p.x, p.y))  # never the identity: the order is a prime above 15
        rows.append(row)
    flat = _affine([q for row in rows for q in row])
    tables = [flat[i : i + 2**_WINDOW - 1] for i in range(0, len(flat), 2**_WINDOW - 1)]
    ks = [k % ORDER for k, _ in pairs]
    acc = _IDENTITY
    for shift in range(-(-ORDER.bit_length() // _WINDOW) * _WINDOW - _WINDOW, -1, -_WINDOW):
        if acc[2] != 0:
            for _ in range(_WINDOW):
                acc = _double(acc)
        for k, table in zip(ks, tables):
            digit = (k >> shift) & (2**_WINDOW - 1)
            if digit:
                acc = _add_affine(acc, *table[digit - 1])
    return acc


def _total(pairs: _Pairs) -> _Jacobian:
    """sum(k * P) over `pairs`, the identity included."""
    acc = _straus([(k, p) for k, p in pairs if isinstance(p, Point)])
    for k, p in pairs:
        if isinstance(p, FixedBase):
            acc = p._add_multiple(acc, k)  # noqa: SLF001 - same module
    return acc


def multi(pairs: _Pairs) -> Point:
    """Returns the sum of scalar * point over `pairs`, a point or a `FixedBase` each.

    Raises:
        InvalidProof: If the sum is the identity.
    """
    return _point(_total(pairs))


def combination_is_identity(pairs: _Pairs) -> bool:
    """Tells whether sum(k*P) over `pairs` is the identity: the one comparison the on-chain
    verifier makes at the end of a batched check (the precompiles return (0, 0) for it)."""
    return _total(pairs)[2] == 0


def combination_equals(left: _Pairs, right: _Pairs) -> bool:
    """Tells whether sum(k*P) over `left` equals that over `right`, the identity allowed on either
    side: exactly the comparison the on-chain verifier makes with the precompiles (which return
    (0, 0) for the identity), so both accept and refuse the same proofs."""
    return combination_is_identity([*left, *((ORDER - k % ORDER, p) for k, p in right)])

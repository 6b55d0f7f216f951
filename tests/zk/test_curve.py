"""BN254 G1 arithmetic: multiples of a fixed base through its table, and combinations of them with
other points, equal py_ecc's (the reference); the identity is reached and refused as before."""

from __future__ import annotations

import random
from typing import Any

import pytest
from py_ecc import optimized_bn128

from lienchain.errors import InvalidProof
from lienchain.zk.curve import ORDER, G, G_FIXED, FixedBase, Point, combination_equals, combination_is_identity, multi
from lienchain.zk.generators import H, H_FIXED
from lienchain.zk.pedersen import commit

bn: Any = optimized_bn128
RNG = random.Random(3)
SCALARS = [1, 2, 3, 62, 63, 64, 65, 2**40 - 1, 2**128 + 1, 2**253, 2**254 - 1, ORDER - 1, ORDER + 5, -3,
           *(RNG.randrange(ORDER) for _ in range(20))]


def _reference(pairs: list[tuple[int, Point]]) -> Point | None:
    """sum(k*P) with py_ecc, None for the identity."""
    acc: Any = bn.Z1
    for k, p in pairs:
        acc = bn.add(acc, bn.multiply((bn.FQ(p.x), bn.FQ(p.y), bn.FQ.one()), k % ORDER))
    if bn.is_inf(acc):
        return None
    x, y = bn.normalize(acc)
    return Point(int(x.n), int(y.n))


@pytest.mark.parametrize("window", [1, 4, 6, 7])
def test_fixed_base_multiples_equal_py_ecc(window: int) -> None:
    base = FixedBase(H, window)
    for k in SCALARS:
        assert multi([(k, base)]) == _reference([(k, H)]), k


def test_pedersen_commitments_equal_py_ecc() -> None:
    for v, r in zip(SCALARS, reversed(SCALARS)):
        assert commit(v, r) == _reference([(v, G), (r, H)])


def test_combinations_of_fixed_bases_and_points_equal_py_ecc() -> None:
    points = [commit(RNG.randrange(ORDER), RNG.randrange(ORDER)) for _ in range(4)]
    for _ in range(5):
        ks = [RNG.randrange(ORDER) for _ in range(6)]
        pairs = [(ks[0], G), (ks[1], H), *zip(ks[2:], points)]
        expected = _reference(pairs)
        assert multi([(ks[0], G_FIXED), (ks[1], H_FIXED), *zip(ks[2:], points)]) == expected
        assert multi(pairs) == expected


def test_fixed_base_sums_double_and_cancel() -> None:
    assert multi([(1, G_FIXED), (1, G_FIXED)]) == multi([(2, G)])  # the same point added: a doubling
    assert multi([(2**60, G_FIXED), (2**60, G_FIXED)]) == _reference([(2**61, G)])
    assert combination_is_identity([(5, G_FIXED), (ORDER - 5, G)])
    assert combination_is_identity([(7, H_FIXED), (ORDER - 7, H_FIXED)])
    assert combination_is_identity([(0, G_FIXED), (ORDER, H_FIXED)])
    assert not combination_is_identity([(1, G_FIXED)])
    assert combination_equals([(3, G_FIXED), (4, H_FIXED)], [(1, commit(3, 4))])
    for pairs in ([(ORDER, G_FIXED)], [(1, G_FIXED), (ORDER - 1, G)], [(0, G_FIXED), (0, H_FIXED)]):
        with pytest.raises(InvalidProof, match="identity"):
            multi(pairs)

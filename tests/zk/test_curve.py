"""BN254 G1 arithmetic: multiples of a fixed base through its table, sums of multiples of other
points, and both together equal py_ecc's (the reference); the identity is reached and refused."""

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


def test_point_operators_equal_py_ecc() -> None:
    p, q = commit(5, 6), commit(7, 8)
    assert p + q == _reference([(1, p), (1, q)])
    assert p - q == _reference([(1, p), (ORDER - 1, q)])
    assert p + p == _reference([(2, p)])
    for k in SCALARS[:12]:
        assert p * k == k * p == _reference([(k, p)]), k
    with pytest.raises(InvalidProof, match="identity"):
        p - p


def test_sums_of_many_points_equal_py_ecc_with_repeats_opposites_and_zeros() -> None:
    p, q = commit(1, 2), commit(3, 4)
    minus_p = p * (ORDER - 1)
    pairs = [(RNG.randrange(ORDER), p), (RNG.randrange(ORDER), q), (RNG.randrange(ORDER), p), (0, q),
             (RNG.randrange(ORDER), minus_p), *((RNG.randrange(ORDER), commit(i, i + 1)) for i in range(10))]
    assert multi(pairs) == _reference(pairs)
    assert combination_is_identity([(5, p), (5, minus_p)])
    assert combination_is_identity([(2**200, p), (2**200, q), (ORDER - 2**200, p), (ORDER - 2**200, q)])
    assert multi([(2**252, p), (2**252, p)]) == _reference([(2**253, p)])  # equal sums meet: a doubling

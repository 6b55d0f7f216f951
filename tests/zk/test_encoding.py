"""Proofs round-trip through their canonical bytes; malformed encodings are refused."""

from __future__ import annotations

import random

import pytest

from lienchain.errors import InvalidProof
from lienchain.zk import encoding
from lienchain.zk import range as range_proof
from lienchain.zk.curve import FIELD, ORDER
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(7, "0x" + "11" * 20, b"lien:1")
RNG = random.Random(3)


def test_range_proof_round_trips_byte_for_byte() -> None:
    w = Opening(77, 5)
    statement = RangeStatement(CONTEXT, w.commit(), bits=8)
    proof = range_proof.prove(statement, w, rng=RNG)
    data = encoding.range_to_bytes(proof)
    assert len(data) == 4 * (320 + 224) == encoding.range_size(8)
    decoded = encoding.range_from_bytes(data, 8)
    assert decoded == proof and encoding.range_to_bytes(decoded) == data
    range_proof.verify(statement, decoded)


def test_odd_bit_range_proof_round_trips_with_its_radix_2_top_digit() -> None:
    w = Opening(300, 5)
    statement = RangeStatement(CONTEXT, w.commit(), bits=9)
    data = encoding.range_to_bytes(range_proof.prove(statement, w, rng=RNG))
    assert len(data) == 4 * (320 + 224) + 192 + 96 == encoding.range_size(9)
    assert [d.radix for d in encoding.range_from_bytes(data, 9).digits] == [4, 4, 4, 4, 2]
    range_proof.verify(statement, encoding.range_from_bytes(data, 9))
    with pytest.raises(InvalidProof):
        encoding.range_from_bytes(data, 8)


def test_malformed_encodings_are_refused() -> None:
    w = Opening(3, 9)
    data = encoding.range_to_bytes(range_proof.prove(RangeStatement(CONTEXT, w.commit(), bits=2), w, rng=RNG))
    for bad in (data[:-1], data + b"\x00",
                data[:-32] + ORDER.to_bytes(32, "big"),  # a scalar at the group order
                FIELD.to_bytes(32, "big") + data[32:],  # a coordinate at the field modulus
                bytes(64) + data[64:]):  # the identity
        with pytest.raises(InvalidProof):
            encoding.range_from_bytes(bad, 2)
    with pytest.raises(InvalidProof):
        encoding.range_from_bytes(bytes(544), 2)  # the right length, but the identity as every point

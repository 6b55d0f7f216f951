"""Proofs round-trip through their canonical bytes and JSON; malformed encodings are refused."""

from __future__ import annotations

import json
import random

import pytest

from lienchain.errors import InvalidProof
from lienchain.zk import encoding, opening
from lienchain.zk import range as range_proof
from lienchain.zk.curve import FIELD, ORDER
from lienchain.zk.opening import OpeningStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(7, "0x" + "11" * 20, b"lien:1")
RNG = random.Random(3)


def test_opening_proof_round_trips_and_still_verifies() -> None:
    w = Opening(42, 9)
    statement = OpeningStatement(CONTEXT, w.commit())
    data = encoding.opening_to_bytes(opening.prove(statement, w, rng=RNG))
    assert len(data) == 128
    as_json = json.loads(json.dumps(encoding.to_json("opening", data)))
    opening.verify(statement, encoding.opening_from_bytes(encoding.from_json(as_json, "opening")))


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
    w = Opening(42, 9)
    data = encoding.opening_to_bytes(opening.prove(OpeningStatement(CONTEXT, w.commit()), w, rng=RNG))
    for bad in (data[:-1], data + b"\x00",
                data[:64] + ORDER.to_bytes(32, "big") + data[96:],  # a scalar at the group order
                FIELD.to_bytes(32, "big") + data[32:],  # a coordinate at the field modulus
                bytes(64) + data[64:]):  # the identity
        with pytest.raises(InvalidProof):
            encoding.opening_from_bytes(bad)
    with pytest.raises(InvalidProof):
        encoding.range_from_bytes(bytes(544), 2)  # the right length, but the identity as every point
    for bad_json in ({"kind": "range", "proof": "0x00"}, {"kind": "opening", "proof": "zz"}, []):
        with pytest.raises(InvalidProof):
            encoding.opening_from_bytes(encoding.from_json(bad_json, "opening"))

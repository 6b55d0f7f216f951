"""The BN254 building blocks: the generator H, Pedersen commitments, the transcript, and the
proofs of opening and of range, each against tampering and replay in another context."""

from __future__ import annotations

import dataclasses
import random

import pytest
from eth_utils.crypto import keccak

from lienchain.errors import InvalidProof, ProofError
from lienchain.zk.curve import FIELD, G, ORDER, Point
from lienchain.zk.generators import H, H_COUNTER, SEED
from lienchain.zk.opening import OpeningStatement
from lienchain.zk import opening, range as range_proof
from lienchain.zk.pedersen import Opening, commit
from lienchain.zk.range import RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(1_234_567, "0x" + "ab" * 20, b"lien:7")
OTHER_CONTEXTS = [
    dataclasses.replace(CONTEXT, chain_id=1_234_568),
    dataclasses.replace(CONTEXT, contract="0x" + "ac" * 20),
    dataclasses.replace(CONTEXT, subject=b"lien:8"),
]
RNG = random.Random(7)  # deterministic for tests; production code draws from `secrets`


def test_h_is_recomputed_from_its_public_seed() -> None:
    x = int.from_bytes(keccak(SEED + H_COUNTER.to_bytes(4, "big")), "big") % FIELD
    assert (H.x, H.y % 2) == (x, 0)
    assert (H.y * H.y - x**3 - 3) % FIELD == 0
    assert H != G


def test_commitments_hide_with_blinding_and_add_up() -> None:
    assert commit(5, 11) != commit(5, 12)
    assert commit(5, 11) + commit(7, 13) == commit(12, 24)


@pytest.mark.parametrize("data", [b"", b"\x00" * 63, (0).to_bytes(64, "big"), (1).to_bytes(32, "big") + (3).to_bytes(32, "big"),
                                  FIELD.to_bytes(32, "big") + (2).to_bytes(32, "big")])
def test_points_off_the_curve_or_the_identity_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidProof):
        Point.from_bytes(data)


def test_opening_proof_verifies_and_binds_its_context() -> None:
    witness = Opening(1_850_000, 99)
    statement = OpeningStatement(CONTEXT, witness.commit())
    proof = opening.prove(statement, witness, rng=RNG)
    opening.verify(statement, proof)
    for other in OTHER_CONTEXTS:
        with pytest.raises(InvalidProof):
            opening.verify(dataclasses.replace(statement, context=other), proof)
    for tampered in (dataclasses.replace(proof, z_value=(proof.z_value + 1) % ORDER),
                     dataclasses.replace(proof, z_blinding=(proof.z_blinding + 1) % ORDER),
                     dataclasses.replace(proof, a=proof.a + G)):
        with pytest.raises(InvalidProof):
            opening.verify(statement, tampered)
    with pytest.raises(InvalidProof):
        opening.verify(statement, dataclasses.replace(proof, z_value=proof.z_value + ORDER))  # same value mod the order


def test_opening_proof_needs_the_opening() -> None:
    with pytest.raises(ProofError):
        opening.prove(OpeningStatement(CONTEXT, commit(1, 2)), Opening(1, 3), rng=RNG)


@pytest.mark.parametrize("value", [0, 1, 2**8 - 1, 173])
def test_range_proof_accepts_every_amount_in_range(value: int) -> None:
    witness = Opening.random(value)
    statement = RangeStatement(CONTEXT, witness.commit(), bits=8)
    range_proof.verify(statement, range_proof.prove(statement, witness, rng=RNG))


@pytest.mark.parametrize("value", [2**8, ORDER - 1])  # too large; "-1" disguised modulo the group order
def test_range_proof_cannot_be_made_for_amounts_out_of_range(value: int) -> None:
    witness = Opening(value, 5)
    with pytest.raises(ProofError, match="outside"):
        range_proof.prove(RangeStatement(CONTEXT, witness.commit(), bits=8), witness, rng=RNG)


def test_range_proof_refuses_every_tampered_field_and_other_contexts() -> None:
    witness = Opening(200, 77)
    statement = RangeStatement(CONTEXT, witness.commit(), bits=8)
    proof = range_proof.prove(statement, witness, rng=RNG)
    for other in OTHER_CONTEXTS:
        with pytest.raises(InvalidProof):
            range_proof.verify(dataclasses.replace(statement, context=other), proof)
    with pytest.raises(InvalidProof):
        range_proof.verify(dataclasses.replace(statement, commitment=commit(201, 77)), proof)
    for i in (0, 7):
        bit = proof.bits[i]
        for changed in (dataclasses.replace(bit, commitment=bit.commitment + G),
                        dataclasses.replace(bit, a0=bit.a0 + G), dataclasses.replace(bit, a1=bit.a1 + G),
                        dataclasses.replace(bit, c0=(bit.c0 + 1) % ORDER), dataclasses.replace(bit, z0=(bit.z0 + 1) % ORDER),
                        dataclasses.replace(bit, z1=(bit.z1 + 1) % ORDER), dataclasses.replace(bit, z1=bit.z1 + ORDER)):
            bits = list(proof.bits)
            bits[i] = changed
            with pytest.raises(InvalidProof):
                range_proof.verify(statement, range_proof.RangeProof(tuple(bits)))
    with pytest.raises(InvalidProof):
        range_proof.verify(statement, range_proof.RangeProof(proof.bits[:-1]))


def test_a_forty_bit_amount_proves_in_range() -> None:
    witness = Opening.random(2**40 - 1)
    statement = RangeStatement(CONTEXT, witness.commit())
    range_proof.verify(statement, range_proof.prove(statement, witness))

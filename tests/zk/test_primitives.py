"""The BN254 building blocks: the generator H, Pedersen commitments, the transcript, and the
range proof, each against tampering and replay in another context."""

from __future__ import annotations

import dataclasses
import random

import pytest
from eth_utils.crypto import keccak

from lienchain.errors import InvalidProof, ProofError
from lienchain.zk.curve import FIELD, G, ORDER, Point
from lienchain.zk.generators import H, H_COUNTER, SEED
from lienchain.zk import range as range_proof
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


@pytest.mark.parametrize(("value", "bits"), [(0, 8), (1, 8), (2**8 - 1, 8), (173, 8), (0, 1), (1, 1), (2**9 - 1, 9), (300, 9)])
def test_range_proof_accepts_every_amount_in_range(value: int, bits: int) -> None:
    witness = Opening.random(value)
    statement = RangeStatement(CONTEXT, witness.commit(), bits=bits)
    range_proof.verify(statement, range_proof.prove(statement, witness, rng=RNG))


@pytest.mark.parametrize(("value", "bits"), [(2**8, 8), (ORDER - 1, 8), (2**9, 9), (2, 1)])  # ORDER - 1: "-1" in disguise
def test_range_proof_cannot_be_made_for_amounts_out_of_range(value: int, bits: int) -> None:
    witness = Opening(value, 5)
    with pytest.raises(ProofError, match="outside"):
        range_proof.prove(RangeStatement(CONTEXT, witness.commit(), bits=bits), witness, rng=RNG)


def _tampered(digit: range_proof.DigitProof) -> list[range_proof.DigitProof]:
    """Every single-field change of a digit's proof: its commitment, each A_j, c_j and z_j."""
    def swap(values: tuple, j: int, value: object) -> tuple:
        return (*values[:j], value, *values[j + 1 :])
    out = [dataclasses.replace(digit, commitment=digit.commitment + G)]
    out += [dataclasses.replace(digit, a=swap(digit.a, j, a + G)) for j, a in enumerate(digit.a)]
    out += [dataclasses.replace(digit, c=swap(digit.c, j, (c + 1) % ORDER)) for j, c in enumerate(digit.c)]
    out += [dataclasses.replace(digit, z=swap(digit.z, j, (z + 1) % ORDER)) for j, z in enumerate(digit.z)]
    out += [dataclasses.replace(digit, z=swap(digit.z, 0, digit.z[0] + ORDER))]  # the same value mod the order
    return out


@pytest.mark.parametrize("bits", [8, 9])  # four radix-4 digits; and a radix-2 one on top
def test_range_proof_refuses_every_tampered_field_and_other_contexts(bits: int) -> None:
    witness = Opening(200, 77)
    statement = RangeStatement(CONTEXT, witness.commit(), bits=bits)
    proof = range_proof.prove(statement, witness, rng=RNG)
    range_proof.verify(statement, proof)
    for other in OTHER_CONTEXTS:
        with pytest.raises(InvalidProof):
            range_proof.verify(dataclasses.replace(statement, context=other), proof)
    with pytest.raises(InvalidProof):
        range_proof.verify(dataclasses.replace(statement, commitment=commit(201, 77)), proof)
    for i in (0, len(proof.digits) - 1):
        for changed in _tampered(proof.digits[i]):
            digits = list(proof.digits)
            digits[i] = changed
            with pytest.raises(InvalidProof):
                range_proof.verify(statement, range_proof.RangeProof(tuple(digits)))
    with pytest.raises(InvalidProof):
        range_proof.verify(statement, range_proof.RangeProof(proof.digits[:-1]))
    with pytest.raises(InvalidProof):
        range_proof.verify(dataclasses.replace(statement, bits=bits + 1), proof)


def test_range_proof_digits_are_radix_4_with_a_radix_2_top_for_odd_bits() -> None:
    assert range_proof.radices(1) == (2,)
    assert range_proof.radices(8) == (4, 4, 4, 4)
    assert range_proof.radices(9) == (4, 4, 4, 4, 2)
    for bits in (0, 65):
        with pytest.raises(ProofError):
            range_proof.radices(bits)


def test_range_statement_outside_1_to_64_bits_is_malformed() -> None:
    witness = Opening(1, 2)
    with pytest.raises(ProofError):
        range_proof.prove(RangeStatement(CONTEXT, witness.commit(), bits=0), witness, rng=RNG)
    proof = range_proof.prove(RangeStatement(CONTEXT, witness.commit(), bits=1), witness, rng=RNG)
    with pytest.raises(ProofError) as refused:
        range_proof.verify(RangeStatement(CONTEXT, witness.commit(), bits=65), proof)
    assert not isinstance(refused.value, InvalidProof)


def test_a_forty_bit_amount_proves_in_range() -> None:
    witness = Opening.random(2**40 - 1)
    statement = RangeStatement(CONTEXT, witness.commit())
    range_proof.verify(statement, range_proof.prove(statement, witness))

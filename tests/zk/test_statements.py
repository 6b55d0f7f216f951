"""Loan-to-value and exposure proofs: what they accept, and the replays and lies they refuse."""

from __future__ import annotations

import dataclasses
import random

import pytest

from lienchain.errors import InvalidProof, ProofError
from lienchain.zk import exposure, ltv
from lienchain.zk import range as zk_range
from lienchain.zk.curve import FIELD, Point
from lienchain.zk.encoding import range_size, range_to_bytes
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(1_234_567, "0x" + "ab" * 20, b"lien:7")
RNG = random.Random(11)


def test_ltv_proof_verifies_up_to_exactly_the_threshold() -> None:
    for amount in (0, 1_000_000, 1_400_000):  # 1,400,000 is exactly 70% of 2,000,000
        witness = Opening.random(amount)
        statement = LtvStatement(CONTEXT, witness.commit(), valuation=2_000_000, threshold_bps=7000)
        ltv.verify(statement, ltv.prove(statement, witness, rng=RNG))


def test_ltv_proof_cannot_be_made_for_an_amount_just_over_the_threshold() -> None:
    witness = Opening.random(1_400_001)
    statement = LtvStatement(CONTEXT, witness.commit(), valuation=2_000_000, threshold_bps=7000)
    with pytest.raises(ProofError, match="exceeds 70%"):
        ltv.prove(statement, witness, rng=RNG)


def test_ltv_proof_is_bound_to_its_valuation_threshold_lien_chain_and_contract() -> None:
    witness = Opening.random(1_300_000)
    statement = LtvStatement(CONTEXT, witness.commit(), valuation=2_000_000, threshold_bps=7000)
    proof = ltv.prove(statement, witness, rng=RNG)
    for other in (dataclasses.replace(statement, valuation=1_900_000),
                  dataclasses.replace(statement, threshold_bps=6000),
                  dataclasses.replace(statement, deducted=1),
                  dataclasses.replace(statement, commitment=Opening.random(1_300_000).commit()),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, subject=b"lien:8")),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, chain_id=1)),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, contract="0x" + "cd" * 20))):
        with pytest.raises(InvalidProof):
            ltv.verify(other, proof)


def test_ltv_proof_verifies_up_to_exactly_the_limit_after_the_liens_ahead() -> None:
    # 70% of 2,000,000 less 150,000 ahead: a limit of 1,250,000.
    for amount in (0, 1_250_000):
        witness = Opening.random(amount)
        statement = LtvStatement(CONTEXT, witness.commit(), 2_000_000, 7000, deducted=150_000)
        proof = ltv.prove(statement, witness, rng=RNG)
        ltv.verify(statement, proof)
        with pytest.raises(InvalidProof):
            ltv.verify(dataclasses.replace(statement, deducted=150_001), proof)
    witness = Opening.random(1_250_001)
    with pytest.raises(ProofError, match="a limit of 1250000"):
        ltv.prove(LtvStatement(CONTEXT, witness.commit(), 2_000_000, 7000, deducted=150_000), witness, rng=RNG)


@pytest.mark.parametrize(("limit", "bits"), [(0, 1), (1, 1), (2, 2), (1_250_000, 21), (2**40 - 1, 40)])
def test_ltv_slack_is_range_proved_on_the_bit_length_of_the_limit(limit: int, bits: int) -> None:
    witness = Opening.random(0)
    statement = LtvStatement(CONTEXT, witness.commit(), 2**40 - 1, 10_000, deducted=2**40 - 1 - limit)
    assert (statement.limit, statement.bits) == (limit, bits)
    proof = ltv.prove(statement, witness, rng=RNG)
    assert len(range_to_bytes(proof)) == range_size(bits)
    ltv.verify(statement, proof)


@pytest.mark.parametrize("deducted", [-1, 1_400_001, 2**40])
def test_ltv_statement_with_a_negative_limit_or_deduction_out_of_range_is_malformed(deducted: int) -> None:
    witness = Opening.random(0)
    statement = LtvStatement(CONTEXT, witness.commit(), 2_000_000, 7000, deducted=deducted)
    with pytest.raises(ProofError) as refused:
        ltv.prove(statement, witness, rng=RNG)
    assert not isinstance(refused.value, InvalidProof)
    with pytest.raises(ProofError):
        statement.check()


def test_exposure_proof_covers_the_sum_and_nothing_more() -> None:
    openings = [Opening.random(v) for v in (500_000, 1_250_000, 300_000)]
    commitments = tuple(o.commit() for o in openings)
    statement = ExposureStatement(dataclasses.replace(CONTEXT, subject=b"lender:bank-a"), commitments, 2_050_000)
    proof = exposure.prove(statement, openings, rng=RNG)
    exposure.verify(statement, proof)
    with pytest.raises(InvalidProof):
        exposure.verify(dataclasses.replace(statement, limit=2_049_999), proof)
    with pytest.raises(InvalidProof):
        exposure.verify(dataclasses.replace(statement, commitments=commitments[:2]), proof)
    with pytest.raises(ProofError, match="exceeds the limit"):
        exposure.prove(dataclasses.replace(statement, limit=2_049_999), openings, rng=RNG)


@pytest.mark.parametrize(("limit", "bits"), [(0, 1), (1, 1), (7, 3), (2_050_000, 21), (2**48 - 1, 48)])
def test_exposure_slack_is_range_proved_on_the_bit_length_of_the_limit(limit: int, bits: int) -> None:
    openings = [Opening.random(0), Opening.random(limit)]
    statement = ExposureStatement(CONTEXT, tuple(o.commit() for o in openings), limit)
    assert statement.bits == bits
    proof = exposure.prove(statement, openings, rng=RNG)
    assert len(range_to_bytes(proof)) == range_size(bits)
    exposure.verify(statement, proof)


def test_exposure_proof_verifies_public_liens_adding_up_to_exactly_the_limit() -> None:
    # Blinding 0 throughout: D = N*G - sum(a_j*G) is the identity point, and the proof still holds.
    openings = [Opening(400_000, 0), Opening(600_000, 0)]
    statement = ExposureStatement(CONTEXT, tuple(o.commit() for o in openings), 1_000_000)
    proof = exposure.prove(statement, openings, rng=RNG)
    exposure.verify(statement, proof)
    with pytest.raises(InvalidProof):
        exposure.verify(dataclasses.replace(statement, limit=999_999), proof)


@pytest.mark.parametrize("limit", [-1, 2**48])
def test_exposure_statement_with_a_limit_outside_48_bits_is_malformed(limit: int) -> None:
    statement = ExposureStatement(CONTEXT, (Opening.random(0).commit(),), limit)
    with pytest.raises(ProofError, match="a limit in"):
        statement.check()


def _off_curve(p: Point) -> Point:
    return Point(p.x, (p.y + 1) % FIELD)


@pytest.mark.parametrize("bad", ["off the curve", "the identity", "a coordinate past the field"])
def test_every_verifier_refuses_a_statement_point_that_is_no_curve_point(bad: str) -> None:
    # Points read from a node (a lien's commitment) are checked as the Solidity verifier checks them,
    # whatever the proof: an invalid-curve point must never reach the arithmetic.
    opening = Opening(1_000, 77)
    c = opening.commit()
    point = {"off the curve": _off_curve(c), "the identity": Point(0, 0), "a coordinate past the field": Point(c.x + FIELD, c.y)}[bad]
    ltv_statement = LtvStatement(CONTEXT, c, 2_000_000, 7000)
    ltv_proof = ltv.prove(ltv_statement, opening)
    with pytest.raises(InvalidProof, match="point"):
        ltv.verify(dataclasses.replace(ltv_statement, commitment=point), ltv_proof)
    exposure_statement = ExposureStatement(CONTEXT, (c,), 5_000)
    exposure_proof = exposure.prove(exposure_statement, [opening])
    with pytest.raises(InvalidProof, match="point"):
        exposure.verify(dataclasses.replace(exposure_statement, commitments=(c, point)), exposure_proof)
    range_statement = RangeStatement(CONTEXT, c, 40)
    range_proof = zk_range.prove(range_statement, opening)
    with pytest.raises(InvalidProof, match="point"):
        zk_range.verify(dataclasses.replace(range_statement, commitment=point), range_proof)

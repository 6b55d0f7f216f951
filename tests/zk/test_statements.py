"""Loan-to-value and exposure proofs: what they accept, and the replays and lies they refuse."""

from __future__ import annotations

import dataclasses
import random

import pytest

from lienchain.errors import InvalidProof, ProofError
from lienchain.zk import exposure, ltv
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.pedersen import Opening
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
                  dataclasses.replace(statement, commitment=Opening.random(1_300_000).commit()),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, subject=b"lien:8")),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, chain_id=1)),
                  dataclasses.replace(statement, context=dataclasses.replace(CONTEXT, contract="0x" + "cd" * 20))):
        with pytest.raises(InvalidProof):
            ltv.verify(other, proof)


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

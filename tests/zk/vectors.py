"""The shared test vectors of lienchain's proofs: one JSON file that the Python verifier and the
on-chain verifier (ZkVerifier.sol) both run, each vector with the verdict both must reach.

    .venv/bin/python -m lienchain.tests.zk.vectors > tests/zk/vectors.json

Generation is deterministic (a seeded generator stands in for `secrets`), so a test regenerates the
file and compares: the committed vectors cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

from web3 import Web3

from lienchain.zk import exposure, ltv
from lienchain.zk import range as range_proof
from lienchain.zk.curve import G, ORDER, Point
from lienchain.zk.encoding import range_to_bytes
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeProof, RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(1_234_567, Web3.to_checksum_address("0x" + "ab" * 20), b"lien:7")


def _point(p: Point) -> list[str]:
    return [hex(p.x), hex(p.y)]


def _context(c: Context) -> dict[str, Any]:
    return {"chain_id": c.chain_id, "contract": c.contract, "subject": "0x" + c.subject.hex()}


def _tamper(proof: RangeProof, i: int, **fields: Any) -> str:
    bits = list(proof.bits)
    bits[i] = dataclasses.replace(bits[i], **fields)
    return "0x" + range_to_bytes(RangeProof(tuple(bits))).hex()


def _raw(data: bytes, offset: int, value: int) -> str:
    return "0x" + (data[:offset] + value.to_bytes(32, "big") + data[offset + 32 :]).hex()


def generate() -> dict[str, Any]:
    rng = random.Random(20261124)
    w = Opening(1_300_000, rng.randrange(1, ORDER))
    c = w.commit()
    out: list[dict[str, Any]] = []

    def ltv_vector(name: str, st: LtvStatement, proof: str, valid: bool) -> None:
        out.append({"name": name, "kind": "ltv", "valid": valid, "context": _context(st.context),
                    "commitment": _point(st.commitment), "valuation": st.valuation,
                    "threshold_bps": st.threshold_bps, "deducted": st.deducted, "proof": proof})

    st = LtvStatement(CONTEXT, c, 2_000_000, 7000)
    proof = ltv.prove(st, w, rng=rng)
    data = range_to_bytes(proof)
    good = "0x" + data.hex()
    b = proof.bits[5]
    ltv_vector("ltv: 65% of the valuation, threshold 70%", st, good, True)
    ltv_vector("ltv: an amount just over the threshold (the valuation 70% of which is 1,299,999)",
               dataclasses.replace(st, valuation=1_857_142), good, False)
    ltv_vector("ltv: another threshold", dataclasses.replace(st, threshold_bps=6000), good, False)
    ltv_vector("ltv: moved to another lien", dataclasses.replace(st, context=dataclasses.replace(CONTEXT, subject=b"lien:8")), good, False)
    ltv_vector("ltv: moved to another chain", dataclasses.replace(st, context=dataclasses.replace(CONTEXT, chain_id=1)), good, False)
    ltv_vector("ltv: moved to another contract",
               dataclasses.replace(st, context=dataclasses.replace(CONTEXT, contract=Web3.to_checksum_address("0x" + "cd" * 20))), good, False)
    ltv_vector("ltv: another commitment", dataclasses.replace(st, commitment=c + G), good, False)
    ltv_vector("ltv: a bit commitment tampered", st, _tamper(proof, 5, commitment=b.commitment + G), False)
    ltv_vector("ltv: A0 tampered", st, _tamper(proof, 5, a0=b.a0 + G), False)
    ltv_vector("ltv: A1 tampered", st, _tamper(proof, 5, a1=b.a1 + G), False)
    ltv_vector("ltv: c0 tampered", st, _tamper(proof, 5, c0=(b.c0 + 1) % ORDER), False)
    ltv_vector("ltv: z0 tampered", st, _tamper(proof, 5, z0=(b.z0 + 1) % ORDER), False)
    ltv_vector("ltv: z1 tampered", st, _tamper(proof, 5, z1=(b.z1 + 1) % ORDER), False)
    ltv_vector("ltv: a scalar outside the field (z1 + order)", st, _raw(data, 256, proof.bits[0].z1 + ORDER), False)
    ltv_vector("ltv: the identity point", st, "0x" + (bytes(64) + data[64:]).hex(), False)
    ltv_vector("ltv: a coordinate past the field modulus", st, _raw(data, 0, 2**256 - 1), False)
    ltv_vector("ltv: a bit missing", st, "0x" + data[:-288].hex(), False)

    # Liens ahead: 70% of 2,000,000 less 100,000 leaves a limit of exactly 1,300,000, the amount.
    behind = dataclasses.replace(st, deducted=100_000)
    behind_proof = "0x" + range_to_bytes(ltv.prove(behind, w, rng=rng)).hex()
    ltv_vector("ltv: 1,300,000 behind 100,000 of liens, exactly 70% of the valuation", behind, behind_proof, True)
    ltv_vector("ltv: an amount just over the limit after the deduction (100,001 ahead)",
               dataclasses.replace(behind, deducted=100_001), behind_proof, False)
    ltv_vector("ltv: the proof without its deduction", st, behind_proof, False)
    ltv_vector("ltv: a deduction making the limit negative (1,400,001 ahead)",
               dataclasses.replace(behind, deducted=1_400_001), behind_proof, False)
    ltv_vector("ltv: a deduction of 2**40", dataclasses.replace(behind, deducted=2**40), behind_proof, False)
    # The limit used up: a limit of 0 is proved on one bit, and only a zero amount fits it.
    w0 = Opening(0, rng.randrange(1, ORDER))
    used_up = LtvStatement(CONTEXT, w0.commit(), 2_000_000, 7000, deducted=1_400_000)
    ltv_vector("ltv: a zero amount behind liens using up the limit (one bit)", used_up,
               "0x" + range_to_bytes(ltv.prove(used_up, w0, rng=rng)).hex(), True)

    # A "negative" amount: -1 modulo the group order cannot be proved in range.
    rst = RangeStatement(CONTEXT, c, bits=40)
    rdata = range_to_bytes(range_proof.prove(rst, w, rng=rng))
    minus_one = Opening(ORDER - 1, w.blinding).commit()
    for name, commitment, valid in (("range: 1,300,000 in 40 bits", c, True),
                                    ("range: the proof moved to a commitment to -1", minus_one, False)):
        out.append({"name": name, "kind": "range", "valid": valid, "context": _context(CONTEXT),
                    "commitment": _point(commitment), "bits": 40, "proof": "0x" + rdata.hex()})

    ws = [w, Opening(250_000, rng.randrange(1, ORDER))]
    lender = dataclasses.replace(CONTEXT, subject=b"lender:bank-a")
    est = ExposureStatement(lender, (c, ws[1].commit()), 1_600_000)
    edata = "0x" + range_to_bytes(exposure.prove(est, ws, rng=rng)).hex()
    for name, st2, valid in (("exposure: 1,550,000 within 1,600,000", est, True),
                             ("exposure: a limit below the sum", dataclasses.replace(est, limit=1_549_999), False),
                             ("exposure: a lien left out", dataclasses.replace(est, commitments=(c,)), False),
                             ("exposure: moved to another lender", dataclasses.replace(est, context=CONTEXT), False)):
        out.append({"name": name, "kind": "exposure", "valid": valid, "context": _context(st2.context),
                    "commitments": [_point(x) for x in st2.commitments], "limit": st2.limit, "proof": edata})
    return {"format": 1, "vectors": out}


if __name__ == "__main__":
    print(json.dumps(generate(), indent=1))

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
from lienchain.zk.range import RangeProof, RangeStatement, points_bytes
from lienchain.zk.transcript import Context

CONTEXT = Context(1_234_567, Web3.to_checksum_address("0x" + "ab" * 20), b"lien:7")


def _point(p: Point) -> list[str]:
    return [hex(p.x), hex(p.y)]


def _context(c: Context) -> dict[str, Any]:
    return {"chain_id": c.chain_id, "contract": c.contract, "subject": "0x" + c.subject.hex()}


def _tamper(proof: RangeProof, i: int, **fields: Any) -> str:
    digits = list(proof.digits)
    digits[i] = dataclasses.replace(digits[i], **fields)
    return "0x" + range_to_bytes(RangeProof(tuple(digits))).hex()


def _swap(values: tuple[Any, ...], j: int, value: Any) -> tuple[Any, ...]:
    return (*values[:j], value, *values[j + 1 :])


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
    b = proof.digits[5]
    top = proof.digits[-1]  # 21 bits: ten digits of radix 4, and one of radix 2 on top
    ltv_vector("ltv: 65% of the valuation, threshold 70%", st, good, True)
    ltv_vector("ltv: an amount just over the threshold (the valuation 70% of which is 1,299,999)",
               dataclasses.replace(st, valuation=1_857_142), good, False)
    ltv_vector("ltv: another threshold", dataclasses.replace(st, threshold_bps=6000), good, False)
    ltv_vector("ltv: moved to another lien", dataclasses.replace(st, context=dataclasses.replace(CONTEXT, subject=b"lien:8")), good, False)
    ltv_vector("ltv: moved to another chain", dataclasses.replace(st, context=dataclasses.replace(CONTEXT, chain_id=1)), good, False)
    ltv_vector("ltv: moved to another contract",
               dataclasses.replace(st, context=dataclasses.replace(CONTEXT, contract=Web3.to_checksum_address("0x" + "cd" * 20))), good, False)
    ltv_vector("ltv: another commitment", dataclasses.replace(st, commitment=c + G), good, False)
    ltv_vector("ltv: a digit commitment tampered", st, _tamper(proof, 5, commitment=b.commitment + G), False)
    for j in range(4):
        ltv_vector(f"ltv: A{j} tampered", st, _tamper(proof, 5, a=_swap(b.a, j, b.a[j] + G)), False)
        ltv_vector(f"ltv: z{j} tampered", st, _tamper(proof, 5, z=_swap(b.z, j, (b.z[j] + 1) % ORDER)), False)
    for j in range(3):
        ltv_vector(f"ltv: c{j} tampered", st, _tamper(proof, 5, c=_swap(b.c, j, (b.c[j] + 1) % ORDER)), False)
    ltv_vector("ltv: two challenges of a digit traded (their sum kept)", st,
               _tamper(proof, 5, c=(b.c[1], b.c[0], b.c[2])), False)
    ltv_vector("ltv: the radix-2 top digit's commitment tampered", st, _tamper(proof, 10, commitment=top.commitment + G), False)
    ltv_vector("ltv: the radix-2 top digit's A1 tampered", st, _tamper(proof, 10, a=(top.a[0], top.a[1] + G)), False)
    ltv_vector("ltv: the radix-2 top digit's c0 tampered", st, _tamper(proof, 10, c=((top.c[0] + 1) % ORDER,)), False)
    ltv_vector("ltv: the radix-2 top digit's z1 tampered", st, _tamper(proof, 10, z=(top.z[0], (top.z[1] + 1) % ORDER)), False)
    ltv_vector("ltv: two digits traded", st, "0x" + range_to_bytes(RangeProof(
        (proof.digits[1], proof.digits[0], *proof.digits[2:]))).hex(), False)
    scalars = len(points_bytes(proof))  # the offset of the first scalar, digit 0's c0
    ltv_vector("ltv: a scalar outside the field (z0 + order)", st, _raw(data, scalars + 3 * 32, b.z[0] + ORDER), False)
    ltv_vector("ltv: a challenge at the group order", st, _raw(data, scalars, ORDER), False)
    ltv_vector("ltv: the identity point as a digit commitment", st, "0x" + (bytes(64) + data[64:]).hex(), False)
    ltv_vector("ltv: the identity point as A0", st, "0x" + (data[:64] + bytes(64) + data[128:]).hex(), False)
    ltv_vector("ltv: a coordinate past the field modulus", st, _raw(data, 0, 2**256 - 1), False)
    ltv_vector("ltv: a point off the curve", st, _raw(data, 64, proof.digits[0].a[0].x ^ 1), False)
    ltv_vector("ltv: the top digit missing", st, "0x" + range_to_bytes(RangeProof(proof.digits[:-1])).hex(), False)
    ltv_vector("ltv: a byte missing", st, "0x" + data[:-1].hex(), False)

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
    for name, commitment, bits, valid in (("range: 1,300,000 in 40 bits", c, 40, True),
                                          ("range: the proof moved to a commitment to -1", minus_one, 40, False),
                                          ("range: the proof checked as 41 bits", c, 41, False),
                                          ("range: 0 bits", c, 0, False),
                                          ("range: 65 bits, past the most a proof takes", c, 65, False)):
        out.append({"name": name, "kind": "range", "valid": valid, "context": _context(CONTEXT),
                    "commitment": _point(commitment), "bits": bits, "proof": "0x" + rdata.hex()})
    w3 = Opening(5, rng.randrange(1, ORDER))
    rst3 = RangeStatement(CONTEXT, w3.commit(), bits=3)
    r3data = "0x" + range_to_bytes(range_proof.prove(rst3, w3, rng=rng)).hex()
    for name, commitment, valid in (("range: 5 in 3 bits (a radix-4 digit and a radix-2 one)", w3.commit(), True),
                                    ("range: the 3-bit proof moved to a commitment to 13", Opening(13, w3.blinding).commit(), False)):
        out.append({"name": name, "kind": "range", "valid": valid, "context": _context(CONTEXT),
                    "commitment": _point(commitment), "bits": 3, "proof": r3data})

    def exposure_vector(name: str, st: ExposureStatement, proof: str, valid: bool) -> None:
        out.append({"name": name, "kind": "exposure", "valid": valid, "context": _context(st.context),
                    "commitments": [_point(x) for x in st.commitments], "limit": st.limit, "proof": proof})

    ws = [w, Opening(250_000, rng.randrange(1, ORDER))]
    lender = dataclasses.replace(CONTEXT, subject=b"lender:bank-a")
    est = ExposureStatement(lender, (c, ws[1].commit()), 1_600_000)
    edata = "0x" + range_to_bytes(exposure.prove(est, ws, rng=rng)).hex()
    for name, st2, valid in (("exposure: 1,550,000 within 1,600,000", est, True),
                             ("exposure: a limit below the sum", dataclasses.replace(est, limit=1_549_999), False),
                             ("exposure: a lien left out", dataclasses.replace(est, commitments=(c,)), False),
                             ("exposure: moved to another lender", dataclasses.replace(est, context=CONTEXT), False),
                             ("exposure: a limit of 2**48", dataclasses.replace(est, limit=2**48), False),
                             ("exposure: a limit of another bit length (2,100,000: 22 bits)",
                              dataclasses.replace(est, limit=2_100_000), False)):
        exposure_vector(name, st2, edata, valid)
    # A limit of 7 takes 3 bits: a radix-4 digit and a radix-2 one.
    small = [Opening(2, rng.randrange(1, ORDER)), Opening(3, rng.randrange(1, ORDER))]
    est7 = ExposureStatement(lender, tuple(x.commit() for x in small), 7)
    e7data = "0x" + range_to_bytes(exposure.prove(est7, small, rng=rng)).hex()
    exposure_vector("exposure: 5 within a limit of 7 (3 bits)", est7, e7data, True)
    exposure_vector("exposure: the 3-bit proof against a limit of 4 (3 bits too)", dataclasses.replace(est7, limit=4), e7data, False)
    # Public liens only (blinding 0) adding up to exactly the limit: D = N*G - sum(a_j*G) is the identity.
    public = [Opening(1_300_000, 0), Opening(250_000, 0)]
    exact = ExposureStatement(lender, tuple(x.commit() for x in public), 1_550_000)
    exact_data = "0x" + range_to_bytes(exposure.prove(exact, public, rng=rng)).hex()
    exposure_vector("exposure: public liens adding up to exactly the limit (D the identity)", exact, exact_data, True)
    exposure_vector("exposure: public liens one over the limit", dataclasses.replace(exact, limit=1_549_999), exact_data, False)
    return {"format": 2, "vectors": out}


if __name__ == "__main__":
    print(json.dumps(generate(), indent=1))

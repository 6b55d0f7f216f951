"""The on-chain verifier (contracts/src/ZkVerifier.sol, precompiles 0x06 and 0x07) accepts and
refuses exactly what the Python verifier accepts and refuses, over one shared set of vectors."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

import pytest
from web3 import Web3

from lienchain.errors import LienchainError
from lienchain.ledger import Profile
from lienchain.ledger.deployment import deploy_contract
from lienchain.contracts.build import load_artifact
from lienchain.zk import exposure, ltv
from lienchain.zk import range as range_proof
from lienchain.zk.curve import G, ORDER, Point
from lienchain.zk.encoding import range_to_bytes
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeProof, RangeStatement
from lienchain.zk.transcript import Context

RNG = random.Random(2026)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, template_profile: Any) -> Any:
    import shutil

    path = tmp_path_factory.mktemp("zk") / "profile"
    shutil.copytree(template_profile, path)
    profile = Profile(path, passphrase=lambda: "correct horse battery staple")
    w3 = profile.chain().w3
    address = deploy_contract(w3, profile.accounts.unlock("registrar"), "ZkVerifier", [])
    yield w3.eth.contract(address=address, abi=load_artifact("ZkVerifier").abi), w3.eth.chain_id, address
    profile.close()


def point(p: Point) -> list[int]:
    return [p.x, p.y]


def tamper(proof: RangeProof, i: int, **fields: Any) -> bytes:
    bits = list(proof.bits)
    bits[i] = dataclasses.replace(bits[i], **fields)
    return range_to_bytes(RangeProof(tuple(bits)))


def raw_tamper(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + value.to_bytes(32, "big") + data[offset + 32 :]


def test_python_and_chain_agree_on_every_vector(chain: Any) -> None:
    contract, chain_id, address = chain
    ctx = Context(chain_id, address, b"lien:7")
    w = Opening(1_300_000, RNG.randrange(1, ORDER))
    c = w.commit()

    ltv_st = LtvStatement(ctx, c, 2_000_000, 7000)
    ltv_proof = ltv.prove(ltv_st, w, rng=RNG)
    ltv_bytes = range_to_bytes(ltv_proof)
    rng_st = RangeStatement(ctx, c, bits=40)
    rng_bytes = range_to_bytes(range_proof.prove(rng_st, w, rng=RNG))
    ws = [w, Opening(250_000, RNG.randrange(1, ORDER))]
    exp_st = ExposureStatement(dataclasses.replace(ctx, subject=b"lender:bank-a"), (c, ws[1].commit()), 1_600_000)
    exp_bytes = range_to_bytes(exposure.prove(exp_st, ws, rng=RNG))

    def ltv_case(st: LtvStatement, data: bytes) -> tuple[Callable[[], None], Callable[[], bool]]:
        return (lambda: ltv.verify(st, _decode(data, 40)),
                lambda: contract.functions.verifyLtv(st.context.chain_id, st.context.contract, st.context.subject,
                                                     point(st.commitment), st.valuation, st.threshold_bps, data).call())

    def range_case(st: RangeStatement, data: bytes) -> tuple[Callable[[], None], Callable[[], bool]]:
        return (lambda: range_proof.verify(st, _decode(data, st.bits)),
                lambda: contract.functions.verifyRange(st.context.chain_id, st.context.contract, st.context.subject,
                                                       point(st.commitment), st.bits, data).call())

    def exp_case(st: ExposureStatement, data: bytes) -> tuple[Callable[[], None], Callable[[], bool]]:
        return (lambda: exposure.verify(st, _decode(data, 48)),
                lambda: contract.functions.verifyExposure(st.context.chain_id, st.context.contract, st.context.subject,
                                                          [point(x) for x in st.commitments], st.limit, data).call())

    valid = {"ltv": ltv_case(ltv_st, ltv_bytes), "range": range_case(rng_st, rng_bytes), "exposure": exp_case(exp_st, exp_bytes)}
    bit0 = ltv_proof.bits[0]
    invalid = {
        "ltv: other valuation": ltv_case(dataclasses.replace(ltv_st, valuation=1_857_142), ltv_bytes),  # 70% is 1,299,999
        "ltv: other threshold": ltv_case(dataclasses.replace(ltv_st, threshold_bps=6000), ltv_bytes),
        "ltv: other lien": ltv_case(dataclasses.replace(ltv_st, context=dataclasses.replace(ctx, subject=b"lien:8")), ltv_bytes),
        "ltv: other chain": ltv_case(dataclasses.replace(ltv_st, context=dataclasses.replace(ctx, chain_id=chain_id + 1)), ltv_bytes),
        "ltv: other contract": ltv_case(dataclasses.replace(ltv_st, context=dataclasses.replace(ctx, contract=Web3.to_checksum_address("0x" + "ab" * 20))), ltv_bytes),
        "ltv: bit commitment moved": ltv_case(ltv_st, tamper(ltv_proof, 0, commitment=bit0.commitment + G)),
        "ltv: A0 moved": ltv_case(ltv_st, tamper(ltv_proof, 3, a0=bit0.a0 + G)),
        "ltv: A1 moved": ltv_case(ltv_st, tamper(ltv_proof, 39, a1=bit0.a1 + G)),
        "ltv: c0 + 1": ltv_case(ltv_st, tamper(ltv_proof, 5, c0=(bit0.c0 + 1) % ORDER)),
        "ltv: z0 + 1": ltv_case(ltv_st, tamper(ltv_proof, 5, z0=(bit0.z0 + 1) % ORDER)),
        "ltv: z1 + 1": ltv_case(ltv_st, tamper(ltv_proof, 5, z1=(bit0.z1 + 1) % ORDER)),
        "ltv: z1 + order": ltv_case(ltv_st, raw_tamper(ltv_bytes, 256, bit0.z1 + ORDER)),
        "ltv: identity point": ltv_case(ltv_st, bytes(64) + ltv_bytes[64:]),
        "ltv: coordinate past the field": ltv_case(ltv_st, raw_tamper(ltv_bytes, 0, 2**256 - 1)),
        "ltv: a bit missing": ltv_case(ltv_st, ltv_bytes[:-288]),
        "range: other commitment": range_case(dataclasses.replace(rng_st, commitment=c + G), rng_bytes),
        "range: fewer bits claimed": range_case(dataclasses.replace(rng_st, bits=39), rng_bytes[:-288]),
        "exposure: lower limit": exp_case(dataclasses.replace(exp_st, limit=1_549_999), exp_bytes),
        "exposure: a lien left out": exp_case(dataclasses.replace(exp_st, commitments=(c,)), exp_bytes),
        "exposure: other lender": exp_case(dataclasses.replace(exp_st, context=ctx), exp_bytes),
    }
    for name, (python, onchain) in valid.items():
        python()
        assert onchain(), name
    for name, (python, onchain) in invalid.items():
        with pytest.raises(LienchainError):
            python()
        assert onchain() is False, name


def _decode(data: bytes, bits: int) -> RangeProof:
    from lienchain.zk.encoding import range_from_bytes

    return range_from_bytes(data, bits)

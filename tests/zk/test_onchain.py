"""One shared set of test vectors (tests/zk/vectors.json): the Python verifier and the on-chain
verifier (contracts/src/ZkVerifier.sol, precompiles 0x06 and 0x07) reach each vector's verdict."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eth.vm.forks.london.computation import LondonComputation
from eth_utils.abi import function_signature_to_4byte_selector
from web3.exceptions import ContractCustomError

from lienchain.contracts.build import load_artifact
from lienchain.errors import LienchainError
from lienchain.ledger import Profile
from lienchain.ledger.registry.deployment import deploy_contract
from lienchain.zk import exposure, ltv
from lienchain.zk import range as range_proof
from lienchain.zk.curve import ORDER, Point
from lienchain.zk.pedersen import Opening
from lienchain.zk.encoding import range_from_bytes
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.range import RangeStatement
from lienchain.zk.transcript import Context

from .vectors import generate

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text())["vectors"]


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory, template_profile: Path) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("zk") / "profile"
    shutil.copytree(template_profile, path)
    with Profile(path, passphrase=lambda: "correct horse battery staple") as profile:
        w3 = profile.chain().w3
        address = deploy_contract(w3, profile.accounts.unlock("registrar"), "ZkVerifier", [])
        yield w3.eth.contract(address=address, abi=load_artifact("ZkVerifier").abi).functions


def test_the_committed_vectors_are_what_the_code_generates() -> None:
    assert generate()["vectors"] == VECTORS


def _point(xy: list[str]) -> Point:
    return Point.checked(int(xy[0], 16), int(xy[1], 16))


def _python_accepts(v: dict[str, Any]) -> bool:
    ctx = Context(v["context"]["chain_id"], v["context"]["contract"], bytes.fromhex(v["context"]["subject"][2:]))
    data = bytes.fromhex(v["proof"][2:])
    try:
        if v["kind"] == "ltv":
            statement = LtvStatement(ctx, _point(v["commitment"]), v["valuation"], v["threshold_bps"], v["deducted"])
            statement.check()
            ltv.verify(statement, range_from_bytes(data, statement.bits))
        elif v["kind"] == "range":
            range_proof.verify(RangeStatement(ctx, _point(v["commitment"]), v["bits"]), range_from_bytes(data, v["bits"]))
        else:
            statement = ExposureStatement(ctx, tuple(_point(c) for c in v["commitments"]), v["limit"])
            exposure.verify(statement, range_from_bytes(data, statement.bits))
    except LienchainError:
        return False
    return True


def _chain_accepts(verifier: Any, v: dict[str, Any]) -> bool:
    c = v["context"]
    head = (c["chain_id"], c["contract"], bytes.fromhex(c["subject"][2:]))
    data = bytes.fromhex(v["proof"][2:])
    if v["kind"] == "ltv":
        call = verifier.verifyLtv(*head, [int(x, 16) for x in v["commitment"]], v["valuation"], v["threshold_bps"],
                                  v["deducted"], data)
    elif v["kind"] == "range":
        call = verifier.verifyRange(*head, [int(x, 16) for x in v["commitment"]], v["bits"], data)
    else:
        call = verifier.verifyExposure(*head, [[int(x, 16) for x in p] for p in v["commitments"]], v["limit"], data)
    return bool(call.call())


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_python_and_chain_reach_the_vectors_verdict(verifier: Any, vector: dict[str, Any]) -> None:
    assert _python_accepts(vector) is vector["valid"]
    assert _chain_accepts(verifier, vector) is vector["valid"]


def test_python_and_chain_refuse_a_proof_with_any_word_changed(verifier: Any) -> None:
    # A 3-bit proof (a radix-4 digit and a radix-2 one): every point coordinate and every scalar,
    # each changed in its lowest bit, is refused by both verifiers.
    valid = next(v for v in VECTORS if v["kind"] == "range" and v["bits"] == 3 and v["valid"])
    data = bytes.fromhex(valid["proof"][2:])
    assert _python_accepts(valid) and _chain_accepts(verifier, valid)
    for end in range(32, len(data) + 1, 32):
        changed = {**valid, "proof": "0x" + (data[: end - 1] + bytes([data[end - 1] ^ 1]) + data[end:]).hex()}
        assert not _python_accepts(changed), end
        assert not _chain_accepts(verifier, changed), end


def test_a_chain_without_the_curve_precompiles_accepts_no_proof(verifier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where 0x06 (add) and 0x07 (multiply) hold no precompile, a call to them "succeeds" with no
    # output: the verifier must see that, never take the untouched input words as a result.
    present = LondonComputation.get_precompiles()
    monkeypatch.setattr(LondonComputation, "_precompiles",
                        {a: f for a, f in present.items() if int.from_bytes(a, "big") not in (6, 7)})
    selector = "0x" + function_signature_to_4byte_selector("ZkPrecompileFailed()").hex()
    failed = 0
    for v in VECTORS:
        try:
            assert not _chain_accepts(verifier, v), v["name"]
        except ContractCustomError as exc:
            assert exc.data == selector, v["name"]
            failed += 1
    assert failed >= sum(v["valid"] for v in VECTORS)  # each valid proof reaches the curve arithmetic
    opening = Opening.random(1_337_421)
    c = opening.commit()
    with pytest.raises(ContractCustomError) as refused:  # nor does an opening, however right
        verifier.opens([c.x, c.y], opening.value, opening.blinding).call()
    assert refused.value.data == selector


def test_the_chain_accepts_exactly_the_opening_of_a_commitment(verifier: Any) -> None:
    opening = Opening.random(1_337_421)
    c = opening.commit()
    assert verifier.opens([c.x, c.y], opening.value, opening.blinding).call()
    for amount, blinding in ((opening.value + 1, opening.blinding), (opening.value, opening.blinding + 1),
                             (0, opening.blinding)):
        assert not verifier.opens([c.x, c.y], amount, blinding).call(), (amount, blinding)
    # An amount of 2**40 or more never opens one, even where the arithmetic would agree (the same
    # commitment opens to v and to v + ORDER with the same blinding: the registry takes the small one).
    big = Opening(2**40, 7).commit()
    assert not verifier.opens([big.x, big.y], 2**40, 7).call()
    assert not verifier.opens([c.x, c.y], opening.value + ORDER, opening.blinding).call()
    assert not verifier.opens([c.x, c.y + 1], opening.value, opening.blinding).call()  # not on the curve
    assert not verifier.opens([c.x, c.y], opening.value, opening.blinding + ORDER).call()

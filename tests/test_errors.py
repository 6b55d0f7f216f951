"""Every contract custom error decodes into its own typed exception, carrying its arguments.

The catalogue is built from the compiled artifacts (every `"type": "error"` entry of every ABI
under contracts/artifacts), so an error added to a contract without a class here fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from lienchain import errors
from lienchain.contracts.build import ARTIFACTS_DIR
from lienchain.ledger.registry.reverts import MESSAGES, RevertDecoder
from lienchain.ledger.registry.roles import role_id

ACCOUNT = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
OTHER = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"


def _abis() -> dict[str, list[dict[str, Any]]]:
    return {p.stem: json.loads(p.read_text())["abi"] for p in sorted(ARTIFACTS_DIR.glob("*.json"))}


def _catalogue() -> dict[str, dict[str, Any]]:
    """Every custom error of every artifact, by name (an error shared by two ABIs is one error)."""
    found: dict[str, dict[str, Any]] = {}
    for abi in _abis().values():
        for item in abi:
            if item.get("type") == "error":
                found[item["name"]] = item
    return found


CATALOGUE = _catalogue()
DECODER = RevertDecoder(list(_abis().values()))


def _types(item: dict[str, Any]) -> list[str]:
    return [i["type"] for i in item["inputs"]]


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _sample(name: str, abi_type: str) -> Any:
    """An argument of the given ABI type that the message templates can render."""
    if abi_type == "address":
        return OTHER if name in {"lienholder", "owner", "member"} else ACCOUNT
    if abi_type == "bytes32":
        return role_id("LENDER") if "ole" in name else b"\x11" * 32
    if abi_type == "bytes3":
        return b"USD" if name != "actual" else b"EUR"
    if abi_type == "bytes":
        return b""
    if abi_type == "string":
        return "1M8GDM9AXKP042788"
    if abi_type == "uint8":
        return 1  # a title status: stolen
    return 7


def _revert(item: dict[str, Any], args: list[Any]) -> bytes:
    selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(_types(item))})")
    return selector + encode(_types(item), args)


def test_the_artifacts_declare_custom_errors() -> None:
    assert {"TitleRegistry", "Governance", "ZkVerifier"} <= set(_abis())
    assert {"RegistryTitleEncumbered", "GovernanceNotVoter", "ZkPrecompileFailed",
            "AccessControlUnauthorizedAccount", "ERC721NonexistentToken"} <= set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_contract_error_has_its_own_exception_class(name: str) -> None:
    cls = errors.CUSTOM_ERRORS.get(name)
    assert cls is not None, f"{name} has no exception class in lienchain.errors (CUSTOM_ERRORS)"
    assert cls.__name__ == name and getattr(errors, name) is cls
    assert issubclass(cls, errors.ContractRevert) and cls is not errors.ContractRevert
    assert cls.__doc__ and len(cls.__doc__.strip().splitlines()) == 1
    declared = [a for a in cls.__dict__.get("__annotations__", {}) if a != "cause"]
    assert declared == [_snake(i["name"]) for i in CATALOGUE[name]["inputs"]]
    assert name in MESSAGES


def test_every_exception_class_names_an_error_of_the_contracts() -> None:
    assert set(errors.CUSTOM_ERRORS) == set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_contract_error_decodes_into_its_class_with_its_arguments(name: str) -> None:
    item = CATALOGUE[name]
    args = [_sample(i["name"], i["type"]) for i in item["inputs"]]
    exc = DECODER.decode(_revert(item, args))
    assert type(exc) is errors.CUSTOM_ERRORS[name]
    assert exc.name == name
    assert str(exc) and "{" not in str(exc)
    for i in item["inputs"]:
        assert _snake(i["name"]) in vars(exc)
        assert getattr(exc, _snake(i["name"])) == exc.fields[i["name"]]


def test_a_decoded_error_carries_its_arguments_as_attributes() -> None:
    item = CATALOGUE["RegistryTitleEncumbered"]
    exc = DECODER.decode(_revert(item, [42, 2]), titles={42: "1M8GDM9AXKP042788"})
    assert isinstance(exc, errors.RegistryTitleEncumbered)
    assert isinstance(exc, errors.TitleEncumbered)  # its kind of refusal, for callers that catch kinds
    assert (exc.token_id, exc.active_liens) == (42, 2)
    assert exc.fields == {"tokenId": 42, "activeLiens": 2}
    assert str(exc).startswith("title 1M8GDM9AXKP042788 has 2 active lien(s)")


def test_decoded_addresses_and_currencies_are_plain_values() -> None:
    exc = DECODER.decode(_revert(CATALOGUE["RegistryCurrencyMismatch"], [1, b"USD", b"EUR"]))
    assert isinstance(exc, errors.RegistryCurrencyMismatch)
    assert (exc.expected, exc.actual) == ("USD", "EUR")
    exc = DECODER.decode(_revert(CATALOGUE["RegistryNotLienholder"], [3, ACCOUNT.lower(), OTHER]))
    assert isinstance(exc, errors.RegistryNotLienholder)
    assert (exc.lien_id, exc.caller, exc.lienholder) == (3, ACCOUNT, OTHER)


def test_a_failed_proposal_call_carries_the_calls_own_error() -> None:
    inner = _revert(CATALOGUE["GovernanceAlreadyMember"], [ACCOUNT])
    exc = DECODER.decode(_revert(CATALOGUE["GovernanceCallFailed"], [5, inner]))
    assert isinstance(exc, errors.GovernanceCallFailed)
    assert (exc.proposal_id, exc.reason) == (5, "0x" + inner.hex())
    assert isinstance(exc.cause, errors.GovernanceAlreadyMember) and exc.cause.account == ACCOUNT


def test_an_error_no_abi_declares_is_a_plain_revert() -> None:
    exc = DECODER.decode(function_signature_to_4byte_selector("Unheard(uint256)") + encode(["uint256"], [1]))
    assert type(exc) is errors.ContractRevert
    assert str(exc).startswith("the contract refused the operation: an error this client does not know")


_PANIC = function_signature_to_4byte_selector("Panic(uint256)")
_ERROR = function_signature_to_4byte_selector("Error(string)")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_PANIC + encode(["uint256"], [0x11]), "arithmetic overflow or underflow (Panic 0x11)"),
        (_PANIC + encode(["uint256"], [0x12]), "division or modulo by zero (Panic 0x12)"),
        (_PANIC + encode(["uint256"], [0x32]), "an array index out of bounds (Panic 0x32)"),
        (_PANIC + encode(["uint256"], [0x99]), "a panic of unknown code 0x99"),
        (_ERROR + encode(["string"], ["nope\nsecond line"]), "'nope second line'"),
        (function_signature_to_4byte_selector("Unheard(uint256)") + encode(["uint256"], [1]), "an error this client does not know"),
        (_PANIC + b"\x01", "malformed Panic data"),
    ],
)
def test_a_panic_or_unknown_revert_is_one_line_that_names_the_operation(data: bytes, reason: str) -> None:
    exc = DECODER.decode(data, operation="grantLien")
    assert type(exc) is errors.ContractRevert
    assert str(exc).startswith("the contract refused grantLien: ") and reason in str(exc)
    assert "\n" not in str(exc)

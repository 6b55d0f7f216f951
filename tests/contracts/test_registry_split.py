"""The registry and its modules are one contract to a client, and share one storage without clashing.

The registry's fallback runs its modules' functions by DELEGATECALL on its storage (see
contracts/src/libraries/RegistryStorage.sol): so no selector may be in both (the registry's would
shadow the module's, silently), no module may declare a state variable (it would overwrite the
registry's inherited ones: ERC721, AccessControl, EIP712, from slot 0), and the registry's own state
must be where its namespace says.
"""

from __future__ import annotations

import re

import pytest
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.crypto import keccak

from lienchain.contracts import REGISTRY_MODULES, compile_contracts, load_artifact, registry_abi
from lienchain.contracts.build import SOURCES_DIR

NAMESPACE = "lienchain.storage.TitleRegistry"
#: The registry's linear storage: OpenZeppelin's ERC721, AccessControl and EIP712, slots 0 to 8.
INHERITED = ("_name", "_symbol", "_owners", "_balances", "_tokenApprovals", "_operatorApprovals", "_roles",
             "_nameFallback", "_versionFallback")


def erc7201_slot(namespace: str) -> int:
    """ERC-7201: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff."""
    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


def _canonical(param: dict) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


def selectors(name: str) -> dict[bytes, str]:
    return {
        function_signature_to_4byte_selector(sig): sig
        for item in load_artifact(name).abi if item["type"] == "function"
        for sig in [f"{item['name']}({','.join(_canonical(i) for i in item['inputs'])})"]
    }


@pytest.fixture(scope="module")
def compiled():
    return compile_contracts()


@pytest.mark.parametrize("module", REGISTRY_MODULES)
def test_no_selector_is_both_the_registrys_and_a_modules(module: str) -> None:
    both = set(selectors("TitleRegistry")) & set(selectors(module))
    assert not both, [selectors(module)[s] for s in both]


def test_the_registry_abi_is_the_union_of_the_registrys_and_its_modules() -> None:
    merged = {(i["type"], i.get("name")) for i in registry_abi()}
    for name in ("TitleRegistry", *REGISTRY_MODULES):
        assert {(i["type"], i.get("name")) for i in load_artifact(name).abi if i["type"] != "constructor"} <= merged
    assert [i for i in registry_abi() if i["type"] == "constructor"] == [
        i for i in load_artifact("TitleRegistry").abi if i["type"] == "constructor"]
    assert {"reviewTitle", "valuations", "LifecycleDirectCall"} <= {i.get("name") for i in registry_abi()}


@pytest.mark.parametrize("module", REGISTRY_MODULES)
def test_a_module_declares_no_state_variable(compiled, module: str) -> None:
    assert compiled[module].storage_layout["storage"] == []


def test_the_registrys_linear_storage_is_only_what_it_inherits(compiled) -> None:
    # Its own state is in the namespace: a variable declared in TitleRegistry itself would take a
    # linear slot after these, which no module knows of. (solc names the most derived contract as
    # every variable's, so the inherited ones are pinned by name.)
    layout = [(int(v["slot"]), v["label"]) for v in compiled["TitleRegistry"].storage_layout["storage"]]
    assert layout == list(enumerate(INHERITED))


def test_the_namespace_slot_is_the_erc7201_slot_of_its_id() -> None:
    source = (SOURCES_DIR / "libraries" / "RegistryStorage.sol").read_text()
    assert f"@custom:storage-location erc7201:{NAMESPACE}" in source
    (constant,) = re.findall(r"bytes32 internal constant SLOT = (0x[0-9a-f]{64});", source)
    assert int(constant, 16) == erc7201_slot(NAMESPACE)

"""The registry's modules on chain: reached only through the registry, on the registry's storage."""

from __future__ import annotations

import pytest
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from lienchain.contracts import load_artifact, registry_abi
from lienchain.ledger import Ledger, Profile
from tests.contracts.test_registry_split import NAMESPACE, erc7201_slot

DIRECT_CALL = "0x" + function_signature_to_4byte_selector("LifecycleDirectCall()").hex()


def test_the_lifecycle_module_refuses_a_call_at_its_own_address(profile: Profile) -> None:
    d, w3 = profile.load_deployment(), profile.chain().w3
    module = w3.eth.contract(address=d.modules["TitleLifecycle"], abi=load_artifact("TitleLifecycle").abi)
    sender = profile.accounts.unlock("registrar").address
    for call in (module.functions.valuations(1), module.functions.reviewTitle(1)):
        with pytest.raises(ContractCustomError) as refused:
            call.call({"from": sender})
        assert str(refused.value.data).startswith(DIRECT_CALL)


def test_a_module_function_answers_at_the_registrys_address(ledgers: dict[str, Ledger]) -> None:
    registry = ledgers["reader"].registry
    assert registry.address == ledgers["reader"].deployment.registry
    with pytest.raises(ContractCustomError):  # RegistryUnknownTitle, raised in the module
        registry.functions.valuations(1).call()


def test_the_registry_refuses_an_unknown_selector_and_ether(profile: Profile) -> None:
    d, w3 = profile.load_deployment(), profile.chain().w3
    sender = profile.accounts.unlock("registrar").address
    with pytest.raises(ContractLogicError):
        w3.eth.call({"from": sender, "to": d.registry, "data": "0xdeadbeef"})
    with pytest.raises(ContractLogicError):
        w3.eth.call({"from": sender, "to": d.registry, "data": "0x", "value": 1})


def test_the_registrys_settings_live_in_its_erc7201_namespace(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    w3, registry = reader.w3, Web3.to_checksum_address(reader.deployment.registry)
    # Layout: titles, liens, consentUsed, then Settings (its first slot packs the threshold low).
    settings = int.from_bytes(w3.eth.get_storage_at(registry, erc7201_slot(NAMESPACE) + 3), "big")
    assert settings & (2**64 - 1) == reader.registry.functions.ltvThreshold().call() == 7000
    assert all(int.from_bytes(w3.eth.get_storage_at(registry, slot), "big") == 0 for slot in range(9, 14))
    assert reader.registry.abi == registry_abi()

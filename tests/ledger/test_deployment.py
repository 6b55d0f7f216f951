"""Deployment with founding roles fixed by the constructor, and its verification by any member.

The embedded profile's deployment is the real one: five founding members that run no sealer, each
with the role of `DEFAULT_ACCOUNTS`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.contracts import load_artifact
from lienchain.ledger import DEFAULT_ACCOUNTS, Deployment, Ledger, Profile, deploy
from lienchain.ledger.registry.deployment import NO_SEALER, deploy_contract, verify_deployment
from lienchain.ledger.registry.roles import ROLES, role_id
from lienchain.ledger.workspace.accounts import SECOND_KEYS

Manifest = dict[str, list]


def manifest(profile: Profile) -> Manifest:
    """The founders' manifest the template profile was deployed from."""
    address = {a.name: str(a.address) for a in profile.accounts.list()}
    members = [a for n, a in address.items() if n not in SECOND_KEYS]
    return {
        "members": members,
        "sealers": [NO_SEALER] * len(members),
        "roles": [(address[name], role) for name, role in DEFAULT_ACCOUNTS.items()],
    }


def head(profile: Profile) -> int:
    return int(profile.chain().w3.eth.block_number)


def last_transaction(profile: Profile) -> str:
    block = profile.chain().w3.eth.get_block("latest")
    return "0x" + bytes(block["transactions"][-1]).hex()


# --- deployment ------------------------------------------------------------------------------------


def test_founding_roles_come_from_the_constructor_and_no_vote_is_cast(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    for name, role in DEFAULT_ACCOUNTS.items():
        assert [r for r in ROLES if reader.has_role(r, ledgers[name].address)] == [role]
    proposals = reader.governance.events.ProposalCreated().get_logs(from_block=0)
    approvals = reader.governance.events.ProposalApproved().get_logs(from_block=0)
    assert (list(proposals), list(approvals), reader.proposals()) == ([], [], [])
    assert reader.sealers() == [] and reader.sealer_of(ledgers["registrar"].address) == NO_SEALER


def test_deployment_record_keeps_its_creation_transactions_across_save_and_load(profile: Profile, tmp_path: Path) -> None:
    deployment = profile.load_deployment()
    assert set(deployment.transactions) == {"Governance", "ZkVerifier", "TitleRegistry", "DocumentRegistry"}
    deployment.save(tmp_path / "d.json")
    assert Deployment.load(tmp_path / "d.json") == deployment


def test_older_record_without_transactions_still_loads(profile: Profile, tmp_path: Path) -> None:
    data = dataclasses.asdict(profile.load_deployment())
    del data["transactions"]
    (tmp_path / "old.json").write_text(json.dumps(data))
    old = Deployment.load(tmp_path / "old.json")
    assert old == dataclasses.replace(profile.load_deployment(), transactions={})
    with pytest.raises(errors.DeploymentMismatch, match="no Governance address or creation transaction"):
        verify_deployment(profile.chain().w3, old, **manifest(profile))


def test_registry_refuses_a_founding_role_that_is_not_one_of_its_roles(profile: Profile) -> None:
    d, w3, payer = profile.load_deployment(), profile.chain().w3, profile.accounts.unlock("registrar")
    before = (head(profile), w3.eth.get_transaction_count(payer.address))
    bogus = b"\x01" * 32
    with pytest.raises(errors.InvalidOperation, match="founding role #1") as refused:
        deploy_contract(w3, payer, "TitleRegistry",
                        [d.governance, d.verifier, [payer.address, payer.address], [role_id("LENDER"), bogus]])
    assert refused.value.name == "RegistryInvalidFoundingRole"
    assert refused.value.fields == {"index": 1, "account": payer.address, "role": "0x" + bogus.hex()}
    with pytest.raises(errors.InvalidOperation, match="founding role #0"):  # the administrator role is no founding role
        deploy_contract(w3, payer, "TitleRegistry", [d.governance, d.verifier, [payer.address], [b"\x00" * 32]])
    with pytest.raises(errors.InvalidOperation, match="founding role #1"):  # one role, two accounts
        deploy_contract(w3, payer, "TitleRegistry",
                        [d.governance, d.verifier, [payer.address, payer.address], [role_id("LENDER")]])
    with pytest.raises(errors.InvalidRole):  # refused by name before anything is sent
        deploy(w3, payer, [payer.address], [NO_SEALER], [(payer.address, "OWNER")])
    assert (head(profile), w3.eth.get_transaction_count(payer.address)) == before


def test_governance_has_at_most_100_members_so_a_vote_can_always_be_counted(profile: Profile) -> None:
    w3, payer = profile.chain().w3, profile.accounts.unlock("registrar")
    members = [Account.create().address for _ in range(101)]
    before = head(profile)
    with pytest.raises(errors.GovernanceTooManyMembers, match="the consortium has 100 members, the most"):
        deploy_contract(w3, payer, "Governance", [members, [NO_SEALER] * 101])
    assert head(profile) == before
    governance = deploy_contract(w3, payer, "Governance", [members[:100], [NO_SEALER] * 100])
    contract = w3.eth.contract(address=governance, abi=load_artifact("Governance").abi)
    assert len(contract.functions.members().call()) == 100


def test_governance_refuses_a_sealer_given_twice_or_a_member_without_one(profile: Profile) -> None:
    w3, payer = profile.chain().w3, profile.accounts.unlock("registrar")
    before = head(profile)
    a, b, sealer = (Account.create().address for _ in range(3))
    with pytest.raises(errors.GovernanceRefused, match="already the sealer of member") as refused:
        deploy_contract(w3, payer, "Governance", [[a, b], [sealer, sealer]])
    assert refused.value.fields == {"sealer": sealer, "member": a}
    with pytest.raises(errors.GovernanceRefused) as refused:
        deploy_contract(w3, payer, "Governance", [[a, b], [sealer]])
    assert refused.value.name == "GovernanceInvalidMembers"
    assert head(profile) == before
    # Members that run no sealer may all say so.
    governance = deploy_contract(w3, payer, "Governance", [[a, b], [NO_SEALER, sealer]])
    contract = w3.eth.contract(address=governance, abi=load_artifact("Governance").abi)
    assert contract.functions.sealers().call() == [sealer]
    assert contract.functions.sealerOf(a).call() == NO_SEALER


# --- verification ----------------------------------------------------------------------------------


def test_verify_deployment_passes_on_the_real_deployment(profile: Profile) -> None:
    verify_deployment(profile.chain().w3, profile.load_deployment(), **manifest(profile))


def test_verify_deployment_needs_only_a_handful_of_requests(profile: Profile, monkeypatch: pytest.MonkeyPatch) -> None:
    w3 = profile.chain().w3
    calls: list[str] = []
    make_request = w3.provider.make_request

    def counted(method, params):
        calls.append(str(method))
        return make_request(method, params)

    monkeypatch.setattr(w3.provider, "make_request", counted)
    d = profile.load_deployment()
    verify_deployment(w3, d, **manifest(profile))
    # One more per library and per module of the registry; three for the document registry.
    assert len(calls) <= 14 + len(d.libraries) + len(d.modules) and calls.count("eth_getLogs") == 1, calls


@pytest.mark.parametrize("change", ["swap", "drop", "extra"])
def test_verify_deployment_refuses_other_founding_roles(profile: Profile, change: str) -> None:
    m = manifest(profile)
    roles = list(m["roles"])
    if change == "swap":
        roles[1] = (roles[1][0], "AUDITOR")
    elif change == "drop":
        roles.pop()
    else:
        roles.append((roles[0][0], "LENDER"))
    with pytest.raises(errors.DeploymentMismatch, match="founding role"):
        verify_deployment(profile.chain().w3, profile.load_deployment(), **{**m, "roles": roles})


def test_verify_deployment_refuses_other_members(profile: Profile) -> None:
    m = manifest(profile)
    for members in (m["members"][:-1], m["members"][:-1] + [Account.create().address], m["members"][::-1]):
        with pytest.raises(errors.DeploymentMismatch, match="founding members"):
            verify_deployment(profile.chain().w3, profile.load_deployment(), **{**m, "members": members})


def test_verify_deployment_refuses_other_sealers(profile: Profile) -> None:
    m = manifest(profile)
    sealers = [Account.create().address] + m["sealers"][1:]
    with pytest.raises(errors.DeploymentMismatch, match="sealers"):
        verify_deployment(profile.chain().w3, profile.load_deployment(), **{**m, "sealers": sealers})


def test_verify_deployment_refuses_a_record_pointing_at_another_registry(profile: Profile) -> None:
    d, w3, m = profile.load_deployment(), profile.chain().w3, manifest(profile)
    payer = profile.accounts.unlock("registrar")
    # The same governance and verifier, but the deployer made itself a registrar and lender.
    other = deploy_contract(w3, payer, "TitleRegistry",
                            [d.governance, d.verifier, [payer.address] * 2, [role_id("REGISTRAR"), role_id("LENDER")]])
    other_tx = last_transaction(profile)
    with pytest.raises(errors.DeploymentMismatch, match="not the recorded TitleRegistry"):
        verify_deployment(w3, dataclasses.replace(d, registry=other), **m)
    swapped = dataclasses.replace(d, registry=other, transactions={**d.transactions, "TitleRegistry": other_tx})
    with pytest.raises(errors.DeploymentMismatch, match="founding role"):
        verify_deployment(w3, swapped, **m)


def test_verify_deployment_refuses_a_tampered_transaction_hash(profile: Profile) -> None:
    d, w3, m = profile.load_deployment(), profile.chain().w3, manifest(profile)
    other = dataclasses.replace(d, transactions={**d.transactions, "Governance": d.transactions["ZkVerifier"]})
    with pytest.raises(errors.DeploymentMismatch, match="not the recorded Governance"):
        verify_deployment(w3, other, **m)
    flipped = d.transactions["Governance"][:-1] + ("0" if d.transactions["Governance"][-1] != "0" else "1")
    unknown = dataclasses.replace(d, transactions={**d.transactions, "Governance": flipped})
    with pytest.raises(errors.DeploymentMismatch, match="not on this chain"):
        verify_deployment(w3, unknown, **m)


def test_verify_deployment_refuses_another_chain_id_or_artifact(profile: Profile) -> None:
    d, w3, m = profile.load_deployment(), profile.chain().w3, manifest(profile)
    with pytest.raises(errors.DeploymentMismatch, match="chain id"):
        verify_deployment(w3, dataclasses.replace(d, chain_id=d.chain_id + 1), **m)
    with pytest.raises(errors.DeploymentMismatch, match="artifact hash"):
        verify_deployment(w3, dataclasses.replace(d, artifacts={**d.artifacts, "TitleRegistry": "00" * 32}), **m)


def test_verify_deployment_accepts_roles_changed_later_by_governance_vote(
    profile: Profile, ledgers: dict[str, Ledger]
) -> None:
    pid = ledgers["registrar"].propose_role("ORACLE", ledgers["lender-a"].address)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    pid = ledgers["registrar"].propose_role("AUDITOR", ledgers["auditor"].address, grant=False)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    assert ledgers["reader"].has_role("ORACLE", ledgers["lender-a"].address)
    verify_deployment(profile.chain().w3, profile.load_deployment(), **manifest(profile))


def test_verify_deployment_refuses_an_administrator_other_than_governance(
    profile: Profile, ledgers: dict[str, Ledger]
) -> None:
    registrar = ledgers["registrar"]
    data = registrar.registry.encode_abi("grantRole", [b"\x00" * 32, registrar.address])
    pid = registrar._propose(registrar.registry.address, data, "make registrar an administrator")  # noqa: SLF001
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    with pytest.raises(errors.DeploymentMismatch, match="administrator role"):
        verify_deployment(profile.chain().w3, profile.load_deployment(), **manifest(profile))


def test_verify_deployment_accepts_a_holder_renouncing_its_own_role(profile: Profile, ledgers: dict[str, Ledger]) -> None:
    oracle = ledgers["oracle"]
    oracle._signer.send(oracle.registry.functions.renounceRole(role_id("ORACLE"), oracle.address), gas=100_000)
    assert not ledgers["reader"].has_role("ORACLE", oracle.address)
    verify_deployment(profile.chain().w3, profile.load_deployment(), **manifest(profile))


# --- the registry's library ------------------------------------------------------------------------


def test_deployment_records_the_library_the_registry_links(profile: Profile, tmp_path: Path) -> None:
    d, w3 = profile.load_deployment(), profile.chain().w3
    assert list(d.libraries) == load_artifact("TitleRegistry").libraries == [
        "Authorizations", "Dispositions", "RegistrySettings", "TitleMetadata", "Titles"]  # (the module's two too)
    assert bytes(w3.eth.get_code(d.libraries["Titles"]))  # the registry's rules live there
    data = dataclasses.asdict(d)
    del data["libraries"]
    (tmp_path / "old.json").write_text(json.dumps(data))
    old = Deployment.load(tmp_path / "old.json")
    assert old == dataclasses.replace(d, libraries={})
    with pytest.raises(errors.DeploymentMismatch, match="no address of the Authorizations library"):
        verify_deployment(w3, old, **manifest(profile))


def test_verify_deployment_refuses_a_library_address_without_the_committed_code(profile: Profile) -> None:
    d, w3, m = profile.load_deployment(), profile.chain().w3, manifest(profile)
    payer = profile.accounts.unlock("registrar")
    for address in (d.verifier, payer.address):  # other code; no code at all
        with pytest.raises(errors.DeploymentMismatch, match="Titles library at .* does not hold the committed"):
            verify_deployment(w3, dataclasses.replace(d, libraries={**d.libraries, "Titles": address}), **m)
    with pytest.raises(errors.DeploymentMismatch, match="Titles artifact hash"):
        verify_deployment(w3, dataclasses.replace(d, artifacts={**d.artifacts, "Titles": "00" * 32}), **m)


def test_verify_deployment_refuses_a_registry_linked_to_another_library(profile: Profile) -> None:
    d, w3, m = profile.load_deployment(), profile.chain().w3, manifest(profile)
    payer = profile.accounts.unlock("registrar")
    titles = deploy_contract(w3, payer, "Titles", [])  # the committed code, at another address
    with pytest.raises(errors.DeploymentMismatch, match="linked to the Titles library at"):
        verify_deployment(w3, dataclasses.replace(d, libraries={**d.libraries, "Titles": titles}), **m)
    # A registry created with the same arguments, linked to it, is not the recorded one either.
    args = [d.governance, d.verifier, *(list(x) for x in zip(*[(a, role_id(r)) for a, r in m["roles"]]))]
    other = deploy_contract(w3, payer, "TitleRegistry", args, libraries={**d.libraries, "Titles": titles})
    other_tx = last_transaction(profile)
    documents = deploy_contract(w3, payer, "DocumentRegistry", [other, d.governance])  # beside that registry
    swapped = dataclasses.replace(d, registry=other, documents=documents, transactions={
        **d.transactions, "TitleRegistry": other_tx, "DocumentRegistry": last_transaction(profile)})
    with pytest.raises(errors.DeploymentMismatch, match=f"linked to the Titles library at {titles}"):
        verify_deployment(w3, swapped, **m)
    verify_deployment(w3, dataclasses.replace(swapped, libraries={**d.libraries, "Titles": titles}), **m)


def test_deploying_a_registry_alone_deploys_its_library_only_once_its_constructor_accepts(profile: Profile) -> None:
    d, w3, payer = profile.load_deployment(), profile.chain().w3, profile.accounts.unlock("registrar")
    before = w3.eth.get_transaction_count(payer.address)
    with pytest.raises(errors.InvalidOperation, match="founding role #0"):
        deploy_contract(w3, payer, "TitleRegistry", [d.governance, d.verifier, [payer.address], [b"\x00" * 32]])
    assert w3.eth.get_transaction_count(payer.address) == before
    registry = deploy_contract(w3, payer, "TitleRegistry", [d.governance, d.verifier, [], []])
    assert w3.eth.get_transaction_count(payer.address) == before + 6  # the five libraries, then the registry
    contract = w3.eth.contract(address=registry, abi=load_artifact("TitleRegistry").abi)
    assert contract.functions.ltvThreshold().call() == 7000

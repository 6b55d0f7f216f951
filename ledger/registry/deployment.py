"""Deployment records, the deployment of the registry and its governance, and its verification.

The founding roles are fixed in the registry's constructor, from a manifest every founder checked,
so the deployer casts no one's vote. Any member can then check, through its own node, that the
contracts on chain are exactly the committed artifacts built with exactly those founders
(`verify_deployment`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import rlp
from eth_abi.abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, TransactionNotFound
from web3.types import FilterParams

from ...contracts.build import REGISTRY_MODULES, Artifact, load_artifact
from ...errors import DeploymentMismatch, DeploymentNotFound, TransactionFailed, TransactionNotMined
from ...files import write_atomic
from .reverts import RevertDecoder
from .roles import DEFAULT_ADMIN_ROLE, role_id, role_name
from ..chain.transactions import fees_for, latest_base_fee

#: The contracts of a deployment, in the order they are created; the libraries the registry links
#: (its artifact names them) are created just before it.
DEPLOYED = ("Governance", "ZkVerifier", "TitleRegistry", "DocumentRegistry")
#: The sealer address of a member that runs no sealer (the embedded single-process chain).
NO_SEALER = "0x0000000000000000000000000000000000000000"
#: Seconds a deployment's transaction may wait to be mined.
_MINED_WITHIN = 120


@dataclass(frozen=True)
class Deployment:
    """Where a consortium's contracts live: the record every client connects with."""

    chain_id: int
    registry: str
    governance: str
    block: int
    artifacts: dict[str, str] = field(default_factory=dict)
    verifier: str = ""  # the ZkVerifier the registry checks private liens with
    #: Each contract's creation transaction hash, by contract name (see `verify_deployment`).
    transactions: dict[str, str] = field(default_factory=dict)
    #: The address of each library the registry links, by library name (checked by its code).
    libraries: dict[str, str] = field(default_factory=dict)
    documents: str = ""  # the DocumentRegistry: retention, erasure and access-log anchors

    @property
    def modules(self) -> dict[str, str]:
        """Returns the address of each module the registry created, by name (see
        `REGISTRY_MODULES`): derived from the registry's, so never recorded apart from it."""
        return module_addresses(self.registry)

    def save(self, path: Path) -> None:
        """Writes the record as JSON, atomically.

        Raises:
            OutputError: If it cannot be written.
        """
        write_atomic(path, (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Reads a record written by `save` (or by a version without creation transactions or
        libraries).

        Raises:
            DeploymentNotFound: If the file is missing or not a deployment record.
        """
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            return cls(
                chain_id=int(data["chain_id"]),
                registry=Web3.to_checksum_address(data["registry"]),
                governance=Web3.to_checksum_address(data["governance"]),
                block=int(data["block"]),
                artifacts=dict(data.get("artifacts", {})),
                verifier=Web3.to_checksum_address(data["verifier"]) if data.get("verifier") else "",
                transactions={str(k): str(v) for k, v in dict(data.get("transactions", {})).items()},
                libraries={str(k): Web3.to_checksum_address(v) for k, v in dict(data.get("libraries", {})).items()},
                documents=Web3.to_checksum_address(data["documents"]) if data.get("documents") else "",
            )
        except FileNotFoundError:
            raise DeploymentNotFound(f"no deployment record at {path}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise DeploymentNotFound(f"{path} is not a valid deployment record ({exc})") from None


def _create(
    w3: Web3,
    account: LocalAccount,
    artifact: Artifact,
    args: list[Any],
    nonce: int,
    chain_id: int,
    libraries: Mapping[str, str] | None = None,
) -> Any:
    contract = w3.eth.contract(abi=artifact.abi, bytecode=artifact.link(libraries or {}))
    max_fee, tip = fees_for(latest_base_fee(w3))
    try:
        # Building estimates the gas, which runs the constructor: a refusal surfaces here as its
        # custom error, before anything is sent.
        tx = contract.constructor(*args).build_transaction(
            {
                "from": account.address,
                "nonce": nonce,
                "chainId": chain_id,
                "maxFeePerGas": max_fee,
                "maxPriorityFeePerGas": tip,
            }
        )
        signed = account.sign_transaction(tx)
        sent = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(sent, timeout=_MINED_WITHIN)
    except ContractLogicError as exc:
        raise _refusal(artifact, exc) from None
    except TimeExhausted:
        raise TransactionNotMined(f"deploying {artifact.name}", _MINED_WITHIN) from None
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise TransactionFailed(f"deploying {artifact.name} failed in block {receipt['blockNumber']}")
    return receipt


def _refusal(artifact: Artifact, exc: ContractLogicError) -> Exception:
    data = exc.data if isinstance(exc.data, str) and exc.data.startswith("0x") else "0x"
    return RevertDecoder([artifact.abi]).decode(bytes.fromhex(data[2:]))


def deploy_contract(
    w3: Web3, account: LocalAccount, name: str, args: list[Any], *, libraries: Mapping[str, str] | None = None
) -> str:
    """Deploys one contract of the committed artifacts and returns its address.

    Args:
        libraries: The addresses of deployed libraries the contract links, by name. Each library it
            links and that is not given here is deployed first, once the contract's constructor
            has accepted `args`.

    Raises:
        ContractRevert: If its constructor refuses the arguments (then nothing is sent).
        TransactionFailed: If the deployment fails otherwise.
    """
    artifact = load_artifact(name)
    linked = dict(libraries or {})
    missing = [lib for lib in artifact.libraries if lib not in linked]
    if missing:
        # The constructor calls no library, so any address stands in for the missing ones here.
        stand_ins = {lib: account.address for lib in missing} | linked
        contract = w3.eth.contract(abi=artifact.abi, bytecode=artifact.link(stand_ins))
        try:
            contract.constructor(*args).estimate_gas({"from": account.address})
        except ContractLogicError as exc:
            raise _refusal(artifact, exc) from None
        for lib in missing:
            linked[lib] = deploy_contract(w3, account, lib, [])
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    receipt = _create(w3, account, artifact, args, nonce, w3.eth.chain_id, linked)
    return str(Web3.to_checksum_address(receipt["contractAddress"]))


def deploy(
    w3: Web3,
    account: LocalAccount,
    members: Sequence[str],
    sealers: Sequence[str],
    roles: Sequence[tuple[str, str]],
) -> Deployment:
    """Deploys governance with its founding members and their sealers, the zero-knowledge
    verifier, the libraries the registry links, then the registry with its founding roles,
    administered by the one and checking private liens with the other, and last the document
    registry beside it (retention, erasure, access-log anchors), whose settings governance votes.

    The deploying account keeps no power and casts no vote: the registry's only administrator is
    the governance contract, and the founding roles are fixed by its constructor.

    Args:
        w3: A connection to the chain.
        account: The account that pays for the deployment.
        members: The founding members' addresses.
        sealers: Each member's Clique sealer address, in the same order (`NO_SEALER` for a member
            that runs none).
        roles: The founding roles, as (address, role name) pairs such as (addr, "LENDER").

    Returns:
        The deployment record.

    Raises:
        InvalidRole: If a role name is not one of the registry's.
        InvalidOperation, GovernanceRefused: If a constructor refuses its arguments (a founding
            role of the zero address, a sealer given twice).
        TransactionFailed: If a deployment transaction fails otherwise.
    """
    chain_id = w3.eth.chain_id
    artifacts = {name: load_artifact(name) for name in DEPLOYED}
    library_names = artifacts["TitleRegistry"].libraries
    artifacts |= {name: load_artifact(name) for name in library_names}
    _registry_args(NO_SEALER, NO_SEALER, roles)  # refuses an unknown role name before anything is sent
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    gov = _create(w3, account, artifacts["Governance"], _governance_args(members, sealers), nonce, chain_id)
    zk = _create(w3, account, artifacts["ZkVerifier"], [], nonce + 1, chain_id)
    governance = Web3.to_checksum_address(gov["contractAddress"])
    verifier = Web3.to_checksum_address(zk["contractAddress"])
    libraries = {}
    for i, name in enumerate(library_names):
        receipt = _create(w3, account, artifacts[name], [], nonce + 2 + i, chain_id)
        libraries[name] = str(Web3.to_checksum_address(receipt["contractAddress"]))
    registry_args = _registry_args(governance, verifier, roles)
    reg = _create(w3, account, artifacts["TitleRegistry"], registry_args, nonce + 2 + len(libraries), chain_id,
                  libraries)
    registry = str(Web3.to_checksum_address(reg["contractAddress"]))
    docs = _create(w3, account, artifacts["DocumentRegistry"], _documents_args(registry, governance),
                   nonce + 3 + len(libraries), chain_id)
    receipts = {"Governance": gov, "ZkVerifier": zk, "TitleRegistry": reg, "DocumentRegistry": docs}
    artifacts |= {name: load_artifact(name) for name in REGISTRY_MODULES}
    return Deployment(
        chain_id=chain_id,
        registry=registry,
        governance=governance,
        block=int(gov["blockNumber"]),
        artifacts={name: a.sha256 for name, a in artifacts.items()},
        verifier=verifier,
        transactions={name: "0x" + bytes(r["transactionHash"]).hex() for name, r in receipts.items()},
        libraries=libraries,
        documents=str(Web3.to_checksum_address(docs["contractAddress"])),
    )


def module_addresses(registry: str) -> dict[str, str]:
    """Returns the address of each module of `REGISTRY_MODULES`, by name: the registry's
    constructor creates them in that order, its first creations (a contract's nonce starts at 1)."""
    return {name: _created_address(registry, 1 + i) for i, name in enumerate(REGISTRY_MODULES)}


def _created_address(creator: str, nonce: int) -> str:
    sender = bytes.fromhex(Web3.to_checksum_address(creator)[2:])
    return str(Web3.to_checksum_address(keccak(rlp.encode([sender, nonce]))[12:]))


def verify_deployment(
    w3: Web3,
    deployment: Deployment,
    *,
    members: Sequence[str],
    sealers: Sequence[str],
    roles: Sequence[tuple[str, str]],
) -> None:
    """Checks, through `w3` (the member's own node), that a deployment record describes exactly the
    committed contracts deployed with the agreed founders.

    It holds when: the chain id is the record's; each contract's recorded creation transaction
    succeeded, created the recorded address (which holds code), and sent the committed artifact's
    creation bytecode (the registry's linked to the recorded libraries) followed by the constructor
    arguments that `members`, `sealers`, `roles` and the recorded addresses make; each library the
    registry links holds exactly the committed artifact's code at its recorded address; the
    record's artifact hashes are the committed artifacts'; the
    registry's creation granted exactly `roles` besides the governance's administrator role; no
    one but the governance was ever granted that role; and every later grant or revocation was
    made by the governance; each module the registry created is at the address its creation gives
    and holds the committed code. About ten requests (one more per library and per module), one of
    them a log query.

    Args:
        w3: A connection to a node of the chain, preferably one's own.
        deployment: The record to check.
        members: The founding members, in the manifest's order.
        sealers: Their sealers, in the same order (`NO_SEALER` for none).
        roles: The founding roles as (address, role name) pairs, in the manifest's order.

    Raises:
        DeploymentMismatch: If anything differs; the message names what.
        InvalidRole: If a role name is not one of the registry's.
    """
    actual_chain = int(w3.eth.chain_id)
    if actual_chain != deployment.chain_id:
        raise DeploymentMismatch(f"the node serves chain id {actual_chain}, the record names {deployment.chain_id}")
    artifacts = {name: load_artifact(name) for name in DEPLOYED}
    library_names = artifacts["TitleRegistry"].libraries
    artifacts |= {name: load_artifact(name) for name in (*library_names, *REGISTRY_MODULES)}
    for name, artifact in artifacts.items():
        if deployment.artifacts.get(name) != artifact.sha256:
            raise DeploymentMismatch(f"the record's {name} artifact hash is not that of the committed artifact")
    addresses = {"Governance": deployment.governance, "ZkVerifier": deployment.verifier,
                 "TitleRegistry": deployment.registry, "DocumentRegistry": deployment.documents}
    for name in DEPLOYED:
        if not addresses[name] or not deployment.transactions.get(name):
            raise DeploymentMismatch(f"the record names no {name} address or creation transaction (an older record)")
    for name in library_names:
        if not deployment.libraries.get(name):
            raise DeploymentMismatch(f"the record names no address of the {name} library (an older record)")
        _check_library(w3, artifacts[name], deployment.libraries[name])
    expected = {
        "Governance": _governance_args(members, sealers),
        "ZkVerifier": [],
        "TitleRegistry": _registry_args(deployment.governance, deployment.verifier, roles),
        "DocumentRegistry": _documents_args(deployment.registry, deployment.governance),
    }
    created_in = {}
    for name in DEPLOYED:
        tx, receipt = _creation(w3, deployment, name, addresses[name])
        _check_input(artifacts[name], bytes(tx["input"]), expected[name], deployment.libraries)
        if not w3.eth.get_code(Web3.to_checksum_address(addresses[name])):
            raise DeploymentMismatch(f"{name} {addresses[name]} holds no code")
        created_in[name] = int(receipt["blockNumber"])
    # The registry's creation code, checked above, holds each module's creation code; checking the
    # modules' runtime code too costs a request each and holds even if that reasoning does not.
    for name, address in deployment.modules.items():
        _check_module(w3, artifacts[name], address, deployment.registry, deployment.libraries)
    # No role can have changed before the registry existed.
    _check_role_history(w3, deployment, created_in["TitleRegistry"], roles)


def _governance_args(members: Sequence[str], sealers: Sequence[str]) -> list[Any]:
    return [[Web3.to_checksum_address(m) for m in members], [Web3.to_checksum_address(s) for s in sealers]]


def _registry_args(governance: str, verifier: str, roles: Sequence[tuple[str, str]]) -> list[Any]:
    return [
        Web3.to_checksum_address(governance),
        Web3.to_checksum_address(verifier),
        [Web3.to_checksum_address(account) for account, _ in roles],
        [role_id(role) for _, role in roles],
    ]


def _documents_args(registry: str, governance: str) -> list[Any]:
    return [Web3.to_checksum_address(registry), Web3.to_checksum_address(governance)]


def _creation(w3: Web3, deployment: Deployment, name: str, address: str) -> tuple[Any, Any]:
    """Returns the recorded creation transaction of a contract and its receipt, checked."""
    tx_hash = deployment.transactions[name]
    try:
        tx = w3.eth.get_transaction(cast(Any, tx_hash))
        receipt = w3.eth.get_transaction_receipt(cast(Any, tx_hash))
    except (TransactionNotFound, ValueError):
        raise DeploymentMismatch(
            f"the {name} creation transaction {tx_hash} is not on this chain (if your node is still syncing, "
            "wait until it has caught up and check again)"
        ) from None
    created = receipt.get("contractAddress")
    if tx.get("to") is not None or receipt["status"] != 1 or not created:
        raise DeploymentMismatch(f"transaction {tx_hash} did not create {name}")
    if Web3.to_checksum_address(created) != Web3.to_checksum_address(address):
        raise DeploymentMismatch(f"transaction {tx_hash} created {created}, not the recorded {name} {address}")
    return tx, receipt


def _check_library(w3: Web3, artifact: Artifact, address: str) -> None:
    """Checks that a library's address holds exactly the artifact's runtime code."""
    runtime = bytes.fromhex(artifact.deployed_bytecode.removeprefix("0x"))
    # A library's code starts with PUSH20 of its own address, zero in the artifact and set when it
    # is created: with it the library refuses every call but a DELEGATECALL.
    expected = runtime[:1] + bytes.fromhex(Web3.to_checksum_address(address)[2:]) + runtime[21:]
    if bytes(w3.eth.get_code(Web3.to_checksum_address(address))) != expected:
        raise DeploymentMismatch(
            f"the {artifact.name} library at {address} does not hold the committed artifact's code"
        )


def _check_module(w3: Web3, artifact: Artifact, address: str, registry: str, libraries: Mapping[str, str]) -> None:
    """Checks that a module's address holds exactly the artifact's runtime code, linked to
    `libraries`, with the registry's address as its one immutable (the registry it refuses all
    other callers for)."""
    expected = bytearray(bytes.fromhex(artifact.link_deployed(libraries).removeprefix("0x")))
    word = bytes(12) + bytes.fromhex(Web3.to_checksum_address(registry)[2:])
    for spots in artifact.deployed_immutable_references.values():
        for spot in spots:
            expected[spot["start"]:spot["start"] + spot["length"]] = word
    if bytes(w3.eth.get_code(Web3.to_checksum_address(address))) != bytes(expected):
        raise DeploymentMismatch(f"the registry's {artifact.name} module at {address} does not hold the "
                                 "committed artifact's code")


def _check_input(artifact: Artifact, data: bytes, expected: list[Any], libraries: Mapping[str, str]) -> None:
    """Checks a creation input against the artifact's bytecode, linked to `libraries`, and the
    expected constructor arguments."""
    code = bytes.fromhex(artifact.link(libraries).removeprefix("0x"))
    sent = data[:len(code)]
    # The library addresses sent are compared last, so that a mismatch names what differs first.
    linked = {lib: "0x" + sent[spot["start"]:spot["start"] + 20].hex()
              for libs in artifact.link_references.values() for lib, spots in libs.items() for spot in spots}
    if len(sent) < len(code) or bytes.fromhex(artifact.link(linked).removeprefix("0x")) != sent:
        raise DeploymentMismatch(f"{artifact.name} was not created from the committed artifact's bytecode")
    types = _constructor_types(artifact)
    if data[len(code):] != encode(types, expected):
        _explain_arguments(artifact, data[len(code):], types, expected)
    for lib, address in sorted(linked.items()):
        if Web3.to_checksum_address(address) != Web3.to_checksum_address(libraries[lib]):
            raise DeploymentMismatch(f"{artifact.name} was linked to the {lib} library at "
                                     f"{Web3.to_checksum_address(address)}, not the recorded {libraries[lib]}")


def _explain_arguments(artifact: Artifact, data: bytes, types: list[str], expected: list[Any]) -> None:
    """Raises a mismatch that says which constructor argument differs from the expected one."""
    try:
        actual = list(decode(types, data))
    except Exception:  # not even well-formed arguments
        raise DeploymentMismatch(f"{artifact.name} was created with malformed constructor arguments") from None
    labels = {
        "Governance": ("founding members", "sealers"),
        "TitleRegistry": ("governance", "verifier", "founding role accounts", "founding roles"),
        "DocumentRegistry": ("registry", "governance"),
    }.get(artifact.name, ())
    for label, got, want in zip(labels, actual, expected):
        if _shown(got) != _shown(want):
            raise DeploymentMismatch(f"{artifact.name} was created with {label} {_shown(got)}, not {_shown(want)}")
    raise DeploymentMismatch(f"{artifact.name} was created with other constructor arguments than expected")


def _constructor_types(artifact: Artifact) -> list[str]:
    ctor: dict[str, Any] = next((i for i in artifact.abi if i.get("type") == "constructor"), {"inputs": []})
    return [str(i["type"]) for i in ctor["inputs"]]


def _shown(value: Any) -> Any:
    """Renders a constructor argument for a message: addresses checksummed, roles by name."""
    if isinstance(value, (list, tuple)):
        return [_shown(v) for v in value]
    if isinstance(value, bytes):
        return role_name(value)
    return Web3.to_checksum_address(value) if isinstance(value, str) else value


def _check_role_history(w3: Web3, deployment: Deployment, from_block: int, roles: Sequence[tuple[str, str]]) -> None:
    """Checks every RoleGranted and RoleRevoked of the registry since its creation, in one query."""
    abi = load_artifact("TitleRegistry").abi
    topics = {name: _topic(abi, name) for name in ("RoleGranted", "RoleRevoked")}
    logs = w3.eth.get_logs(cast(FilterParams, {
        "address": Web3.to_checksum_address(deployment.registry), "fromBlock": from_block, "toBlock": "latest",
        "topics": [list(topics.values())],
    }))
    governance = str(Web3.to_checksum_address(deployment.governance))
    creation = bytes.fromhex(deployment.transactions["TitleRegistry"].removeprefix("0x"))
    founded: set[tuple[str, bytes]] = set()
    for log in logs:
        granted = "0x" + bytes(log["topics"][0]).hex() == topics["RoleGranted"]
        role = bytes(log["topics"][1])
        account = _topic_address(log["topics"][2])
        sender = _topic_address(log["topics"][3])
        if granted and role == DEFAULT_ADMIN_ROLE and account != governance:
            raise DeploymentMismatch(f"{account} was granted the registry's administrator role, which only "
                                     "the governance may hold")
        if bytes(log["transactionHash"]) == creation:  # the constructor's grants (sent by the deployer)
            founded.add((account, role))
        elif sender != governance and not (not granted and sender == account):  # a holder may renounce its own
            raise DeploymentMismatch(f"{sender} {'granted' if granted else 'revoked'} {role_name(role)} "
                                     f"{'to' if granted else 'from'} {account} outside governance")
    wanted = {(str(Web3.to_checksum_address(a)), role_id(r)) for a, r in roles} | {(governance, DEFAULT_ADMIN_ROLE)}
    if founded != wanted:
        def show(pairs: set[tuple[str, bytes]]) -> str:
            return ", ".join(sorted(f"{role_name(r)} to {a}" for a, r in pairs)) or "none"
        raise DeploymentMismatch(f"the registry's creation granted {show(founded)}, not {show(wanted)}")


def _topic(abi: list[dict[str, Any]], name: str) -> str:
    item = next(i for i in abi if i.get("type") == "event" and i["name"] == name)
    return "0x" + bytes(event_abi_to_log_topic(cast(Any, item))).hex()


def _topic_address(topic: Any) -> str:
    return str(Web3.to_checksum_address(bytes(topic)[-20:]))

"""Deployment records and the deployment of the registry and its governance."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import TimeExhausted

from ..contracts.build import Artifact, load_artifact
from ..errors import DeploymentNotFound, TransactionFailed
from ..files import write_atomic
from .transactions import fees_for, latest_base_fee


@dataclass(frozen=True)
class Deployment:
    """Where a consortium's contracts live: the record every client connects with."""

    chain_id: int
    registry: str
    governance: str
    block: int
    artifacts: dict[str, str] = field(default_factory=dict)
    verifier: str = ""  # the ZkVerifier the registry checks private liens with

    def save(self, path: Path) -> None:
        """Writes the record as JSON, atomically.

        Raises:
            OutputError: If it cannot be written.
        """
        write_atomic(path, (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Reads a record written by `save`.

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
            )
        except FileNotFoundError:
            raise DeploymentNotFound(
                f"no deployment record at {path}: deploy with `lienchain contracts deploy`"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise DeploymentNotFound(f"{path} is not a valid deployment record ({exc}): redeploy or restore it") from None


def _create(w3: Web3, account: LocalAccount, artifact: Artifact, args: list[Any], nonce: int, chain_id: int) -> Any:
    contract = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    max_fee, tip = fees_for(latest_base_fee(w3))
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
    try:
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=120)
    except TimeExhausted:
        raise TransactionFailed(
            f"deploying {artifact.name} was not mined within 120 s: check that the chain seals (`lienchain network status`)"
        ) from None
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise TransactionFailed(f"deploying {artifact.name} failed in block {receipt['blockNumber']}")
    return receipt


def deploy_contract(w3: Web3, account: LocalAccount, name: str, args: list[Any]) -> str:
    """Deploys one contract of the committed artifacts and returns its address.

    Raises:
        TransactionFailed: If the deployment fails.
    """
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    receipt = _create(w3, account, load_artifact(name), args, nonce, w3.eth.chain_id)
    return str(Web3.to_checksum_address(receipt["contractAddress"]))


def deploy(w3: Web3, account: LocalAccount, members: list[str]) -> Deployment:
    """Deploys governance with its founding members, the zero-knowledge verifier, then the
    registry administered by the one and checking private liens with the other.

    The deploying account keeps no power: the registry's only administrator is the governance
    contract, and roles are granted by member vote afterwards.

    Args:
        w3: A connection to the chain.
        account: The account that pays for the deployment.
        members: The founding members' addresses.

    Returns:
        The deployment record.

    Raises:
        TransactionFailed: If a deployment transaction fails.
    """
    chain_id = w3.eth.chain_id
    governance_artifact = load_artifact("Governance")
    verifier_artifact = load_artifact("ZkVerifier")
    registry_artifact = load_artifact("TitleRegistry")
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    gov = _create(w3, account, governance_artifact, [members], nonce, chain_id)
    zk = _create(w3, account, verifier_artifact, [], nonce + 1, chain_id)
    reg = _create(w3, account, registry_artifact, [gov["contractAddress"], zk["contractAddress"]], nonce + 2, chain_id)
    return Deployment(
        chain_id=chain_id,
        registry=Web3.to_checksum_address(reg["contractAddress"]),
        governance=Web3.to_checksum_address(gov["contractAddress"]),
        block=int(gov["blockNumber"]),
        artifacts={a.name: a.sha256 for a in (governance_artifact, verifier_artifact, registry_artifact)},
        verifier=Web3.to_checksum_address(zk["contractAddress"]),
    )

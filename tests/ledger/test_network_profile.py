"""A network profile's ledger talks to its member's node through the JSON-RPC chain (a real geth
node), and refuses a node of another chain."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import AccountBook, Profile, normalize_vin
from lienchain.ledger.chain.rpc import RpcChain
from lienchain.ledger.workspace.profile import DEPLOYMENT_FILE, PROFILE_FILE

from ..conftest import PASSPHRASE
from .geth_node import GethNode, deploy_founders

pytestmark = pytest.mark.network

VIN = normalize_vin("1M8GDM9AXKP042788")


def network_profile(template: Path, root: Path, node: GethNode, *, chain_id: int) -> Path:
    """The template profile's accounts, made the profile of a one-member network served by `node`."""
    path = root / "profile"
    shutil.copytree(template, path)
    chain = RpcChain.connect(node.url, chain_id=node.chain_id)
    deploy_founders(chain, AccountBook(path, lambda: PASSPHRASE)).save(path / DEPLOYMENT_FILE)
    config = json.loads((path / PROFILE_FILE).read_text())
    # The ledger never asks the IPFS endpoint anything; a profile must name one all the same.
    config |= {"engine": "geth", "chain_id": chain_id, "members": {"solo": {"rpc": node.url, "ipfs": "http://127.0.0.1:9"}}}
    (path / PROFILE_FILE).write_text(json.dumps(config))
    return path


def test_a_network_profile_writes_and_reads_through_its_node(geth_node: GethNode, template_profile: Path,
                                                             tmp_path: Path) -> None:
    path = network_profile(template_profile, tmp_path, geth_node, chain_id=geth_node.chain_id)
    owner = Account.create().address
    with Profile(path, passphrase=lambda: PASSPHRASE) as profile:
        registrar = profile.ledger("registrar")
        assert isinstance(registrar.chain, RpcChain)
        registrar.register_title(VIN, owner, doc_cid="bafkreititle")
        before = registrar.chain.nonce(registrar.address)
        with pytest.raises(errors.TitleAlreadyRegistered):
            registrar.register_title(VIN, owner, doc_cid="bafkreititle")
        assert registrar.chain.nonce(registrar.address) == before
        assert profile.ledger().title(VIN).owner == owner
        assert [e.name for e in profile.ledger().history(VIN)] == ["TitleRegistered"]


def test_a_network_profile_refuses_a_node_of_another_chain(geth_node: GethNode, template_profile: Path,
                                                           tmp_path: Path) -> None:
    path = network_profile(template_profile, tmp_path, geth_node, chain_id=geth_node.chain_id + 1)
    with Profile(path, passphrase=lambda: PASSPHRASE) as profile, pytest.raises(errors.ChainIdMismatch):
        profile.ledger("registrar")

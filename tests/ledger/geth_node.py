"""One real geth node for the chain and ledger conformance suites: a Clique chain with one sealer
that seals on demand, built from the consortium tooling's own pieces (networks/geth.py's genesis,
configuration and command, the engine's sealer switch, the process records).

Clique with period 0 seals a block as soon as a transaction waits (geth's "dev mode" Clique), so
a write is mined in milliseconds instead of waiting for the next period: the geth part of the
suites runs every ledger test in a few minutes. Its blocks carry the wall-clock time of sealing,
like the embedded chain's; two blocks sealed in the same second share a timestamp.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from lienchain.errors import BinaryNotFound
from lienchain.ledger import DEFAULT_ACCOUNTS, NO_SEALER, AccountBook, Deployment, deploy
from lienchain.ledger.workspace.accounts import SECOND_KEYS
from lienchain.ledger.chain.base import Chain
from lienchain.ledger.chain.rpc import answers
from lienchain.ledger.workspace.accounts import encrypt_key
from lienchain.networks import GETH, locate
from lienchain.networks.engine import CLIQUE
from lienchain.networks.geth import DEFAULT_GAS_LIMIT
from lienchain.networks.ports import allocate_ports
from lienchain.networks.process import Process, await_ready, run_tool


@dataclass(frozen=True)
class GethNode:
    """A running single-sealer geth node."""

    url: str
    chain_id: int
    process: Process
    ipc: Path  # its IPC socket, which serves every API (`debug_setHead` for the reorg tests)


def geth_binary() -> Path:
    """Returns geth 1.13.15; skips the test without it, or fails it under LIENCHAIN_REQUIRE_NODES=1
    (as CI runs), like the network tests (tests/networks/conftest.py)."""
    try:
        return locate(GETH)
    except BinaryNotFound as exc:
        if os.environ.get("LIENCHAIN_REQUIRE_NODES") == "1":
            pytest.fail(f"LIENCHAIN_REQUIRE_NODES=1 but {exc}")
        pytest.skip(str(exc))


def start_geth(root: Path, geth: Path, *, chain_id: int, alloc: dict[str, int]) -> GethNode:
    """Initialises and starts a one-sealer Clique node under `root`, sealing on demand.

    Args:
        root: An empty directory for the node's data, keys and log.
        geth: The geth binary.
        chain_id: The chain id (and network id).
        alloc: Genesis balances in wei by address.

    Returns:
        The node, sealing.
    """
    sealer, idle, password = Account.create(), Account.create(), secrets.token_hex(8)
    keystore = root / "keystore"
    keystore.mkdir(parents=True)
    for name, account in (("sealer", sealer), ("idle", idle)):
        (keystore / f"{name}.json").write_text(json.dumps(encrypt_key(bytes(account.key), password, light_kdf=True)))
    genesis = CLIQUE.genesis(chain_id=chain_id, sealers=[sealer.address], period=0, gas_limit=DEFAULT_GAS_LIMIT,
                             alloc=alloc)
    (root / "genesis.json").write_text(json.dumps(genesis))
    datadir = root / "geth"
    run_tool(CLIQUE.init_command(geth, datadir, root / "genesis.json"), "geth init")
    http, p2p, auth = allocate_ports(root, 3)
    (root / "config.toml").write_text(CLIQUE.config(
        datadir=datadir, network_id=chain_id, p2p_port=p2p, http_port=http, auth_port=auth, static_nodes=[],
        gas_limit=DEFAULT_GAS_LIMIT,
    ))
    # Throwaway secrets of a throwaway node: plain files are enough here (members use named pipes).
    (root / "password").write_text(f"{password}\n{password}\n")
    (root / "nodekey").write_text(secrets.token_hex(32))
    argv = CLIQUE.node_command(geth, config=root / "config.toml", keystore=keystore, sealer=sealer.address,
                               idle=idle.address, password_file=root / "password", nodekey_file=root / "nodekey")
    process = Process("geth (conformance)", root / "geth.pid", root / "geth.log")
    process.start(argv)
    url = f"http://127.0.0.1:{http}"
    await_ready(process, lambda: answers(url) and (datadir / CLIQUE.ipc_name).exists(), 60)
    CLIQUE.start_sealing(datadir / CLIQUE.ipc_name, sealer.address)
    return GethNode(url, chain_id, process, datadir / CLIQUE.ipc_name)


def deploy_founders(chain: Chain, accounts: AccountBook) -> Deployment:
    """Deploys the contracts as `Profile.create` does for an embedded profile: every account of
    the book a founding member running no sealer, the first paying, the default founding roles."""
    infos = [i for i in accounts.list() if i.name not in SECOND_KEYS]
    address = {i.name: str(i.address) for i in accounts.list()}
    return deploy(chain.w3, accounts.unlock(infos[0].name), [address[i.name] for i in infos],
                  [NO_SEALER] * len(infos), [(address[n], r) for n, r in DEFAULT_ACCOUNTS.items()])

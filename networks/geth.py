"""geth for a consortium: the Clique genesis, node identities, config.toml, and the node's command.

Every member runs one geth node that seals blocks in turn with its own sealer key (Clique
proof-of-authority). The rules are London's: Clique predates the merge, and geth v1.13.15 refuses
Shanghai and later on a Clique chain.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The block gas limit: about 1,000 lien grants a block, built in well under a period.
DEFAULT_GAS_LIMIT = 200_000_000
#: Blocks between Clique checkpoints (where votes reset and the signer list is recorded).
EPOCH = 30_000
#: RPC namespaces a node serves on its loopback HTTP endpoint: reading and sending transactions only.
#: `admin`, `clique` and `miner` are reached over the IPC socket in the data directory (see ipc.py).
HTTP_MODULES = ["eth", "net", "web3"]
#: The IPC socket's name inside the data directory.
IPC_NAME = "geth.ipc"


def genesis(*, chain_id: int, sealers: Sequence[str], period: int, gas_limit: int, alloc: dict[str, int]) -> dict[str, Any]:
    """Returns a Clique genesis with London rules from block 0.

    Args:
        chain_id: The chain id (also the network id).
        sealers: The sealers' addresses; the extra-data lists them in ascending order, as Clique requires.
        period: Seconds between blocks.
        gas_limit: The block gas limit (the nodes' miners keep it there).
        alloc: Initial balances in wei by address.
    """
    from web3 import Web3  # here, not at the top: the command line's help reads DEFAULT_GAS_LIMIT

    ordered = sorted((Web3.to_checksum_address(a) for a in sealers), key=lambda a: bytes.fromhex(a[2:]))
    extra = "0x" + "00" * 32 + "".join(a[2:].lower() for a in ordered) + "00" * 65
    forks = ["homestead", "eip150", "eip155", "eip158", "byzantium", "constantinople", "petersburg",
             "istanbul", "berlin", "london"]
    return {
        "config": {
            "chainId": chain_id,
            **{f"{fork}Block": 0 for fork in forks},
            "clique": {"period": period, "epoch": EPOCH},
        },
        "difficulty": "0x1",
        "gasLimit": hex(gas_limit),
        "extradata": extra,
        "alloc": {a[2:].lower(): {"balance": hex(v)} for a, v in ((Web3.to_checksum_address(k), v) for k, v in alloc.items())},
    }


def enode_url(node_id: str, host: str, port: int) -> str:
    """Returns the enode URL of a node id at a host and TCP port, with discovery off."""
    return f"enode://{node_id}@{host}:{port}?discport=0"


@dataclass(frozen=True)
class NodeKey:
    """A node's devp2p identity: the key that names it as an enode (not an account key)."""

    secret: bytes

    @classmethod
    def generate(cls) -> NodeKey:
        """Returns a new random node key."""
        return cls(secrets.token_bytes(32))

    @property
    def node_id(self) -> str:
        """Returns the enode id: the uncompressed public key without its prefix, in hex."""
        from coincurve import PrivateKey  # here, not at the top: see `genesis`

        return PrivateKey(self.secret).public_key.format(compressed=False)[1:].hex()



def config_toml(
    *,
    datadir: Path,
    network_id: int,
    p2p_port: int,
    http_port: int,
    auth_port: int,
    static_nodes: Sequence[str],
    gas_limit: int,
    listen_host: str = "127.0.0.1",
) -> str:
    """Returns a node's config.toml: no discovery, the other members as static peers.

    Peer-to-peer traffic listens on `listen_host` (the address the member announces to the others);
    HTTP (eth, net, web3) and the engine API listen on loopback only, and the IPC socket sits in
    the data directory.

    The txpool holds many pending transactions per account (a lender's batch of grants is
    thousands of transactions in flight from one account) and the miner keeps the genesis gas limit.
    Nodes keep every block's state (no pruning: a consortium chain is small), so auditors check
    proofs against the state of the block they name, however old.
    """
    def strings(items: Sequence[str]) -> str:
        return "[" + ", ".join(json.dumps(s) for s in items) + "]"

    return f"""# Written by `lienchain network init`. Flags given by `lienchain node start` complete it.
[Eth]
NetworkId = {network_id}
SyncMode = "full"
NoPruning = true

[Eth.Miner]
GasCeil = {gas_limit}

[Eth.TxPool]
NoLocals = true
AccountSlots = 8192
GlobalSlots = 16384
AccountQueue = 1024
GlobalQueue = 4096

[Node]
DataDir = {json.dumps(str(datadir))}
IPCPath = {json.dumps(IPC_NAME)}
HTTPHost = "127.0.0.1"
HTTPPort = {http_port}
HTTPVirtualHosts = ["localhost", "127.0.0.1"]
HTTPModules = {strings(HTTP_MODULES)}
AuthAddr = "127.0.0.1"
AuthPort = {auth_port}
InsecureUnlockAllowed = true
BatchRequestLimit = 10000
BatchResponseMaxSize = 100000000

[Node.P2P]
MaxPeers = 50
NoDiscovery = true
ListenAddr = "{listen_host}:{p2p_port}"
StaticNodes = {strings(static_nodes)}
"""


def init_command(geth: Path, datadir: Path, genesis_file: Path) -> list[str]:
    """Returns the command that writes the genesis block into a new data directory."""
    return [str(geth), "--datadir", str(datadir), "init", str(genesis_file)]


def node_command(
    geth: Path, *, config: Path, keystore: Path, sealer: str, idle: str, password_file: Path, nodekey_file: Path,
) -> list[str]:
    """Returns the command that runs a member node: mining, at first with a key no chain authorises.

    geth drops the blocks its peers send until it has synced once or mines, and a node whose peers
    are no further ahead than it never syncs: sealers that start together then each keep their own
    first block and the chain stalls. A node that mines with `idle`, a throwaway key, takes its
    peers' blocks at once but seals none (Clique refuses an unauthorised signer); the member's agent
    switches it to `sealer` over IPC when it may seal (see agent.py).

    Both keys are unlocked with the passphrase, read once from `password_file` (one line per key),
    and the node key is read once from `nodekey_file`: lienchain makes both named pipes, so neither
    secret touches the disk. The sealer key holds no funds and no role; it only signs blocks.
    (`InsecureUnlockAllowed` is needed because the node also serves HTTP, on loopback only and
    without the `personal` namespace.)
    """
    return [
        str(geth), "--config", str(config), "--keystore", str(keystore), "--nat", "none", "--mine",
        "--miner.recommit", "1s", "--miner.etherbase", idle, "--unlock", f"{sealer},{idle}",
        "--password", str(password_file), "--nodekey", str(nodekey_file), "--verbosity", "3",
    ]

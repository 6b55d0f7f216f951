"""The consensus engine seam: what is specific to geth and Clique, behind one small interface.

Everything else in networks/ (member directories, manifests, the agent) and everything in ledger/
and cli/ talks to a node through this interface and JSON-RPC, so a second engine (Besu with QBFT,
say, where it can be installed) is one more implementation of `Engine`, not a change elsewhere.
geth v1.13.15 with Clique is the one built and tested here: it is the last geth release that seals
Clique blocks (later releases removed Clique), so it receives no further security fixes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from . import geth
from .ipc import ipc_call


class Engine(Protocol):
    """A proof-of-authority engine: its genesis, node configuration and command, and sealer votes."""

    name: str
    ipc_name: str

    def genesis(self, *, chain_id: int, sealers: list[str], period: int, gas_limit: int,
                alloc: dict[str, int]) -> dict[str, Any]:
        """Returns the genesis of a chain sealed by `sealers`."""

    def new_node_key(self) -> geth.NodeKey:
        """Returns a new peer-to-peer node identity."""

    def init_command(self, binary: Path, datadir: Path, genesis_file: Path) -> list[str]:
        """Returns the command that writes the genesis into a new data directory."""

    def config(self, **settings: Any) -> str:
        """Returns the node's configuration file (see `geth.config_toml` for the settings)."""

    def node_command(self, binary: Path, **settings: Any) -> list[str]:
        """Returns the command that runs the node (see `geth.node_command`)."""

    def signers(self, ipc: Path) -> list[str]:
        """Returns the sealers the chain authorises at its head."""

    def vote(self, ipc: Path, sealer: str, authorize: bool) -> None:
        """Casts (and keeps casting in the blocks it seals) this node's vote on a sealer."""

    def votes(self, ipc: Path) -> dict[str, bool]:
        """Returns the votes this node keeps casting."""

    def withdraw_vote(self, ipc: Path, sealer: str) -> None:
        """Stops casting a vote."""

    def start_sealing(self, ipc: Path, sealer: str) -> None:
        """Makes the node seal with `sealer` (unlocked at its start)."""

    def stop_sealing(self, ipc: Path, idle: str) -> None:
        """Stops sealing: the node goes back to mining with `idle`, a key no chain authorises."""


class Clique:
    """geth v1.13.15 with Clique proof-of-authority."""

    name = "clique"
    ipc_name = geth.IPC_NAME

    def genesis(self, *, chain_id: int, sealers: list[str], period: int, gas_limit: int,
                alloc: dict[str, int]) -> dict[str, Any]:
        return geth.genesis(chain_id=chain_id, sealers=sealers, period=period, gas_limit=gas_limit, alloc=alloc)

    def new_node_key(self) -> geth.NodeKey:
        return geth.NodeKey.generate()

    def init_command(self, binary: Path, datadir: Path, genesis_file: Path) -> list[str]:
        return geth.init_command(binary, datadir, genesis_file)

    def config(self, **settings: Any) -> str:
        return geth.config_toml(**settings)

    def node_command(self, binary: Path, **settings: Any) -> list[str]:
        return geth.node_command(binary, **settings)

    def signers(self, ipc: Path) -> list[str]:
        return [str(s) for s in ipc_call(ipc, "clique_getSigners", ["latest"])]

    def vote(self, ipc: Path, sealer: str, authorize: bool) -> None:
        ipc_call(ipc, "clique_propose", [sealer, authorize])

    def votes(self, ipc: Path) -> dict[str, bool]:
        return {str(k): bool(v) for k, v in (ipc_call(ipc, "clique_proposals") or {}).items()}

    def withdraw_vote(self, ipc: Path, sealer: str) -> None:
        ipc_call(ipc, "clique_discard", [sealer])

    def start_sealing(self, ipc: Path, sealer: str) -> None:
        # geth authorises its Clique signer only when mining starts: stop, switch, start.
        ipc_call(ipc, "miner_stop")
        ipc_call(ipc, "miner_setEtherbase", [sealer])
        ipc_call(ipc, "miner_start")

    def stop_sealing(self, ipc: Path, idle: str) -> None:
        self.start_sealing(ipc, idle)  # mining on, so the node still takes its peers' blocks


#: The engine built and tested here.
CLIQUE: Engine = Clique()

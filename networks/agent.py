"""A member's agent: the background process that `node start` runs beside the member's geth and Kubo.

It holds no key and no passphrase (the sealer key is unlocked inside geth alone) and talks only to
the member's own nodes: geth over its IPC socket and loopback HTTP, Kubo over its loopback API.

- Sealing: it starts the node's sealer once the node reaches a majority of the chain's sealers and
  has taken their latest block (or it is its turn, see `Agent._turn_wait`), and stops it when the
  node is cut off from the majority, so that a node never seals a chain of its own. A chain that stalls while its sealers are peered
  (rival blocks at one height, see `Agent._recover`) is mended by dropping the node's head block.
- Votes: the registry's governance contract lists each member's sealer. Whenever the chain's Clique
  sealers differ from that list (a member admitted or removed by vote), the agent casts this member's
  Clique vote to add or drop the sealer, so sealers change by the same majority as members.
- Pins: it follows the registry's events from the deployment block and pins every anchored document
  (each event argument that is a CID) through the member's own Kubo node, so every member keeps a
  copy of every document; after downtime it catches up from where it stopped. A document whose
  erasure is on record is never pinned again (the member's steward removes it, see steward.py).

Run as `python -m lienchain.networks.agent MEMBER_DIR`; it stops on SIGTERM.
"""

from __future__ import annotations

import json
import logging
import secrets
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_utils.abi import event_abi_to_log_topic
from web3 import Web3

from ..contracts.build import load_artifact, registry_abi
from ..errors import LienchainError
from ..files import write_atomic
from ..ledger.registry.deployment import Deployment
from ..ledger.chain.rpc import connect
from . import kubo
from .member import MemberHome
from .ipc import ipc_call
from .rpc import call
from .sealing import majority, sealers_in_reach

log = logging.getLogger("lienchain.agent")
#: Periods without a new block, while peered with a majority of the sealers, before the agent
#: mends a stall (plus a random share of as many again, so that agents do not act together).
STALL_PERIODS = 5
#: geth's forced sync cycle (eth/sync.go forceSyncCycle), plus a margin: how often a node whose
#: peers are ahead of it takes their blocks when it neither seals nor has synced yet.
SYNC_CYCLE = 12.0
_LOG_CHUNK = 2_000  # blocks per get_logs when catching up
_CONFIRMATIONS = 2  # the pinner reads blocks this far below the head
_MAX_BACKOFF = 3600.0  # seconds between two tries to pin a document at most


class Agent:
    """The agent of one member directory."""

    def __init__(self, home: MemberHome) -> None:
        """Prepares the agent of `home` (connects lazily)."""
        self.home = home
        self.stopping = threading.Event()
        self._manifest_mtime = 0.0
        self._sealer_nodes: dict[str, str] = {}
        self._w3: Web3 | None = None
        self.period = max(1, home.manifest().period)
        self._head, self._head_since = -1, time.monotonic()
        self._peered_since: float | None = None
        self._head_at_peering = 0
        self._resume_height = 0
        self._stall_after = self._stall_delay()

    def run(self) -> None:
        """Runs until `stopping` is set: the sealing and vote loop here, the pinner in a thread."""
        pinner = threading.Thread(target=self._pin_loop, name="pinner", daemon=True)
        pinner.start()
        while not self.stopping.is_set():
            for step in (self.seal_step, self.vote_step):
                try:
                    step()
                except (OSError, ValueError, LienchainError) as exc:  # the node is restarting, or busy
                    log.debug("%s: %s", step.__name__, exc)
                except Exception:  # anything else (a web3 error, a bug): logged, and the agent goes on
                    log.exception("%s failed", step.__name__)
            self.stopping.wait(max(0.5, self.period / 2))
        pinner.join(5)

    # --- sealing ------------------------------------------------------------------------------

    def sealer_nodes(self) -> dict[str, str]:
        """Returns the current members' sealer -> node id (re-read when the manifest changes)."""
        mtime = self.home.manifest_path.stat().st_mtime
        if mtime != self._manifest_mtime:
            self._sealer_nodes = self.home.sealer_nodes()
            self._manifest_mtime = mtime
        return self._sealer_nodes

    def seal_step(self) -> None:
        """Starts or stops the sealer as the node gains or loses a majority of the sealers, and
        recovers a stalled chain (see `_recover`)."""
        ipc, engine = self.home.ipc_path, self.home.engine
        reached, total = sealers_in_reach(ipc, self.sealer_nodes())
        mining, coinbase, syncing, number = call(self.home.rpc_url, [
            ("eth_mining", []), ("eth_coinbase", []), ("eth_syncing", []), ("eth_blockNumber", [])])
        now, head = time.monotonic(), int(number, 16)
        sealing = bool(mining) and str(coinbase).lower() == self.home.card.sealer.lower()
        if head != self._head:
            self._head, self._head_since = head, now
        if reached < majority(total):
            self._peered_since = None
            if sealing:
                engine.stop_sealing(ipc, self.home.read_idle_address())
                log.info("reaches %d of %d sealers, fewer than a majority: sealing stopped", reached, total)
            return
        if self._peered_since is None:
            self._peered_since, self._head_at_peering = now, head
        if not sealing:
            # eth_syncing also reports transaction indexing: only a download of blocks counts.
            downloading = isinstance(syncing, dict) and int(syncing["highestBlock"], 16) > int(syncing["currentBlock"], 16)
            took_theirs = head > self._head_at_peering and head >= self._resume_height
            if not downloading and (took_theirs or now - self._peered_since >= self._turn_wait(head)):
                engine.start_sealing(ipc, self.home.card.sealer)
                self._head_since = now  # the stall clock runs from when this node seals
                log.info("reaches %d of %d sealers: sealing", reached, total)
            return
        if head > 0 and now - self._head_since > self._stall_after and self._own_empty_block(head):
            self._recover(head, now)

    def _own_empty_block(self, number: int) -> bool:
        """Tells whether a block is one this node sealed and holds no transaction: the only kind
        `_recover` may drop, so that mending a stall never takes an operation off the chain."""
        block = call(self.home.rpc_url, [("eth_getBlockByNumber", [hex(number), False])])[0]
        signer = str(ipc_call(self.home.ipc_path, "clique_getSigner", [hex(number)]))
        return not block["transactions"] and signer.lower() == self.home.card.sealer.lower()

    def _turn_wait(self, head: int) -> float:
        """Returns how long a node that has not taken a block from its peers holds its sealer back:
        nothing for the sealer whose turn the next block is, one sync cycle more for each next one.

        Clique delays an out-of-turn sealer from the next block's timestamp, which on a new chain
        (or one that stood still) is already past: sealers that start together all seal the next
        block at once, each keeps its own, and the chain stalls. Started in turn order, the first
        block is sealed alone and the others take it (a node mining with its idle key takes its
        peers' blocks; one that does not yet, every sync cycle) before they seal.
        """
        signers = [s.lower() for s in self.home.engine.signers(self.home.ipc_path)]
        me = self.home.card.sealer.lower()
        if me not in signers:
            return 0.0  # sealing is refused anyway until the sealer is voted in
        rank = (signers.index(me) - (head + 1)) % len(signers)
        return rank * max(SYNC_CYCLE, 2.0 * self.period)

    def _recover(self, head: int, now: float) -> None:
        """Drops this node's head block (its own, empty) to take the other sealers' chain.

        The stall this mends: sealers that each sealed a rival block at the same height, of equal
        weight, each keep their own (geth prefers its own blocks), and none may seal the next one
        (Clique lets a sealer seal once in any run of half the sealers' count of blocks). A node
        that drops its block adopts a peer's, may then seal the next one on top of it, and the
        others follow the heavier chain. Each agent waits a random extra time first, so that the
        nodes do not all drop their blocks at once.
        """
        engine, ipc = self.home.engine, self.home.ipc_path
        engine.stop_sealing(ipc, self.home.read_idle_address())
        ipc_call(ipc, "debug_setHead", [hex(head - 1)])
        log.warning("no new block for %.0f s while peered with a majority of the sealers: dropped block %d "
                    "to take the other sealers' chain", now - self._head_since, head)
        self._resume_height = head
        self._head_since, self._peered_since, self._head_at_peering = now, now, head - 1
        self._stall_after = self._stall_delay()

    def _stall_delay(self) -> float:
        return (STALL_PERIODS + secrets.randbelow(1000) * STALL_PERIODS / 1000) * self.period

    # --- votes --------------------------------------------------------------------------------

    def _deployment(self) -> Deployment | None:
        path = self.home.path / "deployment.json"
        return Deployment.load(path) if path.exists() else None

    def _chain(self) -> Web3:
        if self._w3 is None:
            self._w3 = connect(self.home.rpc_url, chain_id=self.home.manifest().chain_id)
        return self._w3

    def vote_step(self) -> None:
        """Keeps this node's Clique votes in line with the sealers governance lists."""
        deployment = self._deployment()
        if deployment is None:
            return
        governance = self._chain().eth.contract(address=cast(Any, deployment.governance), abi=load_artifact("Governance").abi)
        wanted = {s.lower() for s in governance.functions.sealers().call()}
        engine, ipc = self.home.engine, self.home.ipc_path
        signers = {s.lower() for s in engine.signers(ipc)}
        votes = {k.lower(): v for k, v in engine.votes(ipc).items()}
        needed = {s: True for s in wanted - signers} | {s: False for s in signers - wanted}
        for sealer, authorize in needed.items():
            if votes.get(sealer) is not authorize:
                engine.vote(ipc, Web3.to_checksum_address(sealer), authorize)
                log.info("votes to %s sealer %s", "add" if authorize else "drop", sealer)
        for sealer in votes:
            if sealer not in needed:  # the change is done: stop voting for it
                engine.withdraw_vote(ipc, Web3.to_checksum_address(sealer))

    # --- pins ---------------------------------------------------------------------------------

    def _pin_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self.pin_step()
            except (OSError, ValueError, LienchainError) as exc:
                log.debug("pin_step: %s", exc)
            except Exception:
                log.exception("pin_step failed")
            self.stopping.wait(1.0)

    @property
    def _cursor_path(self) -> Path:
        return self.home.path / "run" / "pinner.json"

    def pin_step(self) -> None:
        """Reads the registry's events since the last step and pins every CID they anchor."""
        deployment = self._deployment()
        if deployment is None:
            return
        try:
            cursor = json.loads(self._cursor_path.read_text())
        except (OSError, ValueError):
            cursor = {"registry": deployment.registry, "next_block": deployment.block, "pending": []}
        if cursor.get("registry") != deployment.registry:  # another deployment installed: start over
            cursor = {"registry": deployment.registry, "next_block": deployment.block, "pending": []}
        w3 = self._chain()
        head = w3.eth.block_number - _CONFIRMATIONS  # a block this recent may still be replaced
        start = int(cursor["next_block"])
        pending: list[str] = list(cursor["pending"])
        if start <= head:
            end = min(head, start + _LOG_CHUNK - 1)
            # The registry's steps and the document registry's records (attachments anchor there).
            addresses = [deployment.registry, *([deployment.documents] if deployment.documents else [])]
            logs = w3.eth.get_logs(cast(Any, {"address": addresses, "fromBlock": start, "toBlock": end}))
            pending += [c for c in _anchored_cids(logs) if c not in pending]
            cursor["next_block"] = end + 1
        still = []
        # A CID that cannot be pinned yet (its author's node down, or a record no node can serve)
        # is tried again later and later, so that none holds up the others: after n failures, in
        # 2**n seconds, at most an hour.
        retry: dict[str, list[float]] = dict(cursor.get("retry", {}))
        now = time.time()
        documents = (w3.eth.contract(address=cast(Any, deployment.documents), abi=load_artifact("DocumentRegistry").abi)
                     if deployment.documents else None)
        for cid in pending:
            if cid in retry and retry[cid][1] > now:
                still.append(cid)
                continue
            try:
                with self.home.pin_lock():  # the steward removes erased documents under it
                    if documents is not None and documents.functions.document(cid).call()[3] != 0:  # erasedAt
                        log.info("does not pin %s: its erasure is on record", cid)
                        retry.pop(cid, None)
                        continue
                    kubo.api(self.home.ipfs_url, "pin/add", arg=cid, timeout=30.0)
                log.info("pinned %s", cid)
                retry.pop(cid, None)
            except (OSError, ValueError) as exc:
                failures = retry.get(cid, [0, 0])[0] + 1
                retry[cid] = [failures, time.time() + min(_MAX_BACKOFF, 2.0 ** failures)]
                still.append(cid)  # not reachable yet (its author's node may be down): a later step
                log.debug("cannot pin %s yet (failure %d): %s", cid, failures, exc)
            if self.stopping.is_set():
                still += pending[pending.index(cid) + 1:]
                break
        cursor["pending"] = still
        cursor["retry"] = {cid: retry[cid] for cid in still if cid in retry}
        write_atomic(self._cursor_path, json.dumps(cursor).encode())


_EVENTS: dict[bytes, tuple[list[str], list[str]]] | None = None


def _anchored_cids(logs: list[Any]) -> list[str]:
    """Returns the document CIDs the registry's logs anchor, in order (each argument named *Cid, and
    the CID a `DocumentRecorded` of the document registry records)."""
    global _EVENTS
    if _EVENTS is None:
        _EVENTS = {}
        recorded = [e for e in load_artifact("DocumentRegistry").abi if e.get("name") == "DocumentRecorded"]
        for entry in [*registry_abi(), *recorded]:
            if entry.get("type") == "event":
                data = [i for i in entry["inputs"] if not i.get("indexed")]
                _EVENTS[bytes(event_abi_to_log_topic(cast(Any, entry)))] = ([i["type"] for i in data], [i["name"] for i in data])
    found: list[str] = []
    for entry in logs:
        event = _EVENTS.get(bytes(entry["topics"][0])) if entry["topics"] else None
        if event is None:
            continue
        types, names = event
        for name, value in zip(names, abi_decode(types, bytes(entry["data"]))):
            if name.lower().endswith("cid") and isinstance(value, str) and value and value not in found:
                found.append(value)
    return found


def main(argv: list[str]) -> int:
    """Runs the agent of the member directory `argv[1]` until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    agent = Agent(MemberHome(Path(argv[1])))
    signal.signal(signal.SIGTERM, lambda *_: agent.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: agent.stopping.set())
    log.info("agent of %s started", agent.home.name)
    agent.run()
    log.info("agent of %s stopped", agent.home.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The key service's duties besides answering requests: anchoring its access log, carrying out erasures.

It runs as a process of its own beside the key service (see keyservice.py), started by `node start`
with the member's passphrase through a named pipe: it holds the member's account key, which signs,
and faces no network (the key service, which does, holds only keys derived for its work):

- Anchors: every interval the members voted (`DocumentRetention.log_interval`), if the access log
  grew, its head goes on chain (`trail.anchor`), so that an auditor can check an excerpt of it.
- Erasures: it follows the document registry's `DocumentErased` events from the deployment block.
  For each erased document it destroys the member's key of it (a transient document's, if this
  member is its custodian), unpins it and collects it from the member's own Kubo node, and then
  attests on chain, in batches, that the member holds neither any more. The agent's pinner never
  pins an erased document again (see agent.py). After downtime it catches up from where it stopped;
  an attestation that did not go through is made at the next step (the registry knows which).
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidCID, LienchainError
from ..files import write_atomic
from ..ledger.registry.ledger import Ledger
from ..ledger.workspace import trail
from ..storage.base import DocumentStore
from ..storage.cid import CID
from ..storage.kubo import KuboStore
from ..storage.vault import KeyVault

if TYPE_CHECKING:
    from .keyservice import ChainView

log = logging.getLogger("lienchain.keyservice")
_CHUNK = 2_000  # blocks per log query when catching up
_SETTINGS_TTL = 60.0  # seconds the voted anchoring interval is cached


class Steward:
    """Anchors one member's access log and carries out erasures on its node."""

    def __init__(self, ledger: Ledger, vault: KeyVault, store: DocumentStore, cursor: Path, *,
                 pin_lock: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext) -> None:
        """Binds the steward to the member's signing ledger, vault, own document store and cursor file.

        Args:
            ledger: The deployment's ledger, signing as the member's account.
            vault: The member's key vault.
            store: The member's own Kubo node (no replicas: each member erases its own copy).
            cursor: Where the next block to read is kept (in the member's run/ directory).
            pin_lock: The lock the agent pins under (see `MemberHome.pin_lock`), so that a pin under
                way when a document is erased does not outlive its removal [default: none].
        """
        self.ledger = ledger
        self.vault = vault
        self.store = store
        self.cursor = cursor
        self.pin_lock = pin_lock
        self._interval = 0
        self._interval_at = 0.0

    def step(self) -> None:
        """Anchors the log if it is due, then carries out the erasures recorded since the last step."""
        self.anchor_step()
        self.erase_step()

    def anchor_step(self, *, now: float | None = None) -> int | None:
        """Anchors the access log's head if the interval passed since the last anchor and it grew.

        Returns:
            The entries the new anchored head covers, or None if nothing was anchored.
        """
        clock = time.time() if now is None else now
        if clock - self._interval_at > _SETTINGS_TTL:
            self._interval, self._interval_at = self.ledger.retention.log_interval(), clock
        _, _, anchored_at = self.ledger.retention.last_anchor(self.ledger.address)
        if anchored_at and self.ledger.chain.time() - anchored_at < self._interval:
            return None
        head = trail.anchor(self.vault, self.ledger)
        if head is not None:
            log.info("anchored the access log's head after %d entries", head.count)
        return head.count if head is not None else None

    def erase_step(self) -> list[str]:
        """Destroys what the member holds of each document erased since the last step, and attests it.

        Returns:
            The CIDs attested in this step.
        """
        retention = self.ledger.retention
        start = self._next_block()
        head = self.ledger.chain.head()
        erased: list[str] = []
        for first in range(start, head + 1, _CHUNK):
            erased += retention.erased_between(first, min(head, first + _CHUNK - 1))
        pending = list(dict.fromkeys(self._pending() + erased))
        todo = [cid for cid in pending if not retention.attested(cid, self.ledger.address)]
        done, failed = [], []
        for cid in todo:  # one at a time: a document that cannot be erased now holds up no other
            try:
                self._destroy(cid)
                done.append(cid)
            except (OSError, ValueError, LienchainError) as exc:
                log.warning("cannot erase %s yet (%s): trying again at the next step", cid, exc)
                failed.append(cid)
        self._save(head + 1, done + failed)  # before attesting: a crash then attests them at the next step
        if done:
            retention.attest(done)
            log.info("attested the erasure of %d document(s)", len(done))
        self._save(head + 1, failed)
        return done

    def _destroy(self, cid: str) -> None:
        """Destroys the member's key of an erased document and its own copy."""
        record = self.ledger.retention.require(cid)
        reason = f"erased on chain: its {record.retention.label} retention ran out"
        had_key = self.vault.erase(cid, reason=reason, actor=self.ledger.address)
        try:
            with self.pin_lock():
                had_copy = self.store.delete(CID(cid))
        except InvalidCID:  # recorded, but no CID any store files a document under: nothing to remove
            had_copy = False
        log.info("erased %s (key %s, copy %s)", cid, "destroyed" if had_key else "not held",
                 "removed" if had_copy else "not held")

    def _next_block(self) -> int:
        state = self._state()
        if state.get("documents") != self.ledger.deployment.documents:
            return self.ledger.deployment.block
        return int(state["next_block"])

    def _pending(self) -> list[str]:
        state = self._state()
        return [str(c) for c in state.get("pending", [])] if state.get("documents") == self.ledger.deployment.documents else []

    def _state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cursor.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, next_block: int, pending: list[str]) -> None:
        state = {"documents": self.ledger.deployment.documents, "next_block": next_block, "pending": pending}
        write_atomic(self.cursor, json.dumps(state).encode())


def run_steward(view: ChainView, vault: KeyVault, stopping: threading.Event, *, interval: float = 2.0) -> None:
    """Runs the steward (see steward.py) every `interval` seconds until `stopping` is set."""
    steward: Steward | None = None
    while not stopping.wait(interval):
        try:
            with view.lock:
                ledger = view.ledger()
                if ledger is None or not ledger.deployment.documents:
                    continue
                if steward is None:
                    steward = Steward(ledger, vault, KuboStore(view.home.ipfs_url),
                                      view.home.path / "run" / "steward.json", pin_lock=view.home.pin_lock)
                steward.step()
        except (OSError, ValueError, LienchainError) as exc:  # the node is restarting, or busy
            log.debug("steward: %s", exc)
        except Exception:  # anything else (a web3 error, a bug): logged, and the service goes on
            log.exception("steward failed")


def main(argv: list[str]) -> int:
    """Runs the steward of the member directory `argv[1]`, its passphrase read from the pipe `argv[2]`."""
    from ..storage.keys import vault_key
    from .keyservice import ChainView
    from .member import open_unlocked

    home, account = open_unlocked(argv)
    vault = KeyVault(home.vault_path, vault_key(bytes(account.key)))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    log.info("steward of %s started", home.name)
    try:
        run_steward(ChainView(home, account), vault, stopping)
    finally:
        vault.close()
    log.info("steward of %s stopped", home.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

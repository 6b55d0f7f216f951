"""Following the registry's events with a cursor that survives restarts.

A `Watch` reads new events from the ledger's event index and remembers, in a small file, the
position of the last one its caller has handled (`done`). Restarted, it continues after that
position: no event is handed out twice and none is skipped.

A reorg replaces blocks: their events come back from the index at other positions, possibly before
the cursor, and the new branch may hold events of its own there. So the cursor file also keeps the
identities (transaction and content) of the latest 512 events handed out, and the hashes of their
blocks. Once the index holds another hash for the cursor's block than the one kept (whichever
process synced the index through the reorg), the watch reads again after the newest of those blocks
whose hash the index still has, and hands out only events whose identity it has not handed out: an
event the reorg moved before the cursor is handed out, a re-mined one is not handed out twice. If
the reorg replaced the blocks of all 512 it reads again from the oldest of them. An event handed
out from a block the reorg dropped, and not mined again, cannot be taken back.

The file is JSON: `position`, `recent` (the identities) and `blocks` (block number to hash); a file
without `blocks`, from an older lienchain, is read, and learns block hashes from its next event.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ...errors import ConfigError
from ..registry.ledger import Ledger
from ..registry.records import Event

ALERTS = ("LtvAlert", "LtvRecovered", "LienProofDue", "LienProofSettled", "LienProved", "LienRevealed",
          "LtvThresholdChanged", "LienReleaseOverdue", "LienPayoffDisputed", "LienDefaulted", "DefaultNotice",
          "TitleDisposed", "TitleRedeemed", "LienDefaultWithdrawn")
#: Bookkeeping for wallets that repeats the registry's own events (ERC-721's Transfer, ERC-5192's
#: Locked, ERC-4906's metadata updates), and the document registry's: left out unless asked for.
MIRRORED = ("Transfer", "Approval", "ApprovalForAll", "Locked", "MetadataUpdate", "BatchMetadataUpdate",
            # The document registry's bookkeeping: a record repeats its step, an attestation or an
            # access-log anchor is a node's routine. Its erasures (`DocumentErased`) are shown.
            "DocumentRecorded", "DocumentCorrected", "ErasureAttested", "AccessLogAnchored")
_RECENT = 512  # identities of the latest events handled, kept to recognise re-mined ones
_END = 2**62  # a transaction or log index past any real one: (block, _END, _END) is after the whole block


def _identity(e: Event) -> str:
    return f"{e.tx_hash}:{e.name}:{json.dumps(e.args, sort_keys=True)}"


class Watch:
    """A cursor over the registry's events."""

    def __init__(self, ledger: Ledger, cursor: Path, *, names: Iterable[str] | None = None,
                 from_block: int | None = None) -> None:
        """Opens the cursor file (creating it on the first `done`).

        Args:
            ledger: A ledger with an event index.
            cursor: The file that keeps the position.
            names: Only events of these names [default: all but the `MIRRORED` ones].
            from_block: Start at this block instead of where the cursor stopped.

        Raises:
            ConfigError: If the cursor file is unreadable.
        """
        self.index = ledger.sync_index()
        self.cursor = cursor
        self.names = tuple(names) if names is not None else None
        self.position: tuple[int, int, int] = (-1, -1, -1)
        self._recent: list[str] = []
        self._hashes: dict[int, str] = {}  # the hash of each block of the recent events
        self._polled: dict[int, str] = {}  # the hash of each block of the events the last poll returned
        try:
            state = json.loads(cursor.read_text())
            self.position = (int(state["position"][0]), int(state["position"][1]), int(state["position"][2]))
            self._recent = [str(x) for x in state.get("recent", [])]
            self._hashes = {int(block): str(h) for block, h in state.get("blocks", {}).items()}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ConfigError(f"the watch cursor {cursor} is unreadable ({exc}): delete it to start over") from None
        if from_block is not None:  # a replay: what was handled before is handed out again
            self.position = (from_block - 1, _END, _END)
            self._recent = []
            self._hashes = {}

    def poll(self) -> list[Event]:
        """Returns the events after the cursor, up to the chain's head, oldest first; after a reorg
        that replaced the cursor's block, those after the fork point not handed out yet.

        Raises:
            NodeUnreachable: If the node does not answer (poll again later: nothing is lost).
        """
        self.index.sync()
        self._step_back_over_replaced_blocks()
        fresh = self.index.events(names=self.names, after=self.position)
        seen = set(self._recent)
        events = [e for e in fresh if _identity(e) not in seen and (self.names or e.name not in MIRRORED)]
        self._polled = self.index.block_hashes(e.block for e in events)
        return events

    def done(self, event: Event) -> None:
        """Records that `event` (returned by the last `poll`) was handled: a restarted watch continues after it."""
        self.position = event.position
        self._recent = [*self._recent[-(_RECENT - 1):], _identity(event)]
        block_hash = self._polled.get(event.block)
        if block_hash is not None:
            self._hashes[event.block] = block_hash
            for block in sorted(self._hashes)[:-_RECENT]:  # the blocks of the recent events are among the newest
                del self._hashes[block]
        state = {"position": list(self.position), "recent": self._recent,
                 "blocks": {str(block): h for block, h in sorted(self._hashes.items())}}
        tmp = self.cursor.with_name(f".{self.cursor.name}.tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.cursor)  # a killed watch leaves the old cursor or the new one, never half

    def _step_back_over_replaced_blocks(self) -> None:
        """Moves the position back to the newest block of the recent events that the index still
        holds with the same hash, if a reorg replaced the cursor's block."""
        if not self._hashes:
            return
        newest = max(self._hashes)
        if self.index.block_hashes([newest]).get(newest) == self._hashes[newest]:
            return  # the cursor's block is still the chain's, and so is every block before it
        stored = self.index.block_hashes(self._hashes)
        kept = [block for block, h in self._hashes.items() if stored.get(block) == h]
        fork = max(kept) if kept else min(self._hashes) - 1
        self.position = min(self.position, (fork, _END, _END))
        self._hashes = {block: h for block, h in self._hashes.items() if block <= fork}

    def vin_of(self, token_id: int) -> str | None:
        """Returns the VIN of a title from its registration event, as indexed at the last `poll`."""
        events = self.index.events(token_id=token_id, names=("TitleRegistered",))
        return str(events[0].args["vin"]) if events else None

"""Following the registry's events with a cursor that survives restarts.

A `Watch` reads new events from the ledger's event index and remembers, in a small file, the
position of the last one its caller has handled (`done`). Restarted, it continues after that
position: no event is handed out twice and none is skipped. An event whose block a reorg replaced
comes back from the index at its new position; the watch recognises it by its transaction and
content, and does not hand it out again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from ...errors import ConfigError
from ..registry.ledger import Ledger
from ..registry.records import Event

ALERTS = ("LtvAlert", "LtvRecovered", "LienProofDue", "LienProofOverdue", "LienProofSettled", "LienProved", "LtvThresholdChanged")
#: Bookkeeping for wallets that repeats the registry's own events (ERC-721's Transfer, ERC-5192's
#: Locked, ERC-4906's metadata updates): left out unless asked for.
MIRRORED = ("Transfer", "Approval", "ApprovalForAll", "Locked", "MetadataUpdate", "BatchMetadataUpdate")
_RECENT = 512  # identities of the latest events handled, kept to recognise re-mined ones


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
        try:
            state = json.loads(cursor.read_text())
            self.position = (int(state["position"][0]), int(state["position"][1]), int(state["position"][2]))
            self._recent = [str(x) for x in state.get("recent", [])]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ConfigError(f"the watch cursor {cursor} is unreadable ({exc}): delete it to start over") from None
        if from_block is not None:  # a replay: what was handled before is handed out again
            self.position = (from_block - 1, 2**62, 2**62)
            self._recent = []

    def poll(self) -> list[Event]:
        """Returns the events after the cursor, up to the chain's head, oldest first.

        Raises:
            NodeUnreachable: If the node does not answer (poll again later: nothing is lost).
        """
        self.index.sync()
        fresh = self.index.events(names=self.names, after=self.position)
        seen = set(self._recent)
        return [e for e in fresh if _identity(e) not in seen and (self.names or e.name not in MIRRORED)]

    def done(self, event: Event) -> None:
        """Records that `event` was handled: a restarted watch continues after it."""
        self.position = event.position
        self._recent = [*self._recent[-(_RECENT - 1):], _identity(event)]
        tmp = self.cursor.with_name(f".{self.cursor.name}.tmp")
        tmp.write_text(json.dumps({"position": list(self.position), "recent": self._recent}))
        os.replace(tmp, self.cursor)  # a killed watch leaves the old cursor or the new one, never half

    def vin_of(self, token_id: int) -> str | None:
        """Returns the VIN of a title from its registration event, as indexed at the last `poll`."""
        events = self.index.events(token_id=token_id, names=("TitleRegistered",))
        return str(events[0].args["vin"]) if events else None

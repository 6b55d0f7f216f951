"""A local index of the registry's events: title histories and lien lists without scanning the chain.

The index is an SQLite file in the profile. Each read first brings it up to the chain's head
(`sync`): it fetches the registry's logs from the block after the last one indexed, decodes them and
stores them in one SQLite transaction per range, so a crash leaves it at a range boundary, never
half-way. A missing or deleted file is rebuilt from the deployment block; an index of another
deployment is rebuilt too. If the last indexed block is no longer on the chain (a short reorg of
the Clique chain), the last `REWIND` blocks are dropped and indexed again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from eth_utils.abi import event_abi_to_log_topic
from web3.contract import Contract

from ..chain.base import Chain
from .records import Address, Event, Lien, LienId, LienStatus, plain
from .vin import TokenId

REWIND = 64  # blocks re-indexed after a reorg: far deeper than a Clique reorg goes
_RANGE = 2_000  # blocks per eth_getLogs request
_VERSION = 1  # of the file's layout: an index of another version is rebuilt

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    block INTEGER NOT NULL, tx_index INTEGER NOT NULL, log_index INTEGER NOT NULL, time INTEGER NOT NULL,
    tx_hash TEXT NOT NULL, name TEXT NOT NULL, token_id TEXT, args TEXT NOT NULL,
    PRIMARY KEY (block, tx_index, log_index)
);
CREATE INDEX IF NOT EXISTS events_by_token ON events (token_id, block, tx_index, log_index);
"""


class EventIndex:
    """The registry events of one deployment, kept in an SQLite file."""

    def __init__(self, path: Path, chain: Chain, registry: Contract, *, start_block: int) -> None:
        """Opens (or creates) the index file; nothing is read from the chain until `sync`.

        Args:
            path: The SQLite file.
            chain: The chain.
            registry: The deployment's registry contract.
            start_block: The deployment's block: nothing before it concerns the registry.
        """
        self.chain = chain
        self.registry = registry
        self._start = start_block
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(_SCHEMA)
        items: list[dict[str, Any]] = cast(Any, registry.abi)
        self._topics = {
            bytes(event_abi_to_log_topic(cast(Any, item))): str(item["name"])
            for item in items
            if item.get("type") == "event"
        }
        identity = f"v{_VERSION}:{registry.address.lower()}@{start_block}"
        if self._meta("identity") != identity:  # a new file, or an index of another deployment or layout
            self._db.executescript("DROP TABLE events; DROP TABLE meta;" + _SCHEMA)
            with self._transaction():
                self._set_meta("identity", identity)
                self._set_meta("synced", str(start_block - 1))

    def read_synced_block(self) -> int:
        """Reads the number of the last block indexed from the file."""
        return int(self._meta("synced") or self._start - 1)

    def sync(self) -> int:
        """Indexes the registry's events up to the chain's head.

        Returns:
            The number of events added.
        """
        synced = self.read_synced_block()
        head = self.chain.head()
        if head < synced:  # a node still catching up (just restarted): nothing new to read from it
            return 0
        if synced >= self._start and self._meta("synced_hash") != self._block_hash(synced):
            synced = max(self._start - 1, synced - REWIND)
            with self._transaction():
                self._db.execute("DELETE FROM events WHERE block > ?", (synced,))
                self._set_meta("synced", str(synced))
        added = 0
        for first in range(synced + 1, head + 1, _RANGE):
            last = min(head, first + _RANGE - 1)
            # The hash is read before the logs: if a reorg replaces `last` in between, the next
            # sync sees a hash that no longer matches and indexes the range again.
            last_hash = self._block_hash(last)
            rows = list(self._rows(first, last))
            with self._transaction():
                self._db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self._set_meta("synced", str(last))
                self._set_meta("synced_hash", last_hash)
            added += len(rows)
        return added

    def events(self, *, token_id: int | None = None, names: Iterable[str] | None = None,
               after: tuple[int, int, int] = (-1, -1, -1)) -> list[Event]:
        """Returns indexed events in chain order (call `sync` first to include the newest).

        Args:
            token_id: Only the events of this title.
            names: Only events of these names.
            after: Only events after this position: (block, transaction index, log index).
        """
        where, params = ["(block, tx_index, log_index) > (?, ?, ?)"], list[object](after)
        if token_id is not None:
            where.append("token_id = ?")
            params.append(str(token_id))
        wanted = list(names) if names is not None else None
        if wanted is not None:
            where.append(f"name IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        rows = self._db.execute(
            f"SELECT name, block, tx_index, tx_hash, log_index, args, time FROM events WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY block, tx_index, log_index", params,
        )
        return [Event(name, b, tx, i, json.loads(args), t, txi) for name, b, txi, tx, i, args, t in rows]

    def liens(self, token_id: int) -> list[Lien]:
        """Returns every lien granted on a title, from its events, in priority order."""
        events = self.events(token_id=token_id, names=("LienGranted", *_ENDS))
        ended = {int(e.args["lienId"]): _ENDS[e.name] for e in events if e.name in _ENDS}
        return [_lien(e, ended.get(int(e.args["lienId"]), LienStatus.ACTIVE)) for e in events if e.name == "LienGranted"]

    def close(self) -> None:
        """Closes the file."""
        self._db.close()

    def _rows(self, first: int, last: int) -> Iterator[tuple[Any, ...]]:
        logs = self.chain.logs(address=self.registry.address, from_block=first, to_block=last)
        times: dict[int, int] = {}
        for log in logs:
            name = self._topics.get(bytes(log["topics"][0]))
            if name is None:
                continue
            block = int(log["blockNumber"])
            if block not in times:
                times[block] = self.chain.block(block).timestamp
            args = {k: _jsonable(plain(v)) for k, v in getattr(self.registry.events, name)().process_log(log)["args"].items()}
            token = args.get("tokenId")
            yield (block, int(log["transactionIndex"]), int(log["logIndex"]), times[block], "0x" + bytes(log["transactionHash"]).hex(), name,
                   None if token is None else str(token), json.dumps(args))

    def _block_hash(self, number: int) -> str:
        return self.chain.block(number).hash

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")


def _jsonable(value: Any) -> Any:
    """Large integers (amounts, token ids) as strings above 2**53, as JSON readers expect."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    return value


#: The events that end a lien, and the status each leaves it in.
_ENDS = {"LienReleased": LienStatus.RELEASED, "LienForceReleased": LienStatus.RELEASED, "LienLapsed": LienStatus.LAPSED}


def _lien(e: Event, status: LienStatus) -> Lien:
    """A lien as its `LienGranted` event describes it."""
    return Lien(
        lien_id=LienId(int(e.args["lienId"])),
        token_id=TokenId(int(e.args["tokenId"])),
        lender=Address(e.args["lender"]),
        amount=int(e.args["amount"]),
        currency=str(e.args["currency"]),
        maturity=int(e.args["maturity"]),
        granted_at=e.time,
        priority=int(e.args["priority"]),
        doc_cid=str(e.args["docCid"]),
        status=status,
    )

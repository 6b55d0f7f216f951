"""A local index of the registry's events (and the document registry's): title histories and lien
lists without scanning the chain.

The index is an SQLite file in the profile. Each read first brings it up to the chain's head
(`sync`): it fetches the registry's logs from the block after the last one indexed, decodes them and
stores them in one SQLite transaction per range, so a crash leaves it at a range boundary, never
half-way. A missing or deleted file is rebuilt from the deployment block; an index of another
deployment, or of an older layout, is rebuilt too.

Beside the events it stores the hash of each block that held one, and of the last block of each
range it read. After a reorg (a node that fell behind on a branch the others abandoned, or that lost
its last blocks in a power loss, then took other ones) a stored hash is no longer the chain's:
`sync` then walks back over the stored hashes, newest first, to the newest block whose hash the
chain still has, drops every event after that block and indexes again from there. That block is
the fork point or one before it with no event in between, so only events of replaced blocks are
dropped, however deep the reorg went; the walk reads one block header per stored hash it passes.
A node whose head is below the last block indexed (catching up after a restart) is checked up to
its head: events of the blocks it does not have yet are kept until it has them or others.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from eth_utils.abi import event_abi_to_log_topic
from web3.contract import Contract
from web3.exceptions import BlockNotFound

from ..chain.base import Block, Chain
from .records import Address, Event, Lien, LienId, LienStatus, TitleStatus, plain
from .vin import TokenId

_RANGE = 2_000  # blocks per eth_getLogs request
_VERSION = 3  # of the file's layout: an index of another version is rebuilt (1 kept no block hashes, 2 no documents)
_ATTEMPTS = 3  # syncs in a row when a reorg replaces blocks while they are read

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    block INTEGER NOT NULL, tx_index INTEGER NOT NULL, log_index INTEGER NOT NULL, time INTEGER NOT NULL,
    tx_hash TEXT NOT NULL, name TEXT NOT NULL, token_id TEXT, args TEXT NOT NULL,
    PRIMARY KEY (block, tx_index, log_index)
);
CREATE INDEX IF NOT EXISTS events_by_token ON events (token_id, block, tx_index, log_index);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
"""


class EventIndex:
    """The registry events of one deployment, kept in an SQLite file."""

    def __init__(self, path: Path, chain: Chain, registry: Contract, *, start_block: int,
                 documents: Contract | None = None) -> None:
        """Opens (or creates) the index file; nothing is read from the chain until `sync`.

        Args:
            path: The SQLite file.
            chain: The chain.
            registry: The deployment's registry contract.
            start_block: The deployment's block: nothing before it concerns the registry.
            documents: The deployment's document registry, whose records and erasures of
                documents are indexed too (by the title they are about).
        """
        self.chain = chain
        self.registry = registry
        self._start = start_block
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._contracts = [registry, *([documents] if documents is not None else [])]
        self._topics: dict[bytes, tuple[str, Contract]] = {}
        for contract in self._contracts:
            items: list[dict[str, Any]] = cast(Any, contract.abi)
            for item in items:
                if item.get("type") == "event":
                    self._topics[bytes(event_abi_to_log_topic(cast(Any, item)))] = (str(item["name"]), contract)
        identity = f"v{_VERSION}:" + ",".join(c.address.lower() for c in self._contracts) + f"@{start_block}"
        if self._meta("identity") != identity:  # a new file, or an index of another deployment or layout
            self._db.executescript("DROP TABLE events; DROP TABLE blocks; DROP TABLE meta;" + _SCHEMA)
            with self._transaction():
                self._set_meta("identity", identity)
                self._set_meta("synced", str(start_block - 1))

    def read_synced_block(self) -> int:
        """Reads the number of the last block indexed from the file."""
        return int(self._meta("synced") or self._start - 1)

    def sync(self) -> int:
        """Indexes the registry's events up to the chain's head, first dropping those of blocks a
        reorg replaced (see the module's docstring).

        Returns:
            The number of events added (those indexed again after a reorg included).
        """
        added = 0
        for _ in range(_ATTEMPTS):
            head = self.chain.head()
            try:
                synced = self._drop_replaced(head)  # above `head` when the node is catching up: nothing to read
                for first in range(synced + 1, head + 1, _RANGE):
                    added += self._index_range(first, min(head, first + _RANGE - 1))
                return added
            except _Replaced:
                continue  # a reorg while reading: nothing of the range was stored; look for the fork point again
        return added

    def block_hashes(self, numbers: Iterable[int]) -> dict[int, str]:
        """Returns the stored hashes of blocks: those that held indexed events, and the last of
        each range read (call `sync` first: then each is the chain's).

        Args:
            numbers: Block numbers; those the index stored no hash of are left out of the answer.
        """
        wanted = sorted(set(numbers))
        found: dict[int, str] = {}
        for i in range(0, len(wanted), 500):  # SQLite's bound on parameters
            chunk = wanted[i:i + 500]
            found.update(self._db.execute(
                f"SELECT number, hash FROM blocks WHERE number IN ({', '.join('?' * len(chunk))})", chunk))  # noqa: S608
        return found

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

    def liens(self, token_id: int | None = None) -> list[Lien]:
        """Returns every lien granted on a title (on every title if none is named), from its
        events, in priority order (by title, then priority, for every title), as they are now: a
        revealed private lien with its amount, an assigned one with its holder, a subordination's
        new order, an ended one with how it ended."""
        events = self.events(token_id=token_id, names=_LIEN_STATE)
        liens: dict[int, Lien] = {}
        for e in events:
            lien_id = int(e.args["lienId"])
            if e.name == "LienGranted":
                liens[lien_id] = _lien(e, LienStatus.ACTIVE)
            elif e.name in _ENDS:
                liens[lien_id] = replace(liens[lien_id], status=_ENDS[e.name])
            elif e.name == "LienRevealed":
                liens[lien_id] = replace(liens[lien_id], amount=int(e.args["amount"]))
            elif e.name == "LienAssigned":
                liens[lien_id] = replace(liens[lien_id], lender=Address(e.args["to"]))
            else:  # the priorities the active liens had, in their new order
                ranks = sorted(liens[int(i)].priority for i in e.args["previousOrder"])
                for i, rank in zip(e.args["order"], ranks, strict=True):
                    liens[int(i)] = replace(liens[int(i)], priority=rank)
        return sorted(liens.values(), key=lambda x: (x.token_id, x.priority))

    def title_statuses(self) -> dict[int, TitleStatus]:
        """Returns each title's status as its events leave it, for the titles whose status ever
        changed (the others are active): a redemption or a disposition makes a repossessed title
        active again."""
        status: dict[int, TitleStatus] = {}
        for e in self.events(names=("TitleStatusChanged", "TitleRedeemed", "TitleDisposed")):
            changed = e.args["status"] if e.name == "TitleStatusChanged" else TitleStatus.ACTIVE
            status[int(e.args["tokenId"])] = TitleStatus(int(changed))
        return status

    def close(self) -> None:
        """Closes the file."""
        self._db.close()

    def _drop_replaced(self, head: int) -> int:
        """Walks back over the stored block hashes, newest first (up to the chain's head), to the
        newest the chain still has; if one before it was replaced, drops everything after it.

        Returns:
            The last block indexed, after the walk.

        Raises:
            _Replaced: If the chain's head went below a stored block while it was read.
        """
        synced = self.read_synced_block()
        kept, replaced = self._start - 1, False
        stored = self._db.execute("SELECT number, hash FROM blocks WHERE number <= ? ORDER BY number DESC",
                                  (min(synced, head),))
        try:
            for number, block_hash in stored:
                if self._block_hash(number) == block_hash:
                    kept = number
                    break
                replaced = True
        finally:
            stored.close()
        if not replaced:
            return synced
        with self._transaction():
            self._db.execute("DELETE FROM events WHERE block > ?", (kept,))
            self._db.execute("DELETE FROM blocks WHERE number > ?", (kept,))
            self._set_meta("synced", str(kept))
        return kept

    def _index_range(self, first: int, last: int) -> int:
        """Indexes the events of blocks `first` to `last`, with their blocks' hashes, in one transaction.

        Raises:
            _Replaced: If a reorg replaced some of the blocks while they were read (nothing stored).
        """
        # The hash is read before the logs: if a reorg replaces `last` after it, the next sync
        # sees a hash that no longer matches and walks back.
        last_hash = self._block_hash(last)
        rows, hashes = self._read(first, last)
        if hashes.setdefault(last, last_hash) != last_hash:
            raise _Replaced
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.executemany("INSERT OR REPLACE INTO blocks VALUES (?, ?)", hashes.items())
            self._set_meta("synced", str(last))
        return len(rows)

    def _read(self, first: int, last: int) -> tuple[list[tuple[Any, ...]], dict[int, str]]:
        """Returns the rows of the registry's events in blocks `first` to `last`, and the hash of
        each block that held one.

        Raises:
            _Replaced: If a log's block is not the block of that number the chain has now.
        """
        logs = self.chain.logs(address=[c.address for c in self._contracts], from_block=first, to_block=last)
        blocks: dict[int, Block] = {}
        rows = []
        for log in logs:
            known = self._topics.get(bytes(log["topics"][0]))
            if known is None:
                continue
            name, contract = known
            number = int(log["blockNumber"])
            if number not in blocks:
                blocks[number] = self._block(number)
            block = blocks[number]
            if "0x" + bytes(log["blockHash"]).hex() != block.hash:  # the logs of a block a reorg replaced since
                raise _Replaced
            args = {k: _jsonable(plain(v)) for k, v in getattr(contract.events, name)().process_log(log)["args"].items()}
            token = args.get("tokenId")
            rows.append((number, int(log["transactionIndex"]), int(log["logIndex"]), block.timestamp,
                         "0x" + bytes(log["transactionHash"]).hex(), name, None if token is None else str(token),
                         json.dumps(args)))
        return rows, {n: b.hash for n, b in blocks.items()}

    def _block(self, number: int) -> Block:
        try:
            return self.chain.block(number)
        except BlockNotFound:  # the node's head went below it since: its blocks are being replaced
            raise _Replaced from None

    def _block_hash(self, number: int) -> str:
        return self._block(number).hash

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Replaced(Exception):
    """Blocks being indexed were replaced by a reorg while they were read."""


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
_ENDS = {"LienReleased": LienStatus.RELEASED, "LienForceReleased": LienStatus.RELEASED,
         "LienReleasedAfterPayoff": LienStatus.RELEASED, "LienLapsed": LienStatus.LAPSED,
         "LienDischarged": LienStatus.DISCHARGED}
#: The events that make a lien what it is now (see `EventIndex.liens`).
_LIEN_STATE = ("LienGranted", "LienRevealed", "LienAssigned", "LienSubordinated", *_ENDS)


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

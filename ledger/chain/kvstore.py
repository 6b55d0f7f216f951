"""A py-evm key-value database on one SQLite file, with explicit transactions.

py-evm keeps a chain's state trie, headers, blocks, receipts and indexes in a flat key-value
store (`eth.db.backends.base.BaseDB`). `SQLiteKV` is that store on disk: one table of
`(key BLOB PRIMARY KEY, value BLOB)`. Writes open a SQLite transaction that stays open until
`commit` or `rollback`, so the embedded chain decides where a block's writes begin and end: a
process that dies before `commit` leaves the file exactly as it was at the previous commit.

The store is single-writer by construction: opening it takes an exclusive `flock` on a lock file
beside it, held until `close` (or the process's death, when the kernel drops it).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from pathlib import Path

from eth.db.backends.base import BaseDB

from ...errors import ChainBusy

_SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"


class SQLiteKV(BaseDB):
    """A `BaseDB` over one SQLite file, held exclusively, whose writes last only once committed.

    Not thread-safe: one connection, used by the thread that opened it.

    Attributes:
        reads: How many lookups (`__getitem__` and `_exists`) reached SQLite since opening; a
            structural measure of work, used to check that opening a chain reads a bounded
            number of keys whatever its length.
    """

    def __init__(self, path: Path, *, lock_timeout: float, synchronous: str = "NORMAL") -> None:
        """Takes the lock, then opens (creating if needed) the database file.

        Args:
            path: The SQLite file; the lock file is `<path>.lock`.
            lock_timeout: Seconds to wait while another process holds the store.
            synchronous: SQLite's `synchronous` setting. With WAL, "NORMAL" keeps every commit
                atomic and durable across a process crash; only a power loss may drop the last
                commits (never half of one). "FULL" also survives power loss, at an fsync per commit.

        Raises:
            ChainBusy: If another process holds the store past `lock_timeout`.
            sqlite3.Error: If the file cannot be opened as a SQLite database.
        """
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown synchronous mode {synchronous!r}: use NORMAL or FULL")
        self.path = path
        self.reads = 0
        self._lock_fd = _lock(path.with_name(path.name + ".lock"), lock_timeout)
        try:
            # isolation_level=None: the sqlite3 module issues no implicit BEGIN/COMMIT; we do.
            self._conn = sqlite3.connect(path, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(f"PRAGMA synchronous={synchronous}")
            self._conn.execute(_SCHEMA)
        except BaseException:
            os.close(self._lock_fd)
            raise

    def __getitem__(self, key: bytes) -> bytes:
        self.reads += 1
        row = self._conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._begin()
        self._conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def _exists(self, key: bytes) -> bool:
        self.reads += 1
        return self._conn.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None

    def __delitem__(self, key: bytes) -> None:
        self._begin()
        if self._conn.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    @property
    def in_transaction(self) -> bool:
        """Returns whether writes are waiting for `commit`."""
        return self._conn.in_transaction

    def commit(self) -> None:
        """Makes every write since the last commit durable, all at once (no-op if none)."""
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self) -> None:
        """Discards every write since the last commit (no-op if none)."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    @property
    def closed(self) -> bool:
        """Returns whether `close` was called."""
        return self._lock_fd < 0

    def close(self) -> None:
        """Discards uncommitted writes, closes the file and releases the lock (idempotent)."""
        if self.closed:
            return
        try:
            self.rollback()
            self._conn.close()
        finally:
            os.close(self._lock_fd)  # closing the descriptor drops the flock
            self._lock_fd = -1

    def _begin(self) -> None:
        if not self._conn.in_transaction:
            # IMMEDIATE takes the write lock now, so a commit can never fail for lack of it.
            self._conn.execute("BEGIN IMMEDIATE")


def _lock(lock_path: Path, timeout: float) -> int:
    """Takes an exclusive flock on `lock_path`, polling until `timeout`; returns its descriptor."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise ChainBusy(str(lock_path.parent), timeout) from None
            time.sleep(0.05)  # flock has no timed wait; polling keeps the timeout exact enough

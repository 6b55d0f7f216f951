"""The key vault: a custodian's content keys, who asked for them, and their erasure.

One SQLite file (WAL, ``synchronous=FULL``, ``secure_delete=ON``), mode 0600, holds

* ``keys``: each held document's content key, AES-256-GCM encrypted under
  HKDF-SHA256(master key, info ``b"lienchain/key-vault/keys/v1"``) with the CID as associated data
  (a key never lies on disk in the clear, and cannot be moved to another CID);
* ``erasures``: a tombstone (CID, when, why) per erased key, so later deposits and requests of it
  are refused as erased rather than unknown;
* ``requests``: every request id answered, so a replayed request is refused;
* ``log``: the append-only, hash-chained access log (see `accesslog`), one row per entry with its
  canonical JSON, digest and the head after it. Triggers refuse any update or delete of it.

Every operation is one ``BEGIN IMMEDIATE`` transaction, its log entry included: a key leaves
`KeyVault.release` only after its ``grant`` entry is committed, and a process killed at any point
leaves each request either wholly logged or not at all. Erasing deletes the key row (overwritten
with zeros by ``secure_delete``) and truncates the write-ahead log, so no copy of the encrypted
key stays in the vault's files.

One `KeyVault` may be shared by threads (calls are serialized by a lock); several processes may
open the same file (SQLite's locks serialize their transactions).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import (
    AccessRefused,
    InvalidDocumentKey,
    KeyConflict,
    KeyErased,
    KeyNotHeld,
    KeyServiceError,
    NoSuchLogEntry,
    ReplayedRequest,
    VaultCorrupt,
    WrongVaultKey,
)
from ._envelope import KEY_LENGTH, NONCE_LENGTH
from .accesslog import GENESIS_HEAD, Excerpt, LogEntry, LogHead, Redacted, _entry, next_head
from .accesslog import verify_excerpt as verify_excerpt

__all__ = ["Erasure", "Excerpt", "KeyVault", "LogEntry", "LogHead", "Redacted", "verify_excerpt"]

_AT_REST_INFO = b"lienchain/key-vault/keys/v1"
_CHECK_MESSAGE = b"lienchain/key-vault/master-key-check/v1"
_LAYOUT = 1
_BUSY_TIMEOUT = 30.0
_REPLAYED = "replayed request"
_ERASED = "key erased"
_NOT_HELD = "key not held"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    cid TEXT PRIMARY KEY, sealed BLOB NOT NULL, depositor TEXT NOT NULL, deposited_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS erasures (cid TEXT PRIMARY KEY, erased_at INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (request_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY, cid TEXT NOT NULL, actor TEXT, entry BLOB NOT NULL, digest BLOB NOT NULL,
    head BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS log_by_cid ON log (cid, seq);
CREATE INDEX IF NOT EXISTS log_by_actor ON log (actor, seq);
CREATE TRIGGER IF NOT EXISTS log_no_update BEFORE UPDATE ON log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_no_delete BEFORE DELETE ON log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
"""


@dataclass(frozen=True)
class Erasure:
    """The tombstone of an erased content key."""

    cid: str
    at: int
    reason: str


class _Refusal(Exception):
    """A refused request, logged and committed before its error is raised."""

    def __init__(self, reason: str, error: KeyServiceError) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


class KeyVault:
    """A custodian's content keys at rest, with the hash-chained log of every access to them."""

    def __init__(self, path: Path, master_key: bytes) -> None:
        """Opens the vault, creating its file (mode 0600, in a 0700 directory) if missing.

        Args:
            path: The SQLite file.
            master_key: 32 bytes, the key the content keys are encrypted under (see `vault_key`).

        Raises:
            InvalidDocumentKey: If `master_key` is not 32 bytes.
            WrongVaultKey: If the vault was created with another master key.
            VaultCorrupt: If the file is not a key vault.
        """
        if len(master_key) != KEY_LENGTH:
            raise InvalidDocumentKey(f"a key vault's master key has {KEY_LENGTH} bytes, not {len(master_key)}")
        self.path = Path(path)
        at_rest = HKDF(algorithm=SHA256(), length=KEY_LENGTH, salt=None, info=_AT_REST_INFO).derive(bytes(master_key))
        self._aead = AESGCM(at_rest)
        self._check = hmac.new(at_rest, _CHECK_MESSAGE, hashlib.sha256).digest()
        self._lock = threading.RLock()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        # isolation_level=None: no implicit transactions; every write is our own BEGIN IMMEDIATE.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT)
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute("BEGIN IMMEDIATE")
            layout = self._db.execute("PRAGMA user_version").fetchone()[0]
            if layout not in (0, _LAYOUT):
                raise VaultCorrupt(str(self.path), f"its layout {layout} is not one this lienchain reads")
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {_LAYOUT}")
            row = self._db.execute("SELECT value FROM meta WHERE name = 'check'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta (name, value) VALUES ('check', ?)", (self._check,))
            elif not hmac.compare_digest(bytes(row[0]), self._check):
                raise WrongVaultKey(str(self.path))
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise VaultCorrupt(str(self.path), f"it is not a key vault ({exc})") from None
        finally:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        """Closes the vault's file; the vault cannot be used afterwards."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> KeyVault:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- keys ----------------------------------------------------------------------------------

    def deposit(self, cid: str, content_key: bytes, *, depositor: str, at: int | None = None) -> None:
        """Keeps a document's content key, and logs a ``deposit`` entry with it.

        Depositing the key the vault already holds for the CID again changes nothing and logs
        nothing (a retry is safe).

        Args:
            cid: The document's CID.
            content_key: Its 32-byte content key (from `seal_custodial`).
            depositor: Who deposits it (a member or account name).
            at: The time to log, in seconds since the epoch; now if None.

        Raises:
            InvalidDocumentKey: If `content_key` is not 32 bytes.
            KeyConflict: If the vault holds a different key for the CID (the held key is kept).
            KeyErased: If the CID's key was erased.
        """
        if len(content_key) != KEY_LENGTH:
            raise InvalidDocumentKey(f"a content key has {KEY_LENGTH} bytes, not {len(content_key)}")
        with self._transaction():
            erasure = self._erasure(cid)
            if erasure is not None:
                raise KeyErased(cid, erasure.at, erasure.reason)
            row = self._db.execute("SELECT sealed FROM keys WHERE cid = ?", (cid,)).fetchone()
            if row is not None:
                if not hmac.compare_digest(self._decrypt(cid, bytes(row[0])), bytes(content_key)):
                    raise KeyConflict(cid)
                return
            nonce = os.urandom(NONCE_LENGTH)
            sealed = nonce + self._aead.encrypt(nonce, bytes(content_key), cid.encode("utf-8"))
            when = _now(at)
            self._db.execute(
                "INSERT INTO keys (cid, sealed, depositor, deposited_at) VALUES (?, ?, ?, ?)",
                (cid, sealed, depositor, when),
            )
            self._append(when, "deposit", cid, actor=depositor, outcome="deposited")

    def release(
        self,
        cid: str,
        *,
        reader: str,
        purpose: str,
        request_id: str,
        check: Callable[[], str | None],
        at: int | None = None,
    ) -> bytes:
        """Hands a document's content key to an entitled reader, logging the request either way.

        One transaction: an erased or unknown key, or a refusal by `check`, is logged as a
        ``refuse`` entry and committed before its error is raised; otherwise a ``grant`` entry is
        committed, and only then is the key returned. A replayed request id changes nothing.

        Args:
            cid: The document's CID.
            reader: Who asks (logged as the entry's actor).
            purpose: Why, as the reader states it.
            request_id: The request's unique id; a second request with it is refused.
            check: Decides entitlement once the request is otherwise answerable: returns the reason
                to refuse, or None to grant. It runs inside the vault's write transaction, so it
                should be quick and must not use the vault; if it raises, nothing is logged and
                the request id stays unused.
            at: The time to log, in seconds since the epoch; now if None.

        Returns:
            The 32-byte content key.

        Raises:
            ReplayedRequest: If `request_id` was used before.
            KeyErased: If the key was erased (the error says when and why).
            KeyNotHeld: If the vault never held the key.
            AccessRefused: If `check` refused, with its reason.
        """
        when = _now(at)
        request = {"actor": reader, "purpose": purpose, "request_id": request_id}
        refused: _Refusal | None = None
        with self._transaction():
            try:
                key = self._answer(cid, reader, request_id, check)
            except _Refusal as refusal:
                refused = refusal
                # A replay is a copy of a request logged already, by whoever holds the copy: it
                # changes nothing, so that no copy can grow the log.
                seq = (None if refusal.reason == _REPLAYED else
                       self._append(when, "refuse", cid, outcome="refused", reason=refusal.reason, **request))
            else:
                seq = self._append(when, "grant", cid, outcome="granted", **request)
            if seq is not None:
                self._db.execute("INSERT INTO requests (request_id, seq) VALUES (?, ?)", (request_id, seq))
        if refused is not None:
            raise refused.error
        return key

    def _answer(self, cid: str, reader: str, request_id: str, check: Callable[[], str | None]) -> bytes:
        """The key a request is granted, or the `_Refusal` to log, inside `release`'s transaction."""
        if self._db.execute("SELECT 1 FROM requests WHERE request_id = ?", (request_id,)).fetchone():
            raise _Refusal(_REPLAYED, ReplayedRequest(request_id))
        erasure = self._erasure(cid)
        if erasure is not None:
            raise _Refusal(_ERASED, KeyErased(cid, erasure.at, erasure.reason))
        row = self._db.execute("SELECT sealed FROM keys WHERE cid = ?", (cid,)).fetchone()
        if row is None:
            raise _Refusal(_NOT_HELD, KeyNotHeld(cid))
        refusal = check()
        if refusal is not None:
            raise _Refusal(refusal, AccessRefused(refusal, cid, reader))
        return self._decrypt(cid, bytes(row[0]))

    def erase(self, cid: str, *, reason: str, at: int | None = None, actor: str | None = None) -> bool:
        """Destroys a document's content key for good, so no copy of the document opens again.

        Deletes the key (its row overwritten with zeros), keeps a tombstone so later deposits and
        requests are refused as erased, logs an ``erase`` entry, and truncates the write-ahead log
        so no copy of the encrypted key remains in the vault's files. Erasing an erased key again
        changes nothing and logs nothing.

        Args:
            cid: The document's CID.
            reason: Why (logged, and told to every later reader).
            at: The time to log, in seconds since the epoch; now if None.
            actor: Who asked for the erasure, logged if given.

        Erasing a CID whose key was never deposited also leaves a tombstone: its key, should it
        arrive later, is refused.

        Returns:
            Whether a key was held (False if none was, or it was already erased).
        """
        with self._transaction():
            if self._erasure(cid) is not None:
                return False
            held = self._db.execute("DELETE FROM keys WHERE cid = ?", (cid,)).rowcount > 0
            when = _now(at)
            self._db.execute("INSERT INTO erasures (cid, erased_at, reason) VALUES (?, ?, ?)", (cid, when, reason))
            self._append(when, "erase", cid, actor=actor, outcome="erased" if held else "no key held", reason=reason)
        with self._lock:
            # Best effort: a reader in another process may keep the checkpoint from finishing;
            # the next erase (or SQLite's own checkpoints) overwrite the old pages then.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return held

    def holds(self, cid: str) -> bool:
        """Returns whether the vault holds a content key for the CID."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM keys WHERE cid = ?", (cid,)).fetchone() is not None

    def held(self) -> int:
        """Returns how many content keys the vault holds."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM keys").fetchone()[0])

    def erasure(self, cid: str) -> Erasure | None:
        """Returns the tombstone of the CID's erased key, or None if it was not erased."""
        with self._lock:
            return self._erasure(cid)

    # -- the log -------------------------------------------------------------------------------

    def entries(self, *, cid: str | None = None, reader: str | None = None) -> list[LogEntry]:
        """Returns the log's entries in order, those of one document and/or one actor if given.

        Args:
            cid: Only entries about this document.
            reader: Only entries whose actor is this reader (or depositor, or eraser).
        """
        where, params = _filter(cid, reader)
        with self._lock:
            rows = self._db.execute(f"SELECT seq, entry FROM log WHERE {where} ORDER BY seq", params).fetchall()
        return [self._entry(seq, bytes(data)) for seq, data in rows]

    def head(self) -> LogHead:
        """Returns the log's current head: its count of entries and its chain hash."""
        with self._lock:
            row = self._db.execute("SELECT seq, head FROM log ORDER BY seq DESC LIMIT 1").fetchone()
        return LogHead(0, GENESIS_HEAD) if row is None else LogHead(row[0], bytes(row[1]))

    def head_at(self, count: int) -> bytes:
        """Returns the log's head after its first `count` entries (32 zero bytes for 0).

        Raises:
            NoSuchLogEntry: If the log has fewer entries.
        """
        with self._lock:
            return self._head_at(count)

    def excerpt(
        self,
        *,
        through: int,
        cid: str | None = None,
        reader: str | None = None,
        custodian: str | None = None,
        account: str | None = None,
    ) -> Excerpt:
        """Discloses the entries up to an anchored count that match a filter, redacting the others.

        The excerpt starts at the first matching entry; the entries after it that do not match
        appear as their digests only. With no match, it holds no item and `prev` is the head at
        `through`.

        Args:
            through: The count of entries of an anchored head.
            cid: Only disclose entries about this document.
            reader: Only disclose entries whose actor is this reader.
            custodian: Whose log it is, written into the excerpt.
            account: The custodian's account, written into the excerpt.

        Raises:
            NoSuchLogEntry: If the log has fewer than `through` entries.
        """
        where, params = _filter(cid, reader)
        with self._lock:
            self._head_at(through)  # the log reaches `through`
            first = self._db.execute(f"SELECT MIN(seq) FROM log WHERE seq <= ? AND {where}", (through, *params))
            start = first.fetchone()[0]
            if start is None:
                return Excerpt(self._head_at(through), (), (), through, custodian, account)
            rows = self._db.execute(
                f"SELECT seq, entry, digest, head, {where} FROM log WHERE seq BETWEEN ? AND ? ORDER BY seq",
                (*params, start, through),
            ).fetchall()
            prev = self._head_at(start - 1)
        items = tuple(
            self._entry(seq, bytes(data)) if match else Redacted(seq, bytes(digest))
            for seq, data, digest, _, match in rows
        )
        return Excerpt(prev, items, tuple(bytes(row[3]) for row in rows), through, custodian, account)

    def verify_log(self) -> LogHead:
        """Recomputes the whole log's chain from its entries and checks every stored digest and head.

        Returns:
            The log's head.

        Raises:
            VaultCorrupt: Naming the first entry that does not chain.
        """
        head, count = GENESIS_HEAD, 0
        with self._lock:
            rows = self._db.execute("SELECT seq, entry, digest, head FROM log ORDER BY seq").fetchall()
        for seq, data, digest, stored in rows:
            count += 1
            entry = self._entry(seq, bytes(data))
            if seq != count or entry.seq != seq or entry.digest != bytes(digest):
                raise VaultCorrupt(str(self.path), f"access log entry {count} does not match its digest")
            head = next_head(head, entry.digest)
            if head != bytes(stored):
                raise VaultCorrupt(str(self.path), f"access log entry {count} does not chain to the one before")
        return LogHead(count, head)

    # -- internals -----------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _append(
        self,
        at: int,
        kind: str,
        cid: str,
        *,
        outcome: str,
        actor: str | None = None,
        purpose: str | None = None,
        request_id: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Appends an entry to the log inside the current transaction; returns its number."""
        last = self._db.execute("SELECT seq, head FROM log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (1, GENESIS_HEAD) if last is None else (last[0] + 1, bytes(last[1]))
        entry = LogEntry(seq, at, kind, cid, actor, purpose, request_id, outcome, reason)
        self._db.execute(
            "INSERT INTO log (seq, cid, actor, entry, digest, head) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, cid, actor, entry.to_json(), entry.digest, next_head(prev, entry.digest)),
        )
        return seq

    def _head_at(self, count: int) -> bytes:
        if count == 0:
            return GENESIS_HEAD
        row = self._db.execute("SELECT head FROM log WHERE seq = ?", (count,)).fetchone()
        if row is None:
            held = self._db.execute("SELECT COUNT(*) FROM log").fetchone()[0]
            raise NoSuchLogEntry(count, held)
        return bytes(row[0])

    def _erasure(self, cid: str) -> Erasure | None:
        row = self._db.execute("SELECT erased_at, reason FROM erasures WHERE cid = ?", (cid,)).fetchone()
        return None if row is None else Erasure(cid, row[0], row[1])

    def _decrypt(self, cid: str, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_LENGTH], sealed[NONCE_LENGTH:], cid.encode("utf-8"))
        except InvalidTag:
            raise VaultCorrupt(str(self.path), f"the key it holds for {cid} does not authenticate") from None

    def _entry(self, seq: int, data: bytes) -> LogEntry:
        def corrupt(reason: str) -> VaultCorrupt:
            return VaultCorrupt(str(self.path), f"access log entry {seq} cannot be read: {reason}")

        try:
            entry = _entry(json.loads(data), corrupt)
        except ValueError:
            raise corrupt("it is not JSON") from None
        if entry.to_json() != data:
            raise corrupt("it is not in canonical form")
        return entry


class _Transaction:
    """``BEGIN IMMEDIATE`` under the vault's lock; commits on leaving, except on an error."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._db.execute("COMMIT")
            elif self._db.in_transaction:
                self._db.execute("ROLLBACK")
        finally:
            self._lock.release()


def _filter(cid: str | None, reader: str | None) -> tuple[str, tuple[str, ...]]:
    """A SQL condition on the log's columns (and its parameters) matching the filter; TRUE if none."""
    clauses, params = [], []
    if cid is not None:
        clauses.append("cid = ?")
        params.append(cid)
    if reader is not None:
        clauses.append("actor = ?")
        params.append(reader)
    return (" AND ".join(clauses) or "1"), tuple(params)


def _now(at: int | None) -> int:
    return int(time.time()) if at is None else at

"""The key vault's access log: hash-chained entries, and excerpts an auditor checks against an anchor.

Every deposit, key request (granted or refused) and erasure is one `LogEntry`, numbered from 1.
Its digest is SHA-256 of its canonical JSON (`LogEntry.to_json`, sorted keys, no spaces, ASCII);
the log's head after n entries is::

    head_0 = 32 zero bytes
    head_n = SHA-256(b"lienchain/access-log/v1\\x00" || head_{n-1} || digest_n)

so a head anchored on chain with its count pins every entry up to it. An `Excerpt` discloses the
entries that concern one document or one reader, and only the digests of the others between them
(so other readers' requests stay private), with the head before its first item (`prev`) and the
head after each item. `verify_excerpt` recomputes the chain from `prev` and compares it with the
anchored head, naming the first item that does not chain.

An excerpt proves that the entries it discloses are, unaltered, the log's entries at their places
up to the anchor. It cannot prove that a redacted entry does not match the filter: completeness
rests on the custodian, integrity does not.

Format ``lienchain/access-log-excerpt/v1``, canonical JSON::

    {"account": str (optional), "custodian": str (optional), "format": "lienchain/access-log-excerpt/v1",
     "items": [{"entry": {...}, "head": hex} | {"digest": hex, "head": hex, "seq": int}, ...],
     "prev": hex, "through": int}

`custodian` and `account` say whose log it is (where to look up the anchored head); they are not
covered by the chain.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ..errors import InvalidExcerpt
from ._envelope import canonical

EXCERPT_FORMAT: Final = "lienchain/access-log-excerpt/v1"
GENESIS_HEAD: Final = bytes(32)
"""The head of the empty log."""

#: What an entry records: a content key deposited, released to a reader, refused to one, erased.
KINDS: Final = ("deposit", "grant", "refuse", "erase")
#: The outcome each kind has: a deposit stored; a request granted or refused; an erasure erased a key
#: or found none held (its tombstone still refuses every later deposit and request).
OUTCOMES: Final = {
    "deposit": ("deposited",),
    "grant": ("granted",),
    "refuse": ("refused",),
    "erase": ("erased", "no key held"),
}

_CHAIN_DOMAIN = b"lienchain/access-log/v1\x00"
_ENTRY_FIELDS = {"actor", "at", "cid", "kind", "outcome", "purpose", "reason", "request_id", "seq"}
_OPTIONAL_FIELDS = ("actor", "purpose", "reason", "request_id")
_EXCERPT_FIELDS = {"format", "items", "prev", "through"}
_SOURCE_FIELDS = {"account", "custodian"}
_HEX32 = re.compile(r"[0-9a-f]{64}")
_MEMBER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")

__all__ = [
    "EXCERPT_FORMAT", "GENESIS_HEAD", "KINDS", "OUTCOMES", "Excerpt", "LogEntry", "LogHead", "Redacted",
    "next_head", "verify_excerpt",
]


@dataclass(frozen=True)
class LogEntry:
    """One event of a key vault's access log.

    Attributes:
        seq: Its number in the log, from 1.
        at: When, in seconds since the Unix epoch.
        kind: One of `KINDS`: deposit, grant, refuse, erase.
        cid: The document whose content key it concerns.
        actor: The depositor (deposit), the reader (grant, refuse), who asked (erase, if known).
        purpose: Why the reader asked (grant, refuse).
        request_id: The reader's request id (grant, refuse).
        outcome: What came of it, one of `OUTCOMES[kind]`.
        reason: Why a request was refused, or why a key was erased.
    """

    seq: int
    at: int
    kind: str
    cid: str
    actor: str | None
    purpose: str | None
    request_id: str | None
    outcome: str
    reason: str | None

    def to_json(self) -> bytes:
        """The entry's canonical JSON, the bytes its digest is taken over."""
        return canonical(dataclasses.asdict(self))

    @property
    def digest(self) -> bytes:
        """SHA-256 of `to_json()`."""
        return hashlib.sha256(self.to_json()).digest()

    @classmethod
    def from_json(cls, data: bytes) -> LogEntry:
        """Reads an entry written by `to_json`, refusing anything it could not have written.

        Raises:
            InvalidExcerpt: If `data` is not an entry's canonical JSON.
        """
        value = _load(data, "a log entry")
        entry = _entry(value, _bad)
        if entry.to_json() != bytes(data):
            raise _bad("a log entry is not in canonical form")
        return entry


@dataclass(frozen=True)
class LogHead:
    """A log's head: its count of entries and the chain hash after the last (what gets anchored)."""

    count: int
    hash: bytes


@dataclass(frozen=True)
class Redacted:
    """An entry an excerpt does not disclose: its number and digest only."""

    seq: int
    digest: bytes


@dataclass(frozen=True)
class Excerpt:
    """Consecutive entries of an access log, ending at an anchored count, some of them redacted.

    Attributes:
        prev: The log's head before the first item.
        items: Disclosed entries and redacted ones, by consecutive `seq` ending at `through`.
        heads: The log's head after each item (same length as `items`).
        through: The count of entries of the head the excerpt is checked against.
        custodian: Whose log it is (a member name), if said.
        account: The custodian's account, if said.
    """

    prev: bytes
    items: tuple[LogEntry | Redacted, ...]
    heads: tuple[bytes, ...]
    through: int
    custodian: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        if len(self.items) != len(self.heads):
            raise InvalidExcerpt(
                f"an excerpt has {len(self.items)} items but {len(self.heads)} heads: give the head after each item"
            )

    @property
    def entries(self) -> list[LogEntry]:
        """The disclosed entries, in log order."""
        return [item for item in self.items if isinstance(item, LogEntry)]

    def with_source(self, *, custodian: str | None, account: str | None) -> Excerpt:
        """The same excerpt, saying whose log it is."""
        return dataclasses.replace(self, custodian=custodian, account=account)

    def to_json(self) -> bytes:
        """The excerpt's canonical JSON, format ``lienchain/access-log-excerpt/v1``."""
        items: list[dict[str, object]] = []
        for item, head in zip(self.items, self.heads):
            if isinstance(item, LogEntry):
                items.append({"entry": dataclasses.asdict(item), "head": head.hex()})
            else:
                items.append({"digest": item.digest.hex(), "head": head.hex(), "seq": item.seq})
        document: dict[str, object] = {
            "format": EXCERPT_FORMAT, "items": items, "prev": self.prev.hex(), "through": self.through,
        }
        if self.custodian is not None:
            document["custodian"] = self.custodian
        if self.account is not None:
            document["account"] = self.account
        return canonical(document)

    @classmethod
    def from_json(cls, data: bytes) -> Excerpt:
        """Reads an excerpt written by `to_json`, refusing anything it could not have written byte for byte.

        Raises:
            InvalidExcerpt: If `data` is malformed, of another format, or not canonical.
        """
        document = _load(data, "an access-log excerpt")
        if not isinstance(document, dict) or not _EXCERPT_FIELDS <= set(document) <= _EXCERPT_FIELDS | _SOURCE_FIELDS:
            raise _bad(f"an excerpt holds the fields {', '.join(sorted(_EXCERPT_FIELDS))} (and custodian, account)")
        if document["format"] != EXCERPT_FORMAT:
            raise _bad(f"the excerpt's format is {document['format']!r}, this lienchain reads {EXCERPT_FORMAT!r}")
        custodian = document.get("custodian")
        if custodian is not None and not (isinstance(custodian, str) and _MEMBER_NAME.fullmatch(custodian)):
            raise _bad("the excerpt's custodian is not a member name")
        account = document.get("account")
        if account is not None and not (isinstance(account, str) and account):
            raise _bad("the excerpt's account is not a non-empty string")
        raw_items = document["items"]
        if not isinstance(raw_items, list):
            raise _bad("the excerpt's items are not a list")
        items: list[LogEntry | Redacted] = []
        heads: list[bytes] = []
        for number, raw in enumerate(raw_items, 1):
            item, head = _item(raw, number)
            items.append(item)
            heads.append(head)
        excerpt = cls(
            prev=_hex32(document["prev"], "the excerpt's previous head"),
            items=tuple(items),
            heads=tuple(heads),
            through=_count(document["through"], "the excerpt's count of entries", minimum=0),
            custodian=custodian,
            account=account,
        )
        if excerpt.to_json() != bytes(data):
            raise _bad("the excerpt is not in canonical form")
        return excerpt


def next_head(head: bytes, digest: bytes) -> bytes:
    """The log's head after appending an entry with this digest to a log with this head."""
    return hashlib.sha256(_CHAIN_DOMAIN + head + digest).digest()


def verify_excerpt(excerpt: Excerpt, anchored_head: bytes) -> None:
    """Checks that an excerpt is, unaltered, part of the log whose head was anchored after `through` entries.

    Recomputes the chain from `prev` over every item (a disclosed entry by hashing it again), and
    requires consecutive entry numbers ending at `through` and the anchored head at the end.

    Args:
        excerpt: The excerpt, as read by `Excerpt.from_json`.
        anchored_head: The head anchored on chain for the custodian's log at `excerpt.through` entries.

    Raises:
        InvalidExcerpt: Naming the first item that does not chain, if anything in the excerpt was
            changed, or the anchored head is not the head of this log at that count.
    """
    through = excerpt.through
    first = through - len(excerpt.items) + 1
    if first < 1:
        raise InvalidExcerpt(
            f"the excerpt holds {len(excerpt.items)} entries, more than the {through} of its anchored head: "
            "the excerpt was altered"
        )
    head = excerpt.prev
    for number, (item, claimed) in enumerate(zip(excerpt.items, excerpt.heads), 1):
        seq = first + number - 1
        if item.seq != seq:
            raise InvalidExcerpt(
                f"entry {number} of the excerpt is log entry {item.seq}, not {seq}: an excerpt holds consecutive "
                f"entries ending at entry {through}; the excerpt was altered"
            )
        head = next_head(head, item.digest)
        if head != claimed:
            raise InvalidExcerpt(
                f"entry {number} of the excerpt (log entry {seq}) does not match the anchored head of {through} "
                "entries: the excerpt was altered"
            )
    if head != bytes(anchored_head):
        where = f"entry {len(excerpt.items)} of the excerpt (log entry {through})" if excerpt.items else (
            "the excerpt's previous head"
        )
        raise InvalidExcerpt(
            f"{where} does not match the anchored head of {through} entries: the excerpt was altered, "
            "or the head was anchored for another log"
        )


def _load(data: bytes, what: str) -> object:
    def refuse_constant(name: str) -> object:
        raise ValueError(name)

    try:
        return json.loads(data, parse_constant=refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(f"{what} is not JSON") from None


def _item(raw: object, number: int) -> tuple[LogEntry | Redacted, bytes]:
    if isinstance(raw, dict) and set(raw) == {"entry", "head"}:
        return _entry(raw["entry"], _bad), _hex32(raw["head"], f"the head after entry {number} of the excerpt")
    if isinstance(raw, dict) and set(raw) == {"digest", "head", "seq"}:
        redacted = Redacted(
            seq=_count(raw["seq"], f"the number of entry {number} of the excerpt", minimum=1),
            digest=_hex32(raw["digest"], f"the digest of entry {number} of the excerpt"),
        )
        return redacted, _hex32(raw["head"], f"the head after entry {number} of the excerpt")
    raise _bad(f"entry {number} of the excerpt holds neither an entry and its head nor a digest, head and number")


def _entry(value: object, bad: Callable[[str], Exception]) -> LogEntry:
    """A log entry from its decoded JSON, checking every field's type and value."""
    if not isinstance(value, dict) or set(value) != _ENTRY_FIELDS:
        raise bad(f"a log entry holds exactly the fields {', '.join(sorted(_ENTRY_FIELDS))}")
    seq, at, kind, cid, outcome = (value[name] for name in ("seq", "at", "kind", "cid", "outcome"))
    if type(seq) is not int or seq < 1 or type(at) is not int or at < 0:
        raise bad("a log entry's number and time are non-negative integers")
    if kind not in KINDS or outcome not in OUTCOMES[kind]:
        raise bad(f"log entry {seq} has kind {kind!r} and outcome {outcome!r}, which no vault writes")
    if not isinstance(cid, str) or not cid:
        raise bad(f"log entry {seq} names no document")
    for name in _OPTIONAL_FIELDS:
        if value[name] is not None and not isinstance(value[name], str):
            raise bad(f"the {name} of log entry {seq} is neither text nor null")
    return LogEntry(
        seq=seq, at=at, kind=kind, cid=cid, actor=value["actor"], purpose=value["purpose"],
        request_id=value["request_id"], outcome=outcome, reason=value["reason"],
    )


def _hex32(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise _bad(f"{name} is not 64 lower-case hex digits")
    return bytes.fromhex(value)


def _count(value: object, name: str, *, minimum: int) -> int:
    if type(value) is not int or value < minimum:
        raise _bad(f"{name} is not an integer of at least {minimum}")
    return value


def _bad(reason: str) -> InvalidExcerpt:
    return InvalidExcerpt(f"not a valid access-log excerpt: {reason}; ask the custodian for it again")

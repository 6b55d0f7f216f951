"""Errors of documents: the document store, CIDs, sealing, the key vault and its access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .base import LienchainError

__all__ = [
    "StorageError", "DocumentNotFound", "CIDMismatch", "InvalidCID", "NotARecipient", "SealError",
    "NoRecipients", "InvalidDocumentKey", "InvalidCustodian", "KeyServiceError", "KeyConflict", "KeyErased",
    "KeyNotHeld", "ReplayedRequest", "AccessRefused", "InvalidExcerpt", "NoSuchLogEntry", "WrongVaultKey",
    "VaultCorrupt",
    "InvalidKeyRequest", "CustodianUnreachable", "KeyServiceBusy",
]


class StorageError(LienchainError):
    """Raised when a document cannot be stored, found, opened or verified."""


@dataclass(eq=False)
class DocumentNotFound(StorageError, LookupError):
    """Raised when the store holds no document with the requested CID."""

    cid: str
    template = "no document with CID {cid} in the store: check the CID, or fetch it from a member"


@dataclass(eq=False)
class CIDMismatch(StorageError):
    """Raised when stored bytes do not hash to the CID they are filed under (tampering)."""

    expected: str
    actual: str
    template = (
        "document {expected} is corrupt or tampered with: its bytes hash to {actual}; "
        "fetch it again from another member's store"
    )


class InvalidCID(StorageError, ValueError):
    """Raised when a string is not a CID lienchain understands."""


class NotARecipient(StorageError, PermissionError):
    """Raised when a sealed document was not sealed for the reader's key."""


class SealError(StorageError):
    """Raised when a sealed envelope is malformed or fails authentication."""


class NoRecipients(StorageError, ValueError):
    """Raised when a document would be sealed for no one, so no one could ever open it."""

    template = "a document must be sealed for at least one reader: name the accounts that may open it"


@dataclass(eq=False)
class InvalidDocumentKey(StorageError, ValueError):
    """Raised when a document key, or the account key it derives from, is malformed or unusable."""

    reason: str
    template = "invalid document key: {reason}"


@dataclass(eq=False)
class InvalidCustodian(StorageError, ValueError):
    """Raised when a custodial document would name a custodian that is not a member name."""

    name: str
    template = (
        "{name!r} is not a member name: a custodian is named with 1 to 32 lower-case letters, digits "
        "and '-', starting with a letter or digit"
    )


class KeyServiceError(StorageError):
    """Raised when a key vault refuses to deposit, release or erase a document's content key."""


@dataclass(eq=False)
class KeyConflict(KeyServiceError):
    """Raised when a content key is deposited for a CID whose vault already holds a different key."""

    cid: str
    template = (
        "the vault already holds a different content key for {cid}: a document's key never changes; "
        "seal the new content as a new document"
    )


@dataclass(eq=False)
class KeyErased(KeyServiceError):
    """Raised when the content key of a document was erased, so no copy of it can be opened again."""

    cid: str
    at: int
    reason: str

    def __str__(self) -> str:
        when = datetime.fromtimestamp(self.at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        return (
            f"the content key of {self.cid} was erased on {when} ({self.reason}): "
            "no copy of the document can be opened again"
        )


@dataclass(eq=False)
class KeyNotHeld(KeyServiceError, LookupError):
    """Raised when a vault holds no content key for a CID (it was never deposited there)."""

    cid: str
    template = "this key vault holds no content key for {cid}: ask the custodian the document names"


@dataclass(eq=False)
class ReplayedRequest(KeyServiceError):
    """Raised when a key request reuses the id of an earlier one (a replay, or a client's retry)."""

    request_id: str
    template = "key request {request_id!r} was already answered: send each request with a new id"


@dataclass(eq=False)
class AccessRefused(KeyServiceError, PermissionError):
    """Raised when a reader is not entitled to a document's content key."""

    reason: str
    cid: str = ""
    reader: str = ""

    def __str__(self) -> str:
        who = self.reader or "the reader"
        what = f"the content key of {self.cid}" if self.cid else "this content key"
        return f"{who} may not have {what}: {self.reason}"


class InvalidExcerpt(KeyServiceError, ValueError):
    """Raised when an access-log excerpt is malformed or does not match the head anchored for it."""


@dataclass(eq=False)
class NoSuchLogEntry(KeyServiceError, LookupError):
    """Raised when an access log is asked for a count of entries it has not reached."""

    count: int
    held: int
    template = "the access log holds {held} entries, not {count}: ask for a count it has reached"


@dataclass(eq=False)
class WrongVaultKey(KeyServiceError):
    """Raised when a key vault is opened with a master key other than the one that created it."""

    path: str
    template = "the key vault {path} was created with another master key: open it with its own member's account"


@dataclass(eq=False)
class VaultCorrupt(KeyServiceError):
    """Raised when a key vault's file no longer holds what the vault wrote: altered or damaged."""

    path: str
    reason: str
    template = "the key vault {path} is damaged: {reason}; restore it from a backup"


class InvalidKeyRequest(KeyServiceError, ValueError):
    """Raised when a signed key request is malformed, too large, misdirected or out of date."""


@dataclass(eq=False)
class CustodianUnreachable(KeyServiceError, ConnectionError):
    """Raised when a custodian's key service does not answer (down, unreachable, or too slow)."""

    custodian: str
    url: str
    reason: str
    template = "the key service of {custodian} at {url} does not answer ({reason}): ask {custodian} to start its node"


@dataclass(eq=False)
class KeyServiceBusy(KeyServiceError):
    """Raised when a key service refuses a request because its sender sent too many too fast."""

    custodian: str
    retry_after: float
    template = "the key service of {custodian} is busy with this reader's earlier requests: retry in {retry_after:.0f} s"

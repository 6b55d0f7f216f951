"""Errors of documents: the document store, CIDs, sealing."""

from __future__ import annotations

from dataclasses import dataclass

from .base import LienchainError

__all__ = [
    "StorageError", "DocumentNotFound", "CIDMismatch", "InvalidCID", "NotARecipient", "SealError",
    "NoRecipients", "InvalidDocumentKey",
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

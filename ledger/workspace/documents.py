"""Anchoring documents: seal for the accounts allowed to read, store, and put only the CID on chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...errors import StorageError
from ...storage import CID, DocumentStore, compute_cid, document_key, load_public_key, seal, unseal
from ..registry.records import Event
from .accounts import AccountBook


@dataclass(frozen=True)
class SealedDocument:
    """A document sealed for its readers, with the CID it will have in any store."""

    cid: CID
    envelope: bytes


@dataclass(frozen=True)
class AnchorCheck:
    """One step of a title's history that anchors a document, checked (see `Documents.check_anchors`)."""

    event: str
    block: int
    cid: str | None  # None: the step anchored no document
    size: int | None = None  # the sealed document's size in bytes, when present and intact
    error: str | None = None  # what is wrong, if anything

    @property
    def ok(self) -> bool:
        """Returns whether the step's document is anchored, present and intact."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """Returns the check as JSON-ready data."""
        out: dict[str, Any] = {"event": self.event, "block": self.block, "cid": self.cid or "-", "ok": self.ok}
        return out | ({"bytes": self.size} if self.ok else {"error": self.error})


class Documents:
    """Sealed documents of a profile's accounts in one document store."""

    def __init__(self, store: DocumentStore, accounts: AccountBook) -> None:
        """Binds a store to the accounts whose document keys seal and open documents.

        Args:
            store: Where sealed documents live.
            accounts: The directory of readers' public document keys, and the keys to open with.
        """
        self.store = store
        self.accounts = accounts

    def seal(self, data: bytes, *, readers: Iterable[str]) -> SealedDocument:
        """Seals a document for the named readers, without storing it yet.

        Args:
            data: The document's bytes.
            readers: Names of the accounts that may open it.

        Returns:
            The sealed document and its CID, the only thing that goes on chain.

        Raises:
            UnknownAccount: If a reader is not an account of the profile.
        """
        keys = [load_public_key(self.accounts.get(name).document_key) for name in sorted(set(readers))]
        envelope = seal(data, keys)
        return SealedDocument(compute_cid(envelope), envelope)

    def put(self, sealed: SealedDocument) -> CID:
        """Stores a sealed document under its CID.

        Returns:
            The CID.
        """
        return self.store.put(sealed.envelope)

    def read(self, cid: CID, *, reader: str) -> bytes:
        """Fetches a sealed document, checks it against its CID and opens it.

        Args:
            cid: The document's CID.
            reader: The name of the account that opens it.

        Returns:
            The document's bytes.

        Raises:
            DocumentNotFound: If the store does not hold it.
            CIDMismatch: If the stored bytes are not the ones the CID names (tampering).
            NotARecipient: If the document was not sealed for the reader.
        """
        return self.open(self.store.get(cid), reader=reader)

    def open(self, envelope: bytes, *, reader: str) -> bytes:
        """Opens a sealed document held in hand (not fetched from the store).

        Raises:
            NotARecipient: If the document was not sealed for the reader.
            StorageError: If the envelope is malformed.
        """
        return unseal(envelope, document_key(bytes(self.accounts.unlock(reader).key)))

    def verify(self, cid: CID) -> int:
        """Checks that the store holds the document and that its bytes match its CID.

        Returns:
            The size of the sealed document in bytes.

        Raises:
            DocumentNotFound, CIDMismatch: If it is missing or tampered with.
        """
        return len(self.store.get(cid))

    def check_anchors(self, events: Iterable[Event]) -> list[AnchorCheck]:
        """Checks the document each step of a history anchors: present in the store and matching its CID.

        A step that anchors a document (an event with a `docCid` or `evidenceCid` argument) but
        carries an empty CID fails too. The registry refuses such steps now, but a registry
        deployed before it required documents took them, and its history keeps them.

        Args:
            events: A title's history (see `Ledger.history`).

        Returns:
            One check per step that anchors a document, in the order of `events`; events that
            anchor none (a lien's release, an alert) are left out.
        """
        checks: list[AnchorCheck] = []
        for e in events:
            if not e.doc_cid:
                if "docCid" in e.args or "evidenceCid" in e.args:
                    checks.append(AnchorCheck(e.name, e.block, None, error="no document anchored"))
                continue
            try:
                checks.append(AnchorCheck(e.name, e.block, e.doc_cid, size=self.verify(CID(e.doc_cid))))
            except StorageError as exc:
                checks.append(AnchorCheck(e.name, e.block, e.doc_cid, error=str(exc)))
        return checks

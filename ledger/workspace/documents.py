"""Anchoring documents: seal for the accounts allowed to read, store, and put only the CID on chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError, DocumentErased, StorageError
from ...storage import CID, DocumentStore, compute_cid, document_key, load_public_key, seal, unseal
from ...storage.custody import custodian_of, open_custodial, seal_custodial
from ..registry.records import Event
from ..registry.retention import DocumentRetention, Retention
from .accounts import AccountBook
from .custody import Custody

#: What a reader states as its purpose when it gives none (the access log keeps it).
DEFAULT_PURPOSE = "review"


@dataclass(frozen=True)
class SealedDocument:
    """A document sealed for its readers (essential), or for its custodian's key service
    (transient: `content_key` goes to the custodian, never into the envelope), with the CID it
    will have in any store."""

    cid: CID
    envelope: bytes
    retention: Retention = Retention.ESSENTIAL
    custodian: str | None = None
    content_key: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AnchorCheck:
    """One step of a title's history that anchors a document, checked (see `Documents.check_anchors`)."""

    event: str
    block: int
    cid: str | None  # None: the step anchored no document
    size: int | None = None  # the sealed document's size in bytes, when present and intact
    error: str | None = None  # what is wrong, if anything
    erased: bool = False  # its erasure is on record: its absence is what the law asks
    attached_by: str | None = None  # an attachment no step anchored: the account that recorded it

    @property
    def ok(self) -> bool:
        """Returns whether the step's document is anchored, present and intact."""
        return self.error is None

    @property
    def fails_history(self) -> bool:
        """Tells whether this check fails the title's history: a step's document that is missing
        or altered does; an attachment does not, since any registrar, oracle or auditor may record
        one about any title, and so could otherwise fail every title's check with CIDs nobody stores."""
        return not self.ok and self.attached_by is None

    def to_dict(self) -> dict[str, Any]:
        """Returns the check as JSON-ready data."""
        out: dict[str, Any] = {"event": self.event, "block": self.block, "cid": self.cid or "-", "ok": self.ok}
        if self.attached_by is not None:
            out["attached_by"] = self.attached_by
        if self.erased:
            return out | {"erased": True}
        return out | ({"bytes": self.size} if self.ok else {"error": self.error})


class Documents:
    """Sealed documents of a profile's accounts in one document store."""

    def __init__(self, store: DocumentStore, accounts: AccountBook, *, custody: Custody | None = None,
                 retention: DocumentRetention | None = None) -> None:
        """Binds a store to the accounts whose document keys seal and open documents.

        Args:
            store: Where sealed documents live.
            accounts: The directory of readers' public document keys, and the keys to open with.
            custody: Where transient documents' content keys are kept [default: none; such
                documents can then be neither sealed nor opened].
            retention: The deployment's document registry, so that reading an erased document
                says when and why it was erased [default: none].
        """
        self.store = store
        self.accounts = accounts
        self.custody = custody
        self.retention = retention

    def seal(self, data: bytes, *, readers: Iterable[str], retention: Retention = Retention.ESSENTIAL,
             custodian: str | None = None) -> SealedDocument:
        """Seals a document, without storing it yet: an essential one for the named readers, a
        transient one for its custodian's key service (its key goes to `custodian` when stored).

        Args:
            data: The document's bytes.
            readers: Names of the accounts that may open an essential document.
            retention: Its class.
            custodian: The member that keeps a transient document's key (the author's).

        Returns:
            The sealed document and its CID, the only thing that goes on chain.

        Raises:
            UnknownAccount: If a reader is not an account of the profile.
            ConfigError: If a transient document has no custodian or custody.
        """
        if retention == Retention.TRANSIENT:
            if custodian is None or self.custody is None:
                raise ConfigError("this profile keeps no key service for transient documents: seal it as essential")
            envelope, key = seal_custodial(data, custodian=custodian)
            return SealedDocument(compute_cid(envelope), envelope, retention, custodian, key)
        keys = [load_public_key(self.accounts.get(name).document_key) for name in sorted(set(readers))]
        envelope = seal(data, keys)
        return SealedDocument(compute_cid(envelope), envelope)

    def put(self, sealed: SealedDocument, *, depositor: str | None = None) -> CID:
        """Stores a sealed document under its CID, a transient one's key with its custodian first.

        Args:
            sealed: The document.
            depositor: The account that anchors it (a transient document's key is deposited in its name).

        Returns:
            The CID.

        Raises:
            CustodianUnreachable, KeyServiceError: If the custodian does not take the key (nothing is stored).
        """
        if sealed.content_key is not None and sealed.custodian is not None and self.custody is not None:
            self.custody.deposit(sealed.custodian, sealed.cid, sealed.content_key,
                                 depositor=depositor or sealed.custodian)
        return self.store.put(sealed.envelope)

    def read(self, cid: CID, *, reader: str, purpose: str = DEFAULT_PURPOSE) -> bytes:
        """Fetches a sealed document, checks it against its CID and opens it: a transient one
        with the content key its custodian hands the reader (which it logs).

        Args:
            cid: The document's CID.
            reader: The name of the account that opens it.
            purpose: Why it reads, for a transient document's access log.

        Returns:
            The document's bytes.

        Raises:
            DocumentErased: If the document's erasure is on record.
            DocumentNotFound: If the store does not hold it.
            CIDMismatch: If the stored bytes are not the ones the CID names (tampering).
            NotARecipient: If the document was not sealed for the reader.
            AccessRefused, CustodianUnreachable: If a transient document's custodian refuses or is down.
        """
        self.check_not_erased(cid)
        return self.open(self.store.get(cid), reader=reader, purpose=purpose)

    def open(self, envelope: bytes, *, reader: str, purpose: str = DEFAULT_PURPOSE) -> bytes:
        """Opens a sealed document held in hand (not fetched from the store): a transient one
        only while its custodian still holds its key and hands it to the reader.

        Raises:
            NotARecipient: If the document was not sealed for the reader.
            StorageError: If the envelope is malformed.
            AccessRefused, KeyErased, CustodianUnreachable: If a transient document's custodian
                refuses, destroyed its key, or is down.
        """
        custodian = custodian_of(envelope)
        if custodian is None:
            return unseal(envelope, document_key(bytes(self.accounts.unlock(reader).key)))
        if self.custody is None:
            raise ConfigError("this profile knows no key service to ask for a transient document's key")
        key = self.custody.content_key(custodian, compute_cid(envelope), reader=reader, purpose=purpose)
        return open_custodial(envelope, key)

    def purge(self, cid: str, *, reason: str) -> tuple[bool, bool]:
        """Destroys what this profile holds of an erased document: its copy in the store and its
        key where the profile's custody keeps keys itself.

        Returns:
            Whether the store held a copy, and whether a key was destroyed.
        """
        return self.store.delete(CID(cid)), (self.custody.erase(cid, reason=reason) if self.custody else False)

    def check_not_erased(self, cid: str) -> None:
        """Checks that a document's erasure is not on record.

        Raises:
            DocumentErased: If it is, saying when and why.
        """
        if self.retention is None or not self.retention.erased_at(cid):  # one read on every document read
            return
        record = self.retention.require(cid)
        raise DocumentErased(cid, record.erased_at, record.retention.label, record.due_at)

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

        A step whose document's erasure is on record (a `DocumentErased` event of the history)
        passes as erased: the document is meant to be gone. A document recorded with no step of the
        history anchoring it is an attachment, checked and marked with who recorded it (see
        `AnchorCheck.fails_history`); the record of a step's document is not checked twice. A step that anchors a document (an
        event with a `docCid` or `evidenceCid` argument) but carries an empty CID fails. The registry refuses such steps now, but a registry
        deployed before it required documents took them, and its history keeps them.

        Args:
            events: A title's history (see `Ledger.history`).

        Returns:
            One check per step that anchors a document, in the order of `events`; events that
            anchor none (a lien's release, an alert) are left out.
        """
        events = list(events)
        erased = {str(e.args["cid"]) for e in events if e.name == "DocumentErased"}
        stepped = {e.doc_cid for e in events if e.doc_cid and e.name != "DocumentRecorded"}
        checks: list[AnchorCheck] = []
        for e in events:
            attached_by = str(e.args.get("author")) if e.name == "DocumentRecorded" else None
            if attached_by is not None and e.doc_cid in stepped:
                continue  # the record of a step's document: the step's check covers it
            if e.doc_cid in erased:
                checks.append(AnchorCheck(e.name, e.block, e.doc_cid, erased=True, attached_by=attached_by))
                continue
            if not e.doc_cid:
                if "docCid" in e.args or "evidenceCid" in e.args:
                    checks.append(AnchorCheck(e.name, e.block, None, error="no document anchored"))
                continue
            try:
                size, error = self.verify(CID(e.doc_cid)), None
            except StorageError as exc:
                size, error = None, str(exc)
            checks.append(AnchorCheck(e.name, e.block, e.doc_cid, size=size, error=error, attached_by=attached_by))
        return checks

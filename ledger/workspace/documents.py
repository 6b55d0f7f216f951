"""Anchoring documents: seal for the accounts allowed to read, store, and put only the CID on chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...storage import CID, DocumentStore, compute_cid, document_key, load_public_key, seal, unseal
from .accounts import AccountBook


@dataclass(frozen=True)
class SealedDocument:
    """A document sealed for its readers, with the CID it will have in any store."""

    cid: CID
    envelope: bytes


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

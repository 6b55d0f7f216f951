"""The document store interface: the one seam between lienchain and where documents live.

Every store files a document under `compute_cid` of its bytes, so a CID written on chain names the
same bytes in the embedded store and on any member's Kubo node. Every implementation passes the
same conformance suite (tests/storage/test_store_conformance.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from .cid import CID


class DocumentStore(ABC):
    """A content-addressed store of (sealed) documents."""

    @abstractmethod
    def put(self, data: bytes) -> CID:
        """Stores a document under its CID; storing the same bytes again changes nothing.

        Args:
            data: The document's bytes (normally a sealed envelope).

        Returns:
            The document's CID, equal to `compute_cid(data)`.

        Raises:
            StorageError: If the store cannot keep the document.
        """

    @abstractmethod
    def get(self, cid: CID) -> bytes:
        """Fetches a document and checks that its bytes are the ones the CID names.

        Args:
            cid: The document's CID.

        Returns:
            The document's bytes, never anything that does not hash to `cid`.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            DocumentNotFound: If the store holds no document under `cid`.
            CIDMismatch: If the bytes the store holds under `cid` hash to another CID (tampering).
        """

    @abstractmethod
    def has(self, cid: CID) -> bool:
        """Tells whether the store holds a document under a CID, without fetching or checking it.

        Args:
            cid: The document's CID.

        Returns:
            True if a document is filed under `cid`.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
        """

    @abstractmethod
    def delete(self, cid: CID) -> bool:
        """Removes the store's own copy of a document, for good: an erasure (other members'
        copies are theirs to remove).

        Args:
            cid: The document's CID.

        Returns:
            True if the store held it.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            StorageError: If the copy cannot be removed.
        """

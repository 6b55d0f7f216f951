"""The embedded document store: content-addressed files in a directory of the profile."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import CIDMismatch, DocumentNotFound, StorageError
from .base import DocumentStore
from .cid import CID, compute_cid, parse_cid


class EmbeddedStore(DocumentStore):
    """Documents as files ``root/blobs/<shard>/<cid>``, written atomically.

    The shard is the two characters before a CID's last one, as Kubo's flatfs
    (``next-to-last/2``) does: every CID starts ``bafkrei`` or ``bafybei`` and its last base32
    character carries only three bits, so those are the first fully random characters.
    """

    def __init__(self, root: Path) -> None:
        """Opens (without touching the disk) the store kept under a directory.

        Args:
            root: The store's directory; it and its subdirectories are created on the first put.
        """
        self.root = Path(root)

    def put(self, data: bytes) -> CID:
        """Stores a document under its CID; storing the same bytes again changes nothing.

        A copy already on disk is rewritten only if it no longer matches its CID, so putting a
        document again also repairs a corrupted copy.

        Args:
            data: The document's bytes.

        Returns:
            The document's CID.

        Raises:
            StorageError: If the file cannot be written.
        """
        cid = compute_cid(data)
        path = self._path(cid)
        try:
            if path.is_file() and compute_cid(path.read_bytes()) == cid:
                return cid
            self._write_atomically(path, data)
        except OSError as error:
            raise _unusable(self.root, cid, error) from error
        return cid

    def get(self, cid: CID) -> bytes:
        """Reads a document and checks its bytes against its CID.

        Args:
            cid: The document's CID.

        Returns:
            The document's bytes.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            DocumentNotFound: If no document is filed under `cid`.
            CIDMismatch: If the file under `cid` holds other bytes (tampering or disk corruption).
        """
        path = self._path(parse_cid(cid))
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(cid) from None
        except OSError as error:
            raise _unusable(self.root, cid, error) from error
        actual = compute_cid(data)
        if actual != cid:
            raise CIDMismatch(cid, actual)
        return data

    def has(self, cid: CID) -> bool:
        """Tells whether a document is filed under a CID, without reading or checking it.

        Args:
            cid: The document's CID.

        Returns:
            True if a file exists under `cid`.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
        """
        return self._path(parse_cid(cid)).is_file()

    def delete(self, cid: CID) -> bool:
        """Removes the file of a document, if there is one.

        Returns:
            True if it was there.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            StorageError: If the file cannot be removed.
        """
        path = self._path(parse_cid(cid))
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as error:
            raise _unusable(self.root, cid, error) from error
        return True

    def _path(self, cid: CID) -> Path:
        # Only parsed CIDs reach here: base32 lower-case, so no separator or ".." can escape root.
        return self.root / "blobs" / cid[-3:-1] / cid

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        """Writes a temporary file beside the target, syncs it, then renames it into place.

        A crash leaves either no file or the whole document under the CID, never a prefix: the
        rename is atomic within a directory, and the fsyncs order the data before the rename on
        disk and make the rename itself durable.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _unusable(root: Path, cid: CID, error: OSError) -> StorageError:
    return StorageError(
        f"cannot access document {cid} under {root}: {error.strerror or error}; "
        "check the store directory's permissions and free space"
    )

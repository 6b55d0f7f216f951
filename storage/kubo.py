"""Documents in Kubo (IPFS) nodes: the member's own node, pinned on every other member's node too.

A document is added to the member's own node (CIDv1, raw leaves, Kubo's default 256 KiB chunks
and balanced layout: the CID `compute_cid` gives) and then pinned by every other member's node,
which fetch it over the private swarm. So a document stays readable while its author's node is
down. Reads never go out to the network for an unknown CID (they ask each node offline, own node
first), so a missing document fails fast, and every read is checked against its CID.

ipfshttpclient 0.7.0 talks to the nodes; its `connect()` refuses Kubo versions it does not know,
so clients are constructed directly, and nothing outside this module touches it.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import ipfshttpclient
from ipfshttpclient import exceptions as ipfs_errors

from ..errors import CIDMismatch, DocumentNotFound, NodeUnreachable, StorageError
from .base import DocumentStore
from .cid import CID, compute_cid, digest_of, parse_cid

_ADD_OPTIONS = {"cid-version": "1", "raw-leaves": "true", "pin": "true", "chunker": "size-262144"}

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _quietly(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Silences urllib3 2's FutureWarning about the `strict=True` ipfshttpclient passes it (harmless).

    Warning filters are process-wide, so they are set once per public call rather than per request,
    which may run in the replica-pinning threads.
    """

    @functools.wraps(method)
    def quiet(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The 'strict' parameter", FutureWarning)
            return method(*args, **kwargs)

    return quiet


def _multiaddr(url: str) -> str:
    """Returns the multiaddr ipfshttpclient wants for an http://host:port URL (or a multiaddr as is)."""
    if url.startswith("/"):
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        raise StorageError(f"{url!r} is not a Kubo RPC endpoint: give http://HOST:PORT or a multiaddr")
    try:
        proto = f"ip{ipaddress.ip_address(parts.hostname).version}"
    except ValueError:
        proto = "dns"
    return f"/{proto}/{parts.hostname}/tcp/{parts.port}/{parts.scheme}"


#: Seconds the member's own node may take to fetch a document it does not hold from its peers.
FETCH_TIMEOUT = 10.0


class KuboStore(DocumentStore):
    """A document store on a member's Kubo node, replicated to the other members' nodes."""

    def __init__(self, api: str, *, replicas: Sequence[str] = (), timeout: float = 30.0) -> None:
        """Connects (lazily: no request is made here) to the member's node and the others'.

        Args:
            api: The member's own node's RPC endpoint (http://127.0.0.1:5001 or a multiaddr).
            replicas: The other members' nodes' RPC endpoints, which pin every document stored.
            timeout: Seconds to wait for a node's answer (a pin fetches the document first).

        Raises:
            StorageError: If an endpoint is malformed.
        """
        self.api = api
        self.replicas = [url for url in dict.fromkeys(replicas) if url != api]
        self._clients = {url: ipfshttpclient.Client(_multiaddr(url), timeout=timeout) for url in [api, *self.replicas]}
        #: The replicas that did not pin the last document stored (down or too slow), if any.
        self.unreplicated: list[str] = []

    @_quietly
    def put(self, data: bytes) -> CID:
        """Adds a document to the member's node, repairs a tampered copy, and pins it on the others.

        A replica that is down or too slow does not fail the put: it is listed in `unreplicated`.

        Args:
            data: The document's bytes.

        Returns:
            The document's CID, equal to `compute_cid(data)`.

        Raises:
            NodeUnreachable: If the member's own node does not answer.
            StorageError: If the node files the bytes under another CID than `compute_cid` gives,
                or cannot replace a tampered copy with intact bytes.
        """
        expected = compute_cid(data)
        own = self._clients[self.api]
        added = self._ask(self.api, lambda: own.add_bytes(data, opts=_ADD_OPTIONS))
        if added != expected:
            raise StorageError(f"Kubo at {self.api} filed a document as {added}, expected {expected}: check its version")
        try:
            intact = self._read(self.api, expected) == data
        except CIDMismatch:
            intact = False
        if not intact:  # a tampered block survives a new add: Kubo skips blocks it already has
            self._remove_bad_blocks(expected)
            self._ask(self.api, lambda: own.add_bytes(data, opts=_ADD_OPTIONS))
            if self._read(self.api, expected) != data:  # CIDMismatch if it still serves other bytes
                raise StorageError(f"the Kubo node at {self.api} cannot store {expected} intact: check its blockstore")
        self.unreplicated = [url for url, pinned in zip(self.replicas, self._pin_on_replicas(expected)) if not pinned]
        return expected

    @_quietly
    def get(self, cid: CID) -> bytes:
        """Reads a document from the member's node, or else from another member's, and checks it.

        A node that serves bytes other than the CID names is passed over for the next one; the
        mismatch is raised only if no node has an intact copy.

        Args:
            cid: The document's CID.

        Returns:
            The document's bytes, which hash to `cid`.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            DocumentNotFound: If no answering node holds it, the member's own node included.
            CIDMismatch: If the only copies found are not the bytes `cid` names.
            NodeUnreachable: If the member's own node does not answer and no other node holds it.
        """
        parse_cid(cid)
        down: list[str] = []
        tampered: CIDMismatch | None = None
        for url in self._clients:
            try:
                data = self._read(url, cid)
            except NodeUnreachable:
                down.append(url)
                continue
            except CIDMismatch as exc:
                tampered = tampered or exc
                continue
            if data is not None:
                return data
        if self.api not in down:
            # Not held by any node asked: the member's own node fetches it from its peers in the
            # private swarm (another member's node holds it, or the author's).
            data = self._fetch(cid)
            if data is not None:
                return data
        if tampered is not None:
            raise tampered
        if self.api in down:
            raise NodeUnreachable(
                f"the Kubo node at {', '.join(down)} does not answer and no other member's node holds {cid}"
            )
        raise DocumentNotFound(cid)

    @_quietly
    def has(self, cid: CID) -> bool:
        """Tells whether the member's own node holds a document, without fetching it.

        Args:
            cid: The document's CID.

        Returns:
            True if the node holds the document's root block.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            NodeUnreachable: If the node does not answer.
        """
        parse_cid(cid)
        own = self._clients[self.api]
        try:
            self._ask(self.api, lambda: own.block.stat(cid, offline=True))
        except StorageError:
            return False
        return True

    @_quietly
    def delete(self, cid: CID) -> bool:
        """Unpins a document on the member's own node and collects its garbage, so that the node
        holds no block of it any more (unless another pinned document shares the block).

        Returns:
            True if the node held the document's root block.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            NodeUnreachable: If the node does not answer.
            StorageError: If the node refuses to unpin it or to collect its garbage, or still holds it after.
        """
        held = self.has(cid)
        own = self._clients[self.api]
        try:
            self._ask(self.api, lambda: own.pin.rm(cid))
        except NodeUnreachable:
            raise
        except StorageError as exc:
            if "not pinned" not in str(exc):
                raise
            # Not pinned: held unpinned, or not at all; the collection removes it either way.
        self._ask(self.api, lambda: own.repo.gc(quiet=True))
        if self.has(cid):  # what an erasure's attestation says: checked, not assumed
            raise StorageError(f"the Kubo node at {self.api} still holds {cid} after unpinning it and collecting "
                               "its garbage: try again")
        return held

    def _fetch(self, cid: CID) -> bytes | None:
        """Returns a document the member's own node fetches from the swarm within `FETCH_TIMEOUT`
        seconds, checked against its CID; None if no peer serves it in that time."""
        try:
            data: bytes = self._clients[self.api].cat(cid, timeout=FETCH_TIMEOUT)
        except (ipfs_errors.TimeoutError, ipfs_errors.Error):
            return None
        actual = compute_cid(data)
        if actual != cid:
            raise CIDMismatch(cid, actual)
        return data

    def _read(self, url: str, cid: CID) -> bytes | None:
        """Returns a node's copy of a document (offline: nothing is fetched), checked against its CID.

        Returns None if the node does not hold the whole document.

        Raises:
            CIDMismatch: If the node's copy, or its root block, is not what `cid` names.
            NodeUnreachable: If the node does not answer.
        """
        client = self._clients[url]
        try:
            data: bytes = self._ask(url, lambda: client.cat(cid, offline=True))
        except StorageError:
            # Absent, or present but unreadable: a root block replaced by garbage no longer parses.
            try:
                root: bytes = self._ask(url, lambda: client.block.get(cid, offline=True))
            except StorageError:
                return None
            if hashlib.sha256(root).digest() != digest_of(cid):
                raise CIDMismatch(cid, compute_cid(root)) from None
            return None  # an intact root over missing blocks: a partial copy, as good as none
        actual = compute_cid(data)
        if actual != cid:
            raise CIDMismatch(cid, actual)
        return data

    def _pin_on_replicas(self, cid: CID) -> list[bool]:
        """Asks every replica, all at once, to pin a document; returns which ones did."""

        def pin(url: str) -> bool:
            client = self._clients[url]
            try:
                self._ask(url, lambda: client.pin.add(cid))
            except (NodeUnreachable, StorageError):  # down, too slow, or refusing: others hold it
                return False
            return True

        if not self.replicas:
            return []
        with ThreadPoolExecutor(max_workers=len(self.replicas)) as pool:
            return list(pool.map(pin, self.replicas))

    def _remove_bad_blocks(self, cid: CID) -> None:
        """Removes the blocks of a document whose bytes do not hash to their own CID.

        The document is unpinned first (Kubo keeps pinned blocks); the caller adds and pins it again.
        """
        own = self._clients[self.api]
        self._ask(self.api, lambda: own.pin.rm(cid))
        try:
            refs = self._ask(self.api, lambda: own._client.request(  # noqa: SLF001 - no refs/block rm wrappers in 0.7
                "/refs", (cid,), opts={"recursive": "true", "unique": "true"}, decoder="json", offline=True))
        except StorageError:
            refs = []  # the root itself is garbage: dropping it is enough, the add restores the rest
        for block in [cid, *(r["Ref"] for r in refs if r.get("Ref"))]:
            raw = self._ask(self.api, functools.partial(own.block.get, block, offline=True))
            if hashlib.sha256(raw).digest() != digest_of(block):
                answer = self._ask(self.api, functools.partial(
                    own._client.request, "/block/rm", (block,), decoder="json"))  # noqa: SLF001
                errors = [a["Error"] for a in answer if a.get("Error")]
                if errors:
                    raise StorageError(f"the Kubo node at {self.api} cannot drop tampered block {block}: {errors[0]}")

    @staticmethod
    def _ask(url: str, request: Callable[[], Any]) -> Any:
        """Runs one request, turning ipfshttpclient's errors into lienchain's."""
        try:
            return request()
        except (ipfs_errors.ConnectionError, ipfs_errors.TimeoutError) as exc:
            raise NodeUnreachable(f"the Kubo node at {url} does not answer ({type(exc).__name__})") from None
        except ipfs_errors.Error as exc:
            raise StorageError(f"the Kubo node at {url} refused the request: {exc}") from None

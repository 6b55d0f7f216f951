"""Documents in Kubo (IPFS) nodes: the member's own node, pinned on every other member's node too.

A document is added to the member's own node (CIDv1, raw leaves: the CID `compute_cid` gives) and
then pinned by every other member's node, which fetch it over the private swarm. So a document
stays readable while its author's node is down. Reads never go out to the network for an unknown
CID (they ask each node offline, own node first), so a missing document fails fast, and every read
is checked against its CID.

ipfshttpclient 0.7.0 talks to the nodes; its `connect()` refuses Kubo versions it does not know,
so clients are constructed directly, and nothing outside this module touches it.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import ipfshttpclient
from ipfshttpclient import exceptions as ipfs_errors

from ..errors import CIDMismatch, DocumentNotFound, NodeUnreachable, StorageError
from .base import DocumentStore
from .cid import CID, compute_cid, digest_of, parse_cid

_ADD_OPTIONS = {"cid-version": "1", "raw-leaves": "true", "pin": "true", "chunker": "size-262144"}


def _multiaddr(url: str) -> str:
    """Returns the multiaddr ipfshttpclient wants for an http://host:port URL (or a multiaddr as is)."""
    if url.startswith("/"):
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        raise StorageError(f"{url!r} is not a Kubo RPC endpoint: give http://HOST:PORT or a multiaddr")
    host = parts.hostname
    proto = "ip4" if host.replace(".", "").isdigit() else "dns"
    return f"/{proto}/{host}/tcp/{parts.port}/{parts.scheme}"


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
        self.replicas = list(replicas)
        self._clients = {url: ipfshttpclient.Client(_multiaddr(url), timeout=timeout) for url in [api, *replicas]}
        #: The replicas that did not pin the last document stored (down or too slow), if any.
        self.unreplicated: list[str] = []

    def put(self, data: bytes) -> CID:
        """Adds a document to the member's node, repairs a tampered copy, and pins it on the others.

        A replica that is down does not fail the put: it is listed in `unreplicated`.

        Raises:
            NodeUnreachable: If the member's own node does not answer.
            StorageError: If the node files the bytes under another CID than `compute_cid` gives.
        """
        expected = compute_cid(data)
        own = self._clients[self.api]
        added = self._ask(self.api, lambda: own.add_bytes(data, opts=_ADD_OPTIONS))
        if added != expected:
            raise StorageError(f"Kubo at {self.api} filed a document as {added}, expected {expected}: check its version")
        if self._read(self.api, expected) != data:  # a tampered block, kept because Kubo skips blocks it has
            self._remove_bad_blocks(expected)
            self._ask(self.api, lambda: own.add_bytes(data, opts=_ADD_OPTIONS))
        self.unreplicated = []
        for url in self.replicas:
            try:
                self._ask(url, lambda c=self._clients[url]: c.pin.add(expected))
            except (NodeUnreachable, StorageError):
                self.unreplicated.append(url)
        return expected

    def get(self, cid: CID) -> bytes:
        """Reads a document from the member's node, or else from another member's, and checks it.

        Raises:
            InvalidCID: If `cid` is not a CID lienchain stores.
            DocumentNotFound: If no answering node holds it.
            CIDMismatch: If a node serves other bytes under `cid`.
            NodeUnreachable: If no node answers at all.
        """
        parse_cid(cid)
        down = []
        for url in [self.api, *self.replicas]:
            try:
                data = self._read(url, cid)
            except NodeUnreachable:
                down.append(url)
                continue
            if data is None:
                continue
            actual = compute_cid(data)
            if actual != cid:
                raise CIDMismatch(cid, actual)
            return data
        if len(down) == len(self._clients):
            raise NodeUnreachable(f"no Kubo node answers ({', '.join(down)}): start them with `lienchain node start MEMBER`")
        raise DocumentNotFound(cid)

    def has(self, cid: CID) -> bool:
        """Tells whether the member's own node holds a document, without fetching it.

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

    def _read(self, url: str, cid: str) -> bytes | None:
        """Returns the bytes a node holds under `cid` (offline: nothing is fetched), or None."""
        client = self._clients[url]
        try:
            data: bytes = self._ask(url, lambda: client.cat(cid, offline=True))
        except StorageError:
            return None
        return data

    def _remove_bad_blocks(self, cid: str) -> None:
        """Removes the blocks of a document whose bytes do not hash to their own CID.

        The document is unpinned first (Kubo keeps pinned blocks); the caller adds and pins it again.
        """
        own = self._clients[self.api]
        self._ask(self.api, lambda: own.pin.rm(cid))
        refs = self._ask(self.api, lambda: own._client.request(  # noqa: SLF001 - no refs/block rm wrappers in 0.7
            "/refs", (cid,), opts={"recursive": "true", "unique": "true"}, decoder="json", offline=True))
        for block in [cid, *(r["Ref"] for r in refs if r.get("Ref"))]:
            raw = self._ask(self.api, lambda b=block: own.block.get(b, offline=True))
            if hashlib.sha256(raw).digest() != digest_of(block):
                answer = self._ask(self.api, lambda b=block: own._client.request(  # noqa: SLF001
                    "/block/rm", (b,), decoder="json"))
                errors = [a["Error"] for a in answer if a.get("Error")]
                if errors:
                    raise StorageError(f"the Kubo node at {self.api} cannot drop tampered block {block}: {errors[0]}")

    @staticmethod
    def _ask(url: str, request: Any) -> Any:
        """Runs one request, turning ipfshttpclient's errors into lienchain's."""
        try:
            with warnings.catch_warnings():
                # ipfshttpclient passes urllib3 2 an argument it deprecates; harmless, and pinned.
                warnings.simplefilter("ignore", FutureWarning)
                return request()
        except (ipfs_errors.ConnectionError, ipfs_errors.TimeoutError) as exc:
            raise NodeUnreachable(
                f"the Kubo node at {url} does not answer ({type(exc).__name__}): start it with `lienchain node start MEMBER`"
            ) from None
        except ipfs_errors.Error as exc:
            raise StorageError(f"the Kubo node at {url} refused the request: {exc}") from None

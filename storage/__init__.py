"""lienchain.storage: sealed documents in a content-addressed store.

Documents are sealed for their readers (`seal`, `unseal`), stored under the CID Kubo would give
the same bytes (`compute_cid`), and checked against that CID whenever they are read. `DocumentStore`
is the seam between lienchain and where documents live; `EmbeddedStore` keeps them in a directory,
`KuboStore` in the members' Kubo nodes.

The names below are imported on first use (see `lienchain._lazy`): reading a CID needs neither
the cryptography package nor the Kubo client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .base import DocumentStore
    from .cid import CID, compute_cid, digest_of, parse_cid
    from .embedded import EmbeddedStore
    from .keys import document_key, fingerprint, load_public_key, public_key_hex
    from .kubo import KuboStore
    from .sealing import VERSION as SEALED_VERSION
    from .sealing import recipients_of, seal, unseal

_EXPORTS = {
    "CID": ".cid",
    "SEALED_VERSION": ".sealing:VERSION",
    "DocumentStore": ".base",
    "EmbeddedStore": ".embedded",
    "KuboStore": ".kubo",
    "compute_cid": ".cid",
    "digest_of": ".cid",
    "document_key": ".keys",
    "fingerprint": ".keys",
    "load_public_key": ".keys",
    "parse_cid": ".cid",
    "public_key_hex": ".keys",
    "recipients_of": ".sealing",
    "seal": ".sealing",
    "unseal": ".sealing",
}

__all__ = [
    "CID",
    "SEALED_VERSION",
    "DocumentStore",
    "EmbeddedStore",
    "KuboStore",
    "compute_cid",
    "digest_of",
    "document_key",
    "fingerprint",
    "load_public_key",
    "parse_cid",
    "public_key_hex",
    "recipients_of",
    "seal",
    "unseal",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

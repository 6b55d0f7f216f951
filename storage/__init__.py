"""lienchain.storage: sealed documents in a content-addressed store.

Documents are sealed for their readers (`seal`, `unseal`), stored under the CID Kubo would give
the same bytes (`compute_cid`), and checked against that CID whenever they are read. `DocumentStore`
is the seam between lienchain and where documents live; `EmbeddedStore` keeps them in a directory,
`KuboStore` in the members' Kubo nodes.
"""

from .base import DocumentStore
from .cid import CID, compute_cid, digest_of, parse_cid
from .embedded import EmbeddedStore
from .kubo import KuboStore
from .keys import document_key, fingerprint, load_public_key, public_key_hex
from .sealing import VERSION as SEALED_VERSION
from .sealing import recipients_of, seal, unseal

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

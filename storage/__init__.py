"""lienchain.storage: sealed documents in a content-addressed store.

Documents are sealed for their readers (`seal`, `unseal`), stored under the CID Kubo would give
the same bytes (`compute_cid`), and checked against that CID whenever they are read. `DocumentStore`
is the seam between lienchain and where documents live; `EmbeddedStore` keeps them in a directory,
`KuboStore` in the members' Kubo nodes.

Transient documents are sealed under a key their custodian keeps instead (`seal_custodial`,
`open_custodial`): its `KeyVault` releases the key to entitled readers (`wrap_key`), logs every
request in a hash-chained access log whose excerpts an auditor checks (`verify_excerpt`), and
erases the key on request, after which no copy of the document opens.

The names below are imported on first use (see `lienchain._lazy`): reading a CID needs neither
the cryptography package nor the Kubo client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .accesslog import EXCERPT_FORMAT, Excerpt, LogEntry, LogHead, Redacted, verify_excerpt
    from .base import DocumentStore
    from .cid import CID, compute_cid, digest_of, parse_cid
    from .custodian import KeyRequest, KeyServiceClient, SignedKeyRequest
    from .custody import CUSTODIAL_VERSION, custodian_of, open_custodial, seal_custodial, unwrap_key, wrap_key
    from .embedded import EmbeddedStore
    from .keys import document_key, fingerprint, load_public_key, public_key_hex, vault_key
    from .kubo import KuboStore
    from .sealing import VERSION as SEALED_VERSION
    from .sealing import recipients_of, seal, unseal
    from .vault import Erasure, KeyVault

_EXPORTS = {
    "CID": ".cid",
    "CUSTODIAL_VERSION": ".custody",
    "EXCERPT_FORMAT": ".accesslog",
    "SEALED_VERSION": ".sealing:VERSION",
    "SignedKeyRequest": ".custodian",
    "DocumentStore": ".base",
    "EmbeddedStore": ".embedded",
    "Erasure": ".vault",
    "Excerpt": ".accesslog",
    "KeyRequest": ".custodian",
    "KeyServiceClient": ".custodian",
    "KeyVault": ".vault",
    "KuboStore": ".kubo",
    "LogEntry": ".accesslog",
    "LogHead": ".accesslog",
    "Redacted": ".accesslog",
    "compute_cid": ".cid",
    "custodian_of": ".custody",
    "digest_of": ".cid",
    "document_key": ".keys",
    "fingerprint": ".keys",
    "load_public_key": ".keys",
    "open_custodial": ".custody",
    "parse_cid": ".cid",
    "public_key_hex": ".keys",
    "recipients_of": ".sealing",
    "seal": ".sealing",
    "seal_custodial": ".custody",
    "unseal": ".sealing",
    "unwrap_key": ".custody",
    "vault_key": ".keys",
    "verify_excerpt": ".accesslog",
    "wrap_key": ".custody",
}

__all__ = [
    "CID",
    "CUSTODIAL_VERSION",
    "EXCERPT_FORMAT",
    "SEALED_VERSION",
    "SignedKeyRequest",
    "DocumentStore",
    "EmbeddedStore",
    "Erasure",
    "Excerpt",
    "KeyRequest",
    "KeyServiceClient",
    "KeyVault",
    "KuboStore",
    "LogEntry",
    "LogHead",
    "Redacted",
    "compute_cid",
    "custodian_of",
    "digest_of",
    "document_key",
    "fingerprint",
    "load_public_key",
    "open_custodial",
    "parse_cid",
    "public_key_hex",
    "recipients_of",
    "seal",
    "seal_custodial",
    "unseal",
    "unwrap_key",
    "vault_key",
    "verify_excerpt",
    "wrap_key",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

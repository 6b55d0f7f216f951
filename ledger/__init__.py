"""The ledger client, in three layers, one folder each:

- `chain/`: a chain the ledger talks to (`Chain`: the embedded py-evm chain or a JSON-RPC node,
  `RpcChain`), and signing and sending transactions;
- `registry/`: typed operations on the consortium's registry and governance (the `Ledger` facade),
  records, consents, deployment, the event index;
- `workspace/`: one member's working directory (`Profile`): accounts, sessions, documents, watch,
  import and proof files.

The names below are imported on first use (see `lienchain._lazy`): importing one module of the
ledger does not import web3 and py-evm with all the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .chain.base import Chain
    from .chain.embedded import EmbeddedChain
    from .chain.rpc import RpcChain
    from .registry.consent import Consent, sign_consent
    from .registry.deployment import NO_SEALER, Deployment, deploy, verify_deployment
    from .registry.ledger import Ledger, LienTerms
    from .registry.records import Brand, Event, Lien, LienId, LienStatus, Proposal, Title, TitleStatus
    from .registry.vin import VIN, TokenId, normalize_vin, token_id
    from .workspace.accounts import DEFAULT_ACCOUNTS, AccountBook, AccountInfo
    from .workspace.documents import AnchorCheck, Documents, SealedDocument
    from .workspace.profile import Profile, default_profile_path

_EXPORTS = {
    "DEFAULT_ACCOUNTS": ".workspace.accounts",
    "NO_SEALER": ".registry.deployment",
    "AccountBook": ".workspace.accounts",
    "AccountInfo": ".workspace.accounts",
    "AnchorCheck": ".workspace.documents",
    "Brand": ".registry.records",
    "Chain": ".chain.base",
    "Consent": ".registry.consent",
    "Deployment": ".registry.deployment",
    "Documents": ".workspace.documents",
    "EmbeddedChain": ".chain.embedded",
    "Event": ".registry.records",
    "Ledger": ".registry.ledger",
    "Lien": ".registry.records",
    "LienId": ".registry.records",
    "LienStatus": ".registry.records",
    "LienTerms": ".registry.ledger",
    "Profile": ".workspace.profile",
    "Proposal": ".registry.records",
    "RpcChain": ".chain.rpc",
    "SealedDocument": ".workspace.documents",
    "Title": ".registry.records",
    "TitleStatus": ".registry.records",
    "TokenId": ".registry.vin",
    "VIN": ".registry.vin",
    "default_profile_path": ".workspace.profile",
    "deploy": ".registry.deployment",
    "normalize_vin": ".registry.vin",
    "sign_consent": ".registry.consent",
    "token_id": ".registry.vin",
    "verify_deployment": ".registry.deployment",
}

__all__ = [
    "DEFAULT_ACCOUNTS",
    "NO_SEALER",
    "AccountBook",
    "AccountInfo",
    "AnchorCheck",
    "Brand",
    "Chain",
    "Consent",
    "Deployment",
    "Documents",
    "EmbeddedChain",
    "Event",
    "Ledger",
    "Lien",
    "LienId",
    "LienStatus",
    "LienTerms",
    "Profile",
    "Proposal",
    "RpcChain",
    "SealedDocument",
    "Title",
    "TitleStatus",
    "TokenId",
    "VIN",
    "default_profile_path",
    "deploy",
    "normalize_vin",
    "sign_consent",
    "token_id",
    "verify_deployment",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

"""The ledger client, in three layers, one folder each:

- `chain/`: a chain the ledger talks to (`Chain`: the embedded py-evm chain or a JSON-RPC node,
  `RpcChain`), and signing and sending transactions;
- `registry/`: typed operations on the consortium's registry and governance (the `Ledger` facade),
  records, consents, deployment, the event index;
- `workspace/`: one member's working directory (`Profile`): accounts, sessions, documents, watch,
  import and proof files.
"""

from .workspace.accounts import DEFAULT_ACCOUNTS, AccountBook, AccountInfo
from .registry.consent import Consent, sign_consent
from .registry.deployment import NO_SEALER, Deployment, deploy, verify_deployment
from .workspace.documents import Documents, SealedDocument
from .chain.base import Chain
from .chain.embedded import EmbeddedChain
from .chain.rpc import RpcChain
from .registry.ledger import Ledger, LienTerms
from .workspace.profile import Profile, default_profile_path
from .registry.records import Event, Lien, LienId, LienStatus, Proposal, Title, TitleStatus
from .registry.vin import VIN, TokenId, normalize_vin, token_id

__all__ = [
    "DEFAULT_ACCOUNTS",
    "NO_SEALER",
    "AccountBook",
    "AccountInfo",
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

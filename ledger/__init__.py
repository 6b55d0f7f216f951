"""The ledger client: typed operations on the consortium's registry, over any web3 connection.

The embedded default chain (`EmbeddedChain`) persists an in-process EVM under a profile; the
same `Ledger` runs against a geth node.
"""

from .accounts import DEFAULT_ACCOUNTS, AccountBook, AccountInfo
from .consent import Consent, sign_consent
from .deployment import NO_SEALER, Deployment, deploy, verify_deployment
from .documents import Documents, SealedDocument
from .embedded import EmbeddedChain
from .ledger import Ledger, LienTerms
from .profile import Profile, default_profile_path
from .records import Event, Lien, LienId, LienStatus, Proposal, Title, TitleStatus
from .vin import VIN, TokenId, normalize_vin, token_id

__all__ = [
    "DEFAULT_ACCOUNTS",
    "NO_SEALER",
    "AccountBook",
    "AccountInfo",
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

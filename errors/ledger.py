"""The ledger's errors other than contract reverts: the chain connection, embedded chains,
transactions, deployments, consent files.
"""

from __future__ import annotations

import datetime as _dt

from dataclasses import dataclass

from .base import LienchainError

__all__ = [
    "LedgerError", "ChainIdMismatch", "InvalidConsentFile", "InvalidAuthorizationFile", "InvalidAcceptanceFile",
    "NotAuthorizer", "AuthorizationRequired", "NotAssignor", "InvalidPortfolioFile", "NotInDefault", "NotSeniorLienholder", "InsufficientFunds",
    "DeploymentNotFound", "DeploymentMismatch", "ChainNotFound", "ChainExists", "ChainBusy", "WrongChainId",
    "TransactionFailed", "TransactionNotMined", "UndecodableProposal", "DocumentErased"]


class LedgerError(LienchainError):
    """Raised when the chain refuses or fails an operation."""


@dataclass(eq=False)
class ChainIdMismatch(LedgerError):
    """Raised when the node's chain id differs from the deployment's."""

    expected: int
    actual: int
    template = (
        "the node serves chain id {actual}, but the deployment is on chain id {expected}: "
        "point the client at a node of the right network"
    )


class InvalidConsentFile(LedgerError, ValueError):
    """Raised when a consent file is unreadable, malformed, forged, or for other terms."""


class InvalidAuthorizationFile(LedgerError, ValueError):
    """Raised when an authorization file is unreadable, malformed, forged, or for other terms."""


class InvalidAcceptanceFile(LedgerError, ValueError):
    """Raised when an acceptance of an assignment or a subordination is unreadable, forged, or for other terms."""


class InvalidPortfolioFile(LedgerError, ValueError):
    """Raised when a file of liens to assign is unreadable or names a lien twice or none."""


@dataclass(eq=False)
class NotAssignor(LedgerError, PermissionError):
    """Raised when liens to assign or subordinate are not all active and held by the signing account."""

    account: str
    lien_id: int
    why: str
    template = "{account} cannot assign or subordinate lien {lien_id}: {why}"


@dataclass(eq=False)
class NotInDefault(LedgerError, ValueError):
    """Raised when a sale would be authorized of a title that is not repossessed."""

    vin: str
    template = "{vin} is not repossessed: only a title whose lien is in default is sold by its lienholder"


@dataclass(eq=False)
class NotSeniorLienholder(LedgerError, PermissionError):
    """Raised when an account that holds no active lien on a title would consent to a new one."""

    account: str
    vin: str
    template = "{account} holds no active lien on {vin}: only the holders of its active liens consent to a new one"


@dataclass(eq=False)
class NotAuthorizer(LedgerError, PermissionError):
    """Raised when an account that may not authorize a lien or a transfer on a title would."""

    account: str
    vin: str
    template = "{account} may not authorize this on {vin}: only its owner, or a registrar other than the sender"


@dataclass(eq=False)
class AuthorizationRequired(LedgerError, PermissionError):
    """Raised when a lien or a transfer is sent without its authorization."""

    vin: str
    template = "a lien or a transfer on {vin} needs the authorization of its owner or of a (second) registrar"


class InsufficientFunds(LedgerError):
    """Raised when the signing account cannot pay for the gas of a transaction."""


class DeploymentNotFound(LedgerError):
    """Raised when the profile or network holds no deployment record."""


@dataclass(eq=False)
class DeploymentMismatch(LedgerError):
    """Raised when the contracts on chain are not exactly the committed artifacts deployed with the
    agreed founding members, sealers and roles, as a deployment record claims."""

    what: str
    template = (
        "the deployment does not match what was agreed: {what}; do not use it: ask the deployer for "
        "the right record, or deploy again from the founders' manifest"
    )


@dataclass(eq=False)
class ChainNotFound(LedgerError, FileNotFoundError):
    """Raised when no embedded chain exists in the directory being opened."""

    path: str
    template = "no embedded chain in {path}"


@dataclass(eq=False)
class ChainExists(LedgerError, FileExistsError):
    """Raised when an embedded chain would be created over an existing one."""

    path: str
    template = "an embedded chain already exists in {path}: open it, or choose another directory"


@dataclass(eq=False)
class ChainBusy(LedgerError):
    """Raised when another process keeps an embedded chain open past the wait timeout."""

    path: str
    timeout: float
    template = (
        "the embedded chain in {path} is in use by another lienchain process (waited {timeout:g} s): "
        "wait for it to finish, or stop it"
    )


@dataclass(eq=False)
class WrongChainId(LedgerError, ValueError):
    """Raised when a transaction is signed for another chain id than the chain's (EIP-155)."""

    expected: int
    actual: int | None

    def __str__(self) -> str:
        signed = "without a chain id" if self.actual is None else f"for chain id {self.actual}"
        return (
            f"the transaction is signed {signed}, but this chain's id is {self.expected}: "
            f"sign it again with chainId {self.expected}"
        )


class TransactionFailed(LedgerError):
    """Raised when a transaction was mined but failed without a decodable reason."""


@dataclass(eq=False)
class TransactionNotMined(TransactionFailed):
    """Raised when a node accepted a transaction but no block took it within the wait."""

    what: str
    timeout: float
    template = "{what} was not mined within {timeout:.0f} s (it may still be): the chain may have stopped sealing"


@dataclass(eq=False)
class UndecodableProposal(LedgerError):
    """Raised when a member would vote for a proposal whose call lienchain cannot decode."""

    proposal_id: int
    template = (
        "proposal {proposal_id} makes a call lienchain cannot decode (to a contract other than the registry "
        "and governance, or a function or arguments they do not have): its effect is unknown"
    )


@dataclass(eq=False)
class DocumentErased(LedgerError, LookupError):
    """Raised when a document whose erasure is on record is read."""

    cid: str
    erased_at: int
    retention: str
    due_at: int

    def __str__(self) -> str:
        def day(unix: int) -> str:
            return _dt.datetime.fromtimestamp(unix, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

        return (f"document {self.cid} was erased at {day(self.erased_at)}: it was {self.retention}, and its retention "
                f"ran out at {day(self.due_at)}; its key is destroyed and no copy of it may be opened")

"""The ledger's errors other than contract reverts: the chain connection, embedded chains,
transactions, deployments, consent files.
"""

from __future__ import annotations

from .base import LienchainError

__all__ = [
    "LedgerError", "ChainIdMismatch", "InvalidConsentFile", "NotSeniorLienholder", "InsufficientFunds",
    "DeploymentNotFound", "DeploymentMismatch", "ChainNotFound", "ChainExists", "ChainBusy", "WrongChainId",
    "TransactionFailed",
]


class LedgerError(LienchainError):
    """Raised when the chain refuses or fails an operation."""


class ChainIdMismatch(LedgerError):
    """Raised when the node's chain id differs from the deployment's."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"the node serves chain id {actual}, but the deployment is on chain id {expected}: "
            "point the client at a node of the right network"
        )


class InvalidConsentFile(LedgerError, ValueError):
    """Raised when a consent file is unreadable, malformed, forged, or for other terms."""


class NotSeniorLienholder(LedgerError, PermissionError):
    """Raised when an account that holds no active lien on a title would consent to a new one."""


class InsufficientFunds(LedgerError):
    """Raised when the signing account cannot pay for the gas of a transaction."""


class DeploymentNotFound(LedgerError):
    """Raised when the profile or network holds no deployment record."""


class DeploymentMismatch(LedgerError):
    """Raised when the contracts on chain are not exactly the committed artifacts deployed with the
    agreed founding members, sealers and roles, as a deployment record claims."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"the deployment does not match what was agreed: {what}; do not use it: ask the deployer for "
            "the right record, or deploy again from the founders' manifest"
        )


class ChainNotFound(LedgerError, FileNotFoundError):
    """Raised when no embedded chain exists in the directory being opened."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"no embedded chain in {path}: create a profile with `lienchain init`, "
            "or point --profile / LIENCHAIN_HOME at an existing one"
        )


class ChainExists(LedgerError, FileExistsError):
    """Raised when an embedded chain would be created over an existing one."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"an embedded chain already exists in {path}: open it, or choose another directory")


class ChainBusy(LedgerError):
    """Raised when another process keeps an embedded chain open past the wait timeout."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        super().__init__(
            f"the embedded chain in {path} is in use by another lienchain process (waited {timeout:g} s): "
            "wait for it to finish, or stop it (e.g. a running `lienchain watch`)"
        )


class WrongChainId(LedgerError, ValueError):
    """Raised when a transaction is signed for another chain id than the chain's (EIP-155)."""

    def __init__(self, expected: int, actual: int | None) -> None:
        self.expected = expected
        self.actual = actual
        signed = "without a chain id" if actual is None else f"for chain id {actual}"
        super().__init__(
            f"the transaction is signed {signed}, but this chain's id is {expected}: "
            f"sign it again with chainId {expected}"
        )


class TransactionFailed(LedgerError):
    """Raised when a transaction was mined but failed without a decodable reason."""

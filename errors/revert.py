"""A contract's refusal, `ContractRevert`, and the kinds of refusal a caller catches; each custom
error of the contracts (errors/contract.py) is one of these kinds.
"""

from __future__ import annotations

from .ledger import LedgerError

__all__ = [
    "ContractRevert", "InvalidOperation", "CurrencyMismatch", "TitleFrozen", "LtvExceeded", "ValuationStale",
    "TitleAlreadyRegistered", "TitleNotActive", "TitleEncumbered", "ConsentRequired", "ConsentRejected",
    "AuthorizationRejected",
    "NotLienholder", "LienNotActive", "MissingRole", "NotMember", "GovernanceRefused", "TitleNotFound",
    "LienNotFound", "RetentionRefused", "DocumentNotRecorded"]


class ContractRevert(LedgerError):
    """Raised when a contract call reverts; subclasses name the custom error it reverted with.

    A decoded custom error carries its arguments twice: as attributes named after the ABI's inputs
    in snake case (`exc.token_id`), and in `fields` under the ABI's own names (`fields["tokenId"]`).
    """

    error_name = "unknown"

    def __init__(self, message: str, *, name: str | None = None, args: dict[str, object] | None = None) -> None:
        self.name = name or self.error_name
        self.fields = dict(args or {})
        for key, value in self.fields.items():
            setattr(self, _snake_case(key), value)
        super().__init__(message)


def _snake_case(name: str) -> str:
    """`tokenId` -> `token_id`, `ltvBps` -> `ltv_bps`: an ABI input's name as a Python attribute."""
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")


# The kinds of refusal: a caller catches these; each custom error is one of them.


class InvalidOperation(ContractRevert, ValueError):
    """Raised when the contract refuses an argument: a bad VIN, amount, maturity or owner."""


class CurrencyMismatch(ContractRevert, ValueError):
    """Raised when an amount or valuation is in another currency than the title's liens and valuations."""


class TitleFrozen(ContractRevert):
    """Raised when a title's liens exceed the loan-to-value threshold, so it takes no new lien."""


class LtvExceeded(ContractRevert):
    """Raised when a new lien would take a title over the loan-to-value threshold."""


class ValuationStale(ContractRevert):
    """Raised when a lien is asked on a title whose every valuation is older than the staleness window."""


class TitleAlreadyRegistered(ContractRevert):
    """Raised when a title is registered twice."""


class TitleNotActive(ContractRevert):
    """Raised when a stolen, salvage or cancelled title is liened, transferred or changed."""


class TitleEncumbered(ContractRevert):
    """Raised when a title with active liens would change hands."""


class ConsentRequired(ContractRevert, PermissionError):
    """Raised when a junior lien lacks the signed consent of a senior lienholder."""


class ConsentRejected(ContractRevert):
    """Raised when a consent is malformed, expired or already used."""


class AuthorizationRejected(ContractRevert, PermissionError):
    """Raised when a lien's or a transfer's authorization is missing, malformed, expired, used,
    or signed by someone who may not give it."""


class NotLienholder(ContractRevert, PermissionError):
    """Raised when someone other than the lienholder releases a lien."""


class LienNotActive(ContractRevert):
    """Raised when a released lien is released again."""


class MissingRole(ContractRevert, PermissionError):
    """Raised when the signing account lacks the role an operation needs."""


class NotMember(ContractRevert, PermissionError):
    """Raised when a non-member proposes or votes."""


class GovernanceRefused(ContractRevert):
    """Raised when governance refuses a proposal, vote or membership change."""


class TitleNotFound(ContractRevert, LookupError):
    """Raised when no title is registered for a VIN or token id."""


class LienNotFound(ContractRevert, LookupError):
    """Raised when no lien exists with the given id."""


class RetentionRefused(ContractRevert):
    """Raised when the document registry refuses a record, an erasure, an attestation or a log anchor."""


class DocumentNotRecorded(ContractRevert, LookupError):
    """Raised when no document with the given CID is recorded in the document registry."""

"""One exception class per custom error of the contracts' ABIs (TitleRegistry, Governance, ZkVerifier
and the OpenZeppelin errors they include), named as the error is, with its arguments as attributes.

Each is one of the kinds of refusal of errors/revert.py. A test builds the list of errors from the
compiled artifacts and fails on one without a class here.
"""

from __future__ import annotations

from .revert import (
    DocumentNotRecorded, RetentionRefused,
    AuthorizationRejected, ConsentRejected, ConsentRequired, ContractRevert, CurrencyMismatch, GovernanceRefused, InvalidOperation,
    LienNotActive, LienNotFound, LtvExceeded, MissingRole, NotLienholder, NotMember, TitleAlreadyRegistered,
    TitleEncumbered, TitleFrozen, TitleNotActive, TitleNotFound, ValuationStale,
)

__all__ = [
    "CUSTOM_ERRORS", "RegistryInvalidVIN", "RegistryInvalidOwner", "RegistryInvalidAmount",
    "RegistryInvalidMaturity", "RegistryTitleExists", "RegistryUnknownTitle", "RegistryTitleNotActive",
    "RegistryTitleCancelled", "RegistryStatusUnchanged", "RegistryTitleEncumbered", "RegistryCancellationNeedsVote",
    "RegistryDirectTransferDisabled", "RegistryUnknownLien", "RegistryLienNotActive", "RegistryLienNotLapsed",
    "RegistryEvidenceRequired", "RegistryTooManyLiens", "RegistryTooManyValuers", "RegistryNotLienholder",
    "RegistryConsentMissing", "RegistryConsentInvalid", "RegistryConsentExpired", "RegistryConsentUsed",
    "RegistryConsentUnexpected", "RegistryDocumentRequired", "RegistryAuthorizationInvalid", "RegistryAuthorizationExpired",
    "RegistryAuthorizationUsed", "RegistryNotAuthorized", "RegistryInvalidCurrency", "RegistryInvalidValuation", "RegistryCurrencyMismatch",
    "RegistryTitleFrozen", "RegistryLtvExceeded", "RegistryValuationStale", "RegistryInvalidSetting",
    "RegistrySettingUnchanged", "RegistryInvalidProof", "RegistryPrivateLienNotFirst", "RegistryValuationRequired",
    "RegistryProofOverdue", "RegistryLienUnacknowledged",
    "RegistryLienAcknowledged", "RegistryLienNotPrivate", "RegistryRevealNotAllowed", "RegistryInvalidOpening",
    "RegistryInvalidFoundingRole", "LifecycleDirectCall", "RegistryAcceptanceExpired", "RegistryAcceptanceUsed",
    "RegistryNotAccepted", "RegistryInvalidAssignee", "RegistryBatchMismatch", "RegistryNotSenior",
    "RegistryPrivateLienStaysFirst", "RegistryNotBorrower", "RegistryPayoffRecorded", "RegistryNoPayoff",
    "RegistryReleaseNotOverdue", "RegistrySameRegistrar", "RegistryRepossessionByDefault", "RegistryTitleRepossessed",
    "RegistryNotRepossessed", "RegistryNoticePeriodRunning", "RegistryInvalidPrice", "RegistryDisputeTooLate",
    "RegistryBrandPresent", "RegistryBrandAbsent", "RegistryBrandRemovalNeedsVote", "RegistryOdometerRollback",
    "AccessControlUnauthorizedAccount", "AccessControlBadConfirmation", "ERC721NonexistentToken",
    "ERC721IncorrectOwner", "ERC721InsufficientApproval", "ERC721InvalidApprover", "ERC721InvalidOperator",
    "ERC721InvalidOwner", "ERC721InvalidReceiver", "ERC721InvalidSender", "InvalidShortString",
    "StringTooLong", "GovernanceNotMember", "GovernanceAlreadyMember", "GovernanceLastMember", "GovernanceTooManyMembers",
    "GovernanceInvalidMembers", "GovernanceSealerTaken", "GovernanceBatchMismatch", "GovernanceInvalidTarget",
    "GovernanceUnknownProposal", "GovernanceAlreadyApproved", "GovernanceAlreadyExecuted",
    "GovernanceOnlySelf", "GovernanceCallFailed", "GovernanceNotVoter", "GovernanceProposalExpired",
    "GovernanceProposalCancelled", "GovernanceNotProposer",
    "GovernanceInvalidVotingPeriod", "GovernanceVotingPeriodUnchanged", "ZkPrecompileFailed",
    "DocumentsNotMember", "DocumentsNotGovernanceMember", "DocumentsOnlyGovernance", "DocumentsAlreadyRecorded",
    "DocumentsNotRecorded", "DocumentsNotAuthor", "DocumentsNotStepSubject", "DocumentsInvalidInput", "DocumentsInvalidSubject", "DocumentsBusinessEnded", "DocumentsBusinessOngoing",
    "DocumentsNotDue", "DocumentsAlreadyErased", "DocumentsNotErased", "DocumentsAlreadyAttested",
    "DocumentsInvalidPeriod", "DocumentsLogNotAdvanced",
]


# TitleRegistry


class RegistryInvalidVIN(InvalidOperation):
    """Raised when the registry is given a VIN that is not normalized."""

    vin: str


class RegistryInvalidOwner(InvalidOperation):
    """Raised when a title would be owned by an address that cannot own one (the zero address)."""

    owner: str


class RegistryInvalidAmount(InvalidOperation):
    """Raised when a public lien's amount is zero, or 2**40 minor units or more."""

    amount: int


class RegistryInvalidMaturity(InvalidOperation):
    """Raised when a lien's maturity is not in the future, or more than 30 years ahead."""

    maturity: int


class RegistryTitleExists(TitleAlreadyRegistered):
    """Raised when a title is registered for a VIN that already has one."""

    token_id: int


class RegistryUnknownTitle(TitleNotFound):
    """Raised when no title is registered under a token id."""

    token_id: int


class RegistryTitleNotActive(TitleNotActive):
    """Raised when a title that is not active is liened or transferred."""

    token_id: int
    status: int


class RegistryTitleCancelled(TitleNotActive):
    """Raised when a cancelled title would change."""

    token_id: int


class RegistryStatusUnchanged(TitleNotActive):
    """Raised when a title is given the status it already has."""

    token_id: int
    status: int


class RegistryTitleEncumbered(TitleEncumbered):
    """Raised when a title with active liens would change hands."""

    token_id: int
    active_liens: int


class RegistryCancellationNeedsVote(InvalidOperation):
    """Raised when a registrar cancels a title: a cancellation, never undone, takes a member vote."""

    token_id: int


class RegistryDirectTransferDisabled(InvalidOperation):
    """Raised when a title token is moved by an ERC-721 transfer instead of by a registrar."""


class RegistryUnknownLien(LienNotFound):
    """Raised when no lien has the given id."""

    lien_id: int


class RegistryLienNotActive(LienNotActive):
    """Raised when a released lien is released again."""

    lien_id: int


class RegistryLienNotLapsed(InvalidOperation):
    """Raised when a lien is marked lapsed before its maturity and the grace period after it passed."""

    lien_id: int
    lapses_at: int


class RegistryTooManyLiens(InvalidOperation):
    """Raised when a title already carries as many active liens as a title may."""

    token_id: int
    max: int


class RegistryTooManyValuers(InvalidOperation):
    """Raised when as many current oracles as a title keeps valuations of have valued it."""

    token_id: int
    max: int


class RegistryEvidenceRequired(InvalidOperation):
    """Raised when governance would release a lien without the CID of its evidence document."""

    lien_id: int


class RegistryNotLienholder(NotLienholder):
    """Raised when an account other than the lienholder releases a lien."""

    lien_id: int
    caller: str
    lienholder: str


class RegistryConsentMissing(ConsentRequired):
    """Raised when a new lien lacks the consent of one of the title's active lienholders."""

    token_id: int
    senior_lienholder: str


class RegistryConsentInvalid(ConsentRejected):
    """Raised when a consent's signature is malformed."""

    index: int


class RegistryConsentExpired(ConsentRejected):
    """Raised when a consent is used after its deadline."""

    index: int
    deadline: int


class RegistryConsentUsed(ConsentRejected):
    """Raised when a consent is used a second time."""

    digest: str


class RegistryConsentUnexpected(ConsentRejected):
    """Raised when a consent's signer holds no other active lien on the title (or signed other terms)."""

    index: int
    signer: str


class RegistryDocumentRequired(InvalidOperation):
    """Raised when a step that anchors a document is sent without one (an empty CID)."""


class RegistryAuthorizationInvalid(AuthorizationRejected):
    """Raised when an authorization carries no valid signature."""


class RegistryAuthorizationExpired(AuthorizationRejected):
    """Raised when an authorization is used after its deadline."""

    deadline: int


class RegistryAuthorizationUsed(AuthorizationRejected):
    """Raised when an authorization is used a second time."""

    digest: str


class RegistryNotAuthorized(AuthorizationRejected):
    """Raised when an authorization's signer may not authorize the lien or transfer (or signed other terms)."""

    token_id: int
    signer: str


class RegistryInvalidCurrency(InvalidOperation):
    """Raised when a currency is not three capital letters A-Z."""

    currency: str


class RegistryInvalidValuation(InvalidOperation):
    """Raised when a valuation is zero or 2**40 or more, in the future, or older than the oracle's last."""

    token_id: int
    value: int
    valued_at: int


class RegistryCurrencyMismatch(CurrencyMismatch):
    """Raised when an amount or valuation is in another currency than the title's."""

    token_id: int
    expected: str
    actual: str


class RegistryTitleFrozen(TitleFrozen):
    """Raised when a frozen title (over the loan-to-value threshold) is asked for a new lien."""

    token_id: int
    ltv_bps: int
    threshold_bps: int


class RegistryLtvExceeded(LtvExceeded):
    """Raised when a new lien would take a title over the loan-to-value threshold."""

    token_id: int
    ltv_bps: int
    threshold_bps: int


class RegistryValuationStale(ValuationStale):
    """Raised when a title whose every valuation is stale is asked for a new lien."""

    token_id: int
    latest_valued_at: int


class RegistryInvalidSetting(InvalidOperation):
    """Raised when a consortium setting (threshold, window) is given a value out of range."""

    value: int


class RegistrySettingUnchanged(InvalidOperation):
    """Raised when a consortium setting (threshold, window) is given the value it already has."""

    value: int


class RegistryInvalidProof(InvalidOperation):
    """Raised when the registry's verifier refuses a private lien's proof."""

    token_id: int


class RegistryPrivateLienNotFirst(InvalidOperation):
    """Raised when a private lien is asked on a title that has active liens."""

    token_id: int
    active_liens: int


class RegistryValuationRequired(ValuationStale):
    """Raised when a private amount is proved against a title without a fresh valuation."""

    token_id: int


class RegistryProofOverdue(TitleFrozen):
    """Raised when a title whose private lien missed its proof deadline is asked for a new lien."""

    token_id: int
    lien_id: int
    deadline: int


class RegistryLienUnacknowledged(TitleFrozen):
    """Raised when a title whose private lien no auditor acknowledged in time is asked for a new lien."""

    token_id: int
    lien_id: int
    deadline: int


class RegistryLienAcknowledged(InvalidOperation):
    """Raised when a private lien is acknowledged a second time."""

    lien_id: int


class RegistryLienNotPrivate(InvalidOperation):
    """Raised when a public lien is treated as a private one (its commitment, a proof)."""

    lien_id: int


class RegistryRevealNotAllowed(NotLienholder):
    """Raised when neither a private lien's holder nor, once its proof is overdue, an auditor reveals it."""

    lien_id: int
    caller: str


class RegistryInvalidOpening(InvalidOperation):
    """Raised when an amount and blinding factor do not open a private lien's commitment."""

    lien_id: int


class RegistryInvalidFoundingRole(InvalidOperation):
    """Raised when the registry's constructor is given a founding role that is not a registry role."""

    index: int
    account: str
    role: str


class RegistryBrandPresent(InvalidOperation):
    """Raised when a title is branded with a brand it carries already."""

    token_id: int
    brand: int


class RegistryBrandAbsent(InvalidOperation):
    """Raised when a brand a title does not carry would be removed from it."""

    token_id: int
    brand: int


class RegistryBrandRemovalNeedsVote(InvalidOperation, PermissionError):
    """Raised when anyone but governance removes a brand: a brand is removed only by member vote."""

    token_id: int
    brand: int


class RegistryOdometerRollback(InvalidOperation):
    """Raised when an odometer reading is below the title's last one and the title is not branded ODOMETER-NOT-ACTUAL."""

    token_id: int
    last: int
    km: int


class LifecycleDirectCall(InvalidOperation):
    """Raised when the registry's lifecycle module is called at its own address, not the registry's."""


class RegistryAcceptanceExpired(AuthorizationRejected):
    """Raised when an assignment's or a subordination's acceptance is past its deadline."""

    deadline: int


class RegistryAcceptanceUsed(AuthorizationRejected):
    """Raised when an acceptance was already used for this lien."""

    lien_id: int
    digest: bytes


class RegistryNotAccepted(AuthorizationRejected):
    """Raised when an acceptance is not the assignee's or the junior holder's, or does not cover the lien."""

    lien_id: int
    signer: str


class RegistryInvalidAssignee(InvalidOperation):
    """Raised when a lien would be assigned to its holder or to an account without the LENDER role."""

    assignee: str


class RegistryBatchMismatch(InvalidOperation):
    """Raised when a batch's lists are empty or differ in length."""


class RegistryNotSenior(InvalidOperation):
    """Raised when a lien would subordinate itself to one that is not a junior active lien on its title."""

    lien_id: int
    behind_lien_id: int


class RegistryPrivateLienStaysFirst(InvalidOperation):
    """Raised when a private lien would rank behind another: it must be revealed first."""

    lien_id: int


class RegistryNotBorrower(NotLienholder):
    """Raised when someone but the title's owner or a registrar would record a lien's payoff."""

    lien_id: int
    caller: str


class RegistryPayoffRecorded(InvalidOperation):
    """Raised when a lien's payoff is recorded twice."""

    lien_id: int
    paid_off_at: int


class RegistryNoPayoff(InvalidOperation):
    """Raised when a payoff is disputed or relied on but none is recorded."""

    lien_id: int


class RegistryReleaseNotOverdue(InvalidOperation):
    """Raised when a registrar would release a paid-off lien before the release deadline and its grace period."""

    lien_id: int
    releasable_at: int


class RegistrySameRegistrar(NotLienholder):
    """Raised when the registrar that recorded a payoff would also release the lien on it."""

    lien_id: int
    registrar: str


class RegistryRepossessionByDefault(TitleNotActive):
    """Raised when a status change would set or lift repossession, which only a default, redemption or disposition do."""

    token_id: int


class RegistryTitleRepossessed(TitleNotActive):
    """Raised when a lien would be declared in default on a title already repossessed."""

    token_id: int
    lien_id: int


class RegistryNotRepossessed(TitleNotActive):
    """Raised when a title that is not repossessed would be disposed of."""

    token_id: int


class RegistryNoticePeriodRunning(InvalidOperation):
    """Raised when a title would be disposed of before the notice period after the default ends."""

    token_id: int
    ends_at: int


class RegistryDisputeTooLate(InvalidOperation):
    """Raised when a payoff would be disputed after its release deadline."""

    lien_id: int
    release_due: int


class RegistryInvalidPrice(InvalidOperation):
    """Raised when a sale price is zero, or 2**40 minor units or more."""

    price: int


class AccessControlUnauthorizedAccount(MissingRole):
    """Raised when the signing account lacks the role an operation needs (OpenZeppelin)."""

    account: str
    needed_role: str


class AccessControlBadConfirmation(InvalidOperation):
    """Raised when a role is renounced for another account than the caller (OpenZeppelin)."""


class ERC721NonexistentToken(TitleNotFound):
    """Raised when an ERC-721 read names a token id no title has (OpenZeppelin)."""

    token_id: int


class ERC721IncorrectOwner(InvalidOperation):
    """Raised when an ERC-721 transfer names another owner than the token's (OpenZeppelin)."""

    sender: str
    token_id: int
    owner: str


class ERC721InsufficientApproval(InvalidOperation):
    """Raised when an ERC-721 transfer is made by an account not approved for the token (OpenZeppelin)."""

    operator: str
    token_id: int


class ERC721InvalidApprover(InvalidOperation):
    """Raised when an ERC-721 approval comes from an account that may not approve (OpenZeppelin)."""

    approver: str


class ERC721InvalidOperator(InvalidOperation):
    """Raised when an ERC-721 operator approval names an invalid operator (OpenZeppelin)."""

    operator: str


class ERC721InvalidOwner(InvalidOperation):
    """Raised when an ERC-721 read or mint names an invalid owner, such as the zero address (OpenZeppelin)."""

    owner: str


class ERC721InvalidReceiver(InvalidOperation):
    """Raised when an ERC-721 token would go to an invalid receiver (OpenZeppelin)."""

    receiver: str


class ERC721InvalidSender(InvalidOperation):
    """Raised when an ERC-721 transfer comes from an invalid sender (OpenZeppelin)."""

    sender: str


class InvalidShortString(InvalidOperation):
    """Raised when a short string in the registry's EIP-712 domain is malformed (OpenZeppelin)."""


class StringTooLong(InvalidOperation):
    """Raised when the registry's EIP-712 name or version is too long for a short string (OpenZeppelin)."""

    str: str


# Governance


class GovernanceNotMember(NotMember):
    """Raised when a non-member proposes, votes or executes."""

    account: str


class GovernanceAlreadyMember(GovernanceRefused):
    """Raised when a member would be added again."""

    account: str


class GovernanceLastMember(GovernanceRefused):
    """Raised when the last member would be removed."""

    account: str


class GovernanceTooManyMembers(GovernanceRefused):
    """Raised when a member would be added to a consortium that has the most members it may have."""

    max: int


class GovernanceInvalidMembers(GovernanceRefused):
    """Raised when the founding members are not distinct non-zero addresses, each with one sealer."""


class GovernanceSealerTaken(GovernanceRefused):
    """Raised when a member is given a sealer address another member already has."""

    sealer: str
    member: str


class GovernanceBatchMismatch(GovernanceRefused):
    """Raised when a batch proposal has not one calldata per target."""

    targets: int
    calls: int


class GovernanceInvalidTarget(GovernanceRefused):
    """Raised when a proposal's target is not a contract."""

    target: str


class GovernanceUnknownProposal(GovernanceRefused):
    """Raised when no proposal has the given id."""

    proposal_id: int


class GovernanceAlreadyApproved(GovernanceRefused):
    """Raised when a member votes twice for a proposal."""

    proposal_id: int
    member: str


class GovernanceAlreadyExecuted(GovernanceRefused):
    """Raised when an executed proposal is voted for or executed again."""

    proposal_id: int


class GovernanceOnlySelf(GovernanceRefused):
    """Raised when a membership change is called directly instead of through a proposal."""

    caller: str


class GovernanceCallFailed(GovernanceRefused):
    """Raised when a proposal reached a majority but its call reverted; `cause` is that revert, typed."""

    proposal_id: int
    reason: str  # the call's raw revert data, hex
    cause: ContractRevert


class GovernanceNotVoter(GovernanceRefused):
    """Raised when a member admitted after a proposal was made votes on it."""

    proposal_id: int
    member: str


class GovernanceProposalExpired(GovernanceRefused):
    """Raised when a proposal is voted for after its voting period."""

    proposal_id: int
    deadline: int


class GovernanceProposalCancelled(GovernanceRefused):
    """Raised when a cancelled proposal is voted for or cancelled again."""

    proposal_id: int


class GovernanceNotProposer(GovernanceRefused, PermissionError):
    """Raised when anyone but its proposer cancels a proposal."""

    proposal_id: int
    caller: str
    proposer: str


class GovernanceInvalidVotingPeriod(InvalidOperation):
    """Raised when a voting period outside 1 to 365 days is proposed."""

    period: int


class GovernanceVotingPeriodUnchanged(InvalidOperation):
    """Raised when the voting period is given the value it already has."""

    period: int


# ZkVerifier


class ZkPrecompileFailed(ContractRevert):
    """Raised when an elliptic-curve precompile refuses the verifier's input (a point off the curve)."""


# DocumentRegistry


class DocumentsNotMember(MissingRole):
    """Raised when an account that holds no registry role records a document."""

    account: str


class DocumentsNotGovernanceMember(NotMember):
    """Raised when an account that is not a member attests an erasure or anchors an access log."""

    account: str


class DocumentsOnlyGovernance(GovernanceRefused):
    """Raised when a retention setting is changed other than by a member vote."""

    account: str


class DocumentsAlreadyRecorded(RetentionRefused):
    """Raised when a CID that is already recorded is recorded again."""

    cid: str
    author: str


class DocumentsNotAuthor(RetentionRefused, PermissionError):
    """Raised when an account records a document another account's step anchored, or attaches one it may not."""

    cid: str
    author: str


class DocumentsNotStepSubject(RetentionRefused):
    """Raised when a document a step anchored is recorded about another title or lien than the step's."""

    cid: str
    token_id: int
    lien_id: int


class DocumentsNotRecorded(DocumentNotRecorded):
    """Raised when a CID the document registry is asked about was never recorded."""

    cid: str


class DocumentsInvalidInput(InvalidOperation):
    """Raised when a CID is empty or over 100 bytes, or a batch is empty or over 100."""


class DocumentsInvalidSubject(InvalidOperation):
    """Raised when a document is recorded about a title that does not exist, or a lien not on it."""

    token_id: int
    lien_id: int


class DocumentsBusinessEnded(RetentionRefused):
    """Raised when a document no step anchored is attached to a lien that ended or a title that was cancelled."""

    cid: str
    ended_at: int


class DocumentsBusinessOngoing(RetentionRefused):
    """Raised when a document is erased while the business it is about goes on."""

    cid: str


class DocumentsNotDue(RetentionRefused):
    """Raised when a document is erased before its retention period has run out."""

    cid: str
    due_at: int


class DocumentsAlreadyErased(RetentionRefused):
    """Raised when a document already erased is erased again."""

    cid: str
    erased_at: int


class DocumentsNotErased(RetentionRefused):
    """Raised when a member attests the erasure of a document that was not erased."""

    cid: str


class DocumentsAlreadyAttested(RetentionRefused):
    """Raised when a member attests the same erasure twice."""

    cid: str
    member: str


class DocumentsInvalidPeriod(InvalidOperation):
    """Raised when a retention period or the access-log interval is out of range."""

    value: int


class DocumentsLogNotAdvanced(RetentionRefused):
    """Raised when an access-log head anchored covers no more entries than the last one."""

    count: int
    anchored: int


#: The exception class of each contract custom error, by the error's name: every class of this module.
CUSTOM_ERRORS: dict[str, type[ContractRevert]] = {
    name: value for name, value in list(globals().items())
    if isinstance(value, type) and issubclass(value, ContractRevert) and value.__module__ == __name__
}

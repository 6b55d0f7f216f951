"""The one exception tree of lienchain.

Every error lienchain raises on purpose derives from `LienchainError`, with one subtree per layer.
Messages are built from structured fields and say what went wrong; which command or flag mends it
is the CLI's to say (cli/advice.py, by exception class), printed after the message on one line.
"""

from __future__ import annotations


class LienchainError(Exception):
    """Root of every error lienchain raises on purpose."""


# --- configuration: profiles, accounts, keystores --------------------------------------------


class ConfigError(LienchainError):
    """Raised when a profile, account or setting is missing or invalid."""


class ProfileNotFound(ConfigError, FileNotFoundError):
    """Raised when no profile exists at the requested location."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"no lienchain profile at {path}")


class ProfileExists(ConfigError, FileExistsError):
    """Raised when `init` would overwrite an existing profile."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"a profile already exists at {path}")


class NotAProfileDirectory(ConfigError, FileExistsError):
    """Raised when `init` is pointed at a file, or at a directory that holds files but no profile."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} exists and is not a lienchain profile: choose a new or empty directory with --profile")


class UnknownAccount(ConfigError, KeyError):
    """Raised when an account name is not in the profile."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"no account named {name!r} in this profile: use one of {', '.join(known) or '(none)'}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class ForeignAccount(ConfigError, PermissionError):
    """Raised when signing as another organisation's account, whose key this directory does not hold."""

    def __init__(self, name: str, own: list[str]) -> None:
        super().__init__(
            f"{name!r} is another member's account: this directory holds the keys of {', '.join(own) or 'nobody'} "
            f"only; run the command on {name}'s own machine"
        )
        self.name = name


class NoSigningAccount(ConfigError):
    """Raised when an operation that signs is asked of a ledger opened without an account."""

    def __init__(self) -> None:
        super().__init__("this operation needs a signing account")


class BadPassphrase(ConfigError):
    """Raised when a keystore cannot be decrypted with the given passphrase."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"wrong passphrase for account {name!r}: set LIENCHAIN_PASSWORD to the profile's passphrase"
        )


class InvalidRole(LienchainError, ValueError):
    """Raised when a role name is not one of the registry's roles."""

    def __init__(self, role: str, known: tuple[str, ...]) -> None:
        self.role = role
        super().__init__(f"unknown role {role!r}: use one of {', '.join(known)}")


class OutputError(LienchainError, OSError):
    """Raised when lienchain cannot write a file the user asked for or the profile needs."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"cannot write {path}: {reason}; check that its directory exists and is writable")

    def __str__(self) -> str:  # OSError would otherwise format its own way
        return str(self.args[0])


class InvalidCurrency(LienchainError, ValueError):
    """Raised when a currency is not a three-letter ISO 4217 code."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        super().__init__(f"currency {currency!r} is not a three-letter ISO 4217 code such as EUR or USD")


class ImportRejected(LienchainError, ValueError):
    """Raised when rows of an import file are invalid; nothing was written. `problems` lists each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(f"{source}: {len(problems)} bad row(s), nothing imported: {shown}")
        self.problems = problems


class InvalidVIN(LienchainError, ValueError):
    """Raised when a vehicle identification number is malformed."""

    def __init__(self, vin: str, reason: str) -> None:
        self.vin = vin
        self.reason = reason
        super().__init__(f"invalid VIN {vin!r}: {reason}")


# --- ledger: chain connection, transactions, contract reverts --------------------------------


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


# The kinds of refusal: a caller catches these; each custom error below is one of them.


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


# One class per custom error of the contracts' ABIs (TitleRegistry, Governance, ZkVerifier and the
# OpenZeppelin errors they include), named as the error is, with its arguments as attributes. A test
# builds the list of errors from the compiled artifacts and fails on one without a class here.

# TitleRegistry


class RegistryInvalidVIN(InvalidOperation):
    """Raised when the registry is given a VIN that is not normalized."""

    vin: str


class RegistryInvalidOwner(InvalidOperation):
    """Raised when a title would be owned by an address that cannot own one (the zero address)."""

    owner: str


class RegistryInvalidAmount(InvalidOperation):
    """Raised when a lien's amount is zero."""


class RegistryInvalidMaturity(InvalidOperation):
    """Raised when a lien's maturity is not in the future."""

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


class RegistryDirectTransferDisabled(InvalidOperation):
    """Raised when a title token is moved by an ERC-721 transfer instead of by a registrar."""


class RegistryUnknownLien(LienNotFound):
    """Raised when no lien has the given id."""

    lien_id: int


class RegistryLienNotActive(LienNotActive):
    """Raised when a released lien is released again."""

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


class RegistryInvalidValuation(InvalidOperation):
    """Raised when a valuation is zero, dated in the future, or older than the oracle's previous one."""

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


class RegistryLienNotPrivate(InvalidOperation):
    """Raised when a public lien is treated as a private one (its commitment, a proof)."""

    lien_id: int


class RegistryInvalidFoundingRole(InvalidOperation):
    """Raised when the registry's constructor is given a founding role that is not a registry role."""

    index: int
    account: str
    role: str


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


class GovernanceNoMajority(GovernanceRefused):
    """Raised when a proposal without a majority of the current members' approvals is executed."""

    proposal_id: int
    approvals: int
    needed: int


# ZkVerifier


class ZkPrecompileFailed(ContractRevert):
    """Raised when an elliptic-curve precompile refuses the verifier's input (a point off the curve)."""


#: The exception class of each contract custom error, by the error's name.
CUSTOM_ERRORS: dict[str, type[ContractRevert]] = {
    cls.__name__: cls
    for cls in (
        RegistryInvalidVIN, RegistryInvalidOwner, RegistryInvalidAmount, RegistryInvalidMaturity,
        RegistryTitleExists, RegistryUnknownTitle, RegistryTitleNotActive, RegistryTitleCancelled,
        RegistryStatusUnchanged, RegistryTitleEncumbered, RegistryDirectTransferDisabled, RegistryUnknownLien,
        RegistryLienNotActive, RegistryNotLienholder, RegistryConsentMissing, RegistryConsentInvalid,
        RegistryConsentExpired, RegistryConsentUsed, RegistryConsentUnexpected, RegistryInvalidValuation,
        RegistryCurrencyMismatch, RegistryTitleFrozen, RegistryLtvExceeded, RegistryValuationStale,
        RegistryInvalidSetting, RegistryInvalidProof, RegistryPrivateLienNotFirst, RegistryValuationRequired,
        RegistryProofOverdue, RegistryLienNotPrivate, RegistryInvalidFoundingRole,
        AccessControlUnauthorizedAccount, AccessControlBadConfirmation,
        ERC721NonexistentToken, ERC721IncorrectOwner, ERC721InsufficientApproval, ERC721InvalidApprover,
        ERC721InvalidOperator, ERC721InvalidOwner, ERC721InvalidReceiver, ERC721InvalidSender,
        InvalidShortString, StringTooLong,
        GovernanceNotMember, GovernanceAlreadyMember, GovernanceLastMember, GovernanceInvalidMembers,
        GovernanceSealerTaken, GovernanceBatchMismatch, GovernanceInvalidTarget, GovernanceUnknownProposal,
        GovernanceAlreadyApproved, GovernanceAlreadyExecuted, GovernanceOnlySelf, GovernanceCallFailed,
        GovernanceNoMajority,
        ZkPrecompileFailed,
    )
}


# --- storage: document store, sealing --------------------------------------------------------


class StorageError(LienchainError):
    """Raised when a document cannot be stored, found, opened or verified."""


class DocumentNotFound(StorageError, LookupError):
    """Raised when the store holds no document with the requested CID."""

    def __init__(self, cid: str) -> None:
        self.cid = cid
        super().__init__(f"no document with CID {cid} in the store: check the CID, or fetch it from a member")


class CIDMismatch(StorageError):
    """Raised when stored bytes do not hash to the CID they are filed under (tampering)."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"document {expected} is corrupt or tampered with: its bytes hash to {actual}; "
            "fetch it again from another member's store"
        )


class InvalidCID(StorageError, ValueError):
    """Raised when a string is not a CID lienchain understands."""


class NotARecipient(StorageError, PermissionError):
    """Raised when a sealed document was not sealed for the reader's key."""


class SealError(StorageError):
    """Raised when a sealed envelope is malformed or fails authentication."""


class NoRecipients(StorageError, ValueError):
    """Raised when a document would be sealed for no one, so no one could ever open it."""

    def __init__(self) -> None:
        super().__init__("a document must be sealed for at least one reader: name the accounts that may open it")


class InvalidDocumentKey(StorageError, ValueError):
    """Raised when a document key, or the account key it derives from, is malformed or unusable."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid document key: {reason}")


# --- zero-knowledge proofs -------------------------------------------------------------------


class ProofError(LienchainError):
    """Raised when a proof cannot be built, parsed or checked."""


class NoFreshValuation(ProofError):
    """Raised when a private amount would be proved against a title that has no fresh valuation."""

    def __init__(self, subject: str, *, stale: bool) -> None:
        self.subject = subject
        self.stale = stale
        state = "only stale valuations" if stale else "no valuation"
        super().__init__(f"{subject} has {state} to prove an amount against: an oracle must value it first")


class InvalidProof(ProofError):
    """Raised when a proof does not verify against its statement."""


# --- consortium networks ---------------------------------------------------------------------


class NetworkError(LienchainError):
    """Raised when a consortium network or one of its nodes cannot be set up or reached."""


class NetworkNotFound(NetworkError, FileNotFoundError):
    """Raised when no network directory of that name exists."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(f"no network {name!r} at {path}")
        self.name = name

    def __str__(self) -> str:  # OSError would otherwise format its own way
        return str(self.args[0])


class NetworkExists(NetworkError, FileExistsError):
    """Raised when `network init` would overwrite an existing network."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(f"network {name!r} already exists at {path}: choose another name, or remove it first")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownMember(NetworkError, KeyError):
    """Raised when a member name is not one of the network's members."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no member {name!r} in this network: choose one of {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class BinaryNotFound(NetworkError):
    """Raised when geth or Kubo of the required version is neither cached, on PATH, nor buildable."""


class NodeUnreachable(NetworkError):
    """Raised when a member's geth or Kubo node does not answer on its endpoint."""


class NodeFailed(NetworkError):
    """Raised when a node process exits or does not become ready in time."""


class PortInUse(NetworkError):
    """Raised when a port a node needs is taken by another process."""


class InvalidCard(NetworkError, ValueError):
    """Raised when a member card is malformed, or its signature does not verify (it was changed)."""


class InvalidManifest(NetworkError, ValueError):
    """Raised when a network manifest is malformed, was changed, or does not fit the member's node."""

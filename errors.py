"""The one exception tree of lienchain.

Every error lienchain raises on purpose derives from `LienchainError`, with one subtree per layer.
Messages are built from structured fields and end with what the user can do about it; the CLI
prints `str(error)` as a one-line reason and exits 1.
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
        super().__init__(
            f"no lienchain profile at {path}: run `lienchain init` first, "
            "or point --profile / LIENCHAIN_HOME at an existing one"
        )


class ProfileExists(ConfigError, FileExistsError):
    """Raised when `init` would overwrite an existing profile."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"a profile already exists at {path}: choose another --profile")


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
        super().__init__(
            f"no account named {name!r} in this profile: use one of {', '.join(known) or '(none)'}"
            " or create it with `lienchain account new`"
        )

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
    """Raised when a contract call reverts; subclasses name the custom error it reverted with."""

    error_name = "unknown"

    def __init__(self, message: str, *, name: str | None = None, args: dict[str, object] | None = None) -> None:
        self.name = name or self.error_name
        self.fields = dict(args or {})
        super().__init__(message)


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


class InvalidProof(ProofError):
    """Raised when a proof does not verify against its statement."""


# --- consortium networks ---------------------------------------------------------------------


class NetworkError(LienchainError):
    """Raised when a consortium network or one of its nodes cannot be set up or reached."""


class NetworkNotFound(NetworkError, FileNotFoundError):
    """Raised when no network directory of that name exists."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(f"no network {name!r} at {path}: create it with `lienchain network init {name} --members ...`")
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

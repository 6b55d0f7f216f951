"""Configuration and input errors: profiles, accounts, keystores, and values given by the user
(roles, currencies, VINs, import rows, files to write).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LienchainError

__all__ = [
    "ConfigError", "ProfileNotFound", "ProfileExists", "NotAProfileDirectory", "UnknownAccount",
    "ForeignAccount", "NoSigningAccount", "BadPassphrase", "ArtifactNotFound", "AlreadyDeployed", "InvalidRole",
    "OutputError", "InvalidCurrency", "ImportRejected", "InvalidVIN", "LenientOnlyVIN", "UnknownCustodian",
]


class ConfigError(LienchainError):
    """Raised when a profile, account or setting is missing or invalid."""


@dataclass(eq=False)
class ProfileNotFound(ConfigError, FileNotFoundError):
    """Raised when no profile exists at the requested location."""

    path: str
    template = "no lienchain profile at {path}"


@dataclass(eq=False)
class ProfileExists(ConfigError, FileExistsError):
    """Raised when `init` would overwrite an existing profile."""

    path: str
    template = "a profile already exists at {path}"


@dataclass(eq=False)
class NotAProfileDirectory(ConfigError, FileExistsError):
    """Raised when `init` is pointed at a file, or at a directory that holds files but no profile."""

    path: str
    template = "{path} exists and is not a lienchain profile"


@dataclass(eq=False)
class UnknownAccount(ConfigError, KeyError):
    """Raised when an account name is not in the profile."""

    name: str
    known: list[str]

    def __str__(self) -> str:
        return f"no account named {self.name!r} in this profile: use one of {', '.join(self.known) or '(none)'}"


@dataclass(eq=False)
class ForeignAccount(ConfigError, PermissionError):
    """Raised when signing as another organisation's account, whose key this directory does not hold."""

    name: str
    own: list[str]

    def __str__(self) -> str:
        return (
            f"{self.name!r} is another member's account: this directory holds the keys of "
            f"{', '.join(self.own) or 'nobody'} only; run the command on {self.name}'s own machine"
        )


class NoSigningAccount(ConfigError):
    """Raised when an operation that signs is asked of a ledger opened without an account."""

    template = "this operation needs a signing account"


@dataclass(eq=False)
class BadPassphrase(ConfigError):
    """Raised when a keystore cannot be decrypted with the given passphrase."""

    name: str
    template = "wrong passphrase for account {name!r}"


@dataclass(eq=False)
class ArtifactNotFound(ConfigError, FileNotFoundError):
    """Raised when a contract's compiled artifact is missing from contracts/artifacts."""

    path: str
    template = "no compiled artifact {path}"


@dataclass(eq=False)
class AlreadyDeployed(ConfigError):
    """Raised when the contracts would be deployed for a profile that has a deployment already."""

    path: str
    registry: str
    template = "the contracts of {path} are already deployed (registry {registry})"


@dataclass(eq=False)
class InvalidRole(LienchainError, ValueError):
    """Raised when a role name is not one of the registry's roles."""

    role: str
    known: tuple[str, ...]

    def __str__(self) -> str:
        return f"unknown role {self.role!r}: use one of {', '.join(self.known)}"


@dataclass(eq=False)
class OutputError(LienchainError, OSError):
    """Raised when lienchain cannot write a file the user asked for or the profile needs."""

    path: str
    reason: str
    template = "cannot write {path}: {reason}; check that its directory exists and is writable"


@dataclass(eq=False)
class InvalidCurrency(LienchainError, ValueError):
    """Raised when a currency is not a three-letter ISO 4217 code."""

    currency: str
    template = "currency {currency!r} is not a three-letter ISO 4217 code such as EUR or USD"


@dataclass(eq=False)
class ImportRejected(LienchainError, ValueError):
    """Raised when rows of an import file are invalid; nothing was written. `problems` lists each."""

    source: str
    problems: list[str]

    def __str__(self) -> str:
        more = f"; and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        shown = "; ".join(self.problems[:5]) + more
        return f"{self.source}: {len(self.problems)} bad row(s), nothing imported: {shown}"


@dataclass(eq=False)
class InvalidVIN(LienchainError, ValueError):
    """Raised when a vehicle identification number is malformed."""

    vin: str
    reason: str
    template = "invalid VIN {vin!r}: {reason}"


class LenientOnlyVIN(InvalidVIN):
    """Raised when a VIN breaks a North American rule (check digit, model year) that lenient mode waives."""


@dataclass(eq=False)
class UnknownCustodian(ConfigError, KeyError):
    """Raised when a document's custodian is not a member whose key service the profile knows."""

    custodian: str
    known: list[str]

    def __str__(self) -> str:
        return (f"the document's custodian {self.custodian} is not a member whose key service this profile knows "
                f"(it knows {', '.join(self.known) or 'none'}): join the network again with its latest manifest")

"""Configuration and input errors: profiles, accounts, keystores, and values given by the user
(roles, currencies, VINs, import rows, files to write).
"""

from __future__ import annotations

from .base import LienchainError

__all__ = [
    "ConfigError", "ProfileNotFound", "ProfileExists", "NotAProfileDirectory", "UnknownAccount",
    "ForeignAccount", "NoSigningAccount", "BadPassphrase", "InvalidRole", "OutputError", "InvalidCurrency",
    "ImportRejected", "InvalidVIN",
]


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

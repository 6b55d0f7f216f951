"""Named accounts of a profile, each key in an encrypted keystore (Web3 Secret Storage).

A private key is never written in the clear: `accounts.json` lists only names, addresses and
public document keys; each key lives in `keystore/NAME.json`, encrypted with scrypt and the
profile's passphrase. The same key also derives the account's X25519 document key, so one
keystore protects both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ...errors import BadPassphrase, ConfigError, ForeignAccount, UnknownAccount
from ...files import write_atomic

#: The accounts `lienchain init` creates, with the founding registry role each receives at deployment.
DEFAULT_ACCOUNTS = {
    "registrar": "REGISTRAR",
    "registrar-b": "REGISTRAR",
    "lender-a": "LENDER",
    "lender-b": "LENDER",
    "oracle": "ORACLE",
    "oracle-b": "ORACLE",
    "auditor": "AUDITOR",
}
#: Accounts of `DEFAULT_ACCOUNTS` that are second keys of an organisation, not members of their
#: own: a transfer takes the owner's or a second registrar's authorization, and a value more than
#: one oracle's valuation. They hold their role and vote through their organisation's first key.
SECOND_KEYS = frozenset({"registrar-b", "oracle-b"})

# scrypt work factors: the standard one, and geth's --lightkdf one for throwaway profiles (demo, tests).
_SCRYPT_N = 2**18
_LIGHT_SCRYPT_N = 2**12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

Passphrase = Callable[[], str]
#: Other organisations' public account facts in a member's directory (see `AccountBook.set_contacts`).
CONTACTS_FILE = "contacts.json"


def _read_infos(path: Path) -> list[AccountInfo]:
    try:
        entries = json.loads(path.read_text()) if path.exists() else []
        return [AccountInfo(**entry) for entry in entries]
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path} is unreadable ({exc}): restore it from a backup") from None


@dataclass(frozen=True)
class AccountInfo:
    """The public facts of a named account."""

    name: str
    address: str
    document_key: str

    def to_dict(self) -> dict[str, str]:
        """Returns the record as JSON-ready data."""
        return {"name": self.name, "address": self.address, "document_key": self.document_key}


def encrypt_key(key: bytes, passphrase: str, *, light_kdf: bool = False) -> dict[str, object]:
    """Returns a private key as a Web3 Secret Storage keystore (scrypt), as geth reads them.

    Args:
        key: The 32-byte private key.
        passphrase: The passphrase that encrypts it.
        light_kdf: A weak scrypt work factor, like geth's --lightkdf (throwaway keys only).
    """
    keystore: dict[str, object] = Account.encrypt(
        key, passphrase, kdf="scrypt", iterations=_LIGHT_SCRYPT_N if light_kdf else _SCRYPT_N
    )
    return keystore


class AccountBook:
    """The named accounts of one profile directory."""

    def __init__(self, root: Path, passphrase: Passphrase) -> None:
        """Opens the accounts under `root`.

        Args:
            root: The profile directory (holds accounts.json and keystore/).
            passphrase: Called once, when a key is first needed, for the profile's passphrase.
        """
        self.root = root
        self._passphrase_source = passphrase
        self._passphrase: str | None = None
        self._unlocked: dict[str, LocalAccount] = {}
        self._accounts: list[AccountInfo] | None = None  # accounts.json and contacts.json, read once
        self._contacts: set[str] = set()

    @property
    def _index(self) -> Path:
        return self.root / "accounts.json"

    @property
    def _contacts_file(self) -> Path:
        return self.root / CONTACTS_FILE

    def list(self) -> list[AccountInfo]:
        """Returns every account, in creation order, then the contacts (see `set_contacts`).

        Raises:
            ConfigError: If accounts.json or contacts.json is unreadable.
        """
        if self._accounts is None:
            own = _read_infos(self._index)
            contacts = [c for c in _read_infos(self._contacts_file) if c.name not in {a.name for a in own}]
            self._contacts = {c.name for c in contacts}
            self._accounts = own + contacts
        return list(self._accounts)

    def set_contacts(self, contacts: Sequence[AccountInfo]) -> None:
        """Records other organisations' public account facts (no keys): documents are sealed for
        them and their names resolve, but nothing can be signed as them here.

        Raises:
            OutputError: If the file cannot be written.
        """
        write_atomic(self._contacts_file, (json.dumps([c.to_dict() for c in contacts], indent=2) + "\n").encode())
        self._accounts = None

    def get(self, name: str) -> AccountInfo:
        """Returns a named account.

        Raises:
            UnknownAccount: If the profile has no account of that name.
        """
        for info in self.list():
            if info.name == name:
                return info
        raise UnknownAccount(name, [a.name for a in self.list()])

    def resolve(self, name_or_address: str) -> str:
        """Returns the checksum address of an account name or of a literal address.

        Raises:
            UnknownAccount: If it is neither an address nor an account name.
        """
        if Web3.is_address(name_or_address):
            return str(Web3.to_checksum_address(name_or_address))
        return self.get(name_or_address).address

    def name_of(self, address: str) -> str | None:
        """Returns the name of the account with this address, if it is one of the profile's."""
        for info in self.list():
            if info.address.lower() == address.lower():
                return info.name
        return None

    def create(self, name: str, *, light_kdf: bool = False) -> LocalAccount:
        """Creates an account with a fresh key, stored encrypted.

        Args:
            name: Lower-case letters, digits, '.', '_' or '-'.
            light_kdf: Encrypt with a weak scrypt work factor (throwaway profiles only).

        Returns:
            The unlocked account.

        Raises:
            ConfigError: If the name is invalid or taken.
            BadPassphrase: If the passphrase is not the one of the profile's other keystores.
        """
        from ...storage import document_key, public_key_hex  # here: only a new key needs the cryptography package

        if not _NAME.match(name):
            raise ConfigError(f"account name {name!r} is invalid: use lower-case letters, digits, '.', '_' or '-'")
        existing = [a for a in self.list() if a.name not in self._contacts]
        if any(a.name == name for a in self.list()):
            raise ConfigError(f"an account named {name!r} already exists: choose another name")
        if existing:
            # Every keystore of a profile shares its passphrase: prove this one is it, or the new
            # key would be locked away under a typo.
            self.unlock(existing[0].name)
        account: LocalAccount = Account.create()
        keystore = encrypt_key(bytes(account.key), self._get_passphrase(), light_kdf=light_kdf)
        (self.root / "keystore").mkdir(mode=0o700, exist_ok=True)
        write_atomic(self.root / "keystore" / f"{name}.json", json.dumps(keystore).encode(), mode=0o600)
        info = AccountInfo(name, str(account.address), public_key_hex(document_key(bytes(account.key)).public_key()))
        write_atomic(self._index, (json.dumps([a.to_dict() for a in [*existing, info]], indent=2) + "\n").encode())
        self._accounts = None
        self._unlocked[name] = account
        return account

    def unlock(self, name: str) -> LocalAccount:
        """Decrypts a named account's key (once per process).

        Raises:
            UnknownAccount: If there is no such account.
            ConfigError: If its keystore file is missing or unreadable.
            BadPassphrase: If the passphrase does not decrypt its keystore.
        """
        if name in self._unlocked:
            return self._unlocked[name]
        self.get(name)
        if name in self._contacts:
            own = [a.name for a in self.list() if a.name not in self._contacts]
            raise ForeignAccount(name, own)
        path = self.root / "keystore" / f"{name}.json"
        try:
            keystore = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"the keystore of {name!r} ({path}) is unreadable ({exc}): restore it from a backup") from None
        try:
            key = Account.decrypt(keystore, self._get_passphrase())
        except ValueError:
            raise BadPassphrase(name) from None
        account: LocalAccount = Account.from_key(key)
        self._unlocked[name] = account
        return account

    def adopt(self, other: AccountBook) -> None:
        """Takes over the keys another book of the same directory has unlocked (after a rename)."""
        self._unlocked.update(other._unlocked)
        self._passphrase = self._passphrase or other._passphrase

    def _get_passphrase(self) -> str:
        if self._passphrase is None:
            self._passphrase = self._passphrase_source()
        return self._passphrase

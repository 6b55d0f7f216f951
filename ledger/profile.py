"""Profiles: a directory holding one member's view of a consortium.

An embedded profile holds everything needed with no daemon running: the persisted chain (chain/),
the deployment record, the document store (store/), and the named accounts (accounts.json and
encrypted keystores). Every CLI command opens one profile.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web3 import Web3

from ..errors import ConfigError, ProfileExists, ProfileNotFound
from ..storage import EmbeddedStore
from .accounts import DEFAULT_ACCOUNTS, AccountBook, AccountInfo, Passphrase
from .deployment import Deployment, deploy
from .documents import Documents
from .embedded import EmbeddedChain
from .ledger import Ledger
from .session import Session

PROFILE_FILE = "profile.json"
DEPLOYMENT_FILE = "deployment.json"
_FORMAT = 1
_FUNDING = Web3.to_wei(1_000_000, "ether")  # gas money on a private chain: plenty, and worthless
# One writer at a time and no network to protect: blocks as large as the biggest batch needs
# (a lien grant uses about 200,000 gas; 500M takes a batch of over 2,000).
_GAS_LIMIT = 500_000_000


def default_profile_path() -> Path:
    """Returns $LIENCHAIN_HOME, or ~/.lienchain/default."""
    env = os.environ.get("LIENCHAIN_HOME")
    return Path(env) if env else Path.home() / ".lienchain" / "default"


class Profile:
    """An opened profile directory."""

    def __init__(self, path: Path, *, passphrase: Passphrase) -> None:
        """Opens an existing profile (the chain itself opens on first use).

        Args:
            path: The profile directory.
            passphrase: Called when a key is first needed, for the profile's passphrase.

        Raises:
            ProfileNotFound: If `path` holds no profile.
            ConfigError: If its profile file is unreadable or of another format.
        """
        self.path = Path(path)
        try:
            self.config: dict[str, Any] = json.loads((self.path / PROFILE_FILE).read_text())
        except FileNotFoundError:
            raise ProfileNotFound(str(self.path)) from None
        except ValueError as exc:
            raise ConfigError(f"{self.path / PROFILE_FILE} is not valid JSON ({exc}): restore it from a backup") from None
        if self.config.get("format") != _FORMAT:
            raise ConfigError(f"{self.path} is a profile of format {self.config.get('format')}, expected {_FORMAT}")
        self.accounts = AccountBook(self.path, passphrase)
        self._chain: EmbeddedChain | None = None
        self._ledger: Ledger | None = None

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        passphrase: Passphrase,
        light_kdf: bool = False,
        currency: str = "USD",
        deploy_contracts: bool = True,
        progress: Callable[[str], None] = lambda _: None,
    ) -> Profile:
        """Creates an embedded profile: accounts, chain, contracts, and roles granted by member vote.

        It is built in a temporary directory beside `path` and renamed into place at the end, so a
        failure leaves nothing behind.

        Args:
            path: The new profile directory; must not exist.
            passphrase: The source of the passphrase that encrypts the keystores.
            light_kdf: Weak keystore encryption, for throwaway profiles (demo, tests).
            currency: The default currency of lien amounts.
            deploy_contracts: Deploy the contracts and grant the roles (else `deploy` does it later).
            progress: Called with a line for each step.

        Returns:
            The opened profile.

        Raises:
            ProfileExists: If `path` exists.
        """
        path = Path(path)
        if path.exists():
            raise ProfileExists(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
        try:
            book = AccountBook(tmp, passphrase)
            accounts = {name: book.create(name, light_kdf=light_kdf) for name in DEFAULT_ACCOUNTS}
            progress(f"created accounts {', '.join(accounts)} (keys encrypted in keystore/)")
            chain_id = 1_000_000 + secrets.randbelow(2**31 - 1_000_000)
            chain = EmbeddedChain.create(
                tmp / "chain", chain_id=chain_id, alloc={a.address: _FUNDING for a in accounts.values()},
                gas_limit=_GAS_LIMIT,
            )
            try:
                if deploy_contracts:
                    _deploy(chain, book, tmp / DEPLOYMENT_FILE, progress)
            finally:
                chain.close()
            config = {"format": _FORMAT, "engine": "embedded", "chain_id": chain_id, "currency": currency,
                      "created": int(time.time())}
            (tmp / PROFILE_FILE).write_text(json.dumps(config, indent=2) + "\n")
            os.rename(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        profile = cls(path, passphrase=passphrase)
        profile.accounts.adopt(book)
        return profile

    def create_account(self, name: str) -> AccountInfo:
        """Creates a named account and funds it with gas money from the first account.

        It holds no role until the members vote one to it.

        Raises:
            ConfigError: If the name is invalid or taken.
            BadPassphrase: If the passphrase is not the profile's.
        """
        account = self.accounts.create(name)
        funder = self.ledger(self.accounts.list()[0].name)
        funder.send_value(str(account.address), _FUNDING // 100)
        return self.accounts.get(name)

    def deploy(self, progress: Callable[[str], None] = lambda _: None) -> Deployment:
        """Deploys the contracts into a profile created without them, and grants the roles.

        Raises:
            ConfigError: If the profile already has a deployment.
        """
        target = self.path / DEPLOYMENT_FILE
        if target.exists():
            raise ConfigError(
                f"the contracts of {self.path} are already deployed (registry {self.deployment.registry}): "
                "create a new profile with `lienchain init` for a new register"
            )
        return _deploy(self.chain(), self.accounts, target, progress)

    @property
    def currency(self) -> str:
        """Returns the profile's default currency."""
        return str(self.config.get("currency", "USD"))

    @property
    def deployment(self) -> Deployment:
        """Returns the deployment record."""
        return Deployment.load(self.path / DEPLOYMENT_FILE)

    def chain(self) -> EmbeddedChain:
        """Opens the embedded chain (once), holding its lock until `close`."""
        if self._chain is None:
            self._chain = EmbeddedChain.open(self.path / "chain")
        return self._chain

    def ledger(self, account: str | None = None) -> Ledger:
        """Returns the ledger, signing as the named account if one is given.

        Raises:
            UnknownAccount, BadPassphrase: If the account cannot be unlocked.
        """
        if self._ledger is None:
            chain = self.chain()
            self._ledger = Ledger(chain.w3, self.deployment, engine=chain)
        if account is None:
            return self._ledger
        return self._ledger.as_account(self.accounts.unlock(account))

    def session(self, account: str) -> Session:
        """Returns the named account's session: its ledger and the profile's documents.

        Raises:
            UnknownAccount, BadPassphrase: If the account cannot be unlocked.
        """
        return Session(self.ledger(account), self.documents(), self.accounts, account)

    def documents(self) -> Documents:
        """Returns the profile's sealed document store."""
        return Documents(EmbeddedStore(self.path / "store"), self.accounts)

    def close(self) -> None:
        """Closes the chain and releases its lock."""
        if self._chain is not None:
            self._chain.close()
            self._chain = None
            self._ledger = None

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _deploy(chain: EmbeddedChain, book: AccountBook, target: Path, progress: Callable[[str], None]) -> Deployment:
    """Deploys with every account of the book as a founding member, then grants the default roles."""
    accounts = {info.name: book.unlock(info.name) for info in book.list()}
    deployment = deploy(chain.w3, next(iter(accounts.values())), [str(a.address) for a in accounts.values()])
    progress(f"deployed governance {deployment.governance} and registry {deployment.registry}")
    _grant_default_roles(Ledger(chain.w3, deployment, engine=chain), accounts)
    progress("granted " + ", ".join(f"{r} to {n}" for n, r in DEFAULT_ACCOUNTS.items()) + " by member vote")
    deployment.save(target)
    return deployment


def _grant_default_roles(ledger: Ledger, accounts: dict[str, Any]) -> None:
    # Three rounds of one block each: the registrar proposes every grant, then two more members
    # approve them all, which makes a majority of the five founding members.
    proposer = ledger.as_account(accounts["registrar"])
    ids = [proposer.propose_role(role, accounts[name].address) for name, role in DEFAULT_ACCOUNTS.items()]
    voters = [n for n in DEFAULT_ACCOUNTS if n != "registrar"][: len(DEFAULT_ACCOUNTS) // 2]
    for name in voters:
        ledger.as_account(accounts[name]).approve_many(ids)
    missing = [n for n, r in DEFAULT_ACCOUNTS.items() if not ledger.has_role(r, accounts[n].address)]
    if missing:
        raise ConfigError(f"governance did not grant the roles of {', '.join(missing)}: this is a bug, please report it")

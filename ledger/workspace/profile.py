"""Profiles: a directory holding one member's view of a consortium.

An embedded profile holds everything needed with no daemon running: the persisted chain (chain/),
the deployment record, the document store (store/), and the named accounts (accounts.json and
encrypted keystores). A network profile (engine "geth", written by `lienchain network init`) holds
the accounts and deployment record, and each member's geth and Kubo endpoints instead: an account
named after a member talks to that member's nodes. Every CLI command opens one profile.
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
from typing import TYPE_CHECKING, Any

from web3 import Web3

from ...errors import (
    AlreadyDeployed, ConfigError, NodeUnreachable, NotAProfileDirectory, ProfileExists, ProfileNotFound,
)
from .accounts import DEFAULT_ACCOUNTS, SECOND_KEYS, AccountBook, AccountInfo, Passphrase
from ..registry.deployment import NO_SEALER, Deployment, deploy
from ..chain.base import Chain
from ..chain.embedded import EmbeddedChain
from ..registry.ledger import Ledger
from ..chain.rpc import RpcChain, answers

if TYPE_CHECKING:  # documents and sessions are imported where they are opened: reads need neither
    from ...storage import DocumentStore
    from ...storage.vault import KeyVault
    from .custody import Custody
    from .documents import Documents
    from .session import Session

PROFILE_FILE = "profile.json"
DEPLOYMENT_FILE = "deployment.json"
INDEX_FILE = "index.sqlite"  # the local event index (see ledger/index.py); rebuilt if deleted
_FORMAT = 1
#: Gas money each founding account starts with on a private chain: plenty, and worthless.
FUNDING = Web3.to_wei(1_000_000, "ether")
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
        self.endpoints = _validate(self.path, self.config)
        self.accounts = AccountBook(self.path, passphrase)
        self._chain: EmbeddedChain | None = None
        self._ledgers: dict[str | None, Ledger] = {}  # by the member node they talk to
        self._any_node: str | None = None  # the member node that serves accounts of no member
        self._custody: Custody | None = None
        self._vault: KeyVault | None = None  # the member's key service's, opened by `vault`

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
        """Creates an embedded profile: accounts, chain, and contracts deployed with the founding roles.

        It is built in a temporary directory beside `path` and renamed into place at the end, so a
        failure leaves nothing behind.

        Args:
            path: The new profile directory; it must not exist, or be empty.
            passphrase: The source of the passphrase that encrypts the keystores.
            light_kdf: Weak keystore encryption, for throwaway profiles (demo, tests).
            currency: The default currency of lien amounts.
            deploy_contracts: Deploy the contracts with the founding roles (else `deploy` does it later).
            progress: Called with a line for each step.

        Returns:
            The opened profile.

        Raises:
            ProfileExists: If `path` holds a profile.
            NotAProfileDirectory: If `path` is a file, or a directory that holds other files.
        """
        path = Path(path)
        if (path / PROFILE_FILE).exists():
            raise ProfileExists(str(path))
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise NotAProfileDirectory(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
        try:
            book = AccountBook(tmp, passphrase)
            accounts = {name: book.create(name, light_kdf=light_kdf) for name in DEFAULT_ACCOUNTS}
            progress(f"created accounts {', '.join(accounts)} (keys encrypted in keystore/)")
            chain_id = 1_000_000 + secrets.randbelow(2**31 - 1_000_000)
            chain = EmbeddedChain.create(
                tmp / "chain", chain_id=chain_id, alloc={a.address: FUNDING for a in accounts.values()},
                gas_limit=_GAS_LIMIT,
            )
            try:
                if deploy_contracts:
                    roles = {n: [r] for n, r in DEFAULT_ACCOUNTS.items()}
                    _deploy(chain.w3, book, tmp / DEPLOYMENT_FILE, roles, {}, progress)
            finally:
                chain.close()
            config = {"format": _FORMAT, "engine": "embedded", "chain_id": chain_id, "currency": currency,
                      "created": int(time.time())}
            (tmp / PROFILE_FILE).write_text(json.dumps(config, indent=2) + "\n")
            os.rename(tmp, path)  # POSIX rename replaces an empty directory; a non-empty one refuses
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
        funder.send_value(str(account.address), FUNDING // 100)
        return self.accounts.get(name)

    def deploy(
        self,
        roles: dict[str, list[str]] | None = None,
        progress: Callable[[str], None] = lambda _: None,
        *,
        sealers: dict[str, str] | None = None,
    ) -> Deployment:
        """Deploys the contracts with every account (but the second keys, `SECOND_KEYS`) as a
        founding member and the founding roles
        fixed in the registry's constructor (no vote is cast).

        Args:
            roles: The founding roles, by account name [default: those of `DEFAULT_ACCOUNTS`].
            progress: Called with a line for each step.
            sealers: Each member's Clique sealer address, by account name [default: none; an
                account not named runs no sealer, as on the embedded chain].

        Raises:
            AlreadyDeployed: If the profile already has a deployment.
        """
        target = self.path / DEPLOYMENT_FILE
        if target.exists():
            raise AlreadyDeployed(str(self.path), self.load_deployment().registry)
        w3 = self._connect(self.accounts.list()[0].name).w3
        roles = roles if roles is not None else {n: [r] for n, r in DEFAULT_ACCOUNTS.items()}
        return _deploy(w3, self.accounts, target, roles, sealers or {}, progress)

    @property
    def engine_name(self) -> str:
        """Returns "embedded" or "geth"."""
        return str(self.config.get("engine", "embedded"))

    @property
    def network_name(self) -> str:
        """Returns the name of the network a network profile belongs to (its directory's, if unnamed)."""
        return str(self.config.get("network", self.path.name))

    @property
    def currency(self) -> str:
        """Returns the profile's default currency."""
        return str(self.config.get("currency", "USD"))

    def load_deployment(self) -> Deployment:
        """Reads the deployment record from the profile.

        Raises:
            DeploymentNotFound: If the profile holds no deployment record.
        """
        return Deployment.load(self.path / DEPLOYMENT_FILE)

    def chain(self) -> EmbeddedChain:
        """Opens the embedded chain (once), holding its lock until `close`.

        Raises:
            ConfigError: If the profile is a network's (its chain runs in the members' geth nodes).
        """
        if self.engine_name != "embedded":
            raise ConfigError(f"{self.path} is the profile of a network: its chain is in the members' geth nodes")
        if self._chain is None:
            self._chain = EmbeddedChain.open(self.path / "chain")
        return self._chain

    def ledger(self, account: str | None = None, *, via: str | None = None) -> Ledger:
        """Returns the ledger, signing as the named account if one is given.

        On a network, the ledger talks to the node of the member named by `via`, else by the
        account, else to the first member node that answers.

        Raises:
            UnknownAccount, BadPassphrase: If the account cannot be unlocked.
            NodeUnreachable: If the node to talk to does not answer.
            ChainIdMismatch: If it serves another chain than the profile's.
        """
        node = self._node_for(via or account)
        ledger = self._ledgers.get(node)
        if ledger is None:
            ledger = Ledger(self._connect(node), self.load_deployment(), index_path=self.path / INDEX_FILE)
            self._ledgers[node] = ledger
        if account is None:
            return ledger
        return ledger.as_account(self.accounts.unlock(account))

    def _node_for(self, account: str | None) -> str | None:
        """Returns the member whose nodes serve an account: its namesake, or the first that answers."""
        if not self.endpoints:
            return None
        if account in self.endpoints:
            return account
        if self._any_node is None:  # probed once: every call of a command then uses the same node
            self._any_node = next((m for m, urls in self.endpoints.items() if answers(urls["rpc"])), None)
        if self._any_node is not None:
            return self._any_node
        raise NodeUnreachable(f"no member node of {self.network_name} answers", network=self.network_name)

    def connect(self, account: str | None = None) -> Web3:
        """Returns a connection to the chain (see `ledger` for which node), checking its chain id.

        Raises:
            NodeUnreachable: If the node does not answer.
            ChainIdMismatch: If it serves another chain than the profile's.
        """
        return self._connect(account).w3

    def _connect(self, account: str | None) -> Chain:
        """Returns the chain: the embedded one, or the member node serving `account`."""
        node = self._node_for(account)
        if node is None:
            return self.chain()
        return RpcChain.connect(self.endpoints[node]["rpc"], chain_id=int(self.config["chain_id"]), member=node,
                                network=self.network_name)

    def session(self, account: str) -> Session:
        """Returns the named account's session: its ledger and the profile's documents.

        Raises:
            UnknownAccount, BadPassphrase: If the account cannot be unlocked.
        """
        from .session import Session

        return Session(self.ledger(account), self.documents(account), self.accounts, account,
                       custodian=self.config.get("member"))

    def documents(self, account: str | None = None) -> Documents:
        """Returns the profile's sealed document store, with the custody of transient documents'
        keys and the deployment's document registry (see `Documents`).

        On a network, that is the Kubo node of the member serving `account` (see `ledger`), which
        pins every document it stores on the other members' nodes too.
        """
        from .documents import Documents

        ledger = self.ledger(via=account) if (self.path / DEPLOYMENT_FILE).exists() else None
        retention = ledger.retention if ledger is not None and ledger.deployment.documents else None
        return Documents(self.store(account), self.accounts, custody=self.custody(), retention=retention)

    def custody(self) -> Custody:
        """Returns where transient documents' keys are kept: the members' key services on a
        network, the profile's own vaults in the embedded sandbox (see `LocalCustody`)."""
        from .custody import LocalCustody, RemoteCustody

        if self._custody is None:
            if self.engine_name == "embedded":
                self._custody = LocalCustody(self.path, self.accounts, self._refusal,
                                             lambda address: self.ledger().retention.holds_role(address))
            else:
                self._custody = RemoteCustody(dict(self.config.get("custodians", {})), self.accounts,
                                              chain_id=int(self.config["chain_id"]))
        return self._custody

    def vault(self, custodian: str) -> KeyVault:
        """Opens a custodian's key vault, whose log `doc access-log` reads: on a network the member's
        own key service's (this directory's), in the sandbox the named account's.

        Raises:
            UnknownAccount, BadPassphrase: If the custodian's account cannot be unlocked.
            ConfigError: If a network profile is asked for another member's vault.
        """
        from ...storage.keys import vault_key
        from ...storage.vault import KeyVault
        from .custody import LocalCustody

        custody = self.custody()
        if isinstance(custody, LocalCustody):
            return custody.vault(custodian)
        member = self.config.get("member")
        if custodian != member:
            raise ConfigError(f"{self.path} is the directory of {member}: it holds {member}'s access log, "
                              f"not {custodian}'s; ask {custodian} for an excerpt")
        if self._vault is None:
            self._vault = KeyVault(self.path / "keys" / "vault.sqlite", vault_key(bytes(self.accounts.unlock(custodian).key)))
        return self._vault

    def _refusal(self, reader: str, cid: str) -> str | None:
        return self.ledger().retention.refusal(cid, reader)

    def store(self, account: str | None = None) -> DocumentStore:
        """Returns the profile's raw document store (see `documents`)."""
        from ...storage import EmbeddedStore, KuboStore

        node = self._node_for(account)
        if node is None:
            return EmbeddedStore(self.path / "store")
        others = [urls["ipfs"] for member, urls in self.endpoints.items() if member != node]
        return KuboStore(self.endpoints[node]["ipfs"], replicas=others)

    def close(self) -> None:
        """Closes the event index and the chain, releasing its lock."""
        for ledger in self._ledgers.values():
            ledger.close()
        self._ledgers = {}
        if self._custody is not None:
            self._custody.close()
            self._custody = None
        if self._vault is not None:
            self._vault.close()
            self._vault = None
        if self._chain is not None:
            self._chain.close()
            self._chain = None

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _deploy(
    w3: Web3,
    book: AccountBook,
    target: Path,
    roles: dict[str, list[str]],
    sealers: dict[str, str],
    progress: Callable[[str], None],
) -> Deployment:
    """Deploys with every account of the book but the second keys as a founding member and
    `roles` as founding roles."""
    infos = book.list()
    names = [info.name for info in infos]
    members = [n for n in names if n not in SECOND_KEYS]
    unknown = [n for n in [*roles, *sealers] if n not in names]
    if unknown:
        raise ConfigError(f"founding roles or sealers name {unknown[0]!r}, which is no account of the profile")
    address = {info.name: str(info.address) for info in infos}
    grants = [(name, role) for name, rs in roles.items() for role in rs]
    deployment = deploy(
        w3,
        book.unlock(members[0]),
        [address[n] for n in members],
        [sealers.get(n, NO_SEALER) for n in members],
        [(address[n], role) for n, role in grants],
    )
    progress(f"deployed governance {deployment.governance} and registry {deployment.registry}")
    if grants:
        progress("founding roles " + ", ".join(f"{r} to {n}" for n, r in grants) + " (fixed at deployment)")
    deployment.save(target)
    return deployment


def _validate(path: Path, config: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Checks a profile file and returns its member endpoints (none for an embedded profile).

    Raises:
        ConfigError: If the engine, chain id or an endpoint is missing or malformed.
    """
    where = path / PROFILE_FILE
    engine = config.get("engine", "embedded")
    if not isinstance(config.get("chain_id"), int) or config["chain_id"] <= 0:
        raise ConfigError(f"{where} has no valid chain_id: restore it from a backup")
    if engine == "embedded":
        return {}
    if engine != "geth":
        raise ConfigError(f"{where} names engine {engine!r}: lienchain knows 'embedded' and 'geth'")
    members = config.get("members")
    if not isinstance(members, dict) or not members:
        raise ConfigError(f"{where} lists no members: a network profile needs each member's rpc and ipfs endpoints")
    for name, urls in members.items():
        for key in ("rpc", "ipfs"):
            url = urls.get(key) if isinstance(urls, dict) else None
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise ConfigError(f"{where}: member {name} has no valid {key} endpoint (an http:// URL): fix it")
    return {str(n): {"rpc": u["rpc"], "ipfs": u["ipfs"]} for n, u in members.items()}

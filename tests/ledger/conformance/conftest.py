"""The ledger's conformance suite: every test here runs on every chain backend.

`backend` is parametrized over the embedded chain and a real geth node, and used by every test of
this folder (autouse), as web3.py runs `EthModuleTest` against geth and eth-tester alike. Each test
gets a fresh deployment with the embedded profile's five founding members and roles: on the
embedded chain a copy of the template profile, on geth a new deployment on the session's node
(sealing on demand). The geth tests are marked `network` (see tests/ledger/conftest.py).

A collection check (tests/ledger/conftest.py) refuses a test that does not run on every backend,
so the two halves always hold the same tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from web3.types import RPCEndpoint

from lienchain.ledger import AccountBook, AccountInfo, Deployment, Documents, Ledger
from lienchain.ledger.chain.base import Chain
from lienchain.ledger.chain.embedded import EmbeddedChain
from lienchain.ledger.chain.rpc import RpcChain
from lienchain.ledger.workspace.profile import DEPLOYMENT_FILE, FUNDING, INDEX_FILE
from lienchain.ledger.workspace.session import Session
from lienchain.storage import EmbeddedStore

from ...conftest import PASSPHRASE
from ..conftest import BACKENDS
from ..geth_node import GethNode, deploy_founders
from ..reorg import adopt_embedded, copy_embedded, reorg_geth


class Backend:
    """One backend's deployment, seen as a profile shows it: ledgers by account, sessions with a
    document store, accounts created and funded, one event index file."""

    def __init__(self, name: str, chain: Chain, deployment: Deployment, accounts: AccountBook, root: Path,
                 node: GethNode | None = None) -> None:
        self.name = name
        self.chain = chain
        self.deployment = deployment
        self.accounts = accounts
        self.root = root
        self.node = node
        self._reader: Ledger | None = None

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_FILE

    def ledger(self, account: str | None = None) -> Ledger:
        """A ledger reading through the event index, signing as `account` if one is named."""
        if self._reader is None:
            self._reader = Ledger(self.chain, self.deployment, index_path=self.index_path)
        return self._reader if account is None else self._reader.as_account(self.accounts.unlock(account))

    def session(self, account: str) -> Session:
        return Session(self.ledger(account), Documents(EmbeddedStore(self.root / "store"), self.accounts),
                       self.accounts, account)

    def create_account(self, name: str) -> AccountInfo:
        """Creates an account with no role, funded with gas money by the first account (as
        `Profile.create_account` does)."""
        account = self.accounts.create(name, light_kdf=True)
        self.ledger(self.accounts.list()[0].name).send_value(str(account.address), FUNDING // 100)
        return self.accounts.get(name)

    def pad(self, blocks: int) -> None:
        """Adds `blocks` blocks without registry events: empty ones on the embedded chain, payments
        on geth (which seals only blocks with transactions)."""
        if isinstance(self.chain, EmbeddedChain):
            self.chain.w3.provider.make_request(RPCEndpoint("evm_mine"), [blocks])
            return
        payer = self.ledger(self.accounts.list()[0].name)
        for _ in range(blocks):
            payer.send_value(payer.address, 1)

    def fork(self) -> int:
        """Marks the head as a fork point for `reorg` (the embedded chain is copied as it is now).

        Returns:
            The head's number.
        """
        fork = self.chain.head()
        if isinstance(self.chain, EmbeddedChain):
            copy_embedded(self.chain, self.root / f"fork-{fork}" / "chain")
        return fork

    def reorg(self, fork: int, build: Callable[[Backend], object]) -> None:
        """Replaces every block after `fork` (marked by `fork()`) with a branch: what `build` writes
        through the ledgers of the backend it is given, then the replaced blocks' transactions that
        the branch did not take, then blocks until the branch is longer than the chain was (see
        tests/ledger/reorg.py)."""
        if isinstance(self.chain, EmbeddedChain):
            branch = Backend(self.name, EmbeddedChain.open(self.root / f"fork-{fork}" / "chain"), self.deployment,
                             self.accounts, self.root / f"fork-{fork}")
            try:
                build(branch)
                assert isinstance(branch.chain, EmbeddedChain)
                adopt_embedded(self.chain, branch.chain, fork)
            finally:
                branch.close()
        else:
            assert self.node is not None
            reorg_geth(self.chain, self.node.ipc, fork, lambda: build(self), lambda: self.pad(1))

    def reopen(self) -> Ledger:
        """Closes the event index and returns a new reader (which opens it again)."""
        self.close_index()
        return self.ledger()

    def close_index(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        self.close_index()
        self.chain.close()


@pytest.fixture(params=BACKENDS, autouse=True)
def backend(request: pytest.FixtureRequest, template_profile: Path, tmp_path: Path) -> Iterator[Backend]:
    root = tmp_path / "backend"
    shutil.copytree(template_profile, root)
    accounts = AccountBook(root, lambda: PASSPHRASE)
    node: GethNode | None = None
    if request.param == "embedded":
        chain: Chain = EmbeddedChain.open(root / "chain")
        deployment = Deployment.load(root / DEPLOYMENT_FILE)
    else:
        node = request.getfixturevalue("geth_node")
        chain = RpcChain.connect(node.url, chain_id=node.chain_id)
        deployment = deploy_founders(chain, accounts)
    b = Backend(str(request.param), chain, deployment, accounts, root, node)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def ledgers(backend: Backend) -> dict[str, Ledger]:
    """A ledger signing as each founding account, and "reader" that signs nothing."""
    out = {a.name: backend.ledger(a.name) for a in backend.accounts.list()}
    out["reader"] = backend.ledger()
    return out

"""The backends the chain and ledger conformance suites run on: the embedded chain, and a real
geth node beside it.

One node per session, started on first use by a test of the "geth" backend: those tests are
marked `network`, so `-m "not network"` runs the embedded half alone. Without geth they skip, and
under LIENCHAIN_REQUIRE_NODES=1 (CI) they fail. A collection check refuses a conformance test that
does not run once on each backend.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from lienchain.ledger import AccountBook
from lienchain.ledger.workspace.profile import FUNDING

from ..conftest import PASSPHRASE
from .geth_node import GethNode, geth_binary, start_geth

#: The chain backends every conformance test runs on (the parameter of `chain` and `backend`).
BACKENDS = ["embedded", pytest.param("geth", marks=pytest.mark.network)]
#: The conformance suites, and the fixture each is parametrized with over `BACKENDS`.
SUITES = {Path(__file__).parent / "test_chain_conformance.py": "chain", Path(__file__).parent / "conformance": "backend"}

#: The account the chain conformance suite sends from, funded on every chain it runs on.
SENDER: LocalAccount = Account.from_key(b"\x01" * 32)
SENDER_FUNDS = 10**21


@pytest.fixture(scope="session")
def geth_node(tmp_path_factory: pytest.TempPathFactory, template_profile: Path) -> Iterator[GethNode]:
    """A single-sealer Clique geth node sealing on demand, whose genesis funds the template
    profile's accounts (as the embedded profile's does) and `SENDER`."""
    geth = geth_binary()
    accounts = AccountBook(template_profile, lambda: PASSPHRASE).list()
    alloc = {str(a.address): FUNDING for a in accounts} | {SENDER.address: SENDER_FUNDS}
    chain_id = 1_000_000 + secrets.randbelow(2**31 - 1_000_000)
    node = start_geth(tmp_path_factory.mktemp("geth"), geth, chain_id=chain_id, alloc=alloc)
    try:
        yield node
    finally:
        node.process.stop()


@pytest.hookimpl(tryfirst=True)  # before -m and -k deselect: the check sees the whole suites
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuses a conformance suite whose backends would not run the same tests."""
    names = {p if isinstance(p, str) else p.values[0] for p in BACKENDS}
    runs: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        path = Path(str(item.fspath))
        fixture = next((f for suite, f in SUITES.items() if path == suite or suite in path.parents), None)
        if fixture is None:
            continue
        params = dict(item.callspec.params) if hasattr(item, "callspec") else {}
        backend = params.pop(fixture, None)
        if backend is None:
            raise pytest.UsageError(f"{item.nodeid} does not run on the chain backends (its `{fixture}` fixture)")
        runs[item.nodeid.split("[")[0] + repr(sorted(params.items(), key=str))][str(backend)] += 1
    uneven = sorted(test for test, count in runs.items() if set(count) != names or len(set(count.values())) != 1)
    if uneven:
        raise pytest.UsageError(f"conformance tests not run once on each backend: {', '.join(uneven)}")

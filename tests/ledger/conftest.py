"""The real geth node that the chain and ledger conformance suites run on beside the embedded chain.

One node per session, started on first use by a test of the "geth" backend: those tests are
marked `network`, so `-m "not network"` runs the embedded half alone. Without geth they skip, and
under LIENCHAIN_REQUIRE_NODES=1 (CI) they fail.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from lienchain.ledger import AccountBook
from lienchain.ledger.workspace.profile import FUNDING

from ..conftest import PASSPHRASE
from .geth_node import GethNode, geth_binary, start_geth

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

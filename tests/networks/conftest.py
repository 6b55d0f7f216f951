"""A real 3-member consortium (geth Clique sealers and a private Kubo swarm on loopback), built once.

Every test here runs the real binaries: nothing is mocked. Without geth or Kubo the tests are
skipped, unless LIENCHAIN_REQUIRE_NODES=1 (CI sets it), where a missing binary fails them.
The network is created, started and deployed through the CLI, each step a separate process as a
user would run it, and stopped through the CLI at the end of the session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lienchain.networks import GETH, IPFS, Network

from ..binaries import require

PASSPHRASE = "correct horse battery staple"
MEMBERS = "dmv:REGISTRAR+AUDITOR+ORACLE,bank-a:LENDER,bank-b:LENDER"



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test of this folder `network` (select or deselect them with -m), but those of a
    module that declares `NEEDS_NODES = False` (it runs no geth or Kubo)."""
    here = Path(__file__).parent
    for item in items:
        module = getattr(item, "module", None)
        if here in Path(item.fspath).parents and getattr(module, "NEEDS_NODES", True):
            item.add_marker(pytest.mark.network)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture(scope="session")
def node_binaries() -> dict[str, Path]:
    """The geth and Kubo binaries, built on first use (see tests/binaries.py)."""
    return {"geth": require(GETH), "ipfs": require(IPFS)}


@pytest.fixture(scope="session")
def networks_root(tmp_path_factory: pytest.TempPathFactory, node_binaries: dict[str, Path]) -> Path:
    return tmp_path_factory.mktemp("networks")


def cli_env(root: Path) -> dict[str, str]:
    """The environment of a `lienchain` process working on the session's networks."""
    return {**os.environ, "LIENCHAIN_NETWORKS": str(root), "LIENCHAIN_PASSWORD": PASSPHRASE,
            "LIENCHAIN_HOME": str(root / "no-default-profile")}


def _runner(root: Path) -> Run:
    env = cli_env(root)

    def invoke(*args: str, timeout: float = 180) -> Result:
        p = subprocess.run([sys.executable, "-m", "lienchain.cli", *args], env=env, capture_output=True,
                           text=True, timeout=timeout)
        return Result(p.returncode, p.stdout, p.stderr)

    return invoke


@pytest.fixture(scope="session")
def cli(networks_root: Path) -> Run:
    """Runs `lienchain` as a separate process with the session's networks root and passphrase."""
    return _runner(networks_root)


@pytest.fixture(scope="session")
def consortium(cli: Run, networks_root: Path) -> Iterator[Network]:
    """The session's 3-member network: initialised, up, and deployed through the CLI; down at the end."""
    r = cli("network", "init", "story", "--members", MEMBERS, "--light-kdf")
    assert r.code == 0, r.err
    try:
        r = cli("network", "up", "story")
        assert r.code == 0, r.err
        r = cli("contracts", "deploy", "--network", "story")
        assert r.code == 0, r.err
        # One appraiser (the dmv): the members vote that a title's value needs one valuation.
        r = cli("member", "propose", "--min-valuations", "1", "--network", "story", "--as", "dmv", "--json")
        assert r.code == 0, r.err
        r = cli("member", "vote", str(r.json()["id"]), "--network", "story", "--as", "bank-a", "--json")  # type: ignore[index]
        assert r.code == 0 and r.json()["executed"], r.err  # type: ignore[index]
        yield Network(networks_root / "story")
    finally:
        r = cli("network", "down", "story")
        assert r.code == 0, r.err
    assert not any(s.geth or s.ipfs for s in Network(networks_root / "story").status())


@pytest.fixture
def on_story(cli: Run, consortium: Network) -> Run:
    """Runs `lienchain ... --network story`."""

    def invoke(*args: str, timeout: float = 180) -> Result:
        return cli(*args, "--network", "story", timeout=timeout)

    return invoke

"""Fixtures for running the `lienchain` command, in-process (CliRunner) or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from lienchain.cli.main import cli

PASSPHRASE = "correct horse battery staple"  # the template profile's (tests/conftest.py)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def env(profile_path: Path) -> dict[str, str]:
    return {"LIENCHAIN_HOME": str(profile_path), "LIENCHAIN_PASSWORD": PASSPHRASE}


@pytest.fixture
def run(env: dict[str, str]) -> Run:
    """Runs a lienchain command in-process against the test's profile."""

    def invoke(*args: str) -> Result:
        r = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        return Result(r.exit_code, r.stdout, r.stderr)

    return invoke


@pytest.fixture
def run_process(env: dict[str, str]) -> Run:
    """Runs a lienchain command as a separate process, as a user would."""

    def invoke(*args: str) -> Result:
        p = subprocess.run(
            [sys.executable, "-m", "lienchain.cli", *args],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
        )
        return Result(p.returncode, p.stdout, p.stderr)

    return invoke


@pytest.fixture
def run_in(tmp_path: Path) -> Run:
    """Runs `lienchain` in-process with networks under the test's directory and no default profile."""
    env = {"LIENCHAIN_NETWORKS": str(tmp_path / "networks"), "LIENCHAIN_PASSWORD": PASSPHRASE,
           "LIENCHAIN_HOME": str(tmp_path / "profile")}

    def invoke(*args: str) -> Result:
        r = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        return Result(r.exit_code, r.stdout, r.stderr)

    return invoke


def authorization(run: Run, lender: str, vin: str, amount: str, *extra: str, by: str = "registrar") -> str:
    """Has `by` (a registrar, as the default policy admits for owners without keys) authorize a
    lien of `lender` with `lien authorize`, and returns the file's path for `lien grant`."""
    path = Path(tempfile.mkdtemp(prefix="lienchain-auth-")) / "authorization.json"
    r = run("--as", by, "lien", "authorize", vin, "--to", lender, "--amount", amount, *extra, "--out", str(path))
    assert r.code == 0, r.err
    return str(path)


def transfer_authorization(run: Run, vin: str, to: str, *, by: str = "registrar-b") -> str:
    """Has `by` (a second registrar) authorize a transfer with `title authorize`, and returns the
    file's path for `title transfer`."""
    path = Path(tempfile.mkdtemp(prefix="lienchain-auth-")) / "transfer.json"
    r = run("--as", by, "title", "authorize", vin, "--to", to, "--out", str(path))
    assert r.code == 0, r.err
    return str(path)

"""Deadlines count in chain time: the embedded chain's clock runs ahead of the wall clock under load
(each block is at least a second after its parent), and the registry checks every deadline against
its blocks' time, not the user's clock."""

from __future__ import annotations

import json
import time
from pathlib import Path

import eth._utils.headers
import pytest
from eth_account import Account

from .conftest import authorization

VIN = "1M8GDM9AXKP042788"
OTHER_VIN = "1HGCM82633A004352"
DAY = 86400


def test_a_consent_lasts_its_valid_days_of_chain_time_when_the_chains_clock_runs_ahead(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000", "--authorization", authorization(run, "lender-a", VIN, "1000")).code == 0
    # A block two days ahead of the wall clock, as after a long burst of blocks a second apart.
    monkeypatch.setattr(eth._utils.headers, "eth_now", lambda: int(time.time()) + 2 * DAY)
    assert run("--as", "registrar", "title", "register", OTHER_VIN, "--owner", Account.create().address).code == 0
    monkeypatch.undo()

    consent = tmp_path / "consent.json"
    r = run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "500", "--valid-days", "1",
            "--out", str(consent), "--json")
    assert r.code == 0, r.err
    chain_time = json.loads(run("status", "--json").out)["head_time"]
    assert json.loads(r.out)["deadline"] == chain_time + DAY
    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", "500", "--authorization", authorization(run, "lender-b", VIN, "500"), "--consent", str(consent))
    assert r.code == 0, r.err

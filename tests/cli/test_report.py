"""`lienchain report`: a portfolio per lender, judged in chain time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import eth._utils.headers
import pytest
from eth_account import Account

from lienchain.ledger.workspace.report import CycleTimes

from .conftest import authorization

VINS = ["1M8GDM9AXKP042788", "1HGCM82633A004352", "1FTFW1ET9DFC10312"]
DAY = 86400


def test_cycle_times_are_a_median_and_a_nearest_rank_p90() -> None:
    assert CycleTimes.of([]) == CycleTimes(0, None, None)
    assert CycleTimes.of([12.0, 10.0, 11.0]) == CycleTimes(3, 11.0, 12.0)
    days = [float(d) for d in range(1, 21)]  # 1..20: the 18th of 20 is the 90th percentile
    assert CycleTimes.of(days) == CycleTimes(20, 10.5, 18.0)


def grant(run, lender: str, vin: str, amount: str) -> int:  # type: ignore[no-untyped-def]
    r = run("--as", lender, "lien", "grant", vin, "--amount", amount,
            "--authorization", authorization(run, lender, vin, amount), "--json")
    assert r.code == 0, r.err
    return int(json.loads(r.out)["lien_id"])


def test_a_portfolio_shows_states_exposure_overdue_releases_and_disposal_times(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for vin in VINS:
        assert run("--as", "registrar", "title", "register", vin, "--owner", Account.create().address).code == 0
    sold = grant(run, "lender-a", VINS[0], "1000")
    paid = grant(run, "lender-a", VINS[1], "2000")
    grant(run, "lender-b", VINS[2], "3000.50")
    assert run("--as", "lender-a", "lien", "default", str(sold)).code == 0
    assert run("--as", "registrar", "lien", "payoff", str(paid)).code == 0
    r = run("report", "--json")
    before = {x["lender"]: x for x in json.loads(r.out)["lenders"]}
    assert all(not x["overdue_releases"] for x in before.values())

    # Twelve days on: the release is overdue, and the title in default may be sold.
    monkeypatch.setattr(eth._utils.headers, "eth_now", lambda: int(time.time()) + 12 * DAY)
    buyer, sale = Account.create().address, tmp_path / "sale.json"
    assert run("--as", "registrar", "title", "authorize-sale", VINS[0], "--to", buyer, "--price", "600",
               "--valid-days", "30", "--out", str(sale)).code == 0
    assert run("--as", "lender-a", "title", "dispose", VINS[0], "--to", buyer, "--price", "600", "--km", "90000",
               "--authorization", str(sale)).code == 0
    r = run("report", "--lender", "lender-a", "--json")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    [a] = report["lenders"]
    assert a["liens"] == {"active": 1, "discharged": 1}
    assert a["exposure"] == {"USD": "200000"} and a["private_liens"] == 0
    assert a["overdue_releases"] == [paid] and a["repossessed_titles"] == []
    assert a["dispositions"]["count"] == 1 and 12 <= a["dispositions"]["median_days"] < 12.1
    text = run("report").out
    rows = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert rows["lender-a"].split()[1:5] == ["1", "0", "0", "1"] and "2,000.00 USD" in rows["lender-a"]
    assert "3,000.50 USD" in rows["lender-b"]
    assert f"overdue releases (liens): {paid}" in text
    assert "default to sale median 12." in text

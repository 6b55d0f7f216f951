"""Valuations and loan-to-value through the CLI: what a lender and an oracle see and are refused."""

from __future__ import annotations

import json

from eth_account import Account

from .test_errors import assert_one_line_error

from .conftest import authorization

VIN = "1M8GDM9AXKP042788"


def test_valuation_sets_the_value_and_a_drop_freezes_the_title(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    shown = run("title", "show", VIN)
    assert "no oracle has valued this title" in shown.out

    r = run("--as", "oracle-b", "valuation", "set", VIN, "--value", "20000")
    assert r.code == 0 and "under-valued: 1 of the 2 oracles' valuations a value needs" in r.out, r.err
    assert "under-valued" in run("title", "show", VIN).out
    r = run("--as", "oracle", "valuation", "set", VIN, "--value", "20000")
    assert r.code == 0, r.err
    assert "20,000.00 USD (median of 2 oracle(s))" in r.out
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "13000", "--authorization", authorization(run, "lender-a", VIN, "13000")).code == 0

    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", "2000", "--authorization", authorization(run, "lender-b", VIN, "2000"))  # 75% with it
    assert_one_line_error(r, 1, "would take title 1M8GDM9AXKP042788 to 75%", "70% loan-to-value threshold")

    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "15000").code == 0  # a value needs two
    r = run("--as", "oracle", "valuation", "set", VIN, "--value", "15000", "--json")
    assert r.code == 0, r.err
    assert (json.loads(r.out)["state"], json.loads(r.out)["ltv_bps"]) == ("frozen", 8667)
    assert "FROZEN" in run("title", "show", VIN).out
    history = json.loads(run("title", "history", VIN, "--json").out)
    assert [e["event"] for e in history][-3:] == ["ValuationSet", "LtvAlert", "ValuationSet"]  # 74.29%, then 86.67%

    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", "1", "--authorization", authorization(run, "lender-b", VIN, "1"))
    assert_one_line_error(r, 1, "is frozen", "86.67%")


def test_the_threshold_moves_by_member_vote(run) -> None:
    r = run("--as", "registrar", "member", "propose", "--ltv-threshold", "80%", "--json")
    assert r.code == 0, r.err
    pid = str(json.loads(r.out)["id"])
    assert run("--as", "lender-a", "member", "vote", pid).code == 0
    assert run("--as", "lender-b", "member", "vote", pid).code == 0
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "10000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "10000").code == 0
    r = run("--as", "lender-a", "lien", "grant", VIN, "--amount", "7900", "--authorization", authorization(run, "lender-a", VIN, "7900"))
    assert r.code == 0, r.err
    assert "79% of the 80% threshold" in run("valuation", "show", VIN).out


def test_bad_percentages_are_usage_errors(run) -> None:
    for bad in ("0%", "101%", "seventy", "70.001%"):
        r = run("--as", "registrar", "member", "propose", "--ltv-threshold", bad)
        assert r.code == 2, (bad, r.err)

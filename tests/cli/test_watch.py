"""`lienchain watch`: each event once, resumed after a restart, alerts alone with --alerts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from eth_account import Account

from lienchain.cli.main import cli
from lienchain.ledger.chain.embedded import EmbeddedChain

from ..ledger.reorg import adopt_embedded
from .test_import import vin, write

from .conftest import authorization

VIN = "1M8GDM9AXKP042788"


def events(run, *args: str) -> list[dict]:  # type: ignore[type-arg]
    r = run("watch", "--json", *args)
    assert r.code == 0, r.err
    return [json.loads(line) for line in r.out.splitlines()]


def test_watch_prints_each_event_once_and_resumes_after_the_last(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    first = events(run)  # everything since the deployment: the roles voted at init, then the title
    assert {e["event"] for e in first[:-1]} == {"RoleGranted"}
    assert first[-1]["event"] == "TitleRegistered" and first[-1]["vin"] == VIN
    assert events(run) == []  # nothing new: nothing printed again

    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "10000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "10000").code == 0
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "6000", "--authorization", authorization(run, "lender-a", VIN, "6000")).code == 0
    assert [e["event"] for e in events(run)] == ["ValuationSet", "ValuationSet", "AuthorizationUsed", "LienGranted"]

    replay = [e for e in events(run, "--from-block", "0") if e["event"] != "RoleGranted"]
    assert [e["event"] for e in replay] == ["TitleRegistered", "ValuationSet", "ValuationSet", "AuthorizationUsed", "LienGranted"]


def test_watch_alerts_shows_only_alerts_and_recoveries(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "10000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "10000").code == 0
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "7000", "--authorization", authorization(run, "lender-a", VIN, "7000")).code == 0
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "9000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "9000").code == 0  # 77.78%
    alerts = events(run, "--alerts")  # the first drop crossed it: the median of 9,000 and 10,000
    assert [(e["event"], e["vin"], e["args"]["ltvBps"]) for e in alerts] == [("LtvAlert", VIN, 7369)]
    r = run("watch", "--alerts", "--from-block", "0")
    assert "ALERT loan-to-value 73.69% over 70%: frozen" in r.out and VIN in r.out


def test_a_watch_stopped_while_printing_resumes_with_no_event_twice_and_none_missed(run, env, tmp_path: Path) -> None:
    rows = [[vin(n), "auditor", "1000", "USD", "2031-06-30"] for n in range(150)]
    assert run("import", str(write(tmp_path / "book.csv", rows)), "--registrar", "registrar", "--lender", "lender-a").code == 0

    printed: list[dict] = []  # type: ignore[type-arg]
    stops = 0
    while True:  # stop each watch with SIGTERM after a few lines, until one finishes first
        watch = subprocess.Popen([sys.executable, "-m", "lienchain.cli", "watch", "--json"],
                                 env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
        assert watch.stdout is not None
        for n, line in enumerate(watch.stdout):
            printed.append(json.loads(line))
            if n == 40:
                watch.send_signal(signal.SIGTERM)
        if watch.wait(30) == 0:
            break
        stops += 1
    assert stops >= 3  # 300 events, 41 or more a run: it was stopped while printing, several times
    everything = events(run, "--from-block", "0")
    assert [(e["block"], e["event"], e["vin"]) for e in printed] == [(e["block"], e["event"], e["vin"]) for e in everything]


def test_watch_prints_an_event_a_reorg_moved_before_its_cursor_and_nothing_twice(
    run, env, profile_path: Path, tmp_path: Path
) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert events(run)[-1]["event"] == "TitleRegistered"
    branch = tmp_path / "branch"  # a copy of the profile at the fork point, to write the new branch with
    shutil.copytree(profile_path, branch)
    with EmbeddedChain.open(profile_path / "chain") as chain:
        fork = chain.head()
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "10000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "10000").code == 0
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "6000", "--authorization", authorization(run, "lender-a", VIN, "6000")).code == 0
    assert [e["event"] for e in events(run)] == ["ValuationSet", "ValuationSet", "AuthorizationUsed", "LienGranted"]

    other = "1HGCM82633A004352"
    r = CliRunner().invoke(cli, ["--as", "registrar", "title", "register", other, "--owner", Account.create().address],
                           env={**env, "LIENCHAIN_HOME": str(branch)}, catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    with EmbeddedChain.open(profile_path / "chain") as chain, EmbeddedChain.open(branch / "chain") as fork_chain:
        adopt_embedded(chain, fork_chain, fork)  # the branch's registration, then the valuation and the lien again
    moved = events(run)
    assert [(e["event"], e["vin"], e["block"]) for e in moved] == [("TitleRegistered", other, fork + 1)]
    assert events(run) == []
    replay = [e["event"] for e in events(run, "--from-block", str(fork + 1))]
    assert replay == ["TitleRegistered", "ValuationSet", "ValuationSet", "AuthorizationUsed", "LienGranted"]

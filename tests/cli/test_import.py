"""`lienchain import`: every bad row listed before anything is written; a re-run skips what is done."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from lienchain.ledger import Profile
from lienchain.ledger.registry.vin import check_digit

from .conftest import PASSPHRASE

HEADER = ["vin", "owner", "amount", "currency", "maturity"]


def vin(n: int) -> str:
    body = f"1HGCM826XA{n:07d}"  # A: model year 2010
    return body[:8] + check_digit(body) + body[9:]


def write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def book(count: int) -> list[list[str]]:
    return [[vin(n), "auditor", f"{1000 + n}.50", "USD", "2031-06-30"] for n in range(count)]


def titles_on_chain(profile_path: Path) -> list[str]:
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        return [e.args["vin"] for e in p.ledger().sync_index().events(names=("TitleRegistered",))]


def rows_on_chain(profile_path: Path) -> int:
    """Titles registered plus liens granted."""
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        return len(p.ledger().sync_index().events(names=("TitleRegistered", "LienGranted")))


def test_ten_thousand_rows_with_fifty_bad_are_all_listed_and_nothing_is_written(run, tmp_path: Path, profile_path: Path) -> None:
    rows = book(10_000)
    bad = set(range(7, 10_000, 200))  # 50 rows
    for i in bad:  # a bad VIN, a negative amount, or a maturity that is not a date
        column, value = [(0, "1HGCM826X0000000Q"), (2, "-5"), (4, "soon")][i % 3]
        rows[i][column] = value
    r = run("import", str(write(tmp_path / "book.csv", rows)), "--registrar", "registrar", "--lender", "lender-a")
    assert r.code == 1
    listed = [line.strip() for line in r.err.splitlines() if line.startswith("  line ")]
    assert sorted(int(x.split()[1].rstrip(":")) for x in listed) == sorted(i + 2 for i in bad)  # line 1 is the header
    assert "50 bad row(s), nothing imported" in r.err.splitlines()[-1]
    assert titles_on_chain(profile_path) == []


def test_import_writes_every_row_once_even_when_interrupted_and_run_again(
    run, run_process, env, tmp_path: Path, profile_path: Path
) -> None:
    count = 1500
    source = write(tmp_path / "book.csv", book(count))
    argv = [sys.executable, "-m", "lienchain.cli", "import", str(source), "--registrar", "registrar",
            "--lender", "lender-a", "--batch", "25"]
    process = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (profile_path / "index.sqlite").exists():
        time.sleep(0.1)
    time.sleep(1.5)  # a few batches in
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    partial = rows_on_chain(profile_path)
    assert 0 < partial < 2 * count, partial

    r = run_process("import", str(source), "--registrar", "registrar", "--lender", "lender-a", "--json")
    assert r.code == 0, r.err
    done = json.loads(r.out)
    assert done["titles"] + done["liens"] == 2 * count - partial and done["skipped"] == partial
    assert "importing book.csv" in r.err  # the progress bar

    assert sorted(titles_on_chain(profile_path)) == sorted(vin(n) for n in range(count))
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        ledger = p.ledger()
        assert all(len(ledger.liens(vin(n))) == 1 for n in (0, count // 2, count - 1))
        granted = ledger.sync_index().events(names=("LienGranted",))
        assert len(granted) == count and len({e.args["tokenId"] for e in granted}) == count

    again = run("import", str(source), "--registrar", "registrar", "--lender", "lender-a", "--json")
    assert json.loads(again.out) == {"file": str(source), "titles": 0, "liens": 0, "skipped": 2 * count}


def test_json_import_and_a_lien_row_on_an_unknown_title(run, tmp_path: Path) -> None:
    source = tmp_path / "book.json"
    source.write_text(json.dumps([{"vin": vin(1), "owner": "auditor"},
                                  {"vin": vin(2), "amount": "10", "maturity": "2031-01-01"}]))
    r = run("import", str(source), "--registrar", "registrar", "--lender", "lender-a")
    assert r.code == 1 and "line 2" in r.err and "not registered" in r.err
    source.write_text(json.dumps([{"vin": vin(1), "owner": "auditor", "amount": "10", "maturity": "2031-01-01"}]))
    r = run("import", str(source), "--registrar", "registrar", "--lender", "lender-a", "--json")
    assert r.code == 0, r.err
    assert (json.loads(r.out)["titles"], json.loads(r.out)["liens"]) == (1, 1)


def test_a_lien_row_whose_same_terms_were_released_is_a_refinance_and_is_written(run, tmp_path: Path) -> None:
    source = write(tmp_path / "book.csv", book(1))
    assert run("import", str(source), "--registrar", "registrar", "--lender", "lender-a").code == 0
    [first] = json.loads(run("lien", "list", vin(0), "--json").out)
    assert run("--as", "lender-a", "lien", "release", str(first["lien_id"])).code == 0

    r = run("import", str(source), "--registrar", "registrar", "--lender", "lender-a", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == {"file": str(source), "titles": 0, "liens": 1, "skipped": 1}
    liens = json.loads(run("lien", "list", vin(0), "--json").out)
    assert [(x["lien_id"], x["status"]) for x in liens] == [(first["lien_id"], "released"), (first["lien_id"] + 1, "active")]


def test_an_import_knows_assigned_liens_and_repossessed_titles(run, tmp_path: Path) -> None:
    source = write(tmp_path / "book.csv", book(2))
    assert run("import", str(source), "--registrar", "registrar", "--lender", "lender-a").code == 0
    [first] = json.loads(run("lien", "list", vin(0), "--json").out)
    acceptance = tmp_path / "acceptance.json"
    assert run("--as", "lender-b", "lien", "accept", str(first["lien_id"]), "--from", "lender-a",
               "--out", str(acceptance)).code == 0
    assert run("--as", "lender-a", "lien", "assign", str(first["lien_id"]), "--to", "lender-b",
               "--acceptance", str(acceptance)).code == 0
    [second] = json.loads(run("lien", "list", vin(1), "--json").out)
    assert run("--as", "lender-a", "lien", "default", str(second["lien_id"])).code == 0

    r = run("import", str(source), "--registrar", "registrar", "--lender", "lender-a")
    assert r.code == 1  # the lien in default is lender-a's and is skipped; the assigned one is not
    assert f"{vin(0)} has another lender's active lien" in r.err  # lender-b's now: it would need consent
    assert vin(1) not in r.err
    refinance = write(tmp_path / "more.csv", [[vin(1), "", "77", "USD", "2031-01-01"]])
    r = run("import", str(refinance), "--registrar", "registrar", "--lender", "lender-a")
    assert r.code == 1 and f"{vin(1)} is repossessed: it takes no new lien" in r.err

"""`lien lapse` and `member propose --force-release`: how a lien ends without its holder."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from .test_errors import assert_one_line_error

from .conftest import authorization

VIN = "1M8GDM9AXKP042788"


def test_a_lien_is_released_by_vote_on_evidence_that_every_member_can_read(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    lien_id = json.loads(run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000", "--authorization", authorization(run, "lender-a", VIN, "1000"), "--json").out)["lien_id"]
    r = run("--as", "auditor", "lien", "lapse", str(lien_id))
    assert_one_line_error(r, 1, f"lien {lien_id} has not lapsed", "maturity and grace period")

    r = run("--as", "registrar", "member", "propose", "--force-release", str(lien_id))
    assert r.code == 2 and "--evidence" in r.err
    order = tmp_path / "court-order.pdf"
    order.write_bytes(b"Order of the court: the lien is discharged")
    r = run("--as", "registrar", "member", "propose", "--force-release", str(lien_id), "--evidence", str(order), "--json")
    assert r.code == 0, r.err
    pid = str(json.loads(r.out)["id"])
    assert run("--as", "lender-b", "member", "vote", pid).code == 0
    assert run("--as", "auditor", "member", "vote", pid).code == 0  # three of five: executed

    [lien] = json.loads(run("lien", "list", VIN, "--json").out)
    assert lien["status"] == "released"
    last = json.loads(run("title", "history", VIN, "--json").out)[-1]
    assert last["event"] == "LienForceReleased"
    r = run("--as", "oracle", "doc", "get", last["args"]["evidenceCid"])
    assert r.code == 0 and r.out == order.read_text()
    assert run("doc", "verify", VIN).code == 0  # the evidence is among the title's documents


def test_title_review_says_what_time_alone_changed(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    r = run("--as", "auditor", "title", "review", VIN)
    assert r.code == 0 and r.out.strip() == f"reviewed {VIN}: nothing changed"
    assert_one_line_error(run("--as", "auditor", "title", "review", "1HGCM82633A004352"), 1, "1HGCM82633A004352")


def test_a_title_is_cancelled_by_vote_on_evidence_not_by_one_registrar(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    r = run("--as", "registrar", "title", "set-status", VIN, "cancelled")
    assert_one_line_error(r, 1, f"cancelling title {VIN} can never be undone", "member propose --cancel-title")
    assert json.loads(run("title", "show", VIN, "--json").out)["status"] == "active"

    r = run("--as", "registrar", "member", "propose", "--cancel-title", VIN)
    assert r.code == 2 and "--evidence" in r.err
    certificate = tmp_path / "destruction.pdf"
    certificate.write_bytes(b"Certificate of destruction: crushed at the yard")
    r = run("--as", "registrar", "member", "propose", "--cancel-title", VIN, "--evidence", str(certificate), "--json")
    assert r.code == 0, r.err
    pid = str(json.loads(r.out)["id"])
    assert "setTitleStatus" in run("member", "list").out
    assert run("--as", "lender-b", "member", "vote", pid).code == 0
    assert run("--as", "auditor", "member", "vote", pid).code == 0  # three of five: executed

    assert json.loads(run("title", "show", VIN, "--json").out)["status"] == "cancelled"
    last = json.loads(run("title", "history", VIN, "--json").out)[-1]
    assert last["event"] == "TitleStatusChanged"
    r = run("--as", "oracle", "doc", "get", last["args"]["docCid"])
    assert r.code == 0 and r.out == certificate.read_text()

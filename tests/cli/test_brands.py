"""`title brand`, `title odometer`, `title transfer --km` and `member propose --remove-brand`: brands
stay with a title until a member vote removes them, and odometer readings never go down unless the
title is branded ODOMETER-NOT-ACTUAL."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from .conftest import transfer_authorization
from .test_errors import assert_one_line_error

VIN = "1M8GDM9AXKP042788"


def show(run) -> dict:  # type: ignore[type-arg]
    r = run("title", "show", VIN, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)  # type: ignore[no-any-return]


def test_a_registrar_brands_a_title_and_show_history_and_watch_say_so(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert "brands    none" in run("title", "show", VIN).out
    report = tmp_path / "flood.pdf"
    report.write_bytes(b"Insurer's report: water above the dashboard")
    r = run("--as", "registrar", "title", "brand", VIN, "--brand", "flood", "--doc", str(report))
    assert r.code == 0, r.err
    assert "branded FLOOD" in r.out
    assert run("--as", "registrar", "title", "brand", VIN, "--brand", "odometer_not_actual").code == 0
    assert show(run)["brands"] == ["FLOOD", "ODOMETER-NOT-ACTUAL"]
    assert "brands    FLOOD, ODOMETER-NOT-ACTUAL" in run("title", "show", VIN).out

    r = run("--as", "registrar-b", "title", "brand", VIN, "--brand", "FLOOD")
    assert_one_line_error(r, 1, f"title {VIN} is branded FLOOD already", "lienchain title show")
    r = run("--as", "lender-a", "title", "brand", VIN, "--brand", "JUNK")
    assert_one_line_error(r, 1, "REGISTRAR")
    r = run("--as", "registrar", "title", "brand", VIN, "--brand", "LEMON")
    assert r.code == 2 and "SALVAGE, FLOOD, REBUILT, JUNK, ODOMETER-NOT-ACTUAL" in r.err
    assert show(run)["brands"] == ["FLOOD", "ODOMETER-NOT-ACTUAL"]

    branded = [e for e in json.loads(run("title", "history", VIN, "--json").out) if e["event"] == "TitleBranded"]
    assert len(branded) == 2
    assert run("--as", "oracle", "doc", "get", branded[0]["args"]["docCid"]).out == report.read_text()
    assert "TitleBranded" in run("title", "history", VIN).out and "FLOOD" in run("title", "history", VIN).out
    watched = run("watch").out
    assert "branded FLOOD by 0x" in watched and "branded ODOMETER-NOT-ACTUAL by 0x" in watched and "(registrar)" in watched


def test_odometer_readings_never_go_down_unless_the_title_is_branded_so(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert "odometer  no reading" in run("title", "show", VIN).out
    r = run("--as", "registrar", "title", "odometer", VIN, "--km", "84000")
    assert r.code == 0, r.err
    assert "84,000 km" in run("title", "show", VIN).out and show(run)["odometer_km"] == 84_000

    r = run("--as", "registrar", "title", "odometer", VIN, "--km", "12000")
    assert_one_line_error(r, 1, "below its last one, 84000 km", "--brand ODOMETER-NOT-ACTUAL")
    r = run("--as", "registrar", "title", "transfer", VIN, "--to", "lender-a", "--km", "12000",
            "--authorization", transfer_authorization(run, VIN, "lender-a"))
    assert_one_line_error(r, 1, "below its last one")
    assert show(run)["odometer_km"] == 84_000
    assert run("--as", "registrar", "title", "odometer", VIN, "--km", "-1").code == 2

    assert run("--as", "registrar", "title", "brand", VIN, "--brand", "ODOMETER-NOT-ACTUAL").code == 0
    assert run("--as", "registrar", "title", "odometer", VIN, "--km", "12000").code == 0
    assert show(run)["odometer_km"] == 12_000
    assert "odometer 12,000 km recorded by 0x" in run("watch").out


def test_a_transfer_needs_and_records_an_odometer_reading_and_keeps_the_brands(run) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "registrar", "title", "brand", VIN, "--brand", "SALVAGE").code == 0
    buyer = Account.create().address
    authorization = transfer_authorization(run, VIN, buyer)
    r = run("--as", "registrar", "title", "transfer", VIN, "--to", buyer, "--authorization", authorization)
    assert r.code == 2 and "--km" in r.err
    r = run("--as", "registrar", "title", "transfer", VIN, "--to", buyer, "--km", "42000", "--authorization",
            authorization, "--json")
    assert r.code == 0, r.err
    t = json.loads(r.out)
    assert (t["owner"], t["odometer_km"], t["brands"]) == (buyer, 42_000, ["SALVAGE"])
    events = [e["event"] for e in json.loads(run("title", "history", VIN, "--json").out)]
    assert events[-2:] == ["OdometerRecorded", "TitleTransferred"]


def test_a_brand_is_removed_by_vote_on_evidence_not_by_one_registrar(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "registrar", "title", "brand", VIN, "--brand", "FLOOD").code == 0
    inspection = tmp_path / "inspection.pdf"
    inspection.write_bytes(b"Inspection: the flood report was for another vehicle")

    r = run("--as", "registrar", "member", "propose", "--remove-brand", VIN, "--evidence", str(inspection))
    assert r.code == 2 and "--brand" in r.err
    r = run("--as", "registrar", "member", "propose", "--remove-brand", VIN, "--brand", "FLOOD")
    assert r.code == 2 and "--evidence" in r.err
    r = run("--as", "registrar", "member", "propose", "--remove-brand", VIN, "--brand", "JUNK", "--evidence",
            str(inspection))
    assert_one_line_error(r, 1, f"title {VIN} is not branded JUNK")

    r = run("--as", "registrar", "member", "propose", "--remove-brand", VIN, "--brand", "FLOOD", "--evidence",
            str(inspection), "--json")
    assert r.code == 0, r.err
    pid = str(json.loads(r.out)["id"])
    assert "removeBrand(" in run("member", "list").out and "brand=FLOOD" in run("member", "list").out
    assert run("--as", "lender-b", "member", "vote", pid).code == 0
    assert run("--as", "auditor", "member", "vote", pid).code == 0  # three of five: executed

    assert show(run)["brands"] == []
    last = json.loads(run("title", "history", VIN, "--json").out)[-1]
    assert last["event"] == "BrandRemoved"
    assert run("--as", "oracle", "doc", "get", last["args"]["evidenceCid"]).out == inspection.read_text()
    assert run("doc", "verify", VIN).code == 0

"""The register / lien / consent / release / transfer story, each step a separate process."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from .conftest import authorization, transfer_authorization

VIN = "1M8GDM9AXKP042788"


def test_full_story_across_processes(run_process, tmp_path: Path) -> None:
    owner, buyer = Account.create().address, Account.create().address
    doc = tmp_path / "title.txt"
    doc.write_text("certificate of title, 1M8GDM9AXKP042788")

    r = run_process("--as", "registrar", "title", "register", VIN, "--owner", owner, "--doc", str(doc))
    assert r.code == 0, r.err
    r = run_process("title", "show", VIN, "--json")
    shown = json.loads(r.out)
    assert (shown["owner"], shown["status"], shown["active_liens"]) == (owner, "active", 0)

    r = run_process("--as", "lender-a", "lien", "grant", VIN, "--amount", "18000", "--authorization", authorization(run_process, "lender-a", VIN, "18000"))
    assert r.code == 0, r.err

    r = run_process("--as", "lender-b", "lien", "grant", VIN, "--amount", "6000", "--authorization", authorization(run_process, "lender-b", VIN, "6000"))
    assert r.code == 1
    assert r.err.count("\n") == 1 and "consent" in r.err and "Traceback" not in r.err
    assert len(json.loads(run_process("lien", "list", VIN, "--json").out)) == 1

    consent = tmp_path / "consent.json"
    r = run_process("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "6000", "--out", str(consent))
    assert r.code == 0, r.err
    r = run_process("--as", "lender-b", "lien", "grant", VIN, "--amount", "6000", "--authorization", authorization(run_process, "lender-b", VIN, "6000"), "--consent", str(consent), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["priority"] == 2

    r = run_process("--as", "registrar", "title", "transfer", VIN, "--to", buyer, "--km", "42000", "--authorization", transfer_authorization(run_process, VIN, buyer))
    assert r.code == 1 and "active lien" in r.err

    r = run_process("--as", "lender-b", "lien", "release", "1")
    assert r.code == 1 and "only the lienholder" in r.err

    assert run_process("--as", "lender-a", "lien", "release", "1").code == 0
    assert run_process("--as", "lender-b", "lien", "release", "2").code == 0
    r = run_process("--as", "registrar", "title", "transfer", VIN, "--to", buyer, "--km", "42000", "--authorization", transfer_authorization(run_process, VIN, buyer))
    assert r.code == 0, r.err

    history = json.loads(run_process("title", "history", VIN, "--json").out)
    assert [e["event"] for e in history] == [
        "TitleRegistered", "LienGranted", "LienGranted", "LienReleased", "LienReleased", "OdometerRecorded",
        "TitleTransferred"]
    assert all(e["block"] > 0 for e in history)
    anchored = [e["args"]["docCid"] for e in history if "docCid" in e["args"]]
    # The odometer reading anchors the transfer's document, which carries it.
    assert len(anchored) == 5 and anchored[-2] == anchored[-1] and all(c.startswith("bafk") for c in anchored)

    text = run_process("title", "history", VIN).out
    assert all(cid in text for cid in anchored)

    r = run_process("--as", "auditor", "doc", "get", anchored[0])
    assert r.code == 0 and r.out == doc.read_text()
    assert run_process("doc", "verify", VIN).code == 0

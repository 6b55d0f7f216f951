"""Bad input and refused operations: one line, exit 1 (2 for usage), no traceback, nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

VIN = "1M8GDM9AXKP042788"


def head(run) -> int:
    return int(json.loads(run("status", "--json").out)["head_block"])


def assert_one_line_error(r, code: int, *needles: str) -> None:
    assert r.code == code, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    for n in needles:
        assert n in r.err


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP04278", "1M8GDM9AXKP04278O", "1M8GDM9AXKP042789"])
def test_invalid_vin_is_refused_without_changing_the_ledger(run, vin: str) -> None:
    before = head(run)
    r = run("--as", "registrar", "title", "register", vin, "--owner", Account.create().address)
    assert_one_line_error(r, 1, "invalid VIN")
    assert head(run) == before


def test_unknown_account_is_refused(run) -> None:
    before = head(run)
    r = run("--as", "mallory", "title", "register", VIN, "--owner", Account.create().address)
    assert_one_line_error(r, 1, "no account named 'mallory'")
    assert head(run) == before


def test_missing_profile_is_refused(run, tmp_path: Path) -> None:
    r = run("--profile", str(tmp_path / "nowhere"), "title", "show", VIN)
    assert_one_line_error(r, 1, "no lienchain profile", "lienchain init")
    assert not (tmp_path / "nowhere").exists()


def test_usage_error_exits_2(run) -> None:
    r = run("--as", "registrar", "title", "register", VIN)
    assert r.code == 2 and "--owner" in r.err


def test_signing_command_without_account_is_refused(run) -> None:
    r = run("title", "register", VIN, "--owner", Account.create().address)
    assert_one_line_error(r, 1, "--as NAME")


def test_wrong_passphrase_is_refused(run, env) -> None:
    env["LIENCHAIN_PASSWORD"] = "wrong"
    r = run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    assert_one_line_error(r, 1, "wrong passphrase")


def test_tampered_document_is_refused(run, profile_path: Path) -> None:
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    cid = json.loads(run("title", "show", VIN, "--json").out)["doc_cid"]
    (blob,) = [p for p in (profile_path / "store").rglob("*") if p.is_file() and cid in p.name]
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    r = run("--as", "auditor", "doc", "get", cid)
    assert_one_line_error(r, 1, cid, "tampered")
    assert r.out == ""
    r = run("doc", "verify", VIN)
    assert r.code == 1 and "FAIL" in r.out and "failed verification" in r.err


def test_revoked_role_is_refused_without_changing_the_ledger(run) -> None:
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    r = run("--as", "registrar", "member", "propose", "--revoke", "LENDER", "--to", "lender-a", "--json")
    pid = str(json.loads(r.out)["id"])
    assert run("--as", "lender-b", "member", "vote", pid).code == 0
    assert run("--as", "auditor", "member", "vote", pid).code == 0
    before = head(run)
    r = run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000")
    assert_one_line_error(r, 1, "does not hold the LENDER role")
    assert head(run) == before
    assert json.loads(run("lien", "list", VIN, "--json").out) == []


def test_refused_grant_stores_no_document(run, profile_path: Path) -> None:
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000")
    before = sorted(p.name for p in (profile_path / "store").rglob("*") if p.is_file())
    assert run("--as", "lender-b", "lien", "grant", VIN, "--amount", "500").code == 1
    assert sorted(p.name for p in (profile_path / "store").rglob("*") if p.is_file()) == before


def test_init_refuses_existing_profile(run, profile_path: Path) -> None:
    r = run("init", "--profile", str(profile_path))
    assert_one_line_error(r, 1, "already exists")

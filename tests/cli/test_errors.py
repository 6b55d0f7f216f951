"""Bad input and refused operations: one line, exit 1 (2 for usage), no traceback, nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from .conftest import authorization

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


@pytest.mark.parametrize(("vin", "reason"), [
    ("1M8GDM9AXKP042789", "check digit (position 9) is 'X' but should be '1'"),
    ("WVWZZZ1JZ0W000001", "position 10 (the model year) is '0'"),
])
def test_a_vin_only_lenient_mode_admits_is_refused_with_the_flag_that_admits_it(run, vin: str, reason: str) -> None:
    r = run("--as", "registrar", "title", "register", vin, "--owner", Account.create().address)
    assert_one_line_error(r, 1, reason, "pass --lenient")
    r = run("--as", "registrar", "title", "register", vin, "--lenient", "--owner", Account.create().address)
    assert r.code == 0, r.err


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
    r = run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000", "--authorization", authorization(run, "lender-a", VIN, "1000"))
    assert_one_line_error(r, 1, "does not hold the LENDER role")
    assert head(run) == before
    assert json.loads(run("lien", "list", VIN, "--json").out) == []


def test_refused_grant_stores_no_document(run, profile_path: Path) -> None:
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000", "--authorization", authorization(run, "lender-a", VIN, "1000"))
    before = sorted(p.name for p in (profile_path / "store").rglob("*") if p.is_file())
    assert run("--as", "lender-b", "lien", "grant", VIN, "--amount", "500", "--authorization", authorization(run, "lender-b", VIN, "500")).code == 1
    assert sorted(p.name for p in (profile_path / "store").rglob("*") if p.is_file()) == before


def test_init_refuses_existing_profile(run, profile_path: Path) -> None:
    r = run("init", "--profile", str(profile_path))
    assert_one_line_error(r, 1, "already exists")


@pytest.fixture
def liened(run) -> str:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "lender-a", "lien", "grant", VIN, "--amount", "1000", "--authorization", authorization(run, "lender-a", VIN, "1000")).code == 0
    return VIN


@pytest.mark.parametrize(
    "content",
    ["not json", "{}", '{"kind": "lienchain/lien-consent/v1"}', "GARBLED_SIGNATURE", "WRONG_TYPE"],
)
def test_malformed_consent_file_is_refused(run, liened: str, tmp_path: Path, content: str) -> None:
    good = tmp_path / "good.json"
    assert run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "500", "--out", str(good)).code == 0
    data = json.loads(good.read_text())
    if content == "GARBLED_SIGNATURE":
        content = json.dumps({**data, "signature": "0xzz" + data["signature"][4:]})
    elif content == "WRONG_TYPE":
        content = json.dumps({**data, "amount": "abc"})
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", "500", "--authorization", authorization(run, "lender-b", VIN, "500"), "--consent", str(bad))
    assert_one_line_error(r, 1, "consent")
    assert len(json.loads(run("lien", "list", VIN, "--json").out)) == 1


def test_consent_for_other_terms_is_refused_before_sending(run, liened: str, tmp_path: Path) -> None:
    consent = tmp_path / "consent.json"
    run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "500", "--out", str(consent))
    before = head(run)
    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", "600", "--authorization", authorization(run, "lender-b", VIN, "600"), "--consent", str(consent))
    assert_one_line_error(r, 1, "is for amount 50000, not 60000")
    assert head(run) == before


def test_consent_from_an_account_without_a_lien_is_refused(run, liened: str, tmp_path: Path) -> None:
    r = run("--as", "auditor", "lien", "consent", VIN, "--to", "lender-b", "--amount", "5", "--out", str(tmp_path / "c"))
    assert_one_line_error(r, 1, f"auditor holds no active lien on {VIN}", f"`lienchain lien list {VIN}`")
    assert not (tmp_path / "c").exists()


def test_unwritable_output_path_is_refused(run, liened: str, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "consent.json"
    r = run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "5", "--out", str(out))
    assert_one_line_error(r, 1, "cannot write", "missing-dir")


@pytest.mark.parametrize("amount", ["Infinity", "NaN", "-5", "0", "1.001", "1e80", "ten", "1e999999", "10995116277.76"])
def test_bad_amount_is_a_usage_error(run, liened: str, amount: str) -> None:
    r = run("--as", "lender-b", "lien", "grant", VIN, "--amount", amount, "--authorization", "unused.json")  # the amount is refused first
    assert r.code == 2 and "Traceback" not in r.err and "--amount" in r.err


def test_vin_with_non_ascii_letters_is_refused(run) -> None:
    r = run("--as", "registrar", "title", "register", "\ufb008GDM9AXKP042788", "--lenient", "--owner", Account.create().address)
    assert_one_line_error(r, 1, "invalid VIN")


def test_new_account_with_wrong_passphrase_is_refused(run, env, profile_path: Path) -> None:
    env["LIENCHAIN_PASSWORD"] = "not the profile's"
    r = run("account", "new", "lender-c")
    assert_one_line_error(r, 1, "wrong passphrase")
    assert not (profile_path / "keystore" / "lender-c.json").exists()


def test_missing_keystore_is_refused(run, profile_path: Path) -> None:
    (profile_path / "keystore" / "registrar.json").unlink()
    r = run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    assert_one_line_error(r, 1, "keystore of 'registrar'", "unreadable")


def test_empty_document_file_is_anchored_as_is(run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert run("--as", "registrar", "title", "register", VIN, "--owner", "auditor", "--doc", str(empty)).code == 0
    cid = json.loads(run("title", "show", VIN, "--json").out)["doc_cid"]
    assert run("--as", "auditor", "doc", "get", cid).out == ""


def test_refusal_shows_the_message_then_the_advice_on_one_line(run, liened: str) -> None:
    before = head(run)
    r = run("--as", "lender-a", "lien", "release", "99")
    assert_one_line_error(r, 1, "no lien with id 99; list a title's liens with `lienchain lien list VIN`")
    assert head(run) == before

"""Retention, erasure and the access trail in the embedded sandbox: `doc attach|get|status|erase|
access-log`, `--retention`, and the retention periods members vote."""

from __future__ import annotations

import json
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import normalize_vin
from lienchain.ledger.registry.retention import Retention, RetentionInput
from lienchain.ledger.registry.vin import token_id
from lienchain.ledger.workspace.profile import Profile
from lienchain.storage import compute_cid, custodian_of

from .conftest import PASSPHRASE, Run, authorization
from .test_errors import assert_one_line_error

VIN = "1M8GDM9AXKP042788"


def _vote(run: Run, *change: str) -> None:
    r = run("--as", "registrar", "member", "propose", *change, "--json")
    assert r.code == 0, r.err
    pid = str(json.loads(r.out)["id"])
    assert run("--as", "lender-a", "member", "vote", pid).code == 0
    assert json.loads(run("--as", "lender-b", "member", "vote", pid, "--json").out)["executed"]


def _liened(run: Run) -> str:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    r = run("--as", "lender-a", "lien", "grant", VIN, "--amount", "9000", "--json",
            "--authorization", authorization(run, "lender-a", VIN, "9000"))
    assert r.code == 0, r.err
    return str(json.loads(r.out)["lien_id"])


def _attach(run: Run, tmp_path: Path, *extra: str, by: str = "lender-a") -> str:
    papers = tmp_path / "papers.txt"
    papers.write_text("appraisal working papers")
    r = run("--as", by, "doc", "attach", VIN, "--file", str(papers), "--json", *extra)
    assert r.code == 0, r.err
    return str(json.loads(r.out)["cid"])


def _log(run: Run, cid: str) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["purpose"]) for e in json.loads(run("--as", "lender-a", "doc", "access-log", "--cid", cid,
                                                              "--json").out)]


def test_a_transient_attachment_is_read_through_its_custodian_and_every_read_is_logged(
    run: Run, tmp_path: Path, profile_path: Path,
) -> None:
    lien = _liened(run)
    cid = _attach(run, tmp_path, "--lien", lien)
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:
        envelope = profile.store().get(cid)  # type: ignore[arg-type]
    assert custodian_of(envelope) == "lender-a" and b"appraisal" not in envelope  # no key, no text inside

    r = run("--as", "auditor", "doc", "get", cid, "--purpose", "annual audit")
    assert r.code == 0 and r.out == "appraisal working papers", r.err
    before = _log(run, cid)
    r = run("--as", "lender-b", "doc", "get", cid)  # a lender without a lien on the title
    assert_one_line_error(r, 1, "holds no role that reads it")
    assert _log(run, cid) == [*before, ("refuse", "review")]
    assert before == [("deposit", None), ("grant", "annual audit")]
    status = json.loads(run("doc", "status", cid, "--json").out)
    assert (status["retention"], status["subject"], status["erased_at"]) == ("transient", f"lien {lien}", 0)


def test_retention_defaults_per_kind_and_is_chosen_with_retention(run: Run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    r = run("--as", "oracle", "valuation", "set", VIN, "--value", "20000", "--json")
    assert r.code == 0, r.err
    history = json.loads(run("title", "history", VIN, "--json").out)
    appraisal = next(e["args"]["docCid"] for e in history if e["event"] == "ValuationSet")
    title = history[0]["args"]["docCid"]
    assert json.loads(run("doc", "status", appraisal, "--json").out)["retention"] == "transient"
    assert json.loads(run("doc", "status", title, "--json").out)["retention"] == "essential"
    kept = _attach(run, tmp_path, "--retention", "essential", by="registrar")
    assert json.loads(run("doc", "status", kept, "--json").out)["retention"] == "essential"
    r = run("--as", "oracle-b", "valuation", "set", VIN, "--value", "21000", "--retention", "essential", "--json")
    assert r.code == 0, r.err
    last = [e for e in json.loads(run("title", "history", VIN, "--json").out) if e["event"] == "ValuationSet"][-1]
    assert json.loads(run("doc", "status", last["args"]["docCid"], "--json").out)["retention"] == "essential"


def test_an_erased_document_is_gone_everywhere_and_its_history_says_so(run: Run, tmp_path: Path) -> None:
    lien = _liened(run)
    cid = _attach(run, tmp_path, "--lien", lien)
    assert run("--as", "auditor", "doc", "get", cid).code == 0
    r = run("--as", "auditor", "doc", "erase", cid)  # the lien is active: its business goes on
    assert_one_line_error(r, 1, "its business goes on")
    assert json.loads(run("doc", "status", cid, "--json").out)["erased_at"] == 0
    assert run("--as", "lender-a", "lien", "release", lien).code == 0
    r = run("--as", "auditor", "doc", "erase", cid)  # 90 days to go
    assert_one_line_error(r, 1, "cannot be erased before")

    _vote(run, "--transient-retention", "1s")
    time.sleep(2)
    r = run("--as", "auditor", "doc", "erase", cid)
    assert r.code == 0, r.err
    status = json.loads(run("doc", "status", cid, "--json").out)
    assert status["erased_at"] > 0 and len(status["attestations"]) == 5 and all(status["attestations"].values())
    r = run("--as", "auditor", "doc", "get", cid)
    assert_one_line_error(r, 1, f"document {cid} was erased at", "no copy of it may be opened")
    history = [e["event"] for e in json.loads(run("title", "history", VIN, "--json").out)]
    assert history[-1] == "DocumentErased" and "DocumentRecorded" in history
    r = run("doc", "verify", VIN)
    assert r.code == 0 and f"gone  block" in r.out and "erased: its retention ran out" in r.out, r.out
    assert_one_line_error(run("--as", "auditor", "doc", "erase", cid), 1, "was already erased")


def test_an_attachment_nobody_stored_is_a_warning_of_doc_verify_not_a_failure(
    run: Run, tmp_path: Path, profile_path: Path,
) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    kept = _attach(run, tmp_path, by="oracle")
    junk = compute_cid(b"stored nowhere")
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:  # an oracle attaches what it never stored
        oracle = profile.ledger("oracle")
        oracle.retention.record([RetentionInput(junk, Retention.TRANSIENT, token_id(normalize_vin(VIN)))])
        oracle_address = oracle.address
    r = run("doc", "verify", VIN)
    assert r.code == 0, r.err  # the title's own documents are all there
    warned = [line for line in r.out.splitlines() if line.startswith("WARN")]
    assert len(warned) == 1 and junk in warned[0] and f"an attachment of {oracle_address}" in warned[0]
    assert sum(kept in line and line.startswith("ok") for line in r.out.splitlines()) == 1
    checks = json.loads(run("doc", "verify", VIN, "--json").out)
    assert [c["cid"] for c in checks if "attached_by" in c] == [kept, junk]  # each document once

    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:  # a step's document lost: that fails
        title = next(e.doc_cid for e in profile.ledger("oracle").history(normalize_vin(VIN)) if e.name == "TitleRegistered")
        profile.store().delete(title)  # type: ignore[arg-type]
    assert_one_line_error(run("doc", "verify", VIN), 1, "failed verification")


def test_an_excerpt_of_the_access_log_verifies_against_its_anchored_head_and_not_once_altered(
    run: Run, tmp_path: Path,
) -> None:
    lien = _liened(run)
    cid = _attach(run, tmp_path, "--lien", lien)
    assert run("--as", "auditor", "doc", "get", cid, "--purpose", "audit").code == 0
    excerpt = tmp_path / "excerpt.json"
    r = run("--as", "lender-a", "doc", "access-log", "--cid", cid, "--out", str(excerpt))
    assert_one_line_error(r, 1, "anchored no head")  # nothing anchored yet
    assert not excerpt.exists()
    assert json.loads(run("--as", "lender-a", "doc", "access-log", "--anchor", "--json").out)["anchored"] == 2
    r = run("--as", "lender-a", "doc", "access-log", "--cid", cid, "--out", str(excerpt), "--json")
    assert r.code == 0 and json.loads(r.out)["entries"] == 2, r.err
    r = run("doc", "access-log", "--verify", str(excerpt), "--json")
    assert r.code == 0 and json.loads(r.out)["verified"], r.err

    data = excerpt.read_bytes()
    for at in (data.index(b'"audit"') + 2, data.index(b'"granted"') + 2, len(data) // 2):
        altered = tmp_path / "altered.json"
        altered.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
        r = run("doc", "access-log", "--verify", str(altered))
        assert r.code == 1 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err, r.err
    altered.write_text("not json")
    assert_one_line_error(run("doc", "access-log", "--verify", str(altered)), 1)


def test_an_account_that_is_no_member_is_refused_and_nothing_is_logged(
    run: Run, tmp_path: Path, profile_path: Path,
) -> None:
    lien = _liened(run)
    cid = _attach(run, tmp_path, "--lien", lien)
    assert run("account", "new", "stranger").code == 0  # a key of the profile, with no role
    before = _log(run, cid)
    assert_one_line_error(run("--as", "stranger", "doc", "get", cid, "--purpose", "fishing"), 1,
                          "holds no role of the registry")
    assert _log(run, cid) == before  # anyone can make a key: logging them would let anyone grow the log
    stored = sorted((profile_path / "store").rglob("*"))
    assert_one_line_error(run("--as", "stranger", "doc", "attach", VIN, "--file", str(tmp_path / "papers.txt")), 1,
                          "holds no role of the registry")
    assert sorted((profile_path / "store").rglob("*")) == stored  # nothing stored, no key deposited
    assert not (profile_path / "keys" / "stranger.sqlite").exists()


def test_a_wrong_record_is_corrected_only_by_a_member_vote(run: Run, tmp_path: Path) -> None:
    lien = _liened(run)
    cid = _attach(run, tmp_path, "--lien", lien)  # transient, about the lien
    r = run("--as", "registrar", "member", "propose", "--correct-document", cid, "--vin", VIN)
    assert r.code == 2 and "--retention" in r.err
    _vote(run, "--correct-document", cid, "--vin", VIN, "--retention", "essential")
    status = json.loads(run("doc", "status", cid, "--json").out)
    assert (status["retention"], status["subject"]) == ("essential", "title")


def test_a_document_whose_record_did_not_go_through_is_recorded_by_its_author_alone(
    run: Run, profile_path: Path,
) -> None:
    cid = compute_cid(b"certificate of title")
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:  # a step, and no record after it
        registrar = profile.accounts.get("registrar").address
        profile.ledger("registrar").register_title(VIN, Account.create().address, doc_cid=cid)  # type: ignore[arg-type]
    assert_one_line_error(run("doc", "status", cid), 1, "is recorded in the document registry")
    r = run("--as", "lender-b", "doc", "record", VIN, "--json")
    assert r.code == 0 and json.loads(r.out) == []  # not its step
    r = run("--as", "registrar", "doc", "record", VIN, "--json")
    assert r.code == 0 and json.loads(r.out) == [{"cid": cid, "retention": "essential", "lien_id": 0}]
    assert json.loads(run("doc", "status", cid, "--json").out)["author"] == registrar
    assert json.loads(run("--as", "registrar", "doc", "record", VIN, "--json").out) == []  # once

"""`lien accept|assign` and `lien accept-subordination|subordinate`: a lien sold, a portfolio sold in
one go, a senior ranking behind a junior."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from .conftest import authorization
from .test_errors import assert_one_line_error

VIN = "1M8GDM9AXKP042788"


def grant(run, lender: str, amount: str, *extra: str) -> int:  # type: ignore[no-untyped-def]
    r = run("--as", lender, "lien", "grant", VIN, "--amount", amount,
            "--authorization", authorization(run, lender, VIN, amount), *extra, "--json")
    assert r.code == 0, r.err
    return int(json.loads(r.out)["lien_id"])


def test_a_portfolio_is_accepted_and_assigned_from_a_file_and_a_rerun_changes_nothing(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    ids = [grant(run, "lender-a", "1000"), grant(run, "lender-a", "2000")]
    portfolio = tmp_path / "liens.csv"
    portfolio.write_text("lien_id\n" + "".join(f"{i}\n" for i in ids))
    acceptance = tmp_path / "acceptance.json"
    r = run("--as", "lender-b", "lien", "accept", "--file", str(portfolio), "--from", "lender-a",
            "--out", str(acceptance))
    assert r.code == 0 and "(lender-b) accepts 2 lien(s) from" in r.out and "(lender-a)" in r.out, r.err

    sale = tmp_path / "sale.pdf"
    sale.write_bytes(b"Portfolio sale agreement")
    r = run("--as", "lender-a", "lien", "assign", "--file", str(portfolio), "--to", "lender-b",
            "--acceptance", str(acceptance), "--doc", str(sale))
    assert r.code == 0 and "assigned 2 lien(s) to" in r.out and "(lender-b)" in r.out, r.err
    liens = json.loads(run("lien", "list", VIN, "--json").out)
    assert [(x["priority"], x["lender"]) for x in liens] == [(1, liens[0]["lender"]), (2, liens[0]["lender"])]
    listed = run("lien", "list", VIN).out
    assert listed.count("(lender-b)") == 2 and "lender-a" not in listed
    history = json.loads(run("title", "history", VIN, "--json").out)
    assert [e["event"] for e in history][-2:] == ["LienAssigned", "LienAssigned"]
    r = run("--as", "lender-b", "doc", "get", history[-1]["args"]["docCid"])
    assert r.code == 0 and r.out == sale.read_text()
    assert [line for line in run("watch").out.splitlines() if "assigned by" in line][0].endswith("(lender-b)")

    r = run("--as", "lender-a", "lien", "assign", "--file", str(portfolio), "--to", "lender-b",
            "--acceptance", str(acceptance), "--json")
    assert r.code == 0 and json.loads(r.out) == {"assigned": [], "skipped": 2, "to": json.loads(r.out)["to"]}


def test_an_assignment_is_refused_with_one_line_and_nothing_changes(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    lien_id = grant(run, "lender-a", "1000")
    acceptance = tmp_path / "acceptance.json"
    assert run("--as", "oracle", "lien", "accept", str(lien_id), "--from", "lender-a", "--out", str(acceptance)).code == 0
    before = run("lien", "list", VIN, "--json").out
    r = run("--as", "lender-a", "lien", "assign", str(lien_id), "--to", "oracle", "--acceptance", str(acceptance))
    assert_one_line_error(r, 1, "a lien is assigned only to another LENDER", "member propose --grant LENDER")
    r = run("--as", "lender-a", "lien", "assign", str(lien_id), "--to", "lender-b", "--acceptance", str(acceptance))
    assert_one_line_error(r, 1, "acceptance", "ask for one for exactly this operation")
    r = run("--as", "lender-a", "lien", "assign", "--to", "lender-b", "--acceptance", str(acceptance))
    assert r.code == 2 and "LIEN_ID or --file" in r.err
    bad = tmp_path / "bad.csv"
    bad.write_text("lien_id\n1\n1\n")
    r = run("--as", "lender-a", "lien", "assign", "--file", str(bad), "--to", "lender-b", "--acceptance", str(acceptance))
    assert_one_line_error(r, 1, "more than once")
    bad.write_text("3\nthree\n")
    r = run("--as", "lender-a", "lien", "assign", "--file", str(bad), "--to", "lender-b", "--acceptance", str(acceptance))
    assert_one_line_error(r, 1, "line 2: 'three' is no lien id")
    assert run("lien", "list", VIN, "--json").out == before


def test_a_senior_lien_is_subordinated_with_the_juniors_acceptance(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    senior = grant(run, "lender-a", "1000")
    consent = tmp_path / "consent.json"
    assert run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "2000",
               "--out", str(consent)).code == 0
    junior = grant(run, "lender-b", "2000", "--consent", str(consent))
    acceptance = tmp_path / "subordination.json"
    r = run("--as", "lender-a", "lien", "accept-subordination", str(senior), "--behind", str(junior),
            "--out", str(acceptance))
    assert_one_line_error(r, 1, f"cannot assign or subordinate lien {junior}")
    r = run("--as", "lender-b", "lien", "accept-subordination", str(senior), "--behind", str(junior),
            "--out", str(acceptance))
    assert r.code == 0, r.err
    r = run("--as", "lender-b", "lien", "subordinate", str(senior), "--behind", str(junior),
            "--acceptance", str(acceptance))
    assert_one_line_error(r, 1, f"only the lienholder", "sign with the lienholder's account")
    r = run("--as", "lender-a", "lien", "subordinate", str(senior), "--behind", str(junior),
            "--acceptance", str(acceptance))
    assert r.code == 0 and f"lien {senior} now ranks behind lien {junior}" in r.out, r.err
    liens = json.loads(run("lien", "list", VIN, "--json").out)
    assert [(x["lien_id"], x["priority"]) for x in liens] == [(junior, 1), (senior, 2)]
    assert f"order {junior} > {senior}" in run("watch").out


def test_a_payoff_is_recorded_disputed_and_a_release_proposal_setting_voted(run, tmp_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    lien_id = grant(run, "lender-a", "1000")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"Paid in full")
    r = run("--as", "lender-a", "lien", "payoff", str(lien_id), "--doc", str(receipt))
    assert_one_line_error(r, 1, f"may not record lien {lien_id}'s payoff", "the title's owner does")
    r = run("--as", "registrar", "lien", "payoff", str(lien_id), "--doc", str(receipt))
    assert r.code == 0 and f"lien {lien_id} paid off: its holder must release it by" in r.out, r.err
    paid = json.loads(run("title", "history", VIN, "--json").out)[-1]
    assert paid["event"] == "LienPaidOff"
    assert run("--as", "lender-a", "doc", "get", paid["args"]["docCid"]).out == receipt.read_text()
    r = run("--as", "registrar-b", "lien", "release", str(lien_id), "--paid-off")
    assert_one_line_error(r, 1, f"lien {lien_id} is not overdue for release", "its holder may still release it")
    assert run("--as", "lender-a", "lien", "dispute-payoff", str(lien_id)).code == 0
    assert "LienPayoffDisputed" in run("watch", "--alerts").out
    r = run("--as", "lender-a", "lien", "release", str(lien_id), "--doc", str(receipt))
    assert r.code == 2 and "--paid-off" in r.err
    r = run("--as", "registrar", "member", "propose", "--release-days", "20", "--json")
    assert r.code == 0, r.err
    assert "20 days" in run("member", "list").out


def test_a_lien_in_default_is_disposed_of_after_the_notice_period(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    import eth._utils.headers

    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    senior = grant(run, "lender-a", "1000")
    consent = tmp_path / "consent.json"
    assert run("--as", "lender-a", "lien", "consent", VIN, "--to", "lender-b", "--amount", "2000",
               "--out", str(consent)).code == 0
    junior = grant(run, "lender-b", "2000", "--consent", str(consent))
    notice = tmp_path / "notice.pdf"
    notice.write_bytes(b"Notice of default")
    r = run("--as", "lender-a", "lien", "default", str(senior), "--doc", str(notice))
    assert r.code == 0 and "its title is repossessed" in r.out, r.err
    shown = run("title", "show", VIN).out
    assert "repossessed" in shown and f"in default: lien {senior}" in shown
    alerts = run("--as", "lender-b", "watch", "--alerts").out
    assert f"DEFAULT lien {senior}" in alerts and f"lien {senior} on the title is in default" in alerts
    buyer = Account.create().address
    sale = tmp_path / "sale.json"
    assert run("--as", "registrar", "title", "authorize-sale", VIN, "--to", buyer, "--price", "1500",
               "--valid-days", "30", "--out", str(sale)).code == 0
    r = run("--as", "lender-a", "title", "dispose", VIN, "--to", buyer, "--price", "1500", "--km", "90000", "--authorization", str(sale))
    assert_one_line_error(r, 1, "notice period after the default runs until", "lienchain title show")

    monkeypatch.setattr(eth._utils.headers, "eth_now", lambda: int(time.time()) + 11 * 86400)
    r = run("--as", "lender-b", "title", "dispose", VIN, "--to", buyer, "--price", "1500", "--km", "90000", "--authorization", str(sale))
    assert_one_line_error(r, 1, f"only the lienholder")
    r = run("--as", "lender-a", "title", "dispose", VIN, "--to", buyer, "--price", "1500", "--km", "90000", "--authorization", str(sale),
            "--json")
    assert r.code == 0, r.err
    sold = json.loads(r.out)
    assert [(d["lien_id"], d["recovered"], d["deficiency"]) for d in sold["discharged"]] == [
        (senior, "100000", "0"), (junior, "50000", "150000")]
    assert sold["surplus"] == "0"
    shown = json.loads(run("title", "show", VIN, "--json").out)
    assert (shown["owner"], shown["status"], shown["active_liens"]) == (buyer, "active", 0)
    history = run("title", "history", VIN).out
    assert "TitleDisposed" in history and "recovered 50000, deficiency 150000" in history
    assert "SOLD to" in run("watch", "--alerts").out

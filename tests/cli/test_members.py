"""`lienchain member`: what voters see of a proposal, and the votes governance refuses."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import eth._utils.headers
import pytest
from eth_account import Account

from lienchain.ledger import Profile

from .conftest import PASSPHRASE
from .test_errors import assert_one_line_error, head

VIN = "1M8GDM9AXKP042788"
DAY = 86400


def propose(run, *args: str) -> str:
    r = run("--as", "registrar", "member", "propose", *args, "--json")
    assert r.code == 0, r.err
    return str(json.loads(r.out)["id"])


def listed(run, pid: str) -> dict[str, Any]:
    (p,) = [p for p in json.loads(run("member", "list", "--json").out)["proposals"] if str(p["id"]) == pid]
    return p


def test_member_list_shows_an_expired_proposal_and_vote_refuses_it(run, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = propose(run, "--grant", "ORACLE", "--to", "auditor")
    assert run("--as", "lender-a", "member", "vote", pid).code == 0
    assert f"proposal {pid}: grant ORACLE" in run("member", "list").out and "open, 2 of 3 approvals" in run(
        "member", "list").out
    # The chain's clock past the voting period: a block mined 15 days ahead.
    monkeypatch.setattr(eth._utils.headers, "eth_now", lambda: int(time.time()) + 15 * DAY)
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert listed(run, pid)["state"] == "expired"
    assert "expired at" in run("member", "list").out
    before = head(run)
    r = run("--as", "lender-b", "member", "vote", pid)
    assert_one_line_error(r, 1, f"proposal {pid} expired at", "propose it again with `lienchain member propose`")
    assert head(run) == before
    assert (listed(run, pid)["approvals"], listed(run, pid)["executed"]) == (2, False)
    roles = {a["name"]: a["roles"] for a in json.loads(run("account", "list", "--json").out)}
    assert roles["auditor"] == ["AUDITOR"]


@pytest.mark.parametrize(("option", "value", "needle"), [
    ("--voting-days", "14", "the voting period is 1209600 seconds already"),
    ("--ltv-threshold", "70%", "the setting is 7000 already"),
    ("--staleness-days", "180", "the setting is 15552000 already"),
    ("--proof-days", "7", "the setting is 604800 already"),
    ("--lapse-grace-days", "90", "the setting is 7776000 already"),
])
def test_member_propose_refuses_a_setting_at_its_current_value(run, option: str, value: str, needle: str) -> None:
    before = head(run)
    r = run("--as", "registrar", "member", "propose", option, value)
    assert_one_line_error(r, 1, needle)
    assert head(run) == before and json.loads(run("member", "list", "--json").out)["proposals"] == []


def test_member_propose_voting_days_is_carried_by_a_vote(run) -> None:
    pid = propose(run, "--voting-days", "7")
    assert run("--as", "lender-a", "member", "vote", pid).code == 0
    assert json.loads(run("--as", "lender-b", "member", "vote", pid, "--json").out)["executed"]
    p = listed(run, propose(run, "--grant", "ORACLE", "--to", "auditor"))
    assert p["expires_at"] - p["created_at"] == 7 * DAY


def test_member_cancel_is_for_the_proposer_and_no_vote_carries_a_cancelled_proposal(run) -> None:
    pid = propose(run, "--grant", "ORACLE", "--to", "auditor")
    before = head(run)
    r = run("--as", "lender-a", "member", "cancel", pid)
    assert_one_line_error(r, 1, f"may cancel proposal {pid}")
    assert head(run) == before and listed(run, pid)["state"] == "open"
    r = run("--as", "registrar", "member", "cancel", pid)
    assert r.code == 0, r.err
    assert "cancelled by its proposer" in r.out
    assert listed(run, pid)["state"] == "cancelled"
    before = head(run)
    r = run("--as", "lender-a", "member", "vote", pid)
    assert_one_line_error(r, 1, f"proposal {pid} was cancelled", "propose it again")
    assert head(run) == before and listed(run, pid)["approvals"] == 1


def raw_proposal(profile_path: Path, target: str, data: str, description: str) -> str:
    """Makes a proposal as the registrar with any call, as a member's own tool could."""
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:
        ledger = profile.ledger("registrar")
        return str(ledger._propose(getattr(ledger.deployment, target), data, description))  # noqa: SLF001


def test_member_list_shows_the_call_a_proposal_makes_whatever_its_description(run, profile_path: Path) -> None:
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:
        registry = profile.ledger().registry
        auditor = profile.accounts.get("auditor").address
        data = registry.encode_abi("grantRole", [registry.functions.REGISTRAR_ROLE().call(), auditor])
    pid = raw_proposal(profile_path, "registry", data, "set the threshold to 65%")
    out = run("member", "list").out
    assert f"proposal {pid}: set the threshold to 65% [open" in out
    assert f"  calls TitleRegistry.grantRole(role=REGISTRAR, account={auditor} (auditor))" in out
    call = listed(run, pid)["call"]
    assert (call["contract"], call["function"], call["args"]) == (
        "TitleRegistry", "grantRole", {"role": "REGISTRAR", "account": auditor})
    r = run("--as", "lender-a", "member", "vote", pid)
    assert r.code == 0 and "calls TitleRegistry.grantRole(role=REGISTRAR" in r.out


def test_member_list_shows_each_call_of_a_removal(run, profile_path: Path) -> None:
    pid = propose(run, "--remove", "lender-b")
    lines = run("member", "list").out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith(f"proposal {pid}:")))
    assert lines[at + 1] == "  calls, in order, all or nothing:"
    assert [line.split("(")[0] for line in lines[at + 2:at + 7]] == [
        "    calls TitleRegistry.revokeRole", "    calls TitleRegistry.revokeRole", "    calls TitleRegistry.revokeRole",
        "    calls TitleRegistry.revokeRole", "    calls Governance.removeMember"]
    assert "role=LENDER, account=" in lines[at + 3] and "(lender-b))" in lines[at + 3]


def test_member_vote_refuses_an_undecodable_call_unless_raw(run, profile_path: Path) -> None:
    pid = raw_proposal(profile_path, "registry", "0xdeadbeef", "a harmless fix")
    assert "UNDECODABLE" in run("member", "list").out
    assert listed(run, pid)["call"] is None
    before = head(run)
    r = run("--as", "lender-a", "member", "vote", pid)
    assert_one_line_error(r, 1, f"proposal {pid} makes a call lienchain cannot decode", "pass --raw")
    assert head(run) == before and listed(run, pid)["approvals"] == 1
    r = run("--as", "lender-a", "member", "vote", pid, "--raw", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["approvals"] == 2

"""Every lien ends: one past its maturity and a grace period lapses (anyone may mark it), and
governance may release any lien with evidence (a court order, a proof of payoff). A lender whose
role was revoked, or who vanished, no longer blocks a title for good."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, LienStatus, TitleStatus, normalize_vin

from .conftest import Backend
from .support import grant, sent, transfer

VIN = normalize_vin("1M8GDM9AXKP042788")
BUYER = Account.create().address
MATURITY = int(time.time()) + 5 * 365 * 86400


def vote(ledgers: dict[str, Ledger], pid: int) -> None:
    """Three of the five founding members approve (the proposer's vote counted at once)."""
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def wait_for_chain_time(ledgers: dict[str, Ledger], after: int) -> None:
    """Lets the chain's clock pass `after`: wall time, then a block (the chain's time moves only with one)."""
    while ledgers["reader"].chain.time() <= after:
        time.sleep(max(0.0, after + 1 - time.time()))
        ledgers["registrar"].send_value(Account.create().address, 1)


def test_a_lien_lapses_its_grace_period_after_maturity_and_anyone_may_mark_it(titled: dict[str, Ledger]) -> None:
    pid = titled["registrar"].propose_lapse_grace(2)
    vote(titled, pid)
    assert titled["reader"].lapse_grace() == 2
    maturity = titled["reader"].now() + 3
    lien = grant(titled, "lender-a", VIN, 1_000, currency="USD", maturity=maturity)
    before = sent(titled)
    with pytest.raises(errors.RegistryLienNotLapsed) as refused:
        titled["auditor"].mark_lapsed(lien.lien_id)  # not yet: maturity and grace still ahead
    assert refused.value.lapses_at == maturity + 2
    assert sent(titled) == before and titled["reader"].lien(lien.lien_id).status == LienStatus.ACTIVE

    wait_for_chain_time(titled, maturity + 2)
    lapsed = titled["auditor"].mark_lapsed(lien.lien_id)  # anyone: here an auditor
    assert lapsed.status == LienStatus.LAPSED and titled["reader"].title(VIN).active_liens == 0
    assert [e.name for e in titled["reader"].history(VIN)][-1] == "LienLapsed"
    transfer(titled, VIN, BUYER)  # the title is free
    with pytest.raises(errors.LienNotActive):
        titled["auditor"].mark_lapsed(lien.lien_id)


def test_a_revoked_lenders_liens_lapse_and_free_the_titles(titled: dict[str, Ledger]) -> None:
    pid = titled["registrar"].propose_lapse_grace(1)
    vote(titled, pid)
    maturity = titled["reader"].now() + 2
    lien = grant(titled, "lender-b", VIN, 1, currency="USD", maturity=maturity)  # 0.01
    pid = titled["registrar"].propose_role("LENDER", titled["lender-b"].address, grant=False)
    titled["lender-a"].approve(pid)
    assert titled["auditor"].approve(pid).executed  # lender-b's role is gone; its lien stays
    with pytest.raises(errors.TitleEncumbered):
        transfer(titled, VIN, BUYER)
    wait_for_chain_time(titled, maturity + 1)
    titled["registrar"].mark_lapsed(lien.lien_id)
    transfer(titled, VIN, BUYER)
    assert titled["reader"].title(VIN).owner == BUYER


def test_governance_releases_a_lien_with_its_evidence(titled: dict[str, Ledger]) -> None:
    lien = grant(titled, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    before = sent(titled)
    with pytest.raises(errors.MissingRole, match="DEFAULT_ADMIN"):  # no single key: not even a registrar's
        titled["registrar"]._signer.send(  # noqa: SLF001
            titled["registrar"].registry.functions.forceReleaseLien(lien.lien_id, "bafkreicourtorder"), gas=200_000)
    assert sent(titled) == before and titled["reader"].lien(lien.lien_id).status == LienStatus.ACTIVE
    with pytest.raises(errors.InvalidOperation, match="evidence"):
        titled["registrar"].propose_force_release(lien.lien_id, evidence_cid="")

    pid = titled["registrar"].propose_force_release(lien.lien_id, evidence_cid="bafkreicourtorder")
    vote(titled, pid)
    released = titled["reader"].lien(lien.lien_id)
    assert released.status == LienStatus.RELEASED and titled["reader"].title(VIN).active_liens == 0
    last = titled["reader"].history(VIN)[-1]
    assert (last.name, last.args["evidenceCid"]) == ("LienForceReleased", "bafkreicourtorder")
    transfer(titled, VIN, BUYER)


def test_a_lapse_grace_vote_keeps_the_default_until_it_passes(titled: dict[str, Ledger]) -> None:
    assert titled["reader"].lapse_grace() == 90 * 86400
    pid = titled["registrar"].propose_lapse_grace(30 * 86400)
    titled["lender-a"].approve(pid)
    assert titled["reader"].lapse_grace() == 90 * 86400


def test_a_lien_matures_within_30_years_so_no_lender_holds_a_title_for_good(titled: dict[str, Ledger]) -> None:
    before = sent(titled)
    for maturity in (2**64 - 1, titled["reader"].now() + 31 * 366 * 86400):
        with pytest.raises(errors.RegistryInvalidMaturity):
            grant(titled, "lender-a", VIN, 1, currency="USD", maturity=maturity)
    assert sent(titled) == before and titled["reader"].liens(VIN) == []
    grant(titled, "lender-a", VIN, 1, currency="USD", maturity=titled["reader"].now() + 29 * 365 * 86400)


@pytest.mark.parametrize("liened", [True, False], ids=["liened", "unliened"])
def test_one_registrar_cannot_cancel_a_title_but_a_vote_can(titled: dict[str, Ledger], liened: bool) -> None:
    if liened:
        grant(titled, "lender-a", VIN, 1_000, currency="USD", maturity=MATURITY)
    before = sent(titled)
    with pytest.raises(errors.RegistryCancellationNeedsVote, match="takes a member vote"):
        titled["registrar"].set_title_status(VIN, TitleStatus.CANCELLED, doc_cid="bafkreistatus")
    with pytest.raises(errors.RegistryDocumentRequired):  # nor is a vote proposed without its evidence
        titled["registrar"].propose_cancellation(VIN, "")
    assert sent(titled) == before and titled["reader"].title(VIN).status == TitleStatus.ACTIVE
    pid = titled["registrar"].propose_cancellation(VIN, "bafkreicancel")
    call = titled["reader"].proposal(pid).call
    assert call is not None and (call.function, call.args["status"]) == ("setTitleStatus", "cancelled")
    vote(titled, pid)
    assert titled["reader"].title(VIN).status == TitleStatus.CANCELLED
    last = titled["reader"].history(VIN)[-1]
    assert (last.name, last.args["docCid"]) == ("TitleStatusChanged", "bafkreicancel")
    with pytest.raises(errors.TitleNotActive, match="cancelled"):  # for good
        titled["registrar"].set_title_status(VIN, TitleStatus.ACTIVE, doc_cid="bafkreistatus")

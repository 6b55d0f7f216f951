"""A paid-off lien is released in time: the borrower's side records the payoff, the lienholder
releases it within the release deadline or disputes it; past the deadline a review raises an alert,
and past its grace period a second registrar may release it on the payoff evidence."""

from __future__ import annotations

import time

import pytest

from lienchain import errors
from lienchain.ledger import Ledger, LienStatus, normalize_vin

from .conftest import Backend
from .support import grant, sent
from .test_lien_ends import vote, wait_for_chain_time

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400


@pytest.fixture
def owned(backend: Backend, ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    """A title whose owner holds a key ("owner"), and a lien of lender-a on it."""
    backend.create_account("owner")
    ledgers["owner"] = backend.ledger("owner")
    ledgers["registrar"].register_title(VIN, ledgers["owner"].address, doc_cid="bafkreititle")
    grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY)
    return ledgers


def test_the_defaults_are_ten_days_and_ten_more(owned: dict[str, Ledger]) -> None:
    assert (owned["reader"].release_deadline(), owned["reader"].release_grace()) == (10 * 86400, 10 * 86400)


def test_the_owner_records_a_payoff_and_the_lienholder_releases_it_in_time(owned: dict[str, Ledger]) -> None:
    payoff = owned["owner"].record_payoff(1, doc_cid="bafkreireceipt")
    assert payoff.recorded and payoff.recorded_by == owned["owner"].address
    assert payoff.release_due == payoff.paid_off_at + 10 * 86400
    assert payoff.registrar_may_release_at == payoff.release_due + 10 * 86400
    event = owned["reader"].history(VIN)[-1]
    assert event.name == "LienPaidOff" and event.args["releaseDue"] == payoff.release_due
    assert owned["lender-a"].release_lien(1).status == LienStatus.RELEASED


def test_a_payoff_is_recorded_only_by_the_borrowers_side_and_once(owned: dict[str, Ledger]) -> None:
    before = sent(owned)
    with pytest.raises(errors.RegistryNotBorrower):
        owned["lender-b"].record_payoff(1, doc_cid="bafkreireceipt")
    with pytest.raises(errors.RegistryDocumentRequired):
        owned["owner"].record_payoff(1, doc_cid="")
    with pytest.raises(errors.RegistryNoPayoff):
        owned["lender-a"].dispute_payoff(1, doc_cid="bafkreistatement")
    with pytest.raises(errors.RegistryNoPayoff):
        owned["registrar-b"].release_paid_off(1, evidence_cid="bafkreireceipt")
    assert sent(owned) == before and not owned["reader"].payoff(1).recorded

    owned["registrar"].record_payoff(1, doc_cid="bafkreireceipt")  # for an owner without a key
    before, payoff = sent(owned), owned["reader"].payoff(1)
    with pytest.raises(errors.RegistryPayoffRecorded):
        owned["owner"].record_payoff(1, doc_cid="bafkreireceipt")
    with pytest.raises(errors.RegistryNotLienholder):
        owned["lender-b"].dispute_payoff(1, doc_cid="bafkreistatement")
    assert sent(owned) == before and owned["reader"].payoff(1) == payoff


def test_a_disputed_payoff_no_longer_counts(owned: dict[str, Ledger]) -> None:
    owned["owner"].record_payoff(1, doc_cid="bafkreireceipt")
    assert not owned["lender-a"].dispute_payoff(1, doc_cid="bafkreistatement").recorded
    assert owned["reader"].history(VIN)[-1].name == "LienPayoffDisputed"
    with pytest.raises(errors.RegistryNoPayoff):
        owned["registrar-b"].release_paid_off(1, evidence_cid="bafkreireceipt")


def test_past_the_deadline_an_alert_and_past_the_grace_a_second_registrar_releases(owned: dict[str, Ledger]) -> None:
    vote(owned, owned["registrar"].propose_release_deadline(2))
    vote(owned, owned["registrar"].propose_release_grace(2))
    payoff = owned["registrar"].record_payoff(1, doc_cid="bafkreireceipt")
    before = sent(owned)
    with pytest.raises(errors.RegistryReleaseNotOverdue) as refused:
        owned["registrar-b"].release_paid_off(1, evidence_cid="bafkreireceipt")
    assert refused.value.releasable_at == payoff.registrar_may_release_at
    assert sent(owned) == before

    wait_for_chain_time(owned, payoff.release_due)
    owned["auditor"].review_title(VIN)
    event = owned["reader"].history(VIN)[-1]
    assert event.name == "LienReleaseOverdue" and event.args["lender"] == owned["lender-a"].address
    assert owned["reader"].payoff(1).overdue
    owned["auditor"].review_title(VIN)  # raised once
    assert [e.name for e in owned["reader"].history(VIN)].count("LienReleaseOverdue") == 1

    wait_for_chain_time(owned, payoff.registrar_may_release_at)
    before = sent(owned)
    with pytest.raises(errors.RegistrySameRegistrar):  # who recorded the payoff does not also release on it
        owned["registrar"].release_paid_off(1, evidence_cid="bafkreireceipt")
    with pytest.raises(errors.MissingRole):
        owned["lender-b"].release_paid_off(1, evidence_cid="bafkreireceipt")
    assert sent(owned) == before and owned["reader"].lien(1).active
    released = owned["registrar-b"].release_paid_off(1, evidence_cid="bafkreireceipt")
    assert released.status == LienStatus.RELEASED and owned["reader"].title(VIN).active_liens == 0
    assert owned["reader"].liens(VIN)[0].status == LienStatus.RELEASED  # the index knows how it ended
    event = owned["reader"].history(VIN)[-1]
    assert event.name == "LienReleasedAfterPayoff" and event.args["registrar"] == owned["registrar-b"].address


def test_a_payoff_is_disputed_by_its_deadline_or_not_at_all_and_blocks_an_assignment(owned: dict[str, Ledger]) -> None:
    vote(owned, owned["registrar"].propose_release_deadline(2))
    payoff = owned["owner"].record_payoff(1, doc_cid="bafkreireceipt")
    acceptance = owned["lender-b"].accept_assignment([1], assignor=owned["lender-a"].address,
                                                     deadline=owned["reader"].now() + 86400)
    before = sent(owned)
    with pytest.raises(errors.RegistryPayoffRecorded):  # it owes the release: it does not hand the lien on
        owned["lender-a"].assign_liens([(owned["reader"].lien(1), "bafkreiassign")], owned["lender-b"].address,
                                       portfolio=[1], acceptance=acceptance)
    assert sent(owned) == before
    wait_for_chain_time(owned, payoff.release_due)
    before = sent(owned)
    with pytest.raises(errors.RegistryDisputeTooLate) as refused:
        owned["lender-a"].dispute_payoff(1, doc_cid="bafkreistatement")
    assert refused.value.release_due == payoff.release_due
    assert sent(owned) == before and owned["reader"].payoff(1).recorded

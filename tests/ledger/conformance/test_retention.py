"""Documents are kept for their class's period after their business ends, and then erased: the
document registry records each anchored document's class and subject, refuses an erasure before it
is due, and keeps the erasure, each member's attestation and the access-log anchors for good."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry.retention import ReadStatus, Retention, RetentionInput
from lienchain.ledger.registry.vin import token_id
from lienchain.ledger.workspace import trail
from lienchain.storage.vault import KeyVault

from .support import grant, sent, transfer
from .test_lien_ends import vote, wait_for_chain_time

VIN = normalize_vin("1M8GDM9AXKP042788")
TOKEN = token_id(VIN)
MATURITY = int(time.time()) + 5 * 365 * 86400


@pytest.fixture
def liened(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    """A title with a lien of lender-a on it."""
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY)
    return ledgers


def test_the_default_periods_are_five_years_and_ninety_days(ledgers: dict[str, Ledger]) -> None:
    docs = ledgers["reader"].retention
    assert docs.period(Retention.ESSENTIAL) == 5 * 365 * 86400
    assert docs.period(Retention.TRANSIENT) == 90 * 86400
    assert docs.log_interval() == 3600


def test_a_document_is_recorded_once_with_its_class_and_subject(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.ESSENTIAL, TOKEN, 1)])
    liened["oracle"].retention.record([RetentionInput("bafkreiappraisal", Retention.TRANSIENT, TOKEN)])
    loan = liened["reader"].retention.require("bafkreiloan")
    assert (loan.retention, loan.author, loan.lien_id, loan.business_ended_at, loan.due_at) == (
        Retention.ESSENTIAL, liened["lender-a"].address, 1, 0, 0)
    assert liened["reader"].retention.require("bafkreiappraisal").subject == "title"

    before = sent(liened)
    with pytest.raises(errors.DocumentsAlreadyRecorded) as refused:  # a second record would change its class
        liened["lender-b"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN)])
    assert refused.value.author == liened["lender-a"].address
    with pytest.raises(errors.DocumentsInvalidSubject):
        liened["registrar"].retention.record([RetentionInput("bafkreiother", Retention.ESSENTIAL, TOKEN, 7)])
    with pytest.raises(errors.DocumentsInvalidSubject):
        liened["registrar"].retention.record([RetentionInput("bafkreiother", Retention.ESSENTIAL, TOKEN + 1)])
    with pytest.raises(errors.DocumentsInvalidInput):
        liened["registrar"].retention.record([RetentionInput("", Retention.ESSENTIAL, TOKEN)])
    assert sent(liened) == before
    assert liened["reader"].retention.require("bafkreiloan").retention == Retention.ESSENTIAL
    assert liened["reader"].retention.get("bafkreiother") is None


def test_no_member_records_a_document_another_members_step_anchored(liened: dict[str, Ledger]) -> None:
    before = sent(liened)
    # The title's document, anchored by the registrar's step: public, but only its author records it.
    with pytest.raises(errors.DocumentsNotAuthor) as refused:
        liened["lender-b"].retention.record([RetentionInput("bafkreititle", Retention.TRANSIENT, TOKEN, 1)])
    assert refused.value.author == liened["registrar"].address
    with pytest.raises(errors.DocumentsNotAuthor):  # lender-a's loan document, by another registrar
        liened["registrar-b"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN, 1)])
    # An attachment no step anchored: about a lien, its holder's (or a registrar's) to record; about
    # a title, a registrar's, oracle's or auditor's.
    with pytest.raises(errors.DocumentsNotAuthor):
        liened["lender-b"].retention.record([RetentionInput("bafkreinotes", Retention.TRANSIENT, TOKEN, 1)])
    with pytest.raises(errors.DocumentsNotAuthor):
        liened["lender-b"].retention.record([RetentionInput("bafkreinotes", Retention.TRANSIENT, TOKEN)])
    assert sent(liened) == before
    assert liened["reader"].retention.get("bafkreititle") is None and liened["reader"].retention.get("bafkreiloan") is None
    liened["lender-a"].retention.record([RetentionInput("bafkreinotes", Retention.TRANSIENT, TOKEN, 1)])
    assert liened["reader"].retention.require("bafkreinotes").author == liened["lender-a"].address


def test_an_author_records_its_document_about_its_steps_subject_only(liened: dict[str, Ledger]) -> None:
    # lender-a's lien on a second car, released: a document about it would be due first.
    other = normalize_vin("1HGCM82633A004352")
    liened["registrar"].register_title(other, Account.create().address, doc_cid="bafkreititle2")
    grant(liened, "lender-a", other, 500, maturity=MATURITY, doc_cid="bafkreiloan2")
    liened["lender-a"].release_lien(2)
    docs = liened["reader"].retention
    anchoring = docs.anchoring("bafkreiloan")
    assert anchoring is not None and (anchoring.author, anchoring.token_id, anchoring.lien_id) == (
        liened["lender-a"].address, TOKEN, 1)
    assert docs.anchoring("bafkreinever") is None

    before = sent(liened)
    with pytest.raises(errors.DocumentsNotStepSubject) as refused:  # its clock would start at lien 2's release
        liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, token_id(other), 2)])
    assert (refused.value.token_id, refused.value.lien_id) == (TOKEN, 1)
    with pytest.raises(errors.DocumentsNotStepSubject):  # nor about the title instead of its lien
        liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN)])
    with pytest.raises(errors.DocumentsNotStepSubject):  # nor a title's document about a lien on it
        liened["registrar"].retention.record([RetentionInput("bafkreititle", Retention.TRANSIENT, TOKEN, 1)])
    assert sent(liened) == before
    assert docs.get("bafkreiloan") is None and docs.get("bafkreititle") is None
    liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN, 1)])
    assert docs.require("bafkreiloan").business_ended_at == 0  # lien 1 is active: not due at all


def test_a_record_made_before_its_step_is_corrected_by_vote_to_its_author(liened: dict[str, Ledger]) -> None:
    # registrar-b sees lender-a's default notice in the pool and records it first, as transient, its own.
    liened["registrar-b"].retention.record([RetentionInput("bafkreinotice", Retention.TRANSIENT, TOKEN, 1)])
    liened["lender-a"].declare_default(1, doc_cid="bafkreinotice")
    docs, author = liened["reader"].retention, liened["lender-a"].address
    before = sent(liened)
    with pytest.raises(errors.DocumentsAlreadyRecorded) as refused:  # the author's record names the squatter
        liened["lender-a"].retention.record([RetentionInput("bafkreinotice", Retention.ESSENTIAL, TOKEN, 1)])
    assert refused.value.author == liened["registrar-b"].address and sent(liened) == before
    # Its custodian hands its key to no one meanwhile: the record is not its author's.
    refused_key = docs.refusal("bafkreinotice", liened["registrar-b"].address, author=author)
    assert refused_key is not None and "names" in refused_key
    vote(liened, liened["registrar"].retention.propose_correction(
        RetentionInput("bafkreinotice", Retention.ESSENTIAL, TOKEN, 1)))
    record = docs.require("bafkreinotice")
    assert (record.author, record.retention) == (author, Retention.ESSENTIAL)  # the step's sender again
    assert docs.refusal("bafkreinotice", author, author=author) is None


def test_an_attachment_is_about_a_business_that_goes_on(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].release_lien(1)
    released_at = liened["reader"].chain.time()
    before = sent(liened)
    with pytest.raises(errors.DocumentsBusinessEnded) as refused:  # it would be due at once
        liened["lender-a"].retention.record([RetentionInput("bafkreilate", Retention.TRANSIENT, TOKEN, 1)])
    assert refused.value.ended_at == released_at
    assert sent(liened) == before and liened["reader"].retention.get("bafkreilate") is None
    liened["oracle"].retention.record([RetentionInput("bafkreiphotos", Retention.TRANSIENT, TOKEN)])  # the title goes on


def test_the_evidence_of_a_voted_step_is_recorded_about_its_subject_after_the_vote(liened: dict[str, Ledger]) -> None:
    vote(liened, liened["registrar"].propose_force_release(1, "bafkreicourt"))  # its record never made
    docs = liened["reader"].retention
    assert docs.get("bafkreicourt") is None
    before = sent(liened)
    with pytest.raises(errors.DocumentsNotStepSubject):
        liened["registrar"].retention.record([RetentionInput("bafkreicourt", Retention.ESSENTIAL, TOKEN)])
    assert sent(liened) == before
    liened["registrar"].retention.record([RetentionInput("bafkreicourt", Retention.ESSENTIAL, TOKEN, 1)])
    record = docs.require("bafkreicourt")  # the lien it released ended: its clock runs
    assert record.author == liened["registrar"].address and record.business_ended_at > 0


def test_only_an_account_with_a_role_records_a_document(liened: dict[str, Ledger], backend) -> None:  # type: ignore[no-untyped-def]
    backend.create_account("stranger")
    stranger = backend.ledger("stranger")
    with pytest.raises(errors.DocumentsNotMember):
        stranger.retention.record([RetentionInput("bafkreistray", Retention.TRANSIENT, TOKEN)])
    assert liened["reader"].retention.get("bafkreistray") is None


def test_who_may_read_a_document_follows_its_subject(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN, 1)])
    liened["oracle"].retention.record([RetentionInput("bafkreiappraisal", Retention.TRANSIENT, TOKEN)])
    docs = liened["reader"].retention
    status = {name: docs.read_status("bafkreiloan", liened[name].address) for name in
              ("lender-a", "lender-b", "auditor", "registrar", "oracle")}
    assert status == {"lender-a": ReadStatus.ENTITLED, "lender-b": ReadStatus.NOT_ENTITLED,
                      "auditor": ReadStatus.ENTITLED, "registrar": ReadStatus.NOT_ENTITLED,
                      "oracle": ReadStatus.NOT_ENTITLED}
    status = {name: docs.read_status("bafkreiappraisal", liened[name].address) for name in
              ("lender-a", "lender-b", "auditor", "registrar", "oracle")}
    assert status == {"lender-a": ReadStatus.NOT_ENTITLED, "lender-b": ReadStatus.NOT_ENTITLED,
                      "auditor": ReadStatus.ENTITLED, "registrar": ReadStatus.ENTITLED,
                      "oracle": ReadStatus.ENTITLED}
    assert docs.read_status("bafkreinone", liened["auditor"].address) == ReadStatus.NOT_RECORDED


def test_an_erasure_is_refused_until_the_business_ends_and_the_period_runs_out(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN, 1)])
    with pytest.raises(errors.DocumentsBusinessOngoing):
        liened["auditor"].retention.erase("bafkreiloan")
    liened["lender-a"].release_lien(1)
    record = liened["reader"].retention.require("bafkreiloan")
    assert record.business_ended_at > 0 and record.due_at == record.business_ended_at + 90 * 86400
    before = sent(liened)
    with pytest.raises(errors.DocumentsNotDue) as refused:
        liened["auditor"].retention.erase("bafkreiloan")
    assert refused.value.due_at == record.due_at
    with pytest.raises(errors.DocumentsNotRecorded):
        liened["auditor"].retention.erase("bafkreinone")
    assert sent(liened) == before and not liened["reader"].retention.require("bafkreiloan").erased

    vote(liened, liened["registrar"].retention.propose_period(Retention.TRANSIENT, 2))
    assert liened["reader"].retention.period(Retention.TRANSIENT) == 2
    wait_for_chain_time(liened, record.business_ended_at + 2)
    erased = liened["auditor"].retention.erase("bafkreiloan")  # anyone: here an auditor
    assert erased.erased and erased.due_at == record.business_ended_at + 2
    assert liened["reader"].retention.read_status("bafkreiloan", liened["lender-a"].address) == ReadStatus.ERASED
    before = sent(liened)
    with pytest.raises(errors.DocumentsAlreadyErased):
        liened["auditor"].retention.erase("bafkreiloan")
    assert sent(liened) == before


def test_a_title_document_is_due_after_the_title_changes_hands(liened: dict[str, Ledger]) -> None:
    liened["registrar"].retention.record([RetentionInput("bafkreititle", Retention.ESSENTIAL, TOKEN)])
    assert liened["reader"].retention.require("bafkreititle").business_ended_at == 0
    liened["lender-a"].release_lien(1)
    assert liened["reader"].retention.require("bafkreititle").business_ended_at == 0  # a lien's end is not the title's
    title = transfer(liened, VIN, Account.create().address)
    record = liened["reader"].retention.require("bafkreititle")
    assert record.business_ended_at == liened["reader"].chain.time()
    assert record.due_at == record.business_ended_at + 5 * 365 * 86400
    # A document recorded after the transfer is about the new owner: its business goes on.
    liened["registrar"].retention.record([RetentionInput("bafkreisale", Retention.ESSENTIAL, TOKEN)])
    assert liened["reader"].retention.require("bafkreisale").business_ended_at == 0
    assert title.owner != liened["registrar"].address


def test_a_title_document_is_due_after_the_title_is_cancelled(liened: dict[str, Ledger]) -> None:
    liened["registrar"].retention.record([RetentionInput("bafkreititle", Retention.TRANSIENT, TOKEN)])
    liened["lender-a"].release_lien(1)
    vote(liened, liened["registrar"].propose_cancellation(VIN, "bafkreiscrapped"))  # scrapped: never held again
    record = liened["reader"].retention.require("bafkreititle")
    assert record.business_ended_at == liened["reader"].chain.time()
    assert record.due_at == record.business_ended_at + 90 * 86400


def test_a_title_document_recorded_after_the_cancellation_is_due_after_it(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    vote(ledgers, ledgers["registrar"].propose_cancellation(VIN, "bafkreiscrapped"))
    cancelled_at = ledgers["reader"].chain.time()
    ledgers["registrar"].retention.record([RetentionInput("bafkreititle", Retention.ESSENTIAL, TOKEN)])  # late
    assert ledgers["reader"].retention.require("bafkreititle").business_ended_at == cancelled_at
    before = sent(ledgers)
    with pytest.raises(errors.DocumentsBusinessEnded):  # no one holds the title: nothing to attach to
        ledgers["oracle"].retention.record([RetentionInput("bafkreiphotos", Retention.TRANSIENT, TOKEN)])
    assert sent(ledgers) == before


def test_members_attest_an_erasure_once_each(liened: dict[str, Ledger], backend) -> None:  # type: ignore[no-untyped-def]
    liened["lender-a"].retention.record([RetentionInput("bafkreiloan", Retention.TRANSIENT, TOKEN, 1)])
    before = sent(liened)
    with pytest.raises(errors.DocumentsNotErased):
        liened["lender-b"].retention.attest(["bafkreiloan"])
    assert sent(liened) == before
    liened["lender-a"].release_lien(1)
    vote(liened, liened["registrar"].retention.propose_period(Retention.TRANSIENT, 1))
    wait_for_chain_time(liened, liened["reader"].retention.require("bafkreiloan").business_ended_at + 1)
    liened["auditor"].retention.erase("bafkreiloan")
    liened["lender-b"].retention.attest(["bafkreiloan"])
    erasure = liened["reader"].retention.erasure("bafkreiloan")
    assert erasure.attestations[liened["lender-b"].address] is True
    assert erasure.attestations[liened["lender-a"].address] is False
    backend.create_account("stranger")
    before = sent(liened)
    with pytest.raises(errors.DocumentsAlreadyAttested):
        liened["lender-b"].retention.attest(["bafkreiloan"])
    with pytest.raises(errors.DocumentsNotGovernanceMember):
        backend.ledger("stranger").retention.attest(["bafkreiloan"])
    assert sent(liened) == before


def test_access_log_heads_are_anchored_in_order_by_members(ledgers: dict[str, Ledger], backend) -> None:  # type: ignore[no-untyped-def]
    head = bytes(range(32))
    ledgers["lender-a"].retention.anchor_log(3, head)
    docs = ledgers["reader"].retention
    assert docs.anchored_head(ledgers["lender-a"].address, 3) == head
    assert docs.anchored_head(ledgers["lender-a"].address, 2) is None
    count, last, at = docs.last_anchor(ledgers["lender-a"].address)
    assert (count, last) == (3, head) and at == ledgers["reader"].chain.time()
    backend.create_account("stranger")
    before = sent(ledgers)
    with pytest.raises(errors.DocumentsLogNotAdvanced):
        ledgers["lender-a"].retention.anchor_log(3, bytes(32))  # a head may not be rewritten
    with pytest.raises(errors.DocumentsNotGovernanceMember):
        backend.ledger("stranger").retention.anchor_log(1, head)
    assert sent(ledgers) == before and docs.anchored_head(ledgers["lender-a"].address, 3) == head


def test_retention_settings_change_only_by_vote(ledgers: dict[str, Ledger]) -> None:
    before = sent(ledgers)
    with pytest.raises(errors.DocumentsInvalidPeriod):
        ledgers["registrar"].retention.propose_period(Retention.ESSENTIAL, 0)
    with pytest.raises(errors.DocumentsInvalidPeriod):
        ledgers["registrar"].retention.propose_log_interval(31 * 86400)
    assert sent(ledgers) == before
    pid = ledgers["registrar"].retention.propose_log_interval(60)
    assert ledgers["reader"].proposal(pid).call is not None  # voters see the call decoded
    vote(ledgers, pid)
    assert ledgers["reader"].retention.log_interval() == 60


def test_an_excerpt_of_a_log_rewritten_after_an_anchor_or_labelled_for_another_custodian_fails(
    ledgers: dict[str, Ledger], tmp_path: Path,
) -> None:
    honest = KeyVault(tmp_path / "honest.sqlite", bytes(32))
    honest.deposit("bafkreia", bytes(32), depositor="lender-a")
    honest.release("bafkreia", reader="0xAuditor", purpose="audit", request_id="1", check=lambda: None)
    assert trail.anchor(honest, ledgers["lender-a"]) == honest.head()  # 2 entries: the grant is in
    # lender-a rewrites its log without the grant and anchors the rewritten branch further on.
    forked = KeyVault(tmp_path / "forked.sqlite", bytes(32))
    for i in range(3):
        forked.deposit(f"bafkrei{'abc'[i]}", bytes([i]) * 32, depositor="lender-a")
    assert trail.anchor(forked, ledgers["lender-a"]) is not None
    excerpt = trail.excerpt(forked, ledgers["lender-a"], custodian="lender-a", cid="bafkreia")
    with pytest.raises(errors.InvalidExcerpt, match="rewritten after that anchor"):
        trail.verify(excerpt.to_json(), ledgers["reader"])
    # lender-b anchors a log of its own and hands it over as lender-a's.
    fake = KeyVault(tmp_path / "fake.sqlite", bytes(32))
    fake.deposit("bafkreia", bytes(32), depositor=ledgers["lender-a"].address)
    trail.anchor(fake, ledgers["lender-b"])
    labelled = fake.excerpt(through=1, custodian="lender-a", account=ledgers["lender-b"].address)
    names = {ledgers[n].address: n for n in ("lender-a", "lender-b")}
    with pytest.raises(errors.InvalidExcerpt, match="is lender-b's"):
        trail.verify(labelled.to_json(), ledgers["reader"], name_of=names.get)
    # The honest excerpt, up to the anchor it made, verifies.
    original = honest.excerpt(through=2, custodian="lender-a", account=ledgers["lender-a"].address)
    checked = trail.verify(original.to_json(), ledgers["reader"], name_of=names.get)
    assert (checked.custodian, checked.through, checked.entries) == ("lender-a", 2, 2)

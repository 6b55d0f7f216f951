"""The registry's rules, through the Ledger, on every chain backend."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Brand, Consent, Ledger, LienStatus, LienTerms, TitleStatus, normalize_vin
from lienchain.ledger.registry.signed import Signed

from .support import authorize, grant, limit_of_last_write, sent, terms, transfer

VIN = normalize_vin("1M8GDM9AXKP042788")
OTHER_VIN = normalize_vin("1HGCM82633A004352")
OWNER = Account.create().address
BUYER = Account.create().address
MATURITY = int(time.time()) + 5 * 365 * 86400


def used(ledgers: dict[str, Ledger], consent: Signed) -> bool:
    return bool(ledgers["reader"].registry.functions.consentUsed(consent.digest()).call())


def vote_lender_role(ledgers: dict[str, Ledger], account: str) -> None:
    """Grants LENDER by vote: the registrar proposes, two more members make three of five."""
    pid = ledgers["registrar"].propose_role("LENDER", account)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    return ledgers


@pytest.fixture
def liened(titled: dict[str, Ledger]) -> dict[str, Ledger]:
    grant(titled, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY, doc_cid="bafkreiloana")
    return titled


def consent_from_a(ledgers: dict[str, Ledger], amount: int = 500_000, lender: str = "lender-b",
                   deadline: int | None = None) -> Consent:
    return ledgers["lender-a"].sign_consent(
        VIN, lender=ledgers[lender].address, amount=amount, currency="USD",
        deadline=deadline or int(time.time()) + 3600,
    )


# --- titles ------------------------------------------------------------------------------------


def test_register_title_mints_token_to_owner_with_document(titled: dict[str, Ledger]) -> None:
    t = titled["reader"].title(VIN)
    assert (t.owner, t.doc_cid, t.status, t.active_liens) == (OWNER, "bafkreititle", TitleStatus.ACTIVE, 0)
    assert titled["reader"].registry.functions.ownerOf(t.token_id).call() == OWNER


def test_register_title_fails_if_already_registered(titled: dict[str, Ledger]) -> None:
    before = sent(titled)
    with pytest.raises(errors.TitleAlreadyRegistered, match=VIN):
        titled["registrar"].register_title(VIN, BUYER, doc_cid="bafkreititle")
    assert sent(titled) == before
    assert titled["reader"].title(VIN).owner == OWNER


def test_register_title_fails_without_registrar_role(ledgers: dict[str, Ledger]) -> None:
    with pytest.raises(errors.MissingRole, match="REGISTRAR"):
        ledgers["lender-a"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    with pytest.raises(errors.TitleNotFound):
        ledgers["reader"].title(VIN)


def test_register_title_fails_for_unnormalized_vin(ledgers: dict[str, Ledger]) -> None:
    with pytest.raises(errors.InvalidOperation, match="normalized"):
        ledgers["registrar"].register_title("1m8gdm9axkp042788", OWNER, doc_cid="bafkreititle")  # type: ignore[arg-type]


def test_title_fails_if_not_registered(ledgers: dict[str, Ledger]) -> None:
    with pytest.raises(errors.TitleNotFound, match=OTHER_VIN):
        ledgers["reader"].title(OTHER_VIN)


def test_owner_cannot_transfer_the_token_directly(titled: dict[str, Ledger]) -> None:
    t = titled["reader"].title(VIN)
    owner = titled["oracle"]  # any account with a key and gas money will do
    transfer(titled, VIN, owner.address)
    token = titled["reader"].registry.functions
    for attempt in (token.transferFrom(owner.address, BUYER, t.token_id), token.approve(BUYER, t.token_id)):
        with pytest.raises(errors.InvalidOperation, match="only through a registrar"):
            owner._signer.send(attempt, gas=200_000)  # noqa: SLF001 - the owner's own transaction
    assert titled["reader"].title(VIN).owner == owner.address


def test_transfer_title_changes_owner_and_document(titled: dict[str, Ledger]) -> None:
    t = transfer(titled, VIN, BUYER, doc_cid="bafkreitransfer")
    assert (t.owner, t.doc_cid) == (BUYER, "bafkreitransfer")


def test_transfer_title_fails_while_liened(liened: dict[str, Ledger]) -> None:
    before = sent(liened)
    with pytest.raises(errors.TitleEncumbered, match="1 active lien"):
        transfer(liened, VIN, BUYER)
    assert liened["reader"].title(VIN).owner == OWNER
    assert sent(liened) == before


def test_transfer_title_fails_if_title_not_active(titled: dict[str, Ledger]) -> None:
    titled["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid="bafkreistatus")
    with pytest.raises(errors.TitleNotActive, match="stolen"):
        transfer(titled, VIN, BUYER)
    assert titled["reader"].title(VIN).owner == OWNER


def test_stolen_title_can_be_restored(titled: dict[str, Ledger]) -> None:
    titled["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid="bafkreistatus")
    assert titled["registrar"].set_title_status(VIN, TitleStatus.ACTIVE, doc_cid="bafkreistatus").status == TitleStatus.ACTIVE


# --- liens -------------------------------------------------------------------------------------


def test_grant_lien_records_lender_amount_and_priority(liened: dict[str, Ledger]) -> None:
    (lien,) = liened["reader"].liens(VIN)
    assert (lien.lender, lien.amount, lien.currency, lien.priority, lien.status) == (
        liened["lender-a"].address, 1_000_000, "USD", 1, LienStatus.ACTIVE)
    assert liened["reader"].title(VIN).active_liens == 1


def test_grant_lien_fails_if_title_not_active(titled: dict[str, Ledger]) -> None:
    titled["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid="bafkreistatus")
    with pytest.raises(errors.TitleNotActive, match="stolen"):
        grant(titled, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    assert titled["reader"].liens(VIN) == []


def test_grant_lien_fails_without_lender_role(titled: dict[str, Ledger]) -> None:
    with pytest.raises(errors.MissingRole, match="LENDER"):
        grant(titled, "oracle", VIN, 1, currency="USD", maturity=MATURITY)
    assert titled["reader"].liens(VIN) == []


@pytest.mark.parametrize(("amount", "maturity", "match"), [(0, MATURITY, "greater than zero"), (1, 1, "future")])
def test_grant_lien_fails_for_bad_terms(titled: dict[str, Ledger], amount: int, maturity: int, match: str) -> None:
    with pytest.raises(errors.InvalidOperation, match=match):
        grant(titled, "lender-a", VIN, amount, currency="USD", maturity=maturity)


def test_second_lien_fails_without_consent_of_senior_lienholder(liened: dict[str, Ledger]) -> None:
    before = sent(liened)
    with pytest.raises(errors.ConsentRequired, match=liened["lender-a"].address):
        grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY)
    assert len(liened["reader"].liens(VIN)) == 1
    assert sent(liened) == before


def test_second_lien_with_consent_ranks_second(liened: dict[str, Ledger]) -> None:
    consent = consent_from_a(liened)
    lien = grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent])
    assert (lien.priority, lien.lender) == (2, liened["lender-b"].address)
    assert liened["reader"].registry.functions.consentUsed(consent.digest()).call()


def test_python_digests_match_the_contracts(liened: dict[str, Ledger]) -> None:
    # The registry marks used the digest it computed itself: the same as the client's.
    consent = consent_from_a(liened)
    auth = authorize(liened, "lender-b", VIN, 500_000, maturity=MATURITY)
    assert not used(liened, consent) and not used(liened, auth)
    liened["lender-b"].grant_lien(VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent], doc_cid="bafkreiloan",
                                  authorization=auth)
    assert used(liened, consent) and used(liened, auth)


@pytest.mark.parametrize(("change", "match"), [("amount", "recovers to"), ("lender", "recovers to"), ("expired", "expired")])
def test_consent_is_bound_to_lender_amount_and_deadline(liened: dict[str, Ledger], change: str, match: str) -> None:
    # A consent to other terms recovers to an unrelated address, which holds no lien on the title.
    terms: dict[str, dict[str, object]] = {
        "amount": {"amount": 400_000}, "lender": {"lender": "auditor"}, "expired": {"deadline": int(time.time()) - 10},
    }
    consent = consent_from_a(liened, **terms[change])  # type: ignore[arg-type]
    with pytest.raises(errors.ConsentRejected, match=match):
        grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent])
    assert len(liened["reader"].liens(VIN)) == 1
    assert not liened["reader"].registry.functions.consentUsed(consent.digest()).call()


def test_consent_is_usable_once(liened: dict[str, Ledger]) -> None:
    consent = consent_from_a(liened)
    grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent])
    with pytest.raises(errors.ConsentRejected, match="already used"):
        grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent])
    assert len(liened["reader"].liens(VIN)) == 2


def test_third_lien_needs_consent_of_every_senior_lienholder(liened: dict[str, Ledger]) -> None:
    grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent_from_a(liened)])
    # lender-a takes a third lien: its own lien needs no consent, lender-b's does.
    with pytest.raises(errors.ConsentRequired, match=liened["lender-b"].address):
        grant(liened, "lender-a", VIN, 100_000, currency="USD", maturity=MATURITY)
    consent_b = liened["lender-b"].sign_consent(
        VIN, lender=liened["lender-a"].address, amount=100_000, currency="USD", deadline=int(time.time()) + 60)
    # Nor may lender-a add a consent of its own: only the other seniors' consents are expected.
    own = liened["lender-a"].sign_consent(
        VIN, lender=liened["lender-a"].address, amount=100_000, currency="USD", deadline=int(time.time()) + 60)
    with pytest.raises(errors.ConsentRejected, match=liened["lender-a"].address):
        grant(liened, "lender-a", VIN, 100_000, currency="USD", maturity=MATURITY, consents=[consent_b, own])
    assert not used(liened, consent_b) and not used(liened, own)
    third = grant(liened, "lender-a", VIN, 100_000, currency="USD", maturity=MATURITY, consents=[consent_b])
    assert third.priority == 3


def test_lien_by_a_third_lender_needs_consent_of_both_seniors(liened: dict[str, Ledger]) -> None:
    oracle = liened["oracle"]
    vote_lender_role(liened, oracle.address)
    grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent_from_a(liened)])
    consent_a, consent_b = (
        liened[s].sign_consent(VIN, lender=oracle.address, amount=250_000, currency="USD",
                               deadline=int(time.time()) + 3600)
        for s in ("lender-a", "lender-b")
    )
    for given, missing in (([consent_a], "lender-b"), ([consent_b], "lender-a")):
        before = sent(liened)
        with pytest.raises(errors.ConsentRequired, match=liened[missing].address) as refused:
            grant(liened, "oracle", VIN, 250_000, currency="USD", maturity=MATURITY, consents=given)
        assert refused.value.fields["seniorLienholder"] == liened[missing].address
        assert sent(liened) == before
        assert len(liened["reader"].liens(VIN)) == 2
        assert not used(liened, consent_a) and not used(liened, consent_b)
    third = grant(liened, "oracle", VIN, 250_000, currency="USD", maturity=MATURITY, consents=[consent_b, consent_a])
    assert (third.priority, third.lender, third.currency) == (3, oracle.address, "USD")
    assert used(liened, consent_a) and used(liened, consent_b)
    assert liened["reader"].title(VIN).active_liens == 3


def test_lien_in_another_currency_than_the_titles_is_refused(liened: dict[str, Ledger]) -> None:
    consent = liened["lender-a"].sign_consent(VIN, lender=liened["lender-b"].address, amount=250_000, currency="EUR",
                                              deadline=int(time.time()) + 3600)
    before = sent(liened)
    with pytest.raises(errors.CurrencyMismatch, match="USD") as refused:
        grant(liened, "lender-b", VIN, 250_000, currency="EUR", maturity=MATURITY, consents=[consent])
    assert (refused.value.fields["expected"], refused.value.fields["actual"]) == ("USD", "EUR")
    assert sent(liened) == before and len(liened["reader"].liens(VIN)) == 1


def test_consent_from_a_non_senior_is_refused_and_not_spent(liened: dict[str, Ledger]) -> None:
    consent_a = consent_from_a(liened)
    stranger = liened["auditor"].sign_consent(
        VIN, lender=liened["lender-b"].address, amount=500_000, currency="USD", deadline=int(time.time()) + 3600)
    before = sent(liened)
    with pytest.raises(errors.ConsentRejected, match="consent #1 recovers to " + liened["auditor"].address) as refused:
        grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent_a, stranger])
    assert refused.value.name == "RegistryConsentUnexpected"
    assert refused.value.fields == {"index": 1, "signer": liened["auditor"].address}
    assert sent(liened) == before
    assert len(liened["reader"].liens(VIN)) == 1
    assert not used(liened, stranger) and not used(liened, consent_a)
    # The senior's own consent was not spent by the refusal: it still grants the lien.
    lien = grant(liened, "lender-b", VIN, 500_000, currency="USD", maturity=MATURITY, consents=[consent_a])
    assert lien.priority == 2 and not used(liened, stranger)


def test_release_lien_fails_for_anyone_but_the_lienholder(liened: dict[str, Ledger]) -> None:
    with pytest.raises(errors.NotLienholder, match="only the lienholder"):
        liened["lender-b"].release_lien(1)
    assert liened["reader"].lien(1).status == LienStatus.ACTIVE


def test_released_lien_stays_released(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].release_lien(1)
    with pytest.raises(errors.LienNotActive):
        liened["lender-a"].release_lien(1)
    assert liened["reader"].lien(1).status == LienStatus.RELEASED
    assert liened["reader"].title(VIN).active_liens == 0


def test_release_unknown_lien_fails(liened: dict[str, Ledger]) -> None:
    with pytest.raises(errors.LienNotFound):
        liened["lender-a"].release_lien(99)


def test_after_release_a_new_lien_needs_no_consent_and_title_transfers(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].release_lien(1)
    assert transfer(liened, VIN, BUYER).owner == BUYER
    assert grant(liened, "lender-b", VIN, 5, currency="USD", maturity=MATURITY).priority == 2


def test_history_lists_every_step_in_order_with_documents(liened: dict[str, Ledger]) -> None:
    liened["lender-a"].release_lien(1)
    transfer(liened, VIN, BUYER, doc_cid="bafkreitransfer")
    events = liened["reader"].history(VIN)
    assert [e.name for e in events] == ["TitleRegistered", "LienGranted", "LienReleased", "OdometerRecorded",
                                        "TitleTransferred"]
    assert [e.doc_cid for e in events] == ["bafkreititle", "bafkreiloana", None, "bafkreitransfer", "bafkreitransfer"]
    assert [e.block for e in events] == sorted(e.block for e in events)


# --- batches ---------------------------------------------------------------------------------------


def test_register_titles_is_all_or_nothing(titled: dict[str, Ledger]) -> None:
    before = sent(titled)
    with pytest.raises(errors.TitleAlreadyRegistered):
        titled["registrar"].register_titles([(OTHER_VIN, OWNER, "bafkreititle"), (VIN, OWNER, "bafkreititle")])
    with pytest.raises(errors.TitleNotFound):
        titled["reader"].title(OTHER_VIN)
    assert sent(titled) == before


def test_grant_liens_returns_ids_and_is_all_or_nothing(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_titles([(VIN, OWNER, "bafkreititle"), (OTHER_VIN, OWNER, "bafkreititle")])
    ids = ledgers["lender-a"].grant_liens([terms(ledgers, "lender-a", VIN, 100, "USD", MATURITY),
                                          terms(ledgers, "lender-a", OTHER_VIN, 200, "USD", MATURITY)])
    assert [(x, ledgers["reader"].lien(x).amount) for x in ids] == [(1, 100), (2, 200)]
    # lender-b's second lien on OTHER_VIN lacks consent: its lien on VIN is not granted either.
    with pytest.raises(errors.ConsentRequired):
        ledgers["lender-b"].grant_liens([terms(ledgers, "lender-b", VIN, 5, "USD", MATURITY, consents=(consent_from_a(ledgers, 5),)),
                                         terms(ledgers, "lender-b", OTHER_VIN, 5, "USD", MATURITY)])
    assert [len(ledgers["reader"].liens(v)) for v in (VIN, OTHER_VIN)] == [1, 1]


def test_a_batch_reports_where_its_time_went(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_titles([(VIN, OWNER, "bafkreititle"), (OTHER_VIN, OWNER, "bafkreititle")])
    ledgers["lender-a"].grant_liens([terms(ledgers, "lender-a", v, 100, "USD", MATURITY) for v in (VIN, OTHER_VIN)])
    timings = ledgers["lender-a"].timings()  # what bench/network.py prints, phase by phase
    assert {"build calls", "encode", "sign", "send", "wait for receipts", "decode receipts"} <= set(timings)
    assert all(seconds >= 0 for seconds in timings.values())


def test_each_write_is_sent_on_its_estimate_with_the_margin(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    long_cid = "bafybei" + "a" * 52  # a dag-pb CID, the longest kind anchored

    ledgers["registrar"].register_title(VIN, OWNER, doc_cid=long_cid)
    limit_of_last_write(reader)
    grant(ledgers, "lender-a", VIN, 2**40 - 1, currency="USD", maturity=MATURITY, doc_cid=long_cid)  # the largest
    limit_of_last_write(reader)
    consent = consent_from_a(ledgers, 5)
    grant(ledgers, "lender-b", VIN, 5, currency="USD", maturity=MATURITY, doc_cid=long_cid, consents=[consent])
    limit_of_last_write(reader)
    ledgers["lender-b"].release_lien(2)
    limit_of_last_write(reader)
    ledgers["lender-a"].release_lien(1)
    transfer(ledgers, VIN, BUYER, doc_cid=long_cid)
    limit_of_last_write(reader)
    ledgers["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid="bafkreistatus")
    limit_of_last_write(reader)
    pid = ledgers["registrar"].propose_role("LENDER", ledgers["oracle"].address)
    limit_of_last_write(reader)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)  # the vote that executes the grant
    limit_of_last_write(reader)


# --- typed refusals ----------------------------------------------------------------------------


def test_a_write_without_a_signing_account_is_refused_and_changes_nothing(ledgers: dict[str, Ledger]) -> None:
    before = sent(ledgers)
    with pytest.raises(errors.NoSigningAccount):
        ledgers["reader"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    assert sent(ledgers) == before
    with pytest.raises(errors.RegistryUnknownTitle):
        ledgers["reader"].title(VIN)


def test_a_refusal_is_the_contract_errors_own_class_with_its_arguments(liened: dict[str, Ledger]) -> None:
    before = sent(liened)
    with pytest.raises(errors.RegistryTitleEncumbered) as refused:
        transfer(liened, VIN, BUYER)
    assert (refused.value.token_id, refused.value.active_liens) == (liened["reader"].title(VIN).token_id, 1)
    assert sent(liened) == before and liened["reader"].title(VIN).owner == OWNER


def test_the_ledger_decodes_the_errors_of_every_contract_a_write_reaches(ledgers: dict[str, Ledger]) -> None:
    from eth_utils.abi import function_signature_to_4byte_selector

    decoder = ledgers["reader"]._context.reader._decoder  # noqa: SLF001 - the facade's one decoder
    for name in ("RegistryDirectTransferDisabled", "GovernanceInvalidMembers", "ZkPrecompileFailed"):
        assert type(decoder.decode(function_signature_to_4byte_selector(f"{name}()"))) is getattr(errors, name)


@pytest.mark.parametrize("step", ["register", "transfer", "status", "grant", "valuation", "brand", "odometer"])
def test_every_step_that_anchors_a_document_anchors_one(titled: dict[str, Ledger], step: str) -> None:
    # An empty CID would leave a step in the history that no document stands behind.
    steps = {
        "register": lambda: titled["registrar"].register_title(OTHER_VIN, OWNER, doc_cid=""),
        "transfer": lambda: transfer(titled, VIN, BUYER, doc_cid=""),
        "status": lambda: titled["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid=""),
        "grant": lambda: grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY, doc_cid=""),
        "valuation": lambda: titled["oracle"].set_valuation(VIN, 1_000, currency="USD", doc_cid=""),
        "brand": lambda: titled["registrar"].brand_title(VIN, Brand.FLOOD, doc_cid=""),
        "odometer": lambda: titled["registrar"].record_odometer(VIN, 1_000, doc_cid=""),
    }
    reader = titled["reader"]
    before, history = sent(titled), reader.history(VIN)
    with pytest.raises(errors.RegistryDocumentRequired):
        steps[step]()
    assert sent(titled) == before and reader.history(VIN) == history

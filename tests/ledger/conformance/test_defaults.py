"""Default, repossession, redemption and disposition with a waterfall: a lienholder declares
default, the title is repossessed and every other lienholder told; the owner may redeem it; after
the notice period the lienholder sells it and the registry pays the liens by priority."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Brand, Ledger, LienStatus, TitleStatus, normalize_vin

from lienchain.ledger.registry.authorization import SaleAuthorization
from lienchain.ledger.registry.vin import token_id

from .conftest import Backend
from .support import grant, grant_private, sent, transfer, value
from .test_lien_ends import vote, wait_for_chain_time

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400
BUYER = Account.create().address
KM = 90_000  # the odometer at every sale of these tests


def sale(ledgers: dict[str, Ledger], price: int, buyer: str = BUYER, by: str = "registrar-b") -> SaleAuthorization:
    """A registrar's authorization of the sale to `buyer` at `price` (no lender sells alone)."""
    return ledgers[by].authorize_sale(VIN, buyer, price, deadline=ledgers[by].now() + 30 * 86400)


def signed_sale(backend: Backend, by: str, ledgers: dict[str, Ledger], price: int) -> SaleAuthorization:
    """A sale authorization signed by `by` whatever its role, for the title's current default (if any)."""
    e = ledgers["reader"].enforcement(VIN)
    return SaleAuthorization.sign(
        backend.accounts.unlock(by), chain_id=backend.deployment.chain_id, registry=backend.deployment.registry,
        vin=VIN, token_id=token_id(VIN), lien_id=int(e.lien_id), defaulted_at=e.defaulted_at, buyer=BUYER,
        price=price, deadline=ledgers["reader"].now() + 86400)


def waterfall(price: int, amounts: list[int]) -> tuple[list[int], list[int], int]:
    """The reference: each lien, seniors first, recovers up to its amount from what is left."""
    recovered, left = [], price
    for amount in amounts:
        recovered.append(min(amount, left))
        left -= recovered[-1]
    return recovered, [a - r for a, r in zip(amounts, recovered, strict=True)], left


def junior(ledgers: dict[str, Ledger], lender: str, amount: int, seniors: list[str]) -> int:
    consents = [ledgers[s].sign_consent(VIN, lender=ledgers[lender].address, amount=amount, currency="USD",
                                        deadline=ledgers[s].now() + 86400) for s in dict.fromkeys(seniors) if s != lender]
    return grant(ledgers, lender, VIN, amount, maturity=MATURITY, consents=consents).lien_id


@pytest.fixture
def short_notice(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    """A notice period of three seconds, on a registered title."""
    vote(ledgers, ledgers["registrar"].propose_notice_period(3))
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def test_a_default_repossesses_the_title_and_tells_every_other_lienholder(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    first = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    second = junior(ledgers, "lender-b", 2_000, ["lender-a"])
    enforcement = ledgers["lender-b"].declare_default(second, doc_cid="bafkreinotice")
    assert enforcement.lien_id == second
    assert enforcement.notice_ends_at == enforcement.defaulted_at + 3
    assert ledgers["reader"].title(VIN).status == TitleStatus.REPOSSESSED
    names = [e.name for e in ledgers["reader"].history(VIN)]
    assert names[-3:] == ["TitleStatusChanged", "LienDefaulted", "DefaultNotice"]
    notice = ledgers["reader"].history(VIN)[-1]
    assert (notice.args["lienId"], notice.args["lender"], notice.args["defaultedLienId"]) == (
        first, ledgers["lender-a"].address, second)
    # Repossessed: no transfer, no new lien, no second default, no status change by a registrar.
    before = sent(ledgers)
    with pytest.raises(errors.TitleNotActive):
        transfer(ledgers, VIN, BUYER)
    with pytest.raises(errors.TitleNotActive):
        grant(ledgers, "lender-a", VIN, 500, maturity=MATURITY)
    with pytest.raises(errors.RegistryTitleRepossessed):
        ledgers["lender-a"].declare_default(first, doc_cid="bafkreinotice")
    with pytest.raises(errors.RegistryRepossessionByDefault):
        ledgers["registrar"].set_title_status(VIN, TitleStatus.ACTIVE, doc_cid="bafkreirecord")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).status == TitleStatus.REPOSSESSED


def test_only_the_holder_defaults_and_only_on_an_active_title(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    before = sent(ledgers)
    with pytest.raises(errors.RegistryNotLienholder):
        ledgers["lender-b"].declare_default(lien, doc_cid="bafkreinotice")
    with pytest.raises(errors.RegistryDocumentRequired):
        ledgers["lender-a"].declare_default(lien, doc_cid="")
    assert sent(ledgers) == before
    ledgers["registrar"].set_title_status(VIN, TitleStatus.STOLEN, doc_cid="bafkreipolice")
    before = sent(ledgers)
    with pytest.raises(errors.RegistryTitleNotActive):
        ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).status == TitleStatus.STOLEN


def test_the_owner_redeems_the_title_until_its_disposition(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    ledgers["registrar"].record_payoff(lien, doc_cid="bafkreireceipt")  # the owner paid
    ledgers["lender-a"].release_lien(lien)
    assert ledgers["reader"].title(VIN).status == TitleStatus.ACTIVE
    assert ledgers["reader"].enforcement(VIN).lien_id == 0
    assert ledgers["reader"].history(VIN)[-1].name == "TitleRedeemed"
    transfer(ledgers, VIN, BUYER)  # free again


def test_the_waterfall_pays_the_first_in_full_the_second_in_part_and_the_third_nothing(
    backend: Backend, short_notice: dict[str, Ledger]
) -> None:
    ledgers = short_notice
    value(ledgers, VIN, 20_000_00)
    private = grant_private(backend.session, "lender-a", VIN, 9_000_00, maturity=MATURITY)
    backend.session("lender-a").prove_lien(private.lien_id, reserve=4_000_00)  # room for the juniors
    second = junior(ledgers, "lender-b", 3_000_00, ["lender-a"])
    third = junior(ledgers, "lender-a", 1_000_00, ["lender-a", "lender-b"])
    owner = ledgers["reader"].title(VIN).owner
    enforcement = ledgers["lender-a"].declare_default(private.lien_id, doc_cid="bafkreinotice")

    before = sent(ledgers)
    with pytest.raises(errors.RegistryNoticePeriodRunning) as refused:
        ledgers["lender-a"].dispose_title(VIN, BUYER, 10_500_00, km=KM, authorization=sale(ledgers, 10_500_00), doc_cid="bafkreisale")
    assert refused.value.ends_at == enforcement.notice_ends_at
    assert sent(ledgers) == before
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)  # (it sends blocks of its own)
    before = sent(ledgers)
    with pytest.raises(errors.RegistryNotLienholder):
        ledgers["lender-b"].dispose_title(VIN, BUYER, 10_500_00, km=KM, authorization=sale(ledgers, 10_500_00), doc_cid="bafkreisale")
    with pytest.raises(errors.RegistryInvalidOpening):  # the sale reveals its amount: it takes the right opening only
        ledgers["lender-a"].dispose_title(VIN, BUYER, 10_500_00, km=KM, authorization=sale(ledgers, 10_500_00), doc_cid="bafkreisale")
    with pytest.raises(errors.RegistryInvalidOwner):
        ledgers["lender-a"].dispose_title(VIN, owner, 10_500_00, km=KM, authorization=sale(ledgers, 10_500_00, owner), doc_cid="bafkreisale")
    with pytest.raises(errors.RegistryNotAuthorized):  # no lienholder sells on its key alone
        forged = signed_sale(backend, "lender-a", ledgers, 10_500_00)
        ledgers["lender-a"].dispose_title(VIN, BUYER, 10_500_00, km=KM, authorization=forged, doc_cid="bafkreisale")
    with pytest.raises(errors.RegistryInvalidPrice):
        ledgers["lender-a"].dispose_title(VIN, BUYER, 0, km=KM, authorization=sale(ledgers, 0), doc_cid="bafkreisale")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).owner == owner

    price = 10_500_00
    authorization = sale(ledgers, price)
    sold = backend.session("lender-a").dispose_title(VIN, BUYER, price, km=KM, authorization=authorization)  # reveals first
    with pytest.raises(errors.InvalidAuthorizationFile):  # no longer in default: the authorization is void
        ledgers["lender-a"].dispose_title(VIN, BUYER, price, km=KM, authorization=authorization, doc_cid="bafkreisale")
    recovered, deficiency, surplus = waterfall(price, [9_000_00, 3_000_00, 1_000_00])
    assert recovered == [9_000_00, 1_500_00, 0] and surplus == 0  # the reference's own case
    assert [(d.lien_id, d.recovered, d.deficiency) for d in sold.discharged] == list(
        zip([private.lien_id, second, third], recovered, deficiency, strict=True))
    assert (sold.price, sold.surplus, sold.buyer, sold.seller) == (price, surplus, BUYER, owner)
    assert sum(d.recovered for d in sold.discharged) <= price
    t = ledgers["reader"].title(VIN)
    assert (t.owner, t.status, t.active_liens) == (BUYER, TitleStatus.ACTIVE, 0)
    for lien_id, paid in zip([private.lien_id, second, third], recovered, strict=True):
        assert ledgers["reader"].lien(lien_id).status == LienStatus.DISCHARGED
        assert ledgers["reader"].recovery(lien_id) == paid
    assert ledgers["reader"].lien(private.lien_id).amount == 9_000_00  # public now, and only now
    assert [x.status for x in ledgers["reader"].liens(VIN)] == [LienStatus.DISCHARGED] * 3  # the index agrees
    assert ledgers["reader"].history(VIN)[-1].name == "TitleDisposed"


def test_a_junior_sells_subject_to_the_senior_lien_which_stays(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    senior = grant(ledgers, "lender-a", VIN, 5_000, maturity=MATURITY).lien_id
    middle = junior(ledgers, "lender-b", 2_000, ["lender-a"])
    last = junior(ledgers, "lender-a", 1_000, ["lender-a", "lender-b"])
    enforcement = ledgers["lender-b"].declare_default(middle, doc_cid="bafkreinotice")
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)
    sold = ledgers["lender-b"].dispose_title(VIN, BUYER, 2_500, km=KM, authorization=sale(ledgers, 2_500), doc_cid="bafkreisale")
    recovered, deficiency, surplus = waterfall(2_500, [2_000, 1_000])
    assert [(d.lien_id, d.recovered, d.deficiency) for d in sold.discharged] == [
        (middle, recovered[0], deficiency[0]), (last, recovered[1], deficiency[1])]
    assert sold.surplus == surplus == 0
    t = ledgers["reader"].title(VIN)
    assert (t.owner, t.status, t.active_liens) == (BUYER, TitleStatus.ACTIVE, 1)
    kept = ledgers["reader"].lien(senior)
    assert kept.active and kept.priority == 1 and ledgers["reader"].recovery(senior) == 0
    ledgers["lender-a"].release_lien(senior)  # the buyer took it subject to the senior lien


def test_a_surplus_goes_to_the_owner(backend: Backend, short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    before = sent(ledgers)
    with pytest.raises(errors.NotInDefault):  # no default yet: no one authorizes a sale
        sale(ledgers, 4_000)
    with pytest.raises(errors.RegistryNotRepossessed):  # nor does the registry take one
        ledgers["lender-a"].dispose_title(VIN, BUYER, 4_000, km=KM, authorization=signed_sale(backend, "registrar", ledgers, 4_000),
                                          doc_cid="bafkreisale")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).owner != BUYER
    enforcement = ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)
    sold = ledgers["lender-a"].dispose_title(VIN, BUYER, 4_000, km=KM, authorization=sale(ledgers, 4_000), doc_cid="bafkreisale")
    assert [(d.recovered, d.deficiency) for d in sold.discharged] == [(1_000, 0)] and sold.surplus == 3_000


def test_a_payoff_on_record_stops_the_sale_and_a_paid_junior_takes_nothing(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    first = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    second = junior(ledgers, "lender-b", 500, ["lender-a"])
    enforcement = ledgers["lender-a"].declare_default(first, doc_cid="bafkreinotice")
    ledgers["registrar"].record_payoff(first, doc_cid="bafkreireceipt")  # the owner redeemed
    ledgers["registrar"].record_payoff(second, doc_cid="bafkreireceipt")  # and paid the junior too
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)
    authorization, before = sale(ledgers, 2_000), sent(ledgers)
    with pytest.raises(errors.RegistryPayoffRecorded):
        ledgers["lender-a"].dispose_title(VIN, BUYER, 2_000, km=KM, authorization=authorization, doc_cid="bafkreisale")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).status == TitleStatus.REPOSSESSED
    ledgers["lender-a"].dispute_payoff(first, doc_cid="bafkreistatement")  # it was not paid, says its lender
    sold = ledgers["lender-a"].dispose_title(VIN, BUYER, 2_000, km=KM, authorization=authorization, doc_cid="bafkreisale")
    assert [(d.lien_id, d.recovered, d.deficiency) for d in sold.discharged] == [(first, 1_000, 0), (second, 0, 0)]
    assert sold.surplus == 1_000  # the paid junior's share goes to the owner


def test_a_sale_authorization_binds_its_buyer_and_price_and_default(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    enforcement = ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)
    authorization, before = sale(ledgers, 5_000), sent(ledgers)
    with pytest.raises(errors.InvalidAuthorizationFile, match="price"):
        ledgers["lender-a"].dispose_title(VIN, BUYER, 1, km=KM, authorization=authorization, doc_cid="bafkreisale")
    with pytest.raises(errors.RegistryNotAuthorized):  # past the client's check: the signature is for 5,000
        ledgers["lender-a"].dispose_title(VIN, BUYER, 1, km=KM, authorization=replace(authorization, price=1),
                                          doc_cid="bafkreisale")
    transfer_only = ledgers["registrar-b"].authorize_transfer(VIN, BUYER, deadline=ledgers["reader"].now() + 86400)
    assert not hasattr(transfer_only, "price")  # another type: a transfer's authorization never passes for a sale's
    assert sent(ledgers) == before
    # Withdrawn and declared again: the authorization was for the first default only.
    ledgers["lender-a"].withdraw_default(lien, doc_cid="bafkreicure")
    assert ledgers["reader"].title(VIN).status == TitleStatus.ACTIVE
    assert [e.name for e in ledgers["reader"].history(VIN)][-2:] == ["TitleStatusChanged", "LienDefaultWithdrawn"]
    again = ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    wait_for_chain_time(ledgers, again.notice_ends_at)
    with pytest.raises(errors.InvalidAuthorizationFile, match="default"):
        ledgers["lender-a"].dispose_title(VIN, BUYER, 5_000, km=KM, authorization=authorization, doc_cid="bafkreisale")


def test_the_members_lift_a_wrongful_repossession_and_the_lien_stays(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    with pytest.raises(errors.RegistryRepossessionByDefault):  # not one registrar
        ledgers["registrar"].set_title_status(VIN, TitleStatus.ACTIVE, doc_cid="bafkreicourt")
    vote(ledgers, ledgers["registrar"].propose_restoration(VIN, "bafkreicourt"))
    assert ledgers["reader"].title(VIN).status == TitleStatus.ACTIVE
    assert ledgers["reader"].enforcement(VIN).lien_id == 0 and ledgers["reader"].lien(lien).active


def test_no_lien_of_a_repossessed_title_is_assigned_or_subordinated(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    first = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    second = junior(ledgers, "lender-b", 500, ["lender-a"])
    ledgers["lender-b"].declare_default(second, doc_cid="bafkreinotice")
    acceptance = ledgers["lender-b"].accept_assignment([first], assignor=ledgers["lender-a"].address,
                                                       deadline=ledgers["reader"].now() + 86400)
    subordination = ledgers["lender-b"].accept_subordination(first, second, deadline=ledgers["reader"].now() + 86400)
    before, liens = sent(ledgers), ledgers["reader"].liens(VIN)
    with pytest.raises(errors.RegistryTitleRepossessed):
        ledgers["lender-a"].assign_liens([(liens[0], "bafkreiassign")], ledgers["lender-b"].address, portfolio=[first],
                                         acceptance=acceptance)
    with pytest.raises(errors.RegistryTitleRepossessed):
        ledgers["lender-a"].subordinate_lien(first, second, acceptance=subordination, doc_cid="bafkreiagreement")
    assert sent(ledgers) == before and ledgers["reader"].liens(VIN) == liens


def test_a_sale_records_the_odometer_and_keeps_the_brands(short_notice: dict[str, Ledger]) -> None:
    ledgers = short_notice
    ledgers["registrar"].record_odometer(VIN, 120_000, doc_cid="bafkreiinspection")
    ledgers["registrar"].brand_title(VIN, Brand.FLOOD, doc_cid="bafkreiinsurer")
    lien = grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY).lien_id
    enforcement = ledgers["lender-a"].declare_default(lien, doc_cid="bafkreinotice")
    wait_for_chain_time(ledgers, enforcement.notice_ends_at)
    authorization, before = sale(ledgers, 3_000), sent(ledgers)
    with pytest.raises(errors.RegistryOdometerRollback):  # not branded odometer-not-actual
        ledgers["lender-a"].dispose_title(VIN, BUYER, 3_000, km=100_000, authorization=authorization,
                                          doc_cid="bafkreisale")
    assert sent(ledgers) == before and ledgers["reader"].title(VIN).status == TitleStatus.REPOSSESSED
    ledgers["lender-a"].dispose_title(VIN, BUYER, 3_000, km=121_500, authorization=authorization, doc_cid="bafkreisale")
    t = ledgers["reader"].title(VIN)
    assert (t.owner, t.odometer_km, t.brands) == (BUYER, 121_500, (Brand.FLOOD,))
    names = [e.name for e in ledgers["reader"].history(VIN)]
    assert names.index("OdometerRecorded", names.index("LienDefaulted")) < names.index("TitleDisposed")

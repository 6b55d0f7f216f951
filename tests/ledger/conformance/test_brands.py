"""Title brands and odometer readings, on every chain backend: a registrar brands, only a member
vote removes a brand, brands stay through transfers and show in wallets, and an odometer reading
never goes down unless the title is branded ODOMETER-NOT-ACTUAL."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Brand, Ledger, TitleStatus, normalize_vin

from .support import sent, transfer

VIN = normalize_vin("1M8GDM9AXKP042788")
OWNER = Account.create().address
BUYER = Account.create().address


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    return ledgers


def vote(ledgers: dict[str, Ledger], pid: int) -> None:
    """Three of the five founding members approve (the proposer's vote counted at once)."""
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


def traits(ledgers: dict[str, Ledger]) -> dict[str, Any]:
    """The title's attributes as a wallet reads them from `tokenURI`."""
    reader = ledgers["reader"]
    uri = str(reader.registry.functions.tokenURI(reader.title(VIN).token_id).call())
    document = json.loads(base64.b64decode(uri.removeprefix("data:application/json;base64,")))
    return {a["trait_type"]: a["value"] for a in document["attributes"]}


# --- brands --------------------------------------------------------------------------------------


def test_a_registrar_brands_a_title_and_wallets_see_it(titled: dict[str, Ledger]) -> None:
    assert titled["reader"].title(VIN).brands == () and traits(titled)["Brands"] == "none"
    t = titled["registrar"].brand_title(VIN, Brand.FLOOD, doc_cid="bafkreiflood")
    assert (t.brands, t.status) == ((Brand.FLOOD,), TitleStatus.ACTIVE)
    assert traits(titled)["Brands"] == "FLOOD"
    last = titled["reader"].history(VIN)[-1]
    assert (last.name, last.args["brand"], last.args["by"], last.doc_cid) == (
        "TitleBranded", int(Brand.FLOOD), titled["registrar"].address, "bafkreiflood")


def test_branding_fails_without_the_registrar_role(titled: dict[str, Ledger]) -> None:
    before = sent(titled)
    with pytest.raises(errors.MissingRole, match="REGISTRAR"):
        titled["lender-a"].brand_title(VIN, Brand.SALVAGE, doc_cid="bafkreisalvage")
    assert sent(titled) == before and titled["reader"].title(VIN).brands == ()


def test_branding_twice_with_one_brand_fails(titled: dict[str, Ledger]) -> None:
    titled["registrar"].brand_title(VIN, Brand.SALVAGE, doc_cid="bafkreisalvage")
    before, history = sent(titled), titled["reader"].history(VIN)
    with pytest.raises(errors.RegistryBrandPresent, match="branded SALVAGE already") as caught:
        titled["registrar-b"].brand_title(VIN, Brand.SALVAGE, doc_cid="bafkreisalvage")
    assert (caught.value.brand, caught.value.token_id) == (int(Brand.SALVAGE), titled["reader"].title(VIN).token_id)
    assert sent(titled) == before and titled["reader"].history(VIN) == history
    assert titled["reader"].title(VIN).brands == (Brand.SALVAGE,)


def test_brands_stay_with_the_title_through_every_transfer(titled: dict[str, Ledger]) -> None:
    titled["registrar"].brand_title(VIN, Brand.SALVAGE, doc_cid="bafkreisalvage")
    titled["registrar"].brand_title(VIN, Brand.REBUILT, doc_cid="bafkreirebuilt")
    assert transfer(titled, VIN, BUYER, km=50_000).brands == (Brand.SALVAGE, Brand.REBUILT)
    t = transfer(titled, VIN, OWNER, km=61_000, by="registrar-b")
    assert (t.owner, t.brands, t.odometer_km) == (OWNER, (Brand.SALVAGE, Brand.REBUILT), 61_000)
    assert traits(titled) == {"VIN": VIN, "Status": "active", "Brands": "SALVAGE, REBUILT", "Active liens": 0,
                              "Value": "unvalued"}


def test_a_registrar_cannot_remove_a_brand_but_a_vote_can(titled: dict[str, Ledger]) -> None:
    titled["registrar"].brand_title(VIN, Brand.FLOOD, doc_cid="bafkreiflood")
    registrar = titled["registrar"]
    before = sent(titled)
    remove = registrar.registry.functions.removeBrand(registrar.title(VIN).token_id, int(Brand.FLOOD), "bafkreidry")
    with pytest.raises(errors.RegistryBrandRemovalNeedsVote, match="takes a member vote"):
        registrar._signer.send(remove)  # noqa: SLF001 - the call no Ledger method makes for one registrar
    for refused, kind in ((lambda: registrar.propose_brand_removal(VIN, Brand.JUNK, "bafkreidry"), errors.RegistryBrandAbsent),
                          (lambda: registrar.propose_brand_removal(VIN, Brand.FLOOD, ""), errors.RegistryDocumentRequired)):
        with pytest.raises(kind):  # nor is a vote proposed that the registry would refuse
            refused()
    assert sent(titled) == before and titled["reader"].title(VIN).brands == (Brand.FLOOD,)

    pid = registrar.propose_brand_removal(VIN, Brand.FLOOD, "bafkreidry")
    call = titled["reader"].proposal(pid).call
    assert call is not None and (call.function, call.args["brand"], call.args["evidenceCid"]) == (
        "removeBrand", "FLOOD", "bafkreidry")
    vote(titled, pid)
    assert titled["reader"].title(VIN).brands == () and traits(titled)["Brands"] == "none"
    last = titled["reader"].history(VIN)[-1]
    assert (last.name, last.args["brand"], last.doc_cid) == ("BrandRemoved", int(Brand.FLOOD), "bafkreidry")


def test_a_cancelled_title_takes_no_brand_nor_reading(titled: dict[str, Ledger]) -> None:
    vote(titled, titled["registrar"].propose_cancellation(VIN, "bafkreicancel"))
    before = sent(titled)
    with pytest.raises(errors.RegistryTitleCancelled):
        titled["registrar"].brand_title(VIN, Brand.JUNK, doc_cid="bafkreijunk")
    with pytest.raises(errors.RegistryTitleCancelled):
        titled["registrar"].record_odometer(VIN, 10, doc_cid="bafkreiodometer")
    t = titled["reader"].title(VIN)
    assert sent(titled) == before and (t.brands, t.odometer_at) == ((), 0)


# --- odometer ------------------------------------------------------------------------------------


def test_a_registrar_records_an_odometer_reading(titled: dict[str, Ledger]) -> None:
    assert titled["reader"].title(VIN).odometer_at == 0
    t = titled["registrar"].record_odometer(VIN, 84_000, doc_cid="bafkreiinspection")
    assert t.odometer_km == 84_000 and t.odometer_at > 0
    assert titled["registrar"].record_odometer(VIN, 84_000, doc_cid="bafkreiinspection").odometer_km == 84_000
    last = titled["reader"].history(VIN)[-1]
    assert (last.name, last.args["km"], last.doc_cid) == ("OdometerRecorded", 84_000, "bafkreiinspection")


def test_recording_a_reading_fails_without_the_registrar_role(titled: dict[str, Ledger]) -> None:
    before = sent(titled)
    with pytest.raises(errors.MissingRole, match="REGISTRAR"):
        titled["oracle"].record_odometer(VIN, 84_000, doc_cid="bafkreiinspection")
    assert sent(titled) == before and titled["reader"].title(VIN).odometer_at == 0


def test_an_odometer_rollback_is_refused(titled: dict[str, Ledger]) -> None:
    recorded = titled["registrar"].record_odometer(VIN, 84_000, doc_cid="bafkreiinspection")
    before, history = sent(titled), titled["reader"].history(VIN)
    with pytest.raises(errors.RegistryOdometerRollback, match="below its last one, 84000 km") as caught:
        titled["registrar"].record_odometer(VIN, 12_000, doc_cid="bafkreiinspection")
    assert (caught.value.last, caught.value.km) == (84_000, 12_000)
    with pytest.raises(errors.RegistryOdometerRollback):  # at a transfer too
        transfer(titled, VIN, BUYER, km=83_999)
    assert sent(titled) == before and titled["reader"].history(VIN) == history
    assert titled["reader"].title(VIN) == recorded


def test_a_title_branded_odometer_not_actual_takes_a_lower_reading(titled: dict[str, Ledger]) -> None:
    titled["registrar"].record_odometer(VIN, 84_000, doc_cid="bafkreiinspection")
    titled["registrar"].brand_title(VIN, Brand.ODOMETER_NOT_ACTUAL, doc_cid="bafkreiclusterswap")
    assert titled["registrar"].record_odometer(VIN, 12_000, doc_cid="bafkreiinspection").odometer_km == 12_000
    t = transfer(titled, VIN, BUYER, km=3_000)
    assert (t.owner, t.odometer_km, t.brands) == (BUYER, 3_000, (Brand.ODOMETER_NOT_ACTUAL,))
    assert traits(titled)["Brands"] == "ODOMETER-NOT-ACTUAL"


def test_a_transfer_records_its_odometer_reading_with_its_document(titled: dict[str, Ledger]) -> None:
    t = transfer(titled, VIN, BUYER, km=42_000, doc_cid="bafkreisale")
    assert (t.owner, t.odometer_km) == (BUYER, 42_000)
    reading, moved = titled["reader"].history(VIN)[-2:]
    assert (reading.name, reading.args["km"], reading.doc_cid) == ("OdometerRecorded", 42_000, "bafkreisale")
    assert moved.name == "TitleTransferred"

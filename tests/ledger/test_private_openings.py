"""A private lien's sealed opening that does not parse is refused with a message that quotes none
of it: what failed to parse may be the secret amount or blinding."""

from __future__ import annotations

import json
import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Profile, normalize_vin
from lienchain.ledger.registry import private
from lienchain.ledger.registry.authorization import commitment_hash
from lienchain.zk.curve import ORDER
from lienchain.zk.pedersen import Opening

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400
AMOUNT = "0000001337421"
BLINDING = "0x" + "5eed" * 16

# Each record breaks where the parse error would quote a secret field.
MALFORMED = {
    "amount": {"amount": AMOUNT + "x", "blinding": BLINDING},
    "blinding": {"amount": AMOUNT, "blinding": BLINDING + "zz"},
}


def record(fields: dict[str, str]) -> bytes:
    return json.dumps({"kind": private.OPENING_KIND, "vin": VIN, "currency": "USD", **fields}).encode()


def assert_quotes_no_secret(error: Exception) -> None:
    message = str(error)
    assert AMOUNT.lstrip("0") not in message and BLINDING[2:] not in message, message
    assert "\n" not in message


@pytest.mark.parametrize("broken", MALFORMED)
def test_a_malformed_lien_document_is_refused_without_quoting_it(broken: str) -> None:
    with pytest.raises(errors.MalformedOpening, match="lien 7's document") as caught:
        private.parse_opening(record(MALFORMED[broken]), (1, 2), lien_id=7, lender="0xLENDER")
    assert_quotes_no_secret(caught.value)


@pytest.mark.parametrize("broken", MALFORMED)
def test_a_malformed_opening_in_an_authorization_is_refused_without_quoting_it(profile: Profile, broken: str) -> None:
    registrar, lender = profile.ledger("registrar"), profile.session("lender-a")
    registrar.register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    sealed = lender.documents.seal(record(MALFORMED[broken]), readers=["lender-a"])
    point = Opening(1_337_421, int(BLINDING, 16)).commit()
    authorization = registrar.authorize_lien(
        VIN, lender=lender.ledger.address, amount=0, currency="USD", maturity=MATURITY,
        deadline=registrar.now() + 3600, commitment=commitment_hash(point.x, point.y), opening=sealed.envelope.hex(),
    )
    nonce = profile.chain().nonce(lender.ledger.address)
    with pytest.raises(errors.MalformedOpening, match=f"the authorization of {registrar.address}") as caught:
        lender.grant_private_lien(VIN, 1_337_421, currency="USD", maturity=MATURITY, authorization=authorization)
    assert_quotes_no_secret(caught.value)
    assert profile.chain().nonce(lender.ledger.address) == nonce and profile.ledger().liens(VIN) == []


SMALL_BLINDING = int("5eed" * 15, 16)  # below the group order


@pytest.mark.parametrize("amount, blinding", [
    (1_337_421, SMALL_BLINDING + ORDER),  # opens the same commitment: scalars act modulo the order
    (1_337_421 + ORDER, SMALL_BLINDING),
    (1_337_421, SMALL_BLINDING - ORDER),
], ids=["blinding-plus-order", "amount-plus-order", "negative-blinding"])
def test_an_opening_out_of_the_form_the_registry_takes_is_refused_though_it_opens_the_commitment(
    amount: int, blinding: int
) -> None:
    # A lender sealing one would pass an auditor's acknowledgement, yet the registry's reveal,
    # which takes amounts below 2**40 and blindings below the order, could never use it.
    point = Opening(1_337_421, SMALL_BLINDING).commit()
    assert Opening(amount, blinding).commit() == point
    data = record({"amount": str(amount), "blinding": hex(blinding)})
    with pytest.raises(errors.MalformedOpening, match="lien 7's document"):
        private.parse_opening(data, (point.x, point.y), lien_id=7, lender="0xLENDER")
    good = record({"amount": "1337421", "blinding": hex(SMALL_BLINDING)})
    assert private.parse_opening(good, (point.x, point.y), lien_id=7, lender="0xLENDER") == Opening(
        1_337_421, SMALL_BLINDING)

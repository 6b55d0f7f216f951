"""Custodial envelopes: only the custodian's key opens them, and any change to one is refused."""

from __future__ import annotations

import hashlib
import json

import pytest

from lienchain.errors import InvalidCustodian, NotARecipient, SealError
from lienchain.storage import (
    CUSTODIAL_VERSION,
    custodian_of,
    document_key,
    open_custodial,
    seal,
    seal_custodial,
    unwrap_key,
    vault_key,
    wrap_key,
)

DOCUMENT = b"Payslip of the borrower for March: 4,180 EUR net. Transient: erase on request."
READER = document_key(hashlib.sha256(b"lender").digest())
OTHER = document_key(hashlib.sha256(b"other").digest())


def test_the_custodians_key_opens_the_document_and_the_envelope_carries_no_key() -> None:
    envelope, key = seal_custodial(DOCUMENT, custodian="bank-a")

    assert open_custodial(envelope, key) == DOCUMENT
    assert len(key) == 32
    assert key not in envelope and key.hex().encode() not in envelope
    assert json.loads(envelope)["v"] == CUSTODIAL_VERSION
    assert set(json.loads(envelope)) == {"ciphertext", "commitment", "custodian", "nonce", "v"}


def test_a_wrong_key_is_refused_as_not_this_documents_key() -> None:
    envelope, _ = seal_custodial(DOCUMENT, custodian="bank-a")
    _, other_key = seal_custodial(DOCUMENT, custodian="bank-a")

    with pytest.raises(SealError, match="not the key of this document.*custodian bank-a"):
        open_custodial(envelope, other_key)


def test_one_byte_changed_anywhere_is_refused() -> None:
    envelope, key = seal_custodial(b"short lien note", custodian="bank-a")
    for position in range(len(envelope)):
        altered = bytearray(envelope)
        altered[position] ^= 0x01
        with pytest.raises(SealError):
            open_custodial(bytes(altered), key)


def test_renaming_the_custodian_is_refused_even_when_written_canonically() -> None:
    envelope, key = seal_custodial(DOCUMENT, custodian="bank-a")
    document = json.loads(envelope)
    document["custodian"] = "bank-b"
    forged = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    with pytest.raises(SealError, match="altered"):
        open_custodial(forged, key)


def test_custodian_of_names_the_custodian_and_none_for_a_sealed_envelope() -> None:
    custodial, _ = seal_custodial(DOCUMENT, custodian="dmv-01")
    sealed = seal(DOCUMENT, [READER.public_key()])

    assert custodian_of(custodial) == "dmv-01"
    assert custodian_of(sealed) is None
    with pytest.raises(SealError):
        custodian_of(b'{"v":"lienchain-other/v9"}')
    with pytest.raises(SealError):
        custodian_of(b"not json")


@pytest.mark.parametrize("name", ["", "Bank", "bank_a", "-bank", "a" * 33, "bank a"])
def test_a_custodian_that_is_not_a_member_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidCustodian):
        seal_custodial(DOCUMENT, custodian=name)


def test_a_wrapped_key_opens_for_its_reader_only() -> None:
    envelope, key = seal_custodial(DOCUMENT, custodian="bank-a")
    wrapped = wrap_key(key, READER.public_key())

    assert open_custodial(envelope, unwrap_key(wrapped, READER)) == DOCUMENT
    with pytest.raises(NotARecipient):
        unwrap_key(wrapped, OTHER)


def test_unwrap_refuses_a_sealed_document_that_is_not_a_content_key() -> None:
    with pytest.raises(SealError, match="not 32"):
        unwrap_key(seal(DOCUMENT, [READER.public_key()]), READER)


def test_the_vault_key_is_32_bytes_stable_and_independent_of_the_document_key() -> None:
    account = hashlib.sha256(b"bank-a account").digest()

    assert vault_key(account) == vault_key(account)
    assert len(vault_key(account)) == 32
    assert vault_key(account) != document_key(account).private_bytes_raw()
    assert vault_key(account) != vault_key(hashlib.sha256(b"bank-b account").digest())

"""Document keys: derived from account keys, published as hex, named by fingerprint."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lienchain.errors import InvalidDocumentKey
from lienchain.storage import document_key, fingerprint, load_public_key, public_key_hex

ACCOUNT_A = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
ACCOUNT_B = bytes.fromhex("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def test_document_key_is_deterministic() -> None:
    assert _raw_private(document_key(ACCOUNT_A)) == _raw_private(document_key(ACCOUNT_A))


def test_document_key_differs_per_account() -> None:
    assert public_key_hex(document_key(ACCOUNT_A).public_key()) != public_key_hex(document_key(ACCOUNT_B).public_key())


def test_document_key_is_not_the_account_key() -> None:
    assert _raw_private(document_key(ACCOUNT_A)) != ACCOUNT_A


def test_document_key_is_pinned_to_its_derivation() -> None:
    # HKDF-SHA256(ikm=account key, salt=none, info=b"lienchain/document-key/v1"): changing the
    # derivation would orphan every document already sealed, so it is fixed here.
    expected = HKDF(SHA256(), 32, None, b"lienchain/document-key/v1").derive(ACCOUNT_A)

    assert _raw_private(document_key(ACCOUNT_A)) == expected


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_document_key_refuses_account_keys_of_the_wrong_size(size: int) -> None:
    with pytest.raises(InvalidDocumentKey, match="32 bytes"):
        document_key(b"\x01" * size)


def test_public_key_hex_round_trips() -> None:
    public = document_key(ACCOUNT_A).public_key()
    text = public_key_hex(public)

    assert len(text) == 64 and text == text.lower()
    assert public_key_hex(load_public_key(text)) == text
    assert fingerprint(load_public_key(text.upper())) == fingerprint(public)


@pytest.mark.parametrize("text", ["", "zz" * 32, "ab" * 31, "ab" * 33, "0x" + "ab" * 31, " " + "ab" * 32])
def test_load_public_key_refuses_malformed_hex(text: str) -> None:
    with pytest.raises(InvalidDocumentKey, match="64 hex digits"):
        load_public_key(text)


@pytest.mark.parametrize("point", ["00" * 32, "01" + "00" * 31])
def test_load_public_key_refuses_small_order_points(point: str) -> None:
    with pytest.raises(InvalidDocumentKey, match="small-order"):
        load_public_key(point)


def test_fingerprints_differ_per_key() -> None:
    a = fingerprint(document_key(ACCOUNT_A).public_key())
    b = fingerprint(document_key(ACCOUNT_B).public_key())

    assert a != b and len(a) == len(b) == 64

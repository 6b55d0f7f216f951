"""Sealed envelopes: only recipients open them, and any change to one is refused."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lienchain.errors import InvalidDocumentKey, NoRecipients, NotARecipient, SealError, StorageError
from lienchain.storage import (
    SEALED_VERSION,
    document_key,
    fingerprint,
    load_public_key,
    public_key_hex,
    recipients_of,
    seal,
    unseal,
)

DOCUMENT = b"Security agreement: First Bank holds a first lien of 18,500 USD on VIN 1HGCM82633A004352."

MEMBERS = {name: document_key(hashlib.sha256(name.encode()).digest()) for name in ("bank", "registrar", "auditor")}
OUTSIDER = document_key(hashlib.sha256(b"outsider").digest())
BANK, REGISTRAR, AUDITOR = MEMBERS.values()

Envelope = dict[str, Any]


def _seal_for_members(plaintext: bytes = DOCUMENT) -> bytes:
    envelope: bytes = seal(plaintext, [key.public_key() for key in MEMBERS.values()])
    return envelope


def _rewrite(envelope: bytes, change: Callable[[Envelope], None]) -> bytes:
    """Edits an envelope's fields and writes it back canonically, as a careful forger would."""
    document = json.loads(envelope)
    change(document)
    canonical: str = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return canonical.encode()


def _flip(field: str) -> str:
    data = bytearray(base64.b64decode(field))
    data[len(data) // 2] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def _entry(document: Envelope, key: X25519PrivateKey) -> dict[str, str]:
    own = fingerprint(key.public_key())
    entry: dict[str, str] = next(r for r in document["recipients"] if r["fp"] == own)
    return entry


@pytest.mark.parametrize("reader", sorted(MEMBERS))
def test_every_recipient_opens_the_document(reader: str) -> None:
    assert unseal(_seal_for_members(), MEMBERS[reader]) == DOCUMENT


@pytest.mark.parametrize("plaintext", [b"", bytes(range(256)) * 4096], ids=["empty", "1-MiB"])
def test_documents_of_any_size_round_trip(plaintext: bytes) -> None:
    assert unseal(seal(plaintext, [BANK.public_key()]), BANK) == plaintext


def test_non_recipient_gets_not_a_recipient() -> None:
    with pytest.raises(NotARecipient):
        unseal(_seal_for_members(), OUTSIDER)


def test_recipients_of_lists_the_fingerprints_of_the_readers() -> None:
    expected = sorted(fingerprint(key.public_key()) for key in MEMBERS.values())

    assert recipients_of(_seal_for_members()) == expected


def test_duplicate_recipients_count_once() -> None:
    copy = load_public_key(public_key_hex(BANK.public_key()))
    envelope = seal(DOCUMENT, [BANK.public_key(), BANK.public_key(), copy])

    assert recipients_of(envelope) == [fingerprint(BANK.public_key())]


def test_sealing_for_no_one_is_refused() -> None:
    with pytest.raises(NoRecipients):
        seal(DOCUMENT, [])


def test_sealing_for_a_small_order_key_is_refused() -> None:
    with pytest.raises(InvalidDocumentKey):
        seal(DOCUMENT, [BANK.public_key(), X25519PublicKey.from_public_bytes(bytes(32))])


def test_each_seal_uses_fresh_keys() -> None:
    first, second = _seal_for_members(), _seal_for_members()

    assert first != second
    assert json.loads(first)["nonce"] != json.loads(second)["nonce"]


def test_injected_rng_makes_sealing_reproducible() -> None:
    def rng() -> Callable[[int], bytes]:
        stream = hashlib.shake_256(b"test rng").digest(4096)
        position = 0

        def take(n: int) -> bytes:
            nonlocal position
            position += n
            return stream[position - n : position]

        return take

    keys = [key.public_key() for key in MEMBERS.values()]

    assert seal(DOCUMENT, keys, rng=rng()) == seal(DOCUMENT, keys, rng=rng())


def test_envelope_is_canonical_json_with_a_version_tag() -> None:
    envelope = _seal_for_members()
    document = json.loads(envelope)

    assert document["v"] == SEALED_VERSION == "lienchain-sealed/v1"
    assert envelope == json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert DOCUMENT not in envelope


TAMPERINGS: dict[str, Callable[[Envelope], None]] = {
    "ciphertext": lambda d: d.update(ciphertext=_flip(d["ciphertext"])),
    "nonce": lambda d: d.update(nonce=_flip(d["nonce"])),
    "commitment": lambda d: d.update(commitment=_flip(d["commitment"])),
    "own wrapped key": lambda d: _entry(d, BANK).update(key=_flip(_entry(d, BANK)["key"])),
    "own ephemeral key": lambda d: _entry(d, BANK).update(epk=_flip(_entry(d, BANK)["epk"])),
    "other's wrapped key": lambda d: _entry(d, AUDITOR).update(key=_flip(_entry(d, AUDITOR)["key"])),
    "other's ephemeral key": lambda d: _entry(d, AUDITOR).update(epk=_flip(_entry(d, AUDITOR)["epk"])),
    "version": lambda d: d.update(v="lienchain-sealed/v2"),
    "truncated ciphertext": lambda d: d.update(ciphertext=d["ciphertext"][:8]),
    "extra field": lambda d: d.update(note="harmless?"),
}


@pytest.mark.parametrize("region", sorted(TAMPERINGS))
def test_unseal_refuses_tampered_envelope(region: str) -> None:
    tampered = _rewrite(_seal_for_members(), TAMPERINGS[region])

    with pytest.raises(SealError):
        unseal(tampered, BANK)


def test_stripping_a_recipient_is_detected() -> None:
    auditor = fingerprint(AUDITOR.public_key())

    def strip(document: Envelope) -> None:
        document["recipients"] = [r for r in document["recipients"] if r["fp"] != auditor]

    stripped = _rewrite(_seal_for_members(), strip)

    for reader in (BANK, REGISTRAR):
        with pytest.raises(SealError, match="does not authenticate"):
            unseal(stripped, reader)
    with pytest.raises(NotARecipient):
        unseal(stripped, AUDITOR)


def test_adding_a_recipient_is_detected() -> None:
    # An outsider cannot learn the content key, so the best it can do is splice in an entry
    # of its own: either the readers notice the changed header, or it cannot open it.
    donor = json.loads(seal(b"anything", [OUTSIDER.public_key()]))["recipients"][0]

    def add(document: Envelope) -> None:
        document["recipients"] = sorted([*document["recipients"], donor], key=lambda r: r["fp"])

    widened = _rewrite(_seal_for_members(), add)

    for reader in (*MEMBERS.values(), OUTSIDER):
        with pytest.raises(SealError):
            unseal(widened, reader)


def test_recipients_cannot_be_given_different_content_keys() -> None:
    # A dishonest sender splicing the bank's entry from another envelope: without the key
    # commitment the bank could open a different document than the registrar does.
    other_bank_entry = _entry(json.loads(_seal_for_members(b"a different document")), BANK)

    def splice(document: Envelope) -> None:
        _entry(document, BANK).update(other_bank_entry)

    spliced = _rewrite(_seal_for_members(), splice)

    with pytest.raises(SealError, match="commitment"):
        unseal(spliced, BANK)


@pytest.mark.parametrize(
    "envelope",
    [b"", b"not json", b"[]", b"{}", b"\xff\xfe", b'{"v":"lienchain-sealed/v1"}'],
    ids=["empty", "text", "list", "empty-object", "binary", "only-version"],
)
def test_malformed_envelopes_are_refused(envelope: bytes) -> None:
    with pytest.raises(SealError):
        unseal(envelope, BANK)
    with pytest.raises(SealError):
        recipients_of(envelope)


def test_non_canonical_envelope_is_refused() -> None:
    pretty = json.dumps(json.loads(_seal_for_members()), indent=2).encode()

    with pytest.raises(SealError, match="canonical"):
        unseal(pretty, BANK)


ENVELOPE = _seal_for_members()


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(ENVELOPE) - 1), mask=st.integers(1, 255))
def test_any_changed_byte_is_refused(position: int, mask: int) -> None:
    tampered = bytearray(ENVELOPE)
    tampered[position] ^= mask

    with pytest.raises((SealError, NotARecipient)):
        unseal(bytes(tampered), BANK)


def test_sealing_errors_are_storage_errors() -> None:
    assert issubclass(SealError, StorageError) and issubclass(NotARecipient, StorageError)

"""Sealed envelopes: documents encrypted for a set of members before they leave the machine.

Format ``lienchain-sealed/v1``, one canonical JSON object (sorted keys, no spaces, ASCII, binary
fields in padded standard base64)::

    {"ciphertext": b64, "commitment": b64, "nonce": b64, "recipients": [{"epk": b64, "fp": hex,
     "key": b64}, ...], "v": "lienchain-sealed/v1"}

* A fresh 256-bit content key K is drawn per document. HKDF-SHA256(K, info ".../content") gives
  the AES-256-GCM key for the document and a 256-bit commitment to K. GCM alone is not
  key-committing: without the commitment a dishonest sender could wrap different keys for
  different readers so that each opens a different, valid-looking document.
* Per recipient (sorted by fingerprint ``fp``, see `keys.fingerprint`): an ephemeral X25519 key
  ``epk``, ECDH with the recipient's key, HKDF-SHA256 over the shared secret with info
  ".../wrap" || epk || recipient key, and AES-256-GCM of K under that single-use key (so a fixed
  nonce is safe), with the version and ``fp`` as associated data.
* The document's ciphertext authenticates, as associated data, the canonical JSON of everything
  but the ciphertext: version, every recipient entry, commitment and nonce. Removing, adding or
  altering a recipient therefore makes the envelope fail for every reader.

Whoever can open an envelope knows K and could build a different envelope; what pins a document
is its CID on chain, which covers every byte of the envelope.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import NoRecipients, NotARecipient, SealError
from ._envelope import KEY_LENGTH as _KEY_LENGTH
from ._envelope import NONCE_LENGTH as _NONCE_LENGTH
from ._envelope import TAG_LENGTH as _TAG_LENGTH
from ._envelope import Rng as Rng  # re-exported: the type of `seal`'s rng
from ._envelope import b64 as _b64
from ._envelope import canonical as _canonical
from ._envelope import content_keys
from ._envelope import load, unb64
from .keys import check_public_key, fingerprint, public_key_bytes

VERSION = "lienchain-sealed/v1"

_CONTENT_INFO = b"lienchain-sealed/v1/content"
_WRAP_INFO = b"lienchain-sealed/v1/wrap"
_WRAP_NONCE = bytes(_NONCE_LENGTH)  # each wrapping key encrypts exactly one message
_FIELDS = {"ciphertext", "commitment", "nonce", "recipients", "v"}
_RECIPIENT_FIELDS = {"epk", "fp", "key"}
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")

@dataclass(frozen=True)
class _Recipient:
    fingerprint: str
    ephemeral_key: bytes
    wrapped_key: bytes


@dataclass(frozen=True)
class _Envelope:
    header: dict[str, object]  # everything but the ciphertext: the associated data
    recipients: tuple[_Recipient, ...]
    commitment: bytes
    nonce: bytes
    ciphertext: bytes


def seal(plaintext: bytes, recipients: Iterable[X25519PublicKey], *, rng: Rng | None = None) -> bytes:
    """Encrypts a document so that exactly the given document keys can open it.

    Args:
        plaintext: The document.
        recipients: The readers' public document keys; duplicates count once.
        rng: Source of the content key, nonce and ephemeral keys; `os.urandom` if None.

    Returns:
        The envelope, canonical bytes ready to store under their CID.

    Raises:
        NoRecipients: If `recipients` is empty.
        InvalidDocumentKey: If a recipient key is a small-order point.
    """
    random = rng or os.urandom
    readers = {fingerprint(key): key for key in recipients}
    if not readers:
        raise NoRecipients()
    for key in readers.values():
        check_public_key(key)
    content_key = random(_KEY_LENGTH)
    nonce = random(_NONCE_LENGTH)
    document_key, commitment = _content_keys(content_key)
    entries = []
    for fp in sorted(readers):
        ephemeral = X25519PrivateKey.from_private_bytes(random(_KEY_LENGTH))
        epk = public_key_bytes(ephemeral.public_key())
        wrapping_key = _wrapping_key(ephemeral.exchange(readers[fp]), epk, public_key_bytes(readers[fp]))
        wrapped = AESGCM(wrapping_key).encrypt(_WRAP_NONCE, content_key, _wrap_aad(fp))
        entries.append({"epk": _b64(epk), "fp": fp, "key": _b64(wrapped)})
    header: dict[str, object] = {
        "commitment": _b64(commitment),
        "nonce": _b64(nonce),
        "recipients": entries,
        "v": VERSION,
    }
    ciphertext = AESGCM(document_key).encrypt(nonce, plaintext, _canonical(header))
    return _canonical({**header, "ciphertext": _b64(ciphertext)})


def unseal(envelope: bytes, private_key: X25519PrivateKey) -> bytes:
    """Opens an envelope with a reader's document key, checking every byte of it.

    Args:
        envelope: Bytes made by `seal`.
        private_key: The reader's document key (see `document_key`).

    Returns:
        The document.

    Raises:
        NotARecipient: If the envelope was not sealed for this key.
        SealError: If the envelope is malformed, of an unknown version, or was altered in any way.
    """
    parsed = _parse(envelope)
    own = fingerprint(private_key.public_key())
    entry = next((r for r in parsed.recipients if r.fingerprint == own), None)
    if entry is None:
        raise NotARecipient(
            f"this document was sealed for {len(parsed.recipients)} other key(s), not for document key {own[:16]}...: "
            "ask its author to seal it for your account"
        )
    try:
        secret = private_key.exchange(X25519PublicKey.from_public_bytes(entry.ephemeral_key))
    except ValueError:  # a small-order ephemeral key: never made by `seal`
        raise _tampered("its ephemeral key for you is invalid") from None
    wrapping_key = _wrapping_key(secret, entry.ephemeral_key, public_key_bytes(private_key.public_key()))
    try:
        content_key = AESGCM(wrapping_key).decrypt(_WRAP_NONCE, entry.wrapped_key, _wrap_aad(own))
    except InvalidTag:
        raise _tampered("its wrapped key for you does not authenticate") from None
    document_key, commitment = _content_keys(content_key)
    if not hmac.compare_digest(commitment, parsed.commitment):
        raise _tampered("its content key does not match the key commitment")
    try:
        return AESGCM(document_key).decrypt(parsed.nonce, parsed.ciphertext, _canonical(parsed.header))
    except InvalidTag:
        raise _tampered("its content or header does not authenticate") from None


def recipients_of(envelope: bytes) -> list[str]:
    """Lists the fingerprints of the keys an envelope was sealed for, without opening it.

    The list is only as trustworthy as the envelope: `unseal` is what authenticates it.

    Args:
        envelope: Bytes made by `seal`.

    Returns:
        The recipients' key fingerprints (see `fingerprint`), sorted.

    Raises:
        SealError: If the envelope is malformed or of an unknown version.
    """
    return [r.fingerprint for r in _parse(envelope).recipients]


def _content_keys(content_key: bytes) -> tuple[bytes, bytes]:
    """Splits the content key into the document's AES key and the commitment to it."""
    return content_keys(content_key, _CONTENT_INFO)


def _wrapping_key(shared_secret: bytes, ephemeral_key: bytes, recipient_key: bytes) -> bytes:
    # Both public keys go into the KDF, as in HPKE, so the key is bound to this exact exchange.
    info = _WRAP_INFO + ephemeral_key + recipient_key
    return HKDF(algorithm=SHA256(), length=_KEY_LENGTH, salt=None, info=info).derive(shared_secret)


def _wrap_aad(fp: str) -> bytes:
    return f"{VERSION}\x00{fp}".encode("ascii")


def _parse(envelope: bytes) -> _Envelope:
    """Reads an envelope, refusing anything `seal` could not have written byte for byte."""
    document = load(envelope, fields=_FIELDS, version=VERSION, what="sealed document", malformed=_malformed)
    entries = document["recipients"]
    if not isinstance(entries, list) or not entries:
        raise _malformed("it lists no recipients")
    recipients = tuple(_parse_recipient(entry) for entry in entries)
    fingerprints = [r.fingerprint for r in recipients]
    if fingerprints != sorted(set(fingerprints)):
        raise _malformed("its recipients are not sorted by fingerprint without repeats")
    header = {key: value for key, value in document.items() if key != "ciphertext"}
    return _Envelope(
        header=header,
        recipients=recipients,
        commitment=_unb64(document["commitment"], "commitment", _KEY_LENGTH),
        nonce=_unb64(document["nonce"], "nonce", _NONCE_LENGTH),
        ciphertext=_unb64(document["ciphertext"], "ciphertext", None),
    )


def _parse_recipient(entry: object) -> _Recipient:
    if not isinstance(entry, dict) or set(entry) != _RECIPIENT_FIELDS:
        raise _malformed(f"a recipient must hold exactly the fields {', '.join(sorted(_RECIPIENT_FIELDS))}")
    fp = entry["fp"]
    if not isinstance(fp, str) or not _FINGERPRINT.fullmatch(fp):
        raise _malformed("a recipient fingerprint is not 64 lower-case hex digits")
    return _Recipient(
        fingerprint=fp,
        ephemeral_key=_unb64(entry["epk"], "ephemeral key", _KEY_LENGTH),
        wrapped_key=_unb64(entry["key"], "wrapped key", _KEY_LENGTH + _TAG_LENGTH),
    )


def _unb64(value: object, name: str, length: int | None) -> bytes:
    return unb64(value, name, length, _malformed)


def _malformed(reason: str) -> SealError:
    return SealError(f"not a lienchain sealed document: {reason}; fetch it again by its CID")


def _tampered(reason: str) -> SealError:
    return SealError(
        f"sealed document was altered or damaged: {reason}; fetch it again by its CID from another member"
    )

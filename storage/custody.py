"""Custodial envelopes: documents whose content key stays with a custodian, so it can be erased.

Format ``lienchain-custodial/v1``, one canonical JSON object (sorted keys, no spaces, ASCII, binary
fields in padded standard base64)::

    {"ciphertext": b64, "commitment": b64, "custodian": "bank-a", "nonce": b64,
     "v": "lienchain-custodial/v1"}

* The document is encrypted as in ``lienchain-sealed/v1`` (see `sealing`): a fresh 256-bit content
  key K, split by HKDF-SHA256 into the AES-256-GCM key and a commitment to K, with info
  ``lienchain-custodial/v1/content`` so the two formats never share a derived key.
* No key material is in the envelope: the custodian (a member, by name) keeps K in its
  `KeyVault`, hands it to entitled readers (`wrap_key` seals it for one reader's document key),
  logs every request, and erases it on request: then no copy of the envelope, anywhere, can be
  opened again.
* The ciphertext authenticates, as associated data, the canonical JSON of everything but the
  ciphertext (version, custodian, commitment, nonce).
"""

from __future__ import annotations

import hmac
import json
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import InvalidCustodian, SealError
from . import sealing
from ._envelope import KEY_LENGTH, NONCE_LENGTH, Rng, b64, canonical, content_keys, load, unb64

CUSTODIAL_VERSION = "lienchain-custodial/v1"

_CONTENT_INFO = b"lienchain-custodial/v1/content"
_FIELDS = {"ciphertext", "commitment", "custodian", "nonce", "v"}
_MEMBER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")

__all__ = ["CUSTODIAL_VERSION", "custodian_of", "open_custodial", "seal_custodial", "unwrap_key", "wrap_key"]


@dataclass(frozen=True)
class _Envelope:
    header: dict[str, object]  # everything but the ciphertext: the associated data
    custodian: str
    commitment: bytes
    nonce: bytes
    ciphertext: bytes


def seal_custodial(plaintext: bytes, *, custodian: str, rng: Rng | None = None) -> tuple[bytes, bytes]:
    """Encrypts a document under a fresh content key that the envelope does not carry.

    Args:
        plaintext: The document.
        custodian: The member whose key vault will hold the content key.
        rng: Source of the content key and nonce; `os.urandom` if None.

    Returns:
        The envelope (canonical bytes ready to store under their CID) and the 32-byte content key,
        to deposit in the custodian's vault and nowhere else.

    Raises:
        InvalidCustodian: If `custodian` is not a member name.
    """
    if not isinstance(custodian, str) or not _MEMBER_NAME.fullmatch(custodian):
        raise InvalidCustodian(str(custodian))
    random = rng or os.urandom
    content_key = random(KEY_LENGTH)
    nonce = random(NONCE_LENGTH)
    document_key, commitment = content_keys(content_key, _CONTENT_INFO)
    header: dict[str, object] = {
        "commitment": b64(commitment),
        "custodian": custodian,
        "nonce": b64(nonce),
        "v": CUSTODIAL_VERSION,
    }
    ciphertext = AESGCM(document_key).encrypt(nonce, plaintext, canonical(header))
    return canonical({**header, "ciphertext": b64(ciphertext)}), content_key


def open_custodial(envelope: bytes, content_key: bytes) -> bytes:
    """Opens a custodial envelope with the content key its custodian released, checking every byte.

    Args:
        envelope: Bytes made by `seal_custodial`.
        content_key: The 32-byte key from the custodian (see `unwrap_key`).

    Returns:
        The document.

    Raises:
        SealError: If the key is not this document's, or the envelope is malformed, of an unknown
            version, or was altered in any way.
    """
    parsed = _parse(envelope)
    if len(content_key) != KEY_LENGTH:
        raise SealError(
            f"a content key has {KEY_LENGTH} bytes, not {len(content_key)}: ask the custodian {parsed.custodian} again"
        )
    document_key, commitment = content_keys(bytes(content_key), _CONTENT_INFO)
    if not hmac.compare_digest(commitment, parsed.commitment):
        raise SealError(
            f"this content key is not the key of this document: ask its custodian {parsed.custodian} "
            "for the key of this document's CID"
        )
    try:
        return AESGCM(document_key).decrypt(parsed.nonce, parsed.ciphertext, canonical(parsed.header))
    except InvalidTag:
        raise _tampered("its content or header does not authenticate") from None


def custodian_of(envelope: bytes) -> str | None:
    """Names the member who holds a document's content key, without opening it.

    Args:
        envelope: A custodial or a sealed envelope.

    Returns:
        The custodian's member name; None for a ``lienchain-sealed/v1`` envelope, whose keys are
        wrapped for its readers inside it.

    Raises:
        SealError: If the envelope is neither, or is malformed.
    """
    try:
        version = json.loads(envelope).get("v")
    except (ValueError, UnicodeDecodeError, AttributeError):
        version = None
    if version == sealing.VERSION:
        sealing.recipients_of(envelope)  # parses it strictly
        return None
    if isinstance(version, str) and version != CUSTODIAL_VERSION:
        raise SealError(
            f"document has version {version!r}, this lienchain reads {sealing.VERSION!r} and "
            f"{CUSTODIAL_VERSION!r}: upgrade lienchain"
        )
    return _parse(envelope).custodian


def wrap_key(content_key: bytes, reader: X25519PublicKey) -> bytes:
    """Seals a released content key for one reader's document key (a ``lienchain-sealed/v1`` envelope).

    Args:
        content_key: The 32-byte content key.
        reader: The reader's public document key.

    Returns:
        The wrapped key, which only that reader can open.

    Raises:
        SealError: If `content_key` is not 32 bytes.
        InvalidDocumentKey: If the reader's key is a small-order point.
    """
    if len(content_key) != KEY_LENGTH:
        raise SealError(
            f"a content key has {KEY_LENGTH} bytes, not {len(content_key)}: wrap the key the vault released"
        )
    return sealing.seal(bytes(content_key), [reader])


def unwrap_key(wrapped: bytes, reader: X25519PrivateKey) -> bytes:
    """Opens a content key wrapped by `wrap_key`.

    Args:
        wrapped: Bytes made by `wrap_key`.
        reader: The reader's document key.

    Returns:
        The 32-byte content key.

    Raises:
        NotARecipient: If the key was wrapped for another reader.
        SealError: If the wrapped key is malformed, altered, or does not hold a content key.
    """
    key = sealing.unseal(wrapped, reader)
    if len(key) != KEY_LENGTH:
        raise SealError(
            f"the wrapped content key holds {len(key)} bytes, not {KEY_LENGTH}: ask the custodian for the key again"
        )
    return key


def _parse(envelope: bytes) -> _Envelope:
    """Reads an envelope, refusing anything `seal_custodial` could not have written byte for byte."""
    document = load(envelope, fields=_FIELDS, version=CUSTODIAL_VERSION, what="custodial document",
                    malformed=_malformed)
    custodian = document["custodian"]
    if not isinstance(custodian, str) or not _MEMBER_NAME.fullmatch(custodian):
        raise _malformed("its custodian is not a member name")
    header = {key: value for key, value in document.items() if key != "ciphertext"}
    return _Envelope(
        header=header,
        custodian=custodian,
        commitment=unb64(document["commitment"], "commitment", KEY_LENGTH, _malformed),
        nonce=unb64(document["nonce"], "nonce", NONCE_LENGTH, _malformed),
        ciphertext=unb64(document["ciphertext"], "ciphertext", None, _malformed),
    )


def _malformed(reason: str) -> SealError:
    return SealError(f"not a lienchain custodial document: {reason}; fetch it again by its CID")


def _tampered(reason: str) -> SealError:
    return SealError(
        f"custodial document was altered or damaged: {reason}; fetch it again by its CID from another member"
    )

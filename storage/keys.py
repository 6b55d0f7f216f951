"""Document keys: the X25519 keys members seal documents to, and how they are named and shared.

A member's document key is derived from their secp256k1 account key, so the one encrypted account
keystore protects both and there is no second secret to back up. The public half is published in
the profile as hex; envelopes name recipients by a fingerprint of it.
"""

from __future__ import annotations

import hashlib
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import InvalidDocumentKey

_DOCUMENT_KEY_INFO = b"lienchain/document-key/v1"
_VAULT_KEY_INFO = b"lienchain/key-vault/v1"
_FINGERPRINT_DOMAIN = b"lienchain/document-key/fingerprint/v1\x00"
_KEY_LENGTH = 32
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


def document_key(account_private_key: bytes) -> X25519PrivateKey:
    """Derives a member's X25519 document key from their account key, the same one every time.

    HKDF-SHA256 with no salt and info ``b"lienchain/document-key/v1"``; the domain-separated info
    keeps the derived key independent of every other use of the account key (signing).

    Args:
        account_private_key: The 32-byte secp256k1 private key of the member's account.

    Returns:
        The member's document key.

    Raises:
        InvalidDocumentKey: If the account key is not 32 bytes.
    """
    return X25519PrivateKey.from_private_bytes(_derive(account_private_key, _DOCUMENT_KEY_INFO))


def vault_key(account_private_key: bytes) -> bytes:
    """Derives the master key of a member's key vault from their account key, the same one every time.

    HKDF-SHA256 with no salt and info ``b"lienchain/key-vault/v1"``: independent of the document
    key and of signing, so holding one of them reveals nothing of the others.

    Args:
        account_private_key: The 32-byte secp256k1 private key of the member's account.

    Returns:
        32 bytes, the `master_key` of the member's `KeyVault`.

    Raises:
        InvalidDocumentKey: If the account key is not 32 bytes.
    """
    return _derive(account_private_key, _VAULT_KEY_INFO)


def _derive(account_private_key: bytes, info: bytes) -> bytes:
    if len(account_private_key) != _KEY_LENGTH:
        raise InvalidDocumentKey(
            f"an account private key has 32 bytes, not {len(account_private_key)}: pass the raw key of the account"
        )
    return HKDF(algorithm=SHA256(), length=_KEY_LENGTH, salt=None, info=info).derive(bytes(account_private_key))


def public_key_hex(public_key: X25519PublicKey) -> str:
    """Spells a public document key as the 64 lower-case hex digits a profile lists.

    Args:
        public_key: A member's public document key.

    Returns:
        The raw 32-byte key in hex.
    """
    return public_key_bytes(public_key).hex()


def load_public_key(text: str) -> X25519PublicKey:
    """Reads a public document key written by `public_key_hex`, refusing unusable keys.

    Args:
        text: 64 hex digits.

    Returns:
        The public document key.

    Raises:
        InvalidDocumentKey: If `text` is not 64 hex digits, or is a small-order point that would
            give every sender the same shared secret.
    """
    if not isinstance(text, str) or not _HEX_KEY.fullmatch(text):
        raise InvalidDocumentKey(f"{text!r} is not a public document key: expected 64 hex digits from the profile")
    key = X25519PublicKey.from_public_bytes(bytes.fromhex(text))
    check_public_key(key)
    return key


def check_public_key(public_key: X25519PublicKey) -> None:
    """Refuses a small-order X25519 point, with which key agreement yields an all-zero secret.

    Raises:
        InvalidDocumentKey: If the key is such a point.
    """
    try:
        # OpenSSL refuses an all-zero shared secret; any private key exposes a small-order point.
        X25519PrivateKey.from_private_bytes(b"\x01" * _KEY_LENGTH).exchange(public_key)
    except ValueError:
        raise InvalidDocumentKey(
            f"{public_key_hex(public_key)} is a small-order point, not a member's key: "
            "publish the key `lienchain` derived for the account"
        ) from None


def fingerprint(public_key: X25519PublicKey) -> str:
    """Names a public document key in envelopes: domain-separated SHA-256 of it, in hex.

    Args:
        public_key: A member's public document key.

    Returns:
        64 lower-case hex digits.
    """
    return hashlib.sha256(_FINGERPRINT_DOMAIN + public_key_bytes(public_key)).hexdigest()


def public_key_bytes(public_key: X25519PublicKey) -> bytes:
    """The raw 32 bytes of a public document key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

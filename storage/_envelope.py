"""What the two envelope formats share: the content key's split, canonical JSON, strict base64.

`sealing` (keys wrapped for readers inside the envelope) and `custody` (the key held by a
custodian's key vault) encrypt a document the same way; only where the content key lives differs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import SealError

KEY_LENGTH = 32
NONCE_LENGTH = 12
TAG_LENGTH = 16

Rng = Callable[[int], bytes]
"""A source of secure random bytes: called with a count, returns that many bytes."""


def content_keys(content_key: bytes, info: bytes) -> tuple[bytes, bytes]:
    """Splits a content key into the document's AES-256-GCM key and the commitment to it.

    GCM alone is not key-committing: the commitment is what makes a wrong key fail as a wrong key.
    """
    okm = HKDF(algorithm=SHA256(), length=2 * KEY_LENGTH, salt=None, info=info).derive(content_key)
    return okm[:KEY_LENGTH], okm[KEY_LENGTH:]


def canonical(value: object) -> bytes:
    """The one byte string a JSON value is written as: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def b64(data: bytes) -> str:
    """Padded standard base64, the spelling of binary fields in envelopes."""
    return base64.b64encode(data).decode("ascii")


def unb64(value: object, name: str, length: int | None, malformed: Callable[[str], SealError]) -> bytes:
    """Decodes canonical padded base64 of an exact length (or, if None, at least a GCM tag).

    Raises:
        SealError: Made by `malformed` from the reason, if `value` is anything else.
    """
    try:
        data = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except binascii.Error:
        data = None
    if data is None or b64(data) != value:
        raise malformed(f"its {name} is not canonical base64")
    if len(data) != length if length is not None else len(data) < TAG_LENGTH:
        raise malformed(f"its {name} has {len(data)} bytes")
    return data


def load(envelope: bytes, *, fields: set[str], version: str, what: str,
         malformed: Callable[[str], SealError]) -> dict[str, Any]:
    """Reads an envelope's JSON object, refusing anything its writer could not have written byte for
    byte: not JSON, other fields than `fields`, another version than `version` (`what` names the
    kind of document in that error), or not in canonical form."""
    try:
        document = json.loads(envelope)
    except (ValueError, UnicodeDecodeError):
        raise malformed("it is not JSON") from None
    if not isinstance(document, dict) or set(document) != fields:
        raise malformed(f"it must hold exactly the fields {', '.join(sorted(fields))}")
    if document["v"] != version:
        raise SealError(f"{what} has version {document['v']!r}, this lienchain reads {version!r}: upgrade lienchain")
    if canonical(document) != bytes(envelope):
        raise malformed("it is not in canonical form")
    return document

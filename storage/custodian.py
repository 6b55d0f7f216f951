"""Asking a custodian for a document's content key: the signed request and the key service's client.

A custodial document (see `custody`) carries no key: its custodian, a member, keeps the content
key in its key vault and runs a key service beside its node. A reader asks for the key with a
request signed by its account key; the service checks the signature and, on chain, that the reader
may read the document now, logs the request, and answers with the key wrapped for the reader's
document key. The author hands the key to its own member's service the same way (a deposit), the
key wrapped for the custodian's document key: a content key never crosses the wire in the clear.

Format ``lienchain/key-request/v1``, one canonical JSON object (sorted keys, no spaces, ASCII)::

    {"chain_id": 1337, "cid": "bafk...", "custodian": "bank-a", "kind": "request", "nonce": 32 hex,
     "purpose": "...", "reader": "0xChecksummed", "reader_key": 64 hex, "signature": "0x...",
     "time": unix seconds, "v": "lienchain/key-request/v1"}

A deposit has kind ``deposit``, its depositor as ``reader`` and one more field, ``key``: the
content key wrapped for the custodian (base64). The signature is EIP-191 (`encode_defunct`) over
the canonical JSON of every field but the signature; the request's id, which the vault refuses to
answer twice, is the SHA-256 of those bytes, so a replayed request is refused however it is sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time as _time
from dataclasses import dataclass, replace
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_checksum_address

from ..errors import (
    AccessRefused,
    CustodianUnreachable,
    InvalidDocumentKey,
    InvalidCID,
    InvalidKeyRequest,
    KeyConflict,
    KeyErased,
    KeyNotHeld,
    KeyServiceBusy,
    KeyServiceError,
    ReplayedRequest,
)
from .cid import parse_cid
from .keys import load_public_key, public_key_hex

REQUEST_VERSION = "lienchain/key-request/v1"
#: The largest request body a key service reads, in bytes.
MAX_REQUEST_BYTES = 4096
KINDS = ("request", "deposit")

_MEMBER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_MAX_CID = 128
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SIGNATURE = re.compile(r"0x[0-9a-f]{130}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_MAX_PURPOSE = 200
_MAX_WRAPPED = 2048  # characters of base64: a wrapped 32-byte key is a few hundred
_COMMON = ("chain_id", "cid", "custodian", "kind", "nonce", "purpose", "reader", "reader_key", "time", "v")

__all__ = [
    "KINDS", "MAX_REQUEST_BYTES", "REQUEST_VERSION", "KeyRequest", "KeyServiceClient", "SignedKeyRequest",
]


@dataclass(frozen=True)
class KeyRequest:
    """What a reader asks a custodian for (kind "request"), or what a member's account hands its own
    custodian to keep (kind "deposit", with `key` the content key wrapped for the custodian).

    Built values are checked at once (`InvalidKeyRequest`), as a parsed request's are.
    """

    custodian: str  # the member whose key service is asked
    chain_id: int
    cid: str
    purpose: str  # why the reader reads: 1 to 200 printable characters, kept in the access log
    reader: str  # checksummed address of the signing account
    reader_key: str  # X25519 public key (hex) the content key is wrapped for
    time: int  # unix seconds
    nonce: str  # 32 hex digits, so that two requests alike in all else differ
    kind: str = "request"
    key: str | None = None  # a deposit's content key wrapped for the custodian, base64

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def create(cls, *, custodian: str, chain_id: int, cid: str, purpose: str, reader: str,
               reader_key: X25519PublicKey, at: int | None = None) -> KeyRequest:
        """Returns a new key request, dated now (or `at`) and with a fresh nonce.

        Raises:
            InvalidKeyRequest: If a field is malformed.
        """
        return cls(custodian=custodian, chain_id=chain_id, cid=cid, purpose=purpose, reader=reader,
                   reader_key=public_key_hex(reader_key), time=int(_time.time()) if at is None else at,
                   nonce=secrets.token_hex(16))

    @classmethod
    def deposit(cls, *, custodian: str, chain_id: int, cid: str, wrapped_key: bytes, depositor: str,
                depositor_key: X25519PublicKey, purpose: str = "deposit", at: int | None = None) -> KeyRequest:
        """Returns a new deposit of a content key already wrapped for the custodian (`custody.wrap_key`
        with the custodian's public document key).

        Raises:
            InvalidKeyRequest: If a field is malformed.
        """
        return replace(
            cls.create(custodian=custodian, chain_id=chain_id, cid=cid, purpose=purpose, reader=depositor,
                       reader_key=depositor_key, at=at),
            kind="deposit", key=base64.b64encode(wrapped_key).decode(),
        )

    @property
    def wrapped_key(self) -> bytes:
        """Returns a deposit's wrapped content key (empty for a key request)."""
        return base64.b64decode(self.key) if self.key is not None else b""

    def body(self) -> dict[str, Any]:
        """Returns the signed fields, as JSON-ready data."""
        data: dict[str, Any] = {
            "v": REQUEST_VERSION, "kind": self.kind, "custodian": self.custodian, "chain_id": self.chain_id,
            "cid": self.cid, "purpose": self.purpose, "reader": self.reader, "reader_key": self.reader_key,
            "time": self.time, "nonce": self.nonce,
        }
        if self.key is not None:
            data["key"] = self.key
        return data

    def message(self) -> bytes:
        """Returns the bytes the signature covers: the body as canonical JSON."""
        return _canonical(self.body())

    @property
    def request_id(self) -> str:
        """Returns the request's id: SHA-256 of `message()`, in hex (what the vault's replay check sees)."""
        return hashlib.sha256(self.message()).hexdigest()

    def sign(self, account: LocalAccount) -> SignedKeyRequest:
        """Returns the request signed with the reader's (or depositor's) account key.

        Raises:
            InvalidKeyRequest: If the key is not the request's `reader`.
        """
        if account.address != self.reader:
            raise InvalidKeyRequest(f"the request names reader {self.reader}, not the signing account {account.address}")
        signature = account.sign_message(encode_defunct(primitive=self.message())).signature
        return SignedKeyRequest(self, "0x" + bytes(signature).hex())


@dataclass(frozen=True)
class SignedKeyRequest:
    """A key request or deposit with its signature, as sent to a key service."""

    request: KeyRequest
    signature: str  # 0x and 130 hex digits

    @property
    def request_id(self) -> str:
        """Returns the request's id (see `KeyRequest.request_id`)."""
        return self.request.request_id

    def to_bytes(self) -> bytes:
        """Returns the request as sent: canonical JSON of the body and the signature."""
        return _canonical({**self.request.body(), "signature": self.signature})

    def signer(self) -> str | None:
        """Returns the checksummed address that signed the request, or None if the signature is unusable."""
        try:
            return str(Account.recover_message(encode_defunct(primitive=self.request.message()), signature=self.signature))
        except (ValueError, TypeError):
            return None

    @classmethod
    def parse(cls, body: bytes) -> SignedKeyRequest:
        """Reads a request strictly: canonical JSON, exactly its fields, each of its type and length.

        Raises:
            InvalidKeyRequest: If the body is larger than `MAX_REQUEST_BYTES`, or is not such a request.
        """
        if len(body) > MAX_REQUEST_BYTES:
            raise InvalidKeyRequest(f"a key request has at most {MAX_REQUEST_BYTES} bytes, not {len(body)}")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise InvalidKeyRequest("the key request is not JSON") from None
        if not isinstance(data, dict):
            raise InvalidKeyRequest("the key request is not a JSON object")
        kind = data.get("kind")
        if kind not in KINDS:
            raise InvalidKeyRequest(f"the key request's kind is {kind!r}, not one of {', '.join(KINDS)}")
        fields = {*_COMMON, "signature", *(("key",) if kind == "deposit" else ())}
        missing, extra = sorted(fields - set(data)), sorted(set(data) - fields)
        if missing or extra:
            raise InvalidKeyRequest(f"the key request {'lacks field ' + missing[0] if missing else 'has unknown field ' + extra[0]}")
        if data["v"] != REQUEST_VERSION:
            raise InvalidKeyRequest(f"the key request is of format {data['v']!r}, this service reads {REQUEST_VERSION!r}")
        if not isinstance(data["signature"], str) or not _SIGNATURE.fullmatch(data["signature"]):
            raise InvalidKeyRequest("the key request's signature is not 65 bytes in 0x-prefixed lower-case hex")
        request = KeyRequest(
            custodian=data["custodian"], chain_id=data["chain_id"], cid=data["cid"], purpose=data["purpose"],
            reader=data["reader"], reader_key=data["reader_key"], time=data["time"], nonce=data["nonce"],
            kind=kind, key=data.get("key"),
        )
        signed = cls(request, data["signature"])
        if signed.to_bytes() != bytes(body):
            raise InvalidKeyRequest("the key request is not in canonical form (sorted keys, no spaces, ASCII)")
        return signed


def _check(request: KeyRequest) -> None:
    """Refuses a field of the wrong type or form, naming it."""
    def bad(field: str, what: str) -> None:
        raise InvalidKeyRequest(f"the key request's {field} is not {what}")

    if request.kind not in KINDS:
        bad("kind", " or ".join(KINDS))
    if not isinstance(request.custodian, str) or not _MEMBER_NAME.fullmatch(request.custodian):
        bad("custodian", "a member name")
    for field in ("chain_id", "time"):
        value = getattr(request, field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
            bad(field, "a positive integer")
    try:
        if not isinstance(request.cid, str) or len(request.cid) > _MAX_CID or parse_cid(request.cid) != request.cid:
            bad("cid", "a CID")
    except InvalidCID:
        bad("cid", "a CID")
    purpose = request.purpose
    if not isinstance(purpose, str) or not 1 <= len(purpose) <= _MAX_PURPOSE or not purpose.isprintable():
        bad("purpose", f"1 to {_MAX_PURPOSE} printable characters")
    if not isinstance(request.reader, str) or not is_checksum_address(request.reader):
        bad("reader", "a checksummed address")
    if not isinstance(request.reader_key, str) or not _HEX64.fullmatch(request.reader_key):
        bad("reader_key", "a public document key (64 lower-case hex digits)")
    try:
        load_public_key(request.reader_key)
    except InvalidDocumentKey:
        bad("reader_key", "a usable public document key")
    if not isinstance(request.nonce, str) or not _HEX32.fullmatch(request.nonce):
        bad("nonce", "32 lower-case hex digits")
    if request.kind == "deposit":
        key = request.key
        if not isinstance(key, str) or not 0 < len(key) <= _MAX_WRAPPED or not _BASE64.fullmatch(key):
            bad("key", "a wrapped content key in base64")
        try:
            base64.b64decode(str(key), validate=True)
        except (binascii.Error, ValueError):
            bad("key", "a wrapped content key in base64")
    elif request.key is not None:
        bad("key", "absent (only a deposit carries a key)")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


class KeyServiceClient:
    """A client of one custodian's key service, over HTTP."""

    def __init__(self, url: str, *, custodian: str, timeout: float = 10.0) -> None:
        """Prepares a client of the key service of `custodian` at `url` (connects on first use).

        Args:
            url: The service's base URL, e.g. ``http://203.0.113.7:4711``.
            custodian: The member that runs it (named in errors).
            timeout: Seconds to wait for a connection and for an answer.
        """
        self.url = url.rstrip("/")
        self.custodian = custodian
        self.timeout = timeout
        self._session = requests.Session()

    def request_key(self, signed: SignedKeyRequest) -> bytes:
        """Asks for a document's content key.

        Returns:
            The content key wrapped for the request's `reader_key` (open it with `custody.unwrap_key`).

        Raises:
            CustodianUnreachable: If the service does not answer.
            AccessRefused: If the reader may not read the document (or is not a member).
            KeyErased: If the document's key was erased.
            KeyNotHeld: If the service holds no key for the document.
            ReplayedRequest: If this very request was sent before.
            InvalidKeyRequest: If the service refused the request's form, date or size.
            KeyServiceBusy: If the reader sent too many requests too fast.
            KeyServiceError: If the service answered with anything else.
        """
        answer = self._post("/v1/keys/request", signed.to_bytes())
        wrapped = answer.get("wrapped")
        try:
            return base64.b64decode(str(wrapped), validate=True)
        except (binascii.Error, ValueError):
            raise KeyServiceError(f"the key service of {self.custodian} answered with no wrapped key") from None

    def deposit(self, signed: SignedKeyRequest) -> None:
        """Hands a content key to the custodian to keep (see `KeyRequest.deposit`).

        Raises:
            CustodianUnreachable, AccessRefused, ReplayedRequest, InvalidKeyRequest, KeyServiceBusy:
                As for `request_key`.
            KeyConflict: If the service holds another key for the document.
            KeyErased: If the document's key was erased.
        """
        self._post("/v1/keys/deposit", signed.to_bytes())

    def health(self) -> dict[str, Any]:
        """Returns the service's state: its custodian, its access log's head and how many keys it holds.

        Raises:
            CustodianUnreachable: If the service does not answer.
        """
        return self._answer(self._send("GET", "/v1/health", None))

    def close(self) -> None:
        """Closes the client's connections."""
        self._session.close()

    def _post(self, path: str, body: bytes) -> dict[str, Any]:
        return self._answer(self._send("POST", path, body))

    def _send(self, method: str, path: str, body: bytes | None) -> Any:
        try:
            return self._session.request(method, self.url + path, data=body, timeout=self.timeout,
                                         headers={"Content-Type": "application/json"} if body is not None else None)
        except requests.Timeout:
            raise CustodianUnreachable(self.custodian, self.url, f"no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise CustodianUnreachable(self.custodian, self.url, _reason(exc)) from None

    def _answer(self, response: Any) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise KeyServiceError(
                f"the key service of {self.custodian} at {self.url} answered HTTP {response.status_code} "
                "with no JSON object: is that address its key service?"
            )
        if response.status_code == 200:
            return data
        raise _refusal(self.custodian, response.status_code, data)


def _reason(exc: BaseException) -> str:
    """Names why a connection failed, from the innermost OS error requests wraps."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.strerror:
            return str(seen.strerror).lower()
        seen = seen.__cause__ or seen.__context__
    return "connection refused" if "Connection refused" in str(exc) else "cannot connect"


def _refusal(custodian: str, status: int, data: dict[str, Any]) -> KeyServiceError:
    """Rebuilds the typed error a key service's refusal names by its code."""
    code, message = data.get("code"), str(data.get("error") or f"HTTP {status}").splitlines()[0]
    try:
        if code == "replayed":
            return ReplayedRequest(str(data["request_id"]))
        if code == "erased":
            return KeyErased(str(data["cid"]), int(data["at"]), str(data["reason"]))
        if code == "conflict":
            return KeyConflict(str(data["cid"]))
        if code == "not-held":
            return KeyNotHeld(str(data["cid"]))
        if code in ("refused", "not-member"):
            return AccessRefused(str(data["reason"]), str(data.get("cid", "")), str(data.get("reader", "")))
        if code in ("invalid", "too-large"):
            return InvalidKeyRequest(message)
        if code == "rate-limited":
            return KeyServiceBusy(custodian, float(data["retry_after"]))
    except (KeyError, TypeError, ValueError):
        pass
    return KeyServiceError(f"the key service of {custodian} refused the request: {message}")

"""Signed key requests (their exact form, signature and id) and the key service client's errors.

The client against a running service is tested in tests/networks/test_keyservice.py.
"""

from __future__ import annotations

import json
import socket

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from lienchain.errors import CustodianUnreachable, InvalidKeyRequest
from lienchain.storage import compute_cid, document_key
from lienchain.storage.custodian import MAX_REQUEST_BYTES, KeyRequest, KeyServiceClient, SignedKeyRequest
from lienchain.storage.custody import unwrap_key, wrap_key

READER = Account.create()
CID = str(compute_cid(b"a custodial document"))


def _request(**changes: object) -> KeyRequest:
    fields: dict[str, object] = dict(custodian="bank-a", chain_id=1337, cid=CID, purpose="loan review",
                                     reader=READER.address, reader_key=document_key(bytes(READER.key)).public_key())
    fields.update(changes)
    return KeyRequest.create(**fields)  # type: ignore[arg-type]


def test_a_signed_request_reads_back_as_sent_and_recovers_its_reader() -> None:
    signed = _request().sign(READER)
    again = SignedKeyRequest.parse(signed.to_bytes())
    assert again == signed
    assert again.signer() == READER.address
    assert len(again.request_id) == 64 and again.request_id == signed.request_id


def test_two_requests_alike_but_for_their_nonce_have_different_ids() -> None:
    assert _request().sign(READER).request_id != _request().sign(READER).request_id


def test_a_request_signed_by_another_account_recovers_that_account() -> None:
    other = Account.create()
    request = _request()
    signature = other.sign_message(encode_defunct(primitive=request.message())).signature
    signed = SignedKeyRequest(request, "0x" + bytes(signature).hex())
    assert signed.signer() == other.address != request.reader


def test_sign_refuses_a_key_that_is_not_the_readers() -> None:
    with pytest.raises(InvalidKeyRequest, match="not the signing account"):
        _request().sign(Account.create())


@pytest.mark.parametrize("change", [
    {"purpose": ""}, {"purpose": "x" * 201}, {"purpose": "line\nbreak"}, {"custodian": "Bank A"},
    {"cid": "not-a-cid"}, {"chain_id": 0}, {"at": -5},
])
def test_a_malformed_field_is_refused_when_the_request_is_made(change: dict[str, object]) -> None:
    with pytest.raises(InvalidKeyRequest):
        _request(**change)


def _body(signed: SignedKeyRequest) -> dict[str, object]:
    return json.loads(signed.to_bytes())  # type: ignore[no-any-return]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("nonce"), "lacks field nonce"),
    (lambda d: d.update(extra=1), "unknown field extra"),
    (lambda d: d.update(chain_id="1337"), "chain_id"),
    (lambda d: d.update(time=True), "time"),
    (lambda d: d.update(reader=str(d["reader"]).lower()), "checksummed"),
    (lambda d: d.update(nonce="00" * 8), "nonce"),
    (lambda d: d.update(reader_key="00" * 32), "reader_key"),
    (lambda d: d.update(v="lienchain/key-request/v0"), "format"),
    (lambda d: d.update(kind="deposit"), "lacks field key"),
    (lambda d: d.update(signature="0x1234"), "signature"),
])
def test_parse_refuses_anything_but_a_well_formed_request_in_one_line(mutate: object, message: str) -> None:
    data = _body(_request().sign(READER))
    mutate(data)  # type: ignore[operator]
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(InvalidKeyRequest, match=message) as caught:
        SignedKeyRequest.parse(body)
    assert "\n" not in str(caught.value)


def test_parse_refuses_a_request_not_in_canonical_form_or_too_large() -> None:
    body = _request().sign(READER).to_bytes()
    with pytest.raises(InvalidKeyRequest, match="canonical"):
        SignedKeyRequest.parse(json.dumps(json.loads(body), indent=1).encode())
    with pytest.raises(InvalidKeyRequest, match="at most"):
        SignedKeyRequest.parse(b" " * (MAX_REQUEST_BYTES + 1))
    with pytest.raises(InvalidKeyRequest, match="not JSON"):
        SignedKeyRequest.parse(b"\xff\xfe")


def test_a_deposit_carries_the_key_wrapped_for_the_custodian_only() -> None:
    custodian = Account.create()
    custodian_key = document_key(bytes(custodian.key))
    content_key = bytes(range(32))
    deposit = KeyRequest.deposit(custodian="bank-a", chain_id=1337, cid=CID,
                                 wrapped_key=wrap_key(content_key, custodian_key.public_key()), depositor=READER.address,
                                 depositor_key=document_key(bytes(READER.key)).public_key())
    signed = SignedKeyRequest.parse(deposit.sign(READER).to_bytes())
    assert signed.request.kind == "deposit"
    assert content_key not in signed.to_bytes() and content_key.hex() not in signed.to_bytes().decode()
    assert unwrap_key(signed.request.wrapped_key, custodian_key) == content_key


def test_a_key_request_may_not_carry_a_key() -> None:
    data = _body(_request().sign(READER))
    data["key"] = "AAAA"
    with pytest.raises(InvalidKeyRequest, match="unknown field key"):
        SignedKeyRequest.parse(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_service_that_is_down_is_one_line_naming_the_custodian() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    client = KeyServiceClient(url, custodian="bank-a", timeout=2.0)
    with pytest.raises(CustodianUnreachable) as caught:
        client.request_key(_request().sign(READER))
    message = str(caught.value)
    assert message == f"the key service of bank-a at {url} does not answer (connection refused): ask bank-a to start its node"
    with pytest.raises(CustodianUnreachable):
        client.health()


def test_a_service_that_does_not_answer_in_time_is_unreachable() -> None:
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        client = KeyServiceClient(url, custodian="bank-b", timeout=0.5)
        with pytest.raises(CustodianUnreachable, match=r"bank-b .* \(no answer within 0.5 s\): ask bank-b"):
            client.request_key(_request().sign(READER))

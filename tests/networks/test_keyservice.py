"""The key service over real HTTP on loopback, with a real key vault: what a reader and a custodian see.

Nothing is mocked: the aiohttp application listens on 127.0.0.1, the client is `KeyServiceClient`,
the vault is a `KeyVault` file under tmp_path. No geth or Kubo runs here (`NEEDS_NODES`).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from lienchain.errors import (
    AccessRefused,
    CustodianUnreachable,
    InvalidKeyRequest,
    KeyErased,
    KeyServiceBusy,
    ReplayedRequest,
)
from lienchain.ledger.workspace.accounts import AccountBook
from lienchain.networks.card import MemberCard
from lienchain.networks.geth import NodeKey
from lienchain.networks.keyservice import KeyServer, build_app
from lienchain.networks.manifest import Manifest
from lienchain.storage import compute_cid, document_key, public_key_hex
from lienchain.storage.custodian import KeyRequest, KeyServiceClient, SignedKeyRequest
from lienchain.storage.custody import open_custodial, seal_custodial, unwrap_key, wrap_key
from lienchain.storage.keys import vault_key
from lienchain.storage.vault import KeyVault

NEEDS_NODES = False
CHAIN_ID = 4242
PASSPHRASE = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Custodian:
    """bank-a's key service, its vault, and the readers the rule below knows."""

    account: LocalAccount
    vault_path: Path
    entitled_readers: set[str]
    members: set[str]
    server: KeyServer | None = None
    vault: KeyVault | None = None

    def entitled(self, reader: str, cid: str) -> str | None:
        if reader not in self.entitled_readers:
            return f"{reader} holds no role that reads {cid}"
        return None

    def start(self, **options: object) -> KeyServer:
        self.vault = KeyVault(self.vault_path, vault_key(bytes(self.account.key)))
        app = build_app(self.vault, custodian="bank-a", account=self.account, chain_id=CHAIN_ID,
                        depositors=[self.account.address], entitled=self.entitled,
                        members=lambda reader: reader in self.members, **options)  # type: ignore[arg-type]
        self.server = KeyServer(app, "127.0.0.1", _free_port()).start()
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.vault is not None:
            self.vault.close()
            self.vault = None

    @property
    def client(self) -> KeyServiceClient:
        assert self.server is not None
        return KeyServiceClient(self.server.url, custodian="bank-a", timeout=5.0)

    def deposit(self, plaintext: bytes) -> tuple[str, bytes]:
        return deposit(self.client, self.account, plaintext)


def deposit(client: KeyServiceClient, account: LocalAccount, plaintext: bytes) -> tuple[str, bytes]:
    """Seals a custodial document and deposits its key through the service; returns its CID and envelope."""
    envelope, content_key = seal_custodial(plaintext, custodian="bank-a")
    cid = str(compute_cid(envelope))
    own = document_key(bytes(account.key)).public_key()
    request = KeyRequest.deposit(custodian="bank-a", chain_id=CHAIN_ID, cid=cid, wrapped_key=wrap_key(content_key, own),
                                 depositor=account.address, depositor_key=own)
    client.deposit(request.sign(account))
    return cid, envelope


def ask(reader: LocalAccount, cid: str, *, at: int | None = None, purpose: str = "loan review") -> SignedKeyRequest:
    return KeyRequest.create(custodian="bank-a", chain_id=CHAIN_ID, cid=cid, purpose=purpose, reader=reader.address,
                             reader_key=document_key(bytes(reader.key)).public_key(), at=at).sign(reader)


def key_of(client: KeyServiceClient, reader: LocalAccount, signed: SignedKeyRequest) -> bytes:
    return unwrap_key(client.request_key(signed), document_key(bytes(reader.key)))


READER, OTHER_MEMBER, OUTSIDER = Account.create(), Account.create(), Account.create()


@pytest.fixture
def bank_a(tmp_path: Path) -> Iterator[Custodian]:
    custodian = Custodian(Account.create(), tmp_path / "vault.sqlite", {READER.address},
                          {READER.address, OTHER_MEMBER.address})
    custodian.start()
    yield custodian
    custodian.stop()


def test_an_entitled_reader_gets_the_key_that_opens_the_document(bank_a: Custodian) -> None:
    cid, envelope = bank_a.deposit(b"appraisal of VIN 1M8GDM9AXKP042788")
    signed = ask(READER, cid)
    assert open_custodial(envelope, key_of(bank_a.client, READER, signed)) == b"appraisal of VIN 1M8GDM9AXKP042788"
    assert bank_a.vault is not None
    (grant,) = [e for e in bank_a.vault.entries(cid=cid) if e.kind == "grant"]
    assert (grant.actor, grant.purpose, grant.request_id) == (READER.address, "loan review", signed.request_id)
    health = bank_a.client.health()
    assert health["custodian"] == "bank-a" and health["keys"] == 1 and health["log"]["count"] == 2


def test_the_wrapped_key_opens_for_the_requests_reader_key_only(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    wrapped = bank_a.client.request_key(ask(READER, cid))
    with pytest.raises(Exception):
        unwrap_key(wrapped, document_key(bytes(OTHER_MEMBER.key)))


def test_a_reader_not_entitled_is_refused_and_the_refusal_is_logged(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    with pytest.raises(AccessRefused, match="holds no role that reads") as caught:
        bank_a.client.request_key(ask(OTHER_MEMBER, cid))
    assert caught.value.reader == OTHER_MEMBER.address and "\n" not in str(caught.value)
    assert bank_a.vault is not None
    entries = bank_a.vault.entries(cid=cid)
    assert [e.kind for e in entries] == ["deposit", "refuse"]
    assert entries[-1].actor == OTHER_MEMBER.address


def test_a_non_member_is_refused_and_nothing_is_granted(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    assert bank_a.vault is not None
    # Signed by an outsider on behalf of a member: refused before the vault, so nothing is logged.
    request = ask(READER, cid).request
    forged = SignedKeyRequest(request, "0x" + bytes(OUTSIDER.sign_message(encode_defunct(primitive=request.message())).signature).hex())
    before = bank_a.vault.head()
    with pytest.raises(AccessRefused, match="not signed by its reader"):
        bank_a.client.request_key(forged)
    assert bank_a.vault.head() == before
    # An outsider asking in its own name: it holds no role, so it is refused before the vault too
    # (anyone can make keys: logging them would let anyone grow the append-only log).
    with pytest.raises(AccessRefused, match="holds no role of the registry"):
        bank_a.client.request_key(ask(OUTSIDER, cid))
    assert bank_a.vault.head() == before and [e.kind for e in bank_a.vault.entries(cid=cid)] == ["deposit"]


def test_a_replayed_request_is_refused_and_changes_nothing(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    signed = ask(READER, cid)
    bank_a.client.request_key(signed)
    assert bank_a.vault is not None
    head = bank_a.vault.head()
    with pytest.raises(ReplayedRequest):
        bank_a.client.request_key(signed)
    assert bank_a.vault.head() == head
    by_id = [e for e in bank_a.vault.entries(cid=cid) if e.request_id == signed.request_id]
    assert [e.kind for e in by_id] == ["grant"]
    assert bank_a.vault.holds(cid)
    key_of(bank_a.client, READER, ask(READER, cid))  # a new request is answered as before


def test_an_erased_key_is_refused_naming_when_and_why(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    assert bank_a.vault is not None
    bank_a.vault.erase(cid, reason="the borrower asked")
    with pytest.raises(KeyErased, match="the borrower asked") as caught:
        bank_a.client.request_key(ask(READER, cid))
    assert caught.value.cid == cid


def _post(bank_a: Custodian, body: bytes) -> requests.Response:
    assert bank_a.server is not None
    return requests.post(bank_a.server.url + "/v1/keys/request", data=body, timeout=5)


def test_an_oversized_body_is_refused_as_too_large(bank_a: Custodian) -> None:
    answer = _post(bank_a, b"{" + b" " * 5000 + b"}")
    assert answer.status_code == 413 and answer.json()["code"] == "too-large"
    assert bank_a.vault is not None and bank_a.vault.head().count == 0


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"kind":"request"}', b""])
def test_a_malformed_body_is_refused_as_invalid_in_one_line(bank_a: Custodian, body: bytes) -> None:
    answer = _post(bank_a, body)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert "\n" not in answer.json()["error"]


def test_a_request_dated_too_far_from_now_is_refused(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    with pytest.raises(InvalidKeyRequest, match="check the reader's clock"):
        bank_a.client.request_key(ask(READER, cid, at=int(time.time()) - 600))


def test_a_request_for_another_custodian_or_chain_is_refused(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    key = document_key(bytes(READER.key)).public_key()
    for custodian, chain in (("bank-b", CHAIN_ID), ("bank-a", CHAIN_ID + 1)):
        request = KeyRequest.create(custodian=custodian, chain_id=chain, cid=cid, purpose="x", reader=READER.address,
                                    reader_key=key)
        with pytest.raises(InvalidKeyRequest):
            bank_a.client.request_key(request.sign(READER))


def test_only_the_members_own_accounts_may_deposit(bank_a: Custodian) -> None:
    envelope, content_key = seal_custodial(b"doc", custodian="bank-a")
    own = document_key(bytes(bank_a.account.key)).public_key()
    deposit = KeyRequest.deposit(custodian="bank-a", chain_id=CHAIN_ID, cid=str(compute_cid(envelope)),
                                 wrapped_key=wrap_key(content_key, own), depositor=READER.address,
                                 depositor_key=document_key(bytes(READER.key)).public_key())
    with pytest.raises(AccessRefused, match="not one of bank-a's accounts"):
        bank_a.client.deposit(deposit.sign(READER))
    assert bank_a.vault is not None and bank_a.vault.head().count == 0


def test_a_reader_over_its_rate_is_told_the_service_is_busy(tmp_path: Path) -> None:
    now = time.time()
    custodian = Custodian(Account.create(), tmp_path / "vault.sqlite", {READER.address}, {READER.address})
    custodian.start(clock=lambda: now, rate=1.0, burst=4)  # a frozen clock: no token comes back
    try:
        cid, _ = custodian.deposit(b"doc")  # one token of this address's four
        for _ in range(3):
            custodian.client.request_key(ask(READER, cid))
        with pytest.raises(KeyServiceBusy, match="bank-a is busy") as caught:
            custodian.client.request_key(ask(READER, cid))
        assert caught.value.retry_after > 0
        assert custodian.vault is not None and custodian.vault.head().count == 4  # the refused one is not logged
    finally:
        custodian.stop()


def test_a_stopped_service_is_unreachable_naming_its_custodian(bank_a: Custodian) -> None:
    cid, _ = bank_a.deposit(b"doc")
    client = bank_a.client
    bank_a.stop()
    with pytest.raises(CustodianUnreachable) as caught:
        client.request_key(ask(READER, cid))
    assert str(caught.value).startswith("the key service of bank-a at http://127.0.0.1:")
    assert "connection refused" in str(caught.value) and "\n" not in str(caught.value)


def test_a_restarted_service_keeps_its_keys_and_its_log(bank_a: Custodian) -> None:
    cid, envelope = bank_a.deposit(b"kept across restarts")
    key_of(bank_a.client, READER, ask(READER, cid))
    assert bank_a.vault is not None
    head = bank_a.vault.head()
    bank_a.stop()
    bank_a.start()
    assert bank_a.vault is not None and bank_a.vault.head() == head
    assert open_custodial(envelope, key_of(bank_a.client, READER, ask(READER, cid))) == b"kept across restarts"
    assert bank_a.vault.head().count == head.count + 1


# --- the service as a process ------------------------------------------------------------------

_SERVE = """
import sys, time
from eth_account import Account
from lienchain.networks.keyservice import build_app, serve
from lienchain.storage.keys import vault_key
from lienchain.storage.vault import KeyVault
import asyncio
key, path, port = bytes.fromhex(sys.argv[1]), sys.argv[2], int(sys.argv[3])
vault = KeyVault(path, vault_key(key))
app = build_app(vault, custodian="bank-a", account=key, chain_id=%d, depositors=[Account.from_key(key).address],
                entitled=lambda reader, cid: None, rate=1000.0, burst=1000)
asyncio.run(serve(app, "127.0.0.1", port, asyncio.Event()))
""" % CHAIN_ID


def _wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "exited"
        try:
            if requests.get(url + "/v1/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("the key service did not come up")


def test_a_killed_service_leaves_a_log_that_chains_with_every_key_it_gave(tmp_path: Path) -> None:
    account = Account.create()
    port, path = _free_port(), tmp_path / "vault.sqlite"
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, bytes(account.key).hex(), str(path), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    received: list[str] = []  # request ids whose key reached the client
    try:
        _wait_up(url, proc)
        client = KeyServiceClient(url, custodian="bank-a", timeout=5.0)
        cid, _ = deposit(client, account, b"doc")
        stop = threading.Event()

        def stream() -> None:
            while not stop.is_set():
                signed = ask(READER, cid)
                try:
                    key_of(client, READER, signed)
                except CustodianUnreachable:
                    return
                received.append(signed.request_id)

        workers = [threading.Thread(target=stream) for _ in range(4)]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 10
        while len(received) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        stop.set()
        for w in workers:
            w.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(received) >= 40
    vault = KeyVault(path, vault_key(bytes(account.key)))
    try:
        head = vault.verify_log()  # raises if the chain of entries is broken
        assert head == vault.head()
        granted = {e.request_id for e in vault.entries() if e.kind == "grant"}
        assert set(received) <= granted
    finally:
        vault.close()


def _member_dir(root: Path) -> tuple[Path, LocalAccount]:
    """A member directory as `node init` and `network join` leave it, but for geth's and Kubo's data."""
    path = root / "bank-a"
    path.mkdir()
    book = AccountBook(path, lambda: PASSPHRASE)
    account = book.create("bank-a", light_kdf=True)
    port = _free_port()
    card = MemberCard(
        network="trust", name="bank-a", roles=("LENDER",), account=account.address, sealer=Account.create().address,
        document_key=public_key_hex(document_key(bytes(account.key)).public_key()), host="127.0.0.1",
        p2p_port=_free_port(), swarm_port=_free_port(), key_port=port, node_id=NodeKey.generate().node_id,
        peer_id="12D3KooW" + "A" * 44,
    ).signed(account)
    (path / "card.json").write_text(json.dumps(card.to_dict()))
    (path / "member.json").write_text(json.dumps({
        "format": "lienchain/member-home/v1", "network": "trust", "member": "bank-a", "host": "127.0.0.1",
        "ports": {"p2p": card.p2p_port, "swarm": card.swarm_port, "key": port, "http": 1, "auth": 2, "api": 3}}))
    Manifest.create("trust", [card]).save(path / "manifest.json")
    return path, account


def _hand_over(pipe: Path, secret: bytes, proc: subprocess.Popen[bytes]) -> None:
    """Writes `secret` into the pipe once `proc` opens it, failing (not hanging) if it exits first."""
    deadline = time.monotonic() + 30
    while True:
        try:
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the key service did not read its passphrase: "
                        + (proc.communicate()[0] or b"").decode(errors="replace")[-2000:])
        time.sleep(0.05)
    with os.fdopen(fd, "wb") as w:
        w.write(secret)


def test_main_reads_its_passphrase_from_a_pipe_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    from lienchain.networks.member import MemberHome

    path, account = _member_dir(tmp_path)
    home = MemberHome(path)
    with tempfile.TemporaryDirectory() as private:
        pipe = Path(private) / "passphrase"
        os.mkfifo(pipe, 0o600)
        proc = subprocess.Popen([sys.executable, "-m", "lienchain.networks.keyservice", str(path), str(pipe)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        _hand_over(pipe, PASSPHRASE.encode(), proc)
    try:
        _wait_up(home.key_url, proc)
        assert (path / "keys").stat().st_mode & 0o777 == 0o700
        client = KeyServiceClient(home.key_url, custodian="bank-a")
        own = document_key(bytes(account.key)).public_key()
        envelope, content_key = seal_custodial(b"doc", custodian="bank-a")
        cid = str(compute_cid(envelope))
        chain_id = home.manifest().chain_id
        client.deposit(KeyRequest.deposit(custodian="bank-a", chain_id=chain_id, cid=cid, depositor=account.address,
                                          wrapped_key=wrap_key(content_key, own), depositor_key=own).sign(account))
        reader = KeyRequest.create(custodian="bank-a", chain_id=chain_id, cid=cid, purpose="audit",
                                   reader=account.address, reader_key=own).sign(account)
        with pytest.raises(AccessRefused, match="holds no role of the registry"):  # no deployment yet: no member
            client.request_key(reader)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = proc.stdout.read().decode() if proc.stdout else ""
    assert "key service of bank-a stopped" in log and PASSPHRASE not in log
    assert bytes(account.key).hex() not in log and content_key.hex() not in log

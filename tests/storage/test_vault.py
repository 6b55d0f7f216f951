"""The key vault: keys released only with a logged grant, erased for good, and an access log auditors can check."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lienchain.errors import (
    AccessRefused,
    InvalidExcerpt,
    KeyConflict,
    KeyErased,
    KeyNotHeld,
    NoSuchLogEntry,
    ReplayedRequest,
    WrongVaultKey,
)
from lienchain.storage import (
    Excerpt,
    KeyVault,
    LogEntry,
    Redacted,
    open_custodial,
    seal_custodial,
    vault_key,
    verify_excerpt,
)
from lienchain.storage.accesslog import GENESIS_HEAD, next_head

MASTER = vault_key(hashlib.sha256(b"bank-a account").digest())
PAYSLIP = b"Payslip of the borrower for March: 4,180 EUR net."
T0 = 1_700_000_000


def _allow() -> str | None:
    return None


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "vault" / "keys.sqlite"


@pytest.fixture
def vault(path: Path) -> Iterator[KeyVault]:
    with KeyVault(path, MASTER) as opened:
        yield opened


def _files(path: Path) -> bytes:
    """Every byte the vault keeps on disk: its database, write-ahead log and shared memory."""
    return b"".join(p.read_bytes() for p in path.parent.iterdir())


def _populate(vault: KeyVault) -> None:
    """Three documents, two readers' requests interleaved, one refusal, one erasure: 8 entries."""
    for number in range(3):
        vault.deposit(f"cid-{number}", bytes([number + 1]) * 32, depositor="bank-a", at=T0 + number)
    vault.release("cid-0", reader="lender-1", purpose="underwriting", request_id="r1", check=_allow, at=T0 + 10)
    vault.release("cid-1", reader="lender-2", purpose="servicing", request_id="r2", check=_allow, at=T0 + 11)
    with pytest.raises(AccessRefused):
        vault.release(
            "cid-0", reader="lender-2", purpose="curiosity", request_id="r3", check=lambda: "no lien", at=T0 + 12
        )
    vault.release("cid-2", reader="lender-1", purpose="audit", request_id="r4", check=_allow, at=T0 + 13)
    vault.erase("cid-1", reason="borrower's erasure request", at=T0 + 14)


def test_a_deposited_key_is_released_then_erased_for_good(vault: KeyVault) -> None:
    envelope, key = seal_custodial(PAYSLIP, custodian="bank-a")
    vault.deposit("bafy-payslip", key, depositor="bank-a", at=T0)

    released = vault.release(
        "bafy-payslip", reader="lender-1", purpose="underwriting", request_id="q1", check=_allow, at=T0 + 1
    )
    assert open_custodial(envelope, released) == PAYSLIP
    assert vault.erase("bafy-payslip", reason="borrower's erasure request", at=T0 + 2) is True

    with pytest.raises(KeyErased, match="erased on 2023-11-14 22:13:22 UTC .borrower's erasure request.") as raised:
        vault.release("bafy-payslip", reader="lender-1", purpose="underwriting", request_id="q2", check=_allow)
    assert (raised.value.cid, raised.value.at) == ("bafy-payslip", T0 + 2)
    assert not vault.holds("bafy-payslip")
    erasure = vault.erasure("bafy-payslip")
    assert erasure is not None and (erasure.at, erasure.reason) == (T0 + 2, "borrower's erasure request")
    assert [(e.kind, e.outcome, e.actor, e.reason) for e in vault.entries(cid="bafy-payslip")] == [
        ("deposit", "deposited", "bank-a", None),
        ("grant", "granted", "lender-1", None),
        ("erase", "erased", None, "borrower's erasure request"),
        ("refuse", "refused", "lender-1", "key erased"),
    ]


def test_keys_are_never_in_the_clear_in_the_vaults_files(vault: KeyVault, path: Path) -> None:
    keys = [hashlib.sha256(bytes([n])).digest() for n in range(5)]
    for number, key in enumerate(keys):
        vault.deposit(f"cid-{number}", key, depositor="bank-a")
    vault.release("cid-0", reader="lender-1", purpose="underwriting", request_id="q1", check=_allow)

    on_disk = _files(path)
    assert on_disk  # the files were read while the vault is open (WAL included)
    for key in keys:
        assert key not in on_disk and key.hex().encode() not in on_disk


def test_erasure_leaves_no_copy_of_the_encrypted_key_in_the_files(vault: KeyVault, path: Path) -> None:
    vault.deposit("cid-0", b"\x07" * 32, depositor="bank-a")
    sealed = bytes(vault._db.execute("SELECT sealed FROM keys").fetchone()[0])
    assert sealed in _files(path)

    vault.erase("cid-0", reason="erasure request")

    assert sealed not in _files(path)
    with pytest.raises(KeyErased):
        vault.deposit("cid-0", b"\x07" * 32, depositor="bank-a")


def test_keys_and_log_survive_closing_and_reopening(path: Path) -> None:
    with KeyVault(path, MASTER) as vault:
        _populate(vault)
        head = vault.head()

    with KeyVault(path, MASTER) as reopened:
        assert reopened.head() == head
        assert reopened.verify_log() == head
        assert reopened.release("cid-0", reader="lender-1", purpose="p", request_id="r5", check=_allow) == b"\x01" * 32
        with pytest.raises(KeyErased):
            reopened.release("cid-1", reader="lender-1", purpose="p", request_id="r6", check=_allow)
        with pytest.raises(ReplayedRequest):
            reopened.release("cid-0", reader="lender-1", purpose="p", request_id="r1", check=_allow)


def test_the_vault_file_is_private(vault: KeyVault, path: Path) -> None:
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_another_master_key_is_refused(path: Path) -> None:
    KeyVault(path, MASTER).close()

    with pytest.raises(WrongVaultKey):
        KeyVault(path, vault_key(hashlib.sha256(b"bank-b account").digest()))


def test_a_replayed_request_is_refused_and_changes_nothing(vault: KeyVault) -> None:
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")
    vault.release("cid-0", reader="lender-1", purpose="underwriting", request_id="q1", check=_allow)
    before, head = vault.entries(), vault.head()

    for _ in range(3):  # a copy of a request, however often sent, grows no log
        with pytest.raises(ReplayedRequest):
            vault.release("cid-0", reader="lender-1", purpose="underwriting", request_id="q1", check=_allow)

    assert vault.entries() == before and vault.head() == head
    assert vault.holds("cid-0")
    assert vault.release("cid-0", reader="lender-1", purpose="underwriting", request_id="q2", check=_allow)


def test_a_refused_reader_gets_no_key_and_the_refusal_is_logged(vault: KeyVault) -> None:
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")

    with pytest.raises(AccessRefused, match="lender-9 may not have the content key of cid-0: holds no lien") as raised:
        vault.release("cid-0", reader="lender-9", purpose="curiosity", request_id="q1", check=lambda: "holds no lien")

    assert isinstance(raised.value, PermissionError) and raised.value.reason == "holds no lien"
    last = vault.entries()[-1]
    assert (last.kind, last.outcome, last.actor, last.purpose, last.reason) == (
        "refuse", "refused", "lender-9", "curiosity", "holds no lien"
    )


def test_an_unknown_key_is_refused_and_logged(vault: KeyVault) -> None:
    with pytest.raises(KeyNotHeld):
        vault.release("cid-x", reader="lender-1", purpose="p", request_id="q1", check=_allow)

    assert [(e.kind, e.reason) for e in vault.entries()] == [("refuse", "key not held")]


def test_a_failing_entitlement_check_logs_nothing_and_leaves_the_request_id_unused(vault: KeyVault) -> None:
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")

    def broken() -> str | None:
        raise ConnectionError("chain unreachable")

    with pytest.raises(ConnectionError):
        vault.release("cid-0", reader="lender-1", purpose="p", request_id="q1", check=broken)
    assert vault.head().count == 1
    assert vault.release("cid-0", reader="lender-1", purpose="p", request_id="q1", check=_allow) == b"\x01" * 32


def test_a_different_key_for_a_held_cid_is_refused_and_the_first_kept(vault: KeyVault) -> None:
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")  # a retry: no change, no entry

    with pytest.raises(KeyConflict):
        vault.deposit("cid-0", b"\x02" * 32, depositor="bank-a")

    assert vault.head().count == 1
    assert vault.release("cid-0", reader="lender-1", purpose="p", request_id="q1", check=_allow) == b"\x01" * 32


def test_erasing_twice_or_an_unknown_cid_is_safe_and_blocks_later_deposits(vault: KeyVault) -> None:
    vault.deposit("cid-0", b"\x01" * 32, depositor="bank-a")

    assert vault.erase("cid-0", reason="request") is True
    assert vault.erase("cid-0", reason="again") is False
    assert vault.erase("cid-9", reason="before the deposit arrived") is False
    with pytest.raises(KeyErased):
        vault.deposit("cid-9", b"\x09" * 32, depositor="bank-a")
    assert [(e.kind, e.outcome) for e in vault.entries()] == [
        ("deposit", "deposited"), ("erase", "erased"), ("erase", "no key held"),
    ]


def test_every_head_recomputes_from_the_entries(vault: KeyVault) -> None:
    _populate(vault)
    head = GENESIS_HEAD
    assert vault.head_at(0) == head
    for entry in vault.entries():
        head = next_head(head, hashlib.sha256(entry.to_json()).digest())
        assert vault.head_at(entry.seq) == head
    assert vault.head().hash == head and vault.head().count == 8
    assert vault.verify_log() == vault.head()
    with pytest.raises(NoSuchLogEntry):
        vault.head_at(9)


def test_the_log_cannot_be_rewritten_through_sqlite(vault: KeyVault) -> None:
    _populate(vault)
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        vault._db.execute("UPDATE log SET entry = entry WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        vault._db.execute("DELETE FROM log WHERE seq = 8")


def test_an_excerpt_for_a_reader_discloses_their_entries_and_redacts_the_others(vault: KeyVault) -> None:
    _populate(vault)

    excerpt = vault.excerpt(through=8, reader="lender-1")

    assert [item.seq for item in excerpt.items] == [4, 5, 6, 7, 8]
    assert [(e.seq, e.request_id) for e in excerpt.entries] == [(4, "r1"), (7, "r4")]
    assert all(isinstance(item, Redacted) for item in excerpt.items if item.seq in (5, 6, 8))
    assert excerpt.prev == vault.head_at(3)
    text = excerpt.to_json()
    assert b"lender-2" not in text and b"servicing" not in text and b"curiosity" not in text
    verify_excerpt(Excerpt.from_json(text), vault.head_at(8))


def test_an_excerpt_for_a_document_verifies_against_an_older_anchor(vault: KeyVault) -> None:
    _populate(vault)
    anchored = vault.head_at(6)
    vault.release("cid-0", reader="lender-1", purpose="later", request_id="r9", check=_allow)

    excerpt = vault.excerpt(through=6, cid="cid-0")

    assert [(e.seq, e.kind) for e in excerpt.entries] == [(1, "deposit"), (4, "grant"), (6, "refuse")]
    verify_excerpt(Excerpt.from_json(excerpt.to_json()), anchored)
    with pytest.raises(NoSuchLogEntry):
        vault.excerpt(through=10)


def test_an_excerpt_without_a_match_is_the_anchored_head_alone(vault: KeyVault) -> None:
    _populate(vault)

    excerpt = vault.excerpt(through=8, reader="nobody")

    assert excerpt.items == () and excerpt.prev == vault.head_at(8)
    verify_excerpt(Excerpt.from_json(excerpt.to_json()), vault.head_at(8))


def test_the_excerpt_says_whose_log_it_is(vault: KeyVault) -> None:
    _populate(vault)
    excerpt = vault.excerpt(through=8, cid="cid-2", custodian="bank-a", account="0x5aAe")

    read = Excerpt.from_json(excerpt.to_json())

    assert (read.custodian, read.account) == ("bank-a", "0x5aAe")
    assert read == excerpt == excerpt.with_source(custodian=None, account=None).with_source(
        custodian="bank-a", account="0x5aAe"
    )


def test_an_excerpt_with_any_one_byte_changed_is_refused(vault: KeyVault) -> None:
    vault.deposit("c1", b"\x01" * 32, depositor="b", at=5)
    vault.release("c1", reader="r", purpose="p", request_id="q", check=_allow, at=6)
    vault.release("c1", reader="s", purpose="p", request_id="x", check=_allow, at=7)
    vault.release("c1", reader="r", purpose="p", request_id="y", check=_allow, at=8)
    anchored = vault.head_at(4)
    data = vault.excerpt(through=4, reader="r").to_json()
    verify_excerpt(Excerpt.from_json(data), anchored)

    for position in range(len(data)):
        for flip in (0x01, 0x20):
            altered = bytearray(data)
            altered[position] ^= flip
            with pytest.raises(InvalidExcerpt):
                verify_excerpt(Excerpt.from_json(bytes(altered)), anchored)


def test_an_altered_entry_is_named_in_the_refusal(vault: KeyVault) -> None:
    _populate(vault)
    excerpt = vault.excerpt(through=8, reader="lender-1")
    entry = excerpt.items[3]
    assert isinstance(entry, LogEntry)
    forged = Excerpt(
        excerpt.prev,
        (*excerpt.items[:3], LogEntry(**{**entry.__dict__, "purpose": "underwriting"}), *excerpt.items[4:]),
        excerpt.heads,
        excerpt.through,
    )

    named = "^entry 4 of the excerpt .log entry 7. does not match the anchored head of 8 entries: the excerpt was altered"
    with pytest.raises(InvalidExcerpt, match=named):
        verify_excerpt(forged, vault.head_at(8))


def test_a_wrong_anchored_head_is_refused(vault: KeyVault) -> None:
    _populate(vault)
    excerpt = vault.excerpt(through=8, reader="lender-1")

    with pytest.raises(InvalidExcerpt, match="anchored head of 8 entries"):
        verify_excerpt(excerpt, vault.head_at(7))
    with pytest.raises(InvalidExcerpt):
        verify_excerpt(excerpt, bytes(32))


def test_threads_sharing_a_vault_each_get_their_key_and_the_log_chains(vault: KeyVault) -> None:
    for number in range(4):
        vault.deposit(f"cid-{number}", bytes([number + 1]) * 32, depositor="bank-a")
    released: list[bytes] = []

    def reader(number: int) -> None:
        for request in range(10):
            released.append(vault.release(
                f"cid-{number}", reader=f"lender-{number}", purpose="p", request_id=f"{number}-{request}", check=_allow
            ))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(released) == sorted(bytes([n + 1]) * 32 for n in range(4) for _ in range(10))
    assert vault.verify_log().count == 44


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lienchain.storage import KeyVault
    vault = KeyVault(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
    round_ = sys.argv[3]
    number = 0
    while True:
        cid = f"cid-{number % 4}"
        request = f"{round_}-{number}"
        key = vault.release(cid, reader="lender-1", purpose="load", request_id=request, check=lambda: None)
        print(request, key.hex(), flush=True)
        number += 1
""")


def test_a_killed_process_never_leaves_a_released_key_without_its_committed_grant(path: Path) -> None:
    keys = {f"cid-{n}": hashlib.sha256(bytes([n])).digest() for n in range(4)}
    with KeyVault(path, MASTER) as vault:
        for cid, key in keys.items():
            vault.deposit(cid, key, depositor="bank-a")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for round_, wait in enumerate((0.05, 0.2, 0.35, 0.5)):
        output = path.parent / f"printed-{round_}.txt"  # a file, not a pipe: a full pipe would block the child
        with output.open("w") as out:
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(path), MASTER.hex(), str(round_)], stdout=out, env=env
            )
        deadline = time.monotonic() + 30
        while not output.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)  # wait for the first release, then let the child run a little longer
        time.sleep(wait)
        child.send_signal(signal.SIGKILL)
        child.wait()
        complete = output.read_text().split("\n")[:-1]  # a line cut by the kill is not a release that returned
        printed = [line.split() for line in complete]

        with KeyVault(path, MASTER) as vault:
            vault.verify_log()
            grants = {e.request_id: e for e in vault.entries() if e.kind == "grant"}
        grants = {request: e for request, e in grants.items() if str(request).startswith(f"{round_}-")}
        assert len(grants) >= len(printed) > 0, (len(grants), len(printed))
        print(f"round {round_}: {len(printed)} keys printed, {len(grants)} grants in the log")
        for request, key in printed:
            assert request in grants, f"key for {request} left the vault without a committed grant"
            assert bytes.fromhex(key) == keys[grants[request].cid]

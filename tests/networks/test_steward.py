"""The key service's steward on an embedded chain: it anchors the access log when the voted interval
passed and the log grew, and carries out every erasure recorded on chain (the key destroyed, the
member's copy removed) before it attests it, once, even after a crash in between. The store is the
embedded one (the DocumentStore seam; on a node it is the member's Kubo). No geth or Kubo runs here."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lienchain.ledger.registry.retention import Retention, RetentionInput
from lienchain.ledger.workspace.profile import Profile
from lienchain.networks.steward import Steward
from lienchain.storage import EmbeddedStore
from lienchain.storage.keys import vault_key
from lienchain.storage.vault import KeyVault

from ..conftest import PASSPHRASE

NEEDS_NODES = False
VIN = "1M8GDM9AXKP042788"


@pytest.fixture
def profile(profile_path: Path) -> Profile:
    p = Profile(profile_path, passphrase=lambda: PASSPHRASE)
    yield p  # type: ignore[misc]
    p.close()


def _steward(profile: Profile, tmp_path: Path, member: str = "lender-a") -> Steward:
    account = profile.accounts.unlock(member)
    vault = KeyVault(tmp_path / f"{member}.sqlite", vault_key(bytes(account.key)))
    return Steward(profile.ledger(member), vault, EmbeddedStore(profile.path / "store"), tmp_path / f"{member}.json")


def _vote(profile: Profile, pid: int) -> None:
    profile.ledger("lender-a").approve(pid)
    assert profile.ledger("lender-b").approve(pid).executed


def test_the_log_is_anchored_once_it_grew_and_the_interval_passed(profile: Profile, tmp_path: Path) -> None:
    steward = _steward(profile, tmp_path)
    assert steward.anchor_step() is None  # an empty log: nothing to anchor
    steward.vault.deposit("bafkreione", bytes(32), depositor="lender-a")
    assert steward.anchor_step() == 1  # the first anchor: at once
    steward.vault.deposit("bafkreitwo", bytes(range(32)), depositor="lender-a")
    assert steward.anchor_step() is None  # an hour has not passed
    count, head, _ = profile.ledger().retention.last_anchor(profile.accounts.get("lender-a").address)
    assert (count, head) == (1, steward.vault.head_at(1))


def test_an_erasure_is_carried_out_then_attested_once(profile: Profile, tmp_path: Path) -> None:
    from eth_account import Account

    session = profile.session("registrar")
    session.register_title(VIN, Account.create().address)  # type: ignore[arg-type]
    sealed = session.attach_document(VIN, b"call notes", retention=Retention.TRANSIENT)  # type: ignore[arg-type]
    steward = _steward(profile, tmp_path, "registrar")
    steward.vault.deposit(sealed.cid, sealed.content_key or b"", depositor="registrar")
    assert steward.erase_step() == []  # nothing erased yet
    _vote(profile, profile.ledger("registrar").retention.propose_period(Retention.TRANSIENT, 1))
    auth = profile.ledger("registrar-b").authorize_transfer(VIN, Account.create().address,  # type: ignore[arg-type]
                                                            deadline=profile.ledger().now() + 3600)
    session.transfer_title(VIN, auth.to, km=0, authorization=auth)  # type: ignore[arg-type]
    time.sleep(1.5)
    profile.ledger("auditor").retention.erase(sealed.cid)
    store = EmbeddedStore(profile.path / "store")
    assert store.has(sealed.cid)

    # A crash after the erasure is carried out and before it is attested: the next step attests it.
    attest = steward.ledger.retention.attest
    steward.ledger.retention.attest = lambda cids: (_ for _ in ()).throw(OSError("node gone"))  # type: ignore[method-assign]
    with pytest.raises(OSError):
        steward.erase_step()
    steward.ledger.retention.attest = attest  # type: ignore[method-assign]
    assert not store.has(sealed.cid) and not steward.vault.holds(sealed.cid)
    assert steward.vault.erasure(sealed.cid) is not None
    assert not profile.ledger().retention.attested(sealed.cid, steward.ledger.address)
    assert steward.erase_step() == [sealed.cid]
    assert profile.ledger().retention.attested(sealed.cid, steward.ledger.address)
    assert steward.erase_step() == []  # once


def test_a_recorded_string_that_is_no_cid_holds_up_no_other_erasure(profile: Profile, tmp_path: Path) -> None:
    from eth_account import Account

    from lienchain.ledger.registry.vin import token_id

    session = profile.session("registrar")
    session.register_title(VIN, Account.create().address)  # type: ignore[arg-type]
    good = session.attach_document(VIN, b"call notes", retention=Retention.TRANSIENT)  # type: ignore[arg-type]
    junk = "not a cid!"  # a registrar may attach anything about a title; nothing stores it
    profile.ledger("registrar").retention.record([RetentionInput(junk, Retention.TRANSIENT, token_id(VIN))])  # type: ignore[arg-type]
    _vote(profile, profile.ledger("registrar").retention.propose_period(Retention.TRANSIENT, 1))
    auth = profile.ledger("registrar-b").authorize_transfer(VIN, Account.create().address,  # type: ignore[arg-type]
                                                            deadline=profile.ledger().now() + 3600)
    session.transfer_title(VIN, auth.to, km=0, authorization=auth)  # type: ignore[arg-type]
    time.sleep(1.5)
    for cid in (junk, good.cid):
        profile.ledger("auditor").retention.erase(cid)
    steward = _steward(profile, tmp_path, "lender-b")
    assert sorted(steward.erase_step()) == sorted([junk, good.cid])
    assert not EmbeddedStore(profile.path / "store").has(good.cid)
    assert all(profile.ledger().retention.attested(c, steward.ledger.address) for c in (junk, good.cid))

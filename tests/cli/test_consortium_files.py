"""Member cards and manifests: signed, checked strictly, refused with one line when changed. No node runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from lienchain.errors import InvalidCard, InvalidManifest
from lienchain.networks import Manifest, MemberCard
from lienchain.storage import document_key

from ..cards import make_card
from .test_errors import assert_one_line_error

@pytest.fixture
def cards(tmp_path: Path) -> list[Path]:
    paths = []
    for name, host in (("dmv", "10.0.0.1"), ("bank-a", "10.0.0.2"), ("bank-b", "10.0.0.3")):
        path = tmp_path / f"{name}.card.json"
        path.write_text(json.dumps(make_card(name, host)[0].to_dict()))
        paths.append(path)
    return paths


def test_network_create_writes_a_manifest_whose_hash_it_prints(run_in, cards: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "trust.network.json"
    r = run_in("network", "create", "trust", *(a for c in cards for a in ("--card", str(c))), "--out", str(out), "--json")
    assert r.code == 0, r.err
    manifest = Manifest.load(out)
    assert manifest.hash() == json.loads(r.out)["hash"]
    assert [c.name for c in manifest.members] == ["dmv", "bank-a", "bank-b"]
    assert manifest.founding_roles == [(c.account, "LENDER") for c in manifest.founders]
    # The sealers are the genesis signers; the swarm key is sealed for each member, never in the clear.
    extra = manifest.genesis["extradata"]
    assert all(c.sealer[2:].lower() in extra for c in manifest.founders)
    assert b"/key/swarm/psk" not in out.read_bytes() and set(manifest.swarm_keys) == {"dmv", "bank-a", "bank-b"}


@pytest.mark.parametrize("field", ["host", "p2p_port", "sealer", "roles", "peer_id"])
def test_a_card_changed_in_transit_is_refused(run_in, cards: list[Path], tmp_path: Path, field: str) -> None:
    data = json.loads(cards[1].read_text())
    other = make_card("bank-a", "10.0.0.9", ("REGISTRAR",))[0].to_dict()
    data[field] = other[field] if other[field] != data[field] else data[field] + 1
    cards[1].write_text(json.dumps(data))
    out = tmp_path / "trust.network.json"
    r = run_in("network", "create", "trust", *(a for c in cards for a in ("--card", str(c))), "--out", str(out))
    assert_one_line_error(r, 1, "bank-a is not signed by its account")
    assert not out.exists()


def test_cards_that_clash_are_refused(cards: list[Path]) -> None:
    first = MemberCard.load(cards[0])
    with pytest.raises(InvalidManifest, match="same name"):
        Manifest.create("trust", [first, first])
    with pytest.raises(InvalidManifest, match="network 'trust', not 'other'"):
        Manifest.create("other", [first])


def test_a_manifest_changed_by_one_byte_is_refused(cards: list[Path], tmp_path: Path) -> None:
    manifest = Manifest.create("trust", [MemberCard.load(c) for c in cards])
    path = tmp_path / "m.json"
    manifest.save(path)
    raw = path.read_bytes()
    for old, new in ((b"10.0.0.2", b"10.0.0.7"), (b'"period":1', b'"period":2'), (b'"LENDER"', b'"LENDEX"')):
        path.write_bytes(raw.replace(old, new, 1))
        with pytest.raises(InvalidManifest):
            Manifest.load(path)
    data = json.loads(raw)
    data["chain_id"] += 1  # a manifest for another chain than its genesis
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidManifest, match="genesis"):
        Manifest.load(path)


def test_only_the_member_opens_its_sealed_swarm_key(tmp_path: Path) -> None:
    (a, key_a), (b, _) = make_card("dmv", "10.0.0.1"), make_card("bank-a", "10.0.0.2")
    manifest = Manifest.create("trust", [a, b])
    swarm = manifest.open_swarm_key("dmv", document_key(key_a))
    assert swarm.startswith(b"/key/swarm/psk/1.0.0/")
    with pytest.raises(InvalidManifest, match="does not open"):
        manifest.open_swarm_key("bank-a", document_key(key_a))


def test_a_card_signed_by_another_key_is_refused() -> None:
    card, _ = make_card("dmv", "10.0.0.1")
    with pytest.raises(InvalidCard):
        card.signed(Account.create())

"""The register / lien / consent / release / transfer story on the 3-member network, through the CLI.

Each member signs through its own node, and documents go to its own Kubo node, so every step also
checks that state and documents reach the other members.
"""

from __future__ import annotations

from pathlib import Path

from eth_account import Account

from lienchain.networks import Network, kubo
from lienchain.networks.process import wait_for
from lienchain.networks.rpc import call

from .authorizations import lien_authorization, owner_authorization
from .conftest import Run

VIN = "1M8GDM9AXKP042788"


def _pins(ipfs_url: str) -> set[str]:
    return set(kubo.api(ipfs_url, "pin/ls", type="recursive").get("Keys", {}))


def test_status_reports_every_member_sealing_and_peered(on_story: Run) -> None:
    r = on_story("network", "status", "story", "--json")
    assert r.code == 0, r.err
    statuses = r.json()
    assert [s["name"] for s in statuses] == ["dmv", "bank-a", "bank-b"]  # type: ignore[index]
    for s in statuses:  # type: ignore[attr-defined]
        assert s["geth"] and s["ipfs"] and s["block"] > 0
        assert s["peers"] == 2 and s["ipfs_peers"] >= 2
    shown = on_story("status", "--json").json()
    assert shown["engine"] == "geth" and shown["members"] == 3  # type: ignore[index]


def test_full_story_through_the_cli(on_story: Run, consortium: Network, tmp_path: Path) -> None:
    owner_key, buyer = Account.create(), Account.create().address
    owner = owner_key.address
    dmv = lambda *args: on_story("--as", "dmv", *args)  # noqa: E731
    doc = tmp_path / "title.txt"
    doc.write_text("certificate of title, 1M8GDM9AXKP042788")

    r = on_story("--as", "dmv", "title", "register", VIN, "--owner", owner, "--doc", str(doc))
    assert r.code == 0, r.err
    shown = on_story("title", "show", VIN, "--json").json()
    assert (shown["owner"], shown["status"], shown["active_liens"]) == (owner, "active", 0)  # type: ignore[index]

    r = on_story("--as", "bank-a", "lien", "grant", VIN, "--amount", "18000", "--json",
                 "--authorization", lien_authorization(dmv, "bank-a", VIN, "18000"))
    assert r.code == 0, r.err
    first = str(r.json()["lien_id"])  # type: ignore[index]
    auth_b = lien_authorization(dmv, "bank-b", VIN, "6000")
    r = on_story("--as", "bank-b", "lien", "grant", VIN, "--amount", "6000", "--authorization", auth_b)
    assert r.code == 1 and "consent" in r.err and "Traceback" not in r.err
    assert len(on_story("lien", "list", VIN, "--json").json()) == 1  # type: ignore[arg-type]

    consent = tmp_path / "consent.json"
    r = on_story("--as", "bank-a", "lien", "consent", VIN, "--to", "bank-b", "--amount", "6000", "--out", str(consent))
    assert r.code == 0, r.err
    r = on_story("--as", "bank-b", "lien", "grant", VIN, "--amount", "6000", "--consent", str(consent), "--json",
                 "--authorization", auth_b)
    assert r.code == 0, r.err
    assert r.json()["priority"] == 2  # type: ignore[index]
    second = str(r.json()["lien_id"])  # type: ignore[index]

    r = on_story("--as", "dmv", "title", "transfer", VIN, "--to", buyer, "--km", "42000",
                 "--authorization", owner_authorization(on_story, owner_key, VIN, buyer))
    assert r.code == 1 and "active lien" in r.err
    assert on_story("--as", "bank-a", "lien", "release", first).code == 0
    assert on_story("--as", "bank-b", "lien", "release", second).code == 0
    r = on_story("--as", "dmv", "title", "transfer", VIN, "--to", buyer, "--km", "42000",
                 "--authorization", owner_authorization(on_story, owner_key, VIN, buyer))
    assert r.code == 0, r.err

    history = on_story("title", "history", VIN, "--json").json()
    assert [e["event"] for e in history] == [  # type: ignore[attr-defined]
        "TitleRegistered", "LienGranted", "LienGranted", "LienReleased", "LienReleased", "OdometerRecorded",
        "TitleTransferred"]
    anchored = [e["args"]["docCid"] for e in history if "docCid" in e["args"]]  # type: ignore[attr-defined]
    # The odometer reading anchors the transfer's document, which carries it.
    assert len(anchored) == 5 and anchored[-2] == anchored[-1] and all(c.startswith("bafk") for c in anchored)

    # The title document, stored through the registrar's node, is pinned by every member's agent
    # through the member's own node.
    for m in consortium.members:
        assert wait_for(lambda: anchored[0] in _pins(m.ipfs_url), 60, interval=0.5), m.name
    r = on_story("--as", "dmv", "doc", "get", anchored[0])
    assert r.code == 0 and r.out == doc.read_text()
    assert on_story("--as", "bank-a", "doc", "verify", VIN).code == 0

    # Every member's node holds the same chain.
    heads = {call(m.rpc_url, [("eth_getBlockByNumber", ["0x5", False])])[0]["hash"] for m in consortium.members}
    assert len(heads) == 1

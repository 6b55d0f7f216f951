"""Faults on the 3-member network: a stopped sealer, a stopped Kubo node, a foreign node, a crash.

Each test leaves every node running again, as it found the network.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from eth_account import Account

from lienchain.errors import NodeUnreachable, TitleNotFound
from lienchain.ledger import Ledger, LienTerms, Profile
from lienchain.ledger.registry.vin import VIN, check_digit, normalize_vin
from lienchain.networks import Network, kubo
from lienchain.networks.process import wait_for
from lienchain.networks.rpc import call, node_facts

from .authorizations import lien_authorization
from .conftest import PASSPHRASE, Run


def _vins(series: int, count: int) -> list[VIN]:
    """`count` distinct valid VINs of a series (0-9), the check digit computed."""
    bodies = (f"1HGCM826XA{series}{i:06d}" for i in range(count))
    return [normalize_vin(b[:8] + check_digit(b) + b[9:]) for b in bodies]


def _same_head_everywhere(net: Network, height: int) -> bool:
    hashes = set()
    for m in net.members:
        facts = node_facts(m.rpc_url)
        if facts is None or facts.block < height:
            return False
        hashes.add(call(m.rpc_url, [("eth_getBlockByNumber", [hex(height), False])])[0]["hash"])
    return len(hashes) == 1


def test_chain_keeps_sealing_with_one_sealer_stopped_and_the_sealer_catches_up(
    on_story: Run, consortium: Network
) -> None:
    assert on_story("node", "stop", "bank-b").code == 0
    try:
        before = node_facts(consortium.member("dmv").rpc_url)
        assert before is not None
        vin = _vins(1, 1)[0]
        r = on_story("--as", "dmv", "title", "register", vin, "--owner", Account.create().address)
        assert r.code == 0, r.err
        # bank-a works through its own node, which imports dmv's block a moment later.
        assert wait_for(lambda: on_story("--as", "bank-a", "title", "show", vin).code == 0, 30, interval=0.5)
        auth = lien_authorization(lambda *a: on_story("--as", "dmv", *a), "bank-a", vin, "5000")
        r = on_story("--as", "bank-a", "lien", "grant", vin, "--amount", "5000", "--authorization", auth)
        assert r.code == 0, r.err
        after = node_facts(consortium.member("dmv").rpc_url)
        assert after is not None and after.block > before.block
        r = on_story("--as", "bank-b", "lien", "list", vin)  # through its own, stopped node
        assert r.code == 1 and r.err.count("\n") == 1
        assert "does not answer" in r.err and "lienchain node start bank-b --network story" in r.err
    finally:
        assert on_story("node", "start", "bank-b").code == 0
    head = node_facts(consortium.member("dmv").rpc_url)
    assert head is not None
    assert wait_for(lambda: _same_head_everywhere(consortium, head.block), 60, interval=0.5)
    assert on_story("--as", "bank-b", "lien", "list", vin, "--json").json()[0]["amount"] == "500000"  # type: ignore[index]  # minor units


def test_document_stays_readable_with_its_authors_kubo_node_stopped(
    on_story: Run, consortium: Network, tmp_path: Path
) -> None:
    vin = _vins(2, 1)[0]
    doc = tmp_path / "title.txt"
    doc.write_text("certificate of title kept by every member")
    r = on_story("--as", "dmv", "title", "register", vin, "--owner", Account.create().address, "--doc", str(doc), "--json")
    assert r.code == 0, r.err
    cid = r.json()["doc_cid"]  # type: ignore[index]
    # bank-a's agent pins it through bank-a's own node once the registration is a couple of blocks deep.
    ipfs = consortium.member("bank-a").ipfs_url
    assert wait_for(lambda: cid in kubo.api(ipfs, "pin/ls", type="recursive").get("Keys", {}), 60, interval=0.5)
    assert on_story("node", "stop", "dmv").code == 0
    try:
        r = on_story("--as", "bank-a", "doc", "get", cid)
        assert r.code == 0, r.err
        assert r.out == doc.read_text()
    finally:
        assert on_story("node", "start", "dmv").code == 0


def test_client_refuses_a_node_of_another_network(cli: Run, consortium: Network, networks_root: Path) -> None:
    assert cli("network", "init", "other", "--members", "solo", "--light-kdf").code == 0
    try:
        assert cli("network", "up", "other").code == 0
        # A copy of bank-a's member directory whose node endpoint is the other network's node.
        impostor = networks_root / "impostor"
        shutil.copytree(consortium.home("bank-a").path, impostor, ignore=shutil.ignore_patterns("geth", "ipfs", "run"))
        profile = json.loads((impostor / "profile.json").read_text())
        profile["members"]["bank-a"]["rpc"] = Network(networks_root / "other").members[0].rpc_url
        (impostor / "profile.json").write_text(json.dumps(profile))

        r = cli("--network", "impostor", "--as", "bank-a", "title", "show", "1M8GDM9AXKP042788")
        assert r.code == 1
        assert "chain id" in r.err and "Traceback" not in r.err and r.err.count("\n") == 1
    finally:
        assert cli("network", "down", "other").code == 0


def _has_title(ledger: Ledger, vin: VIN) -> bool:
    try:
        ledger.title(vin)
    except TitleNotFound:
        return False
    return True


def test_killing_a_node_mid_batch_loses_no_acknowledged_operation(on_story: Run, consortium: Network) -> None:
    profiles = {m.name: Profile(consortium.home(m.name).path, passphrase=lambda: PASSPHRASE) for m in consortium.members}
    try:
        vins = _vins(3, 400)
        owner = Account.create().address
        registrar = profiles["dmv"].ledger("dmv")
        for i in range(0, len(vins), 100):
            registrar.register_titles([(v, owner, "bafkreititle") for v in vins[i : i + 100]])

        lender = profiles["bank-a"].ledger("bank-a")  # talks to bank-a's node, the one that will be killed
        # Registered through dmv's node: bank-a's imports the last block a moment later.
        assert wait_for(lambda: _has_title(lender, vins[-1]), 30, interval=0.5)
        acknowledged: list[int] = []
        failure: list[Exception] = []

        def grant() -> None:
            try:
                for i in range(0, len(vins), 10):
                    chunk = [LienTerms(v, 1000 + j, "USD", 2_000_000_000, "bafkreiloan") for j, v in enumerate(vins[i : i + 10])]
                    # The registrar authorizes each (the owners have no keys), then bank-a grants.
                    acknowledged.extend(lender.grant_liens(
                        registrar.authorize_liens(chunk, lender=lender.address, deadline=2_000_000_000)))
            except NodeUnreachable as exc:
                failure.append(exc)

        worker = threading.Thread(target=grant)
        worker.start()
        time.sleep(3)
        assert on_story("node", "stop", "bank-a", "--kill").code == 0
        worker.join(120)
        assert failure and acknowledged, "the kill should interrupt a batch after some grants were acknowledged"

        assert on_story("node", "start", "bank-a").code == 0
        head = node_facts(consortium.member("dmv").rpc_url)
        assert head is not None
        assert wait_for(lambda: _same_head_everywhere(consortium, head.block), 90, interval=0.5)
        for m in consortium.members:
            reader = profiles[m.name].ledger()  # each member reads through its own node
            for lien_id in acknowledged:
                assert reader.lien(lien_id).lender == lender.address, (m.name, lien_id)
    finally:
        for p in profiles.values():
            p.close()

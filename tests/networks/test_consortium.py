"""Three organisations on this machine as they would be on three hosts, then a fourth, then one fewer.

Each organisation has its own network directory, passphrase and loopback address (127.0.0.2, .3,
.4; the newcomer .5), runs every command through its own `lienchain` process, and hands the others
nothing but files: its card, the manifest, the deployment record, a consent.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from lienchain.errors import CustodianUnreachable, KeyErased
from lienchain.ledger.registry.vin import check_digit, normalize_vin
from lienchain.ledger.workspace.profile import Profile
from lienchain.networks import kubo
from lienchain.networks.ipc import ipc_call
from lienchain.networks.member import MemberHome
from lienchain.networks.process import port_free, wait_for
from lienchain.networks.rpc import call, node_facts
from lienchain.storage import document_key
from lienchain.storage.custodian import KeyServiceClient
from lienchain.storage.kubo import KuboStore

from .authorizations import lien_authorization, owner_authorization
from .conftest import Result

NETWORK = "trust"
ORGS = {  # name: (host, roles)
    "dmv": ("127.0.0.2", "REGISTRAR+AUDITOR+ORACLE"),
    "bank-a": ("127.0.0.3", "LENDER"),
    "bank-b": ("127.0.0.4", "LENDER"),
}
NEWCOMER = ("bank-c", "127.0.0.5", "LENDER")


@dataclass
class Org:
    """One organisation: its own directory tree, passphrase and `lienchain`."""

    name: str
    host: str
    root: Path  # the organisation's machine: its networks root and working directory

    @property
    def passphrase(self) -> str:
        return f"passphrase of {self.name}, known to {self.name} alone"

    @property
    def home(self) -> MemberHome:
        return MemberHome(self.root / "networks" / NETWORK)

    def run(self, *args: str, timeout: float = 180) -> Result:
        env = {**os.environ, "LIENCHAIN_NETWORKS": str(self.root / "networks"), "LIENCHAIN_PASSWORD": self.passphrase,
               "LIENCHAIN_HOME": str(self.root / "no-profile")}
        p = subprocess.run([sys.executable, "-m", "lienchain.cli", *args], env=env, cwd=self.root,
                           capture_output=True, text=True, timeout=timeout)
        return Result(p.returncode, p.stdout, p.stderr)

    def on(self, *args: str, timeout: float = 180) -> Result:
        """Runs a command against the network as this member."""
        return self.run(*args, "--network", NETWORK, "--as", self.name, timeout=timeout)

    def receive(self, path: Path) -> Path:
        """Copies a file another organisation sent into this one's inbox."""
        inbox = self.root / "inbox"
        inbox.mkdir(exist_ok=True)
        return Path(shutil.copy(path, inbox / path.name))


def _ports() -> int:
    """A base port free at every organisation's address (p2p = base, swarm = base + 1, keys = base + 2)."""
    hosts = [h for h, _ in ORGS.values()] + [NEWCOMER[1]]
    for _ in range(100):
        base = 40_000 + 3 * secrets.randbelow(6_000)
        if all(port_free(base + i, h) for h in hosts for i in (0, 1, 2)):
            return base
    raise RuntimeError("no free ports")


def _init(org: Org, roles: str, base: int) -> Path:
    card = org.root / f"{org.name}.card.json"
    r = org.run("node", "init", org.name, "--network", NETWORK, "--host", org.host, "--roles", roles,
                "--p2p-port", str(base), "--swarm-port", str(base + 1), "--key-port", str(base + 2), "--out", str(card), "--light-kdf")
    assert r.code == 0, r.err
    return card


def _formed(orgs: list[Org], height: int) -> bool:
    statuses = [o.run("node", "status", "--network", NETWORK, "--json") for o in orgs]
    if any(s.code != 0 for s in statuses):
        return False
    data = [s.json() for s in statuses]
    return all(d["block"] is not None and d["block"] >= height and d["sealers_reached"] == d["sealers"]  # type: ignore[index]
               and d["sealing"] and d["ipfs_peers"] >= len(orgs) - 1 for d in data)  # type: ignore[index]


def _head_everywhere(orgs: list[Org], height: int) -> bool:
    hashes = set()
    for o in orgs:
        facts = node_facts(o.home.rpc_url)
        if facts is None or facts.block < height:
            return False
        hashes.add(call(o.home.rpc_url, [("eth_getBlockByNumber", [hex(height), False])])[0]["hash"])
    return len(hashes) == 1


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory, node_binaries: dict[str, Path]) -> Iterator[dict[str, Org]]:
    """The three founders, each on its own address: initialised, joined, started, deployed, verified."""
    base = tmp_path_factory.mktemp("orgs")
    out = {n: Org(n, host, base / n) for n, (host, _) in ORGS.items()}
    for o in out.values():
        o.root.mkdir()
    ports = _ports()
    try:
        cards = [_init(o, ORGS[o.name][1], ports) for o in out.values()]
        founder = out["dmv"]
        manifest = founder.root / f"{NETWORK}.network.json"
        r = founder.run("network", "create", NETWORK, *(a for c in cards for a in ("--card", str(founder.receive(c)))),
                        "--out", str(manifest), "--json")
        assert r.code == 0, r.err
        digest = r.json()["hash"]  # type: ignore[index]
        for o in out.values():  # each compares the hash it was told out of band
            r = o.run("network", "join", str(o.receive(manifest)), "--hash", digest)
            assert r.code == 0, r.err
        for o in out.values():
            r = o.run("node", "start", "--network", NETWORK)
            assert r.code == 0, r.err
        assert wait_for(lambda: _formed(list(out.values()), 5), 90, interval=1.0), [
            o.run("node", "status", "--network", NETWORK).out for o in out.values()]

        r = founder.on("contracts", "deploy", "--out", str(founder.root / "trust.deployment.json"))
        assert r.code == 0, r.err
        for name in ("bank-a", "bank-b"):
            r = out[name].on("contracts", "verify", "--deployment", str(out[name].receive(founder.root / "trust.deployment.json")))
            assert r.code == 0, r.err
        yield out
    finally:
        for o in [*out.values(), Org(NEWCOMER[0], NEWCOMER[1], base / NEWCOMER[0])]:
            if (o.root / "networks" / NETWORK).exists():
                o.run("node", "stop", "--network", NETWORK)


def _vin(n: int) -> str:
    body = f"1HGCM826X9{n:07d}"
    return normalize_vin(body[:8] + check_digit(body) + body[9:])


def test_story_each_step_signed_by_the_member_whose_role_it_is(orgs: dict[str, Org], tmp_path: Path) -> None:
    dmv, a, b = orgs["dmv"], orgs["bank-a"], orgs["bank-b"]
    vin, owner_key, buyer = _vin(1), Account.create(), Account.create().address
    owner = owner_key.address
    doc = tmp_path / "title.txt"
    doc.write_text(f"certificate of title {vin}")
    r = dmv.on("title", "register", vin, "--owner", owner, "--doc", str(doc), "--json")
    assert r.code == 0, r.err
    r = a.on("lien", "grant", vin, "--amount", "18000", "--json",
             "--authorization", a.receive(Path(lien_authorization(dmv.on, "bank-a", vin, "18000"))))
    assert r.code == 0, r.err
    first = str(r.json()["lien_id"])  # type: ignore[index]
    auth_b = str(b.receive(Path(lien_authorization(dmv.on, "bank-b", vin, "6000"))))
    r = b.on("lien", "grant", vin, "--amount", "6000", "--authorization", auth_b)
    assert r.code == 1 and "consent" in r.err and r.err.count("\n") == 1
    assert len(b.on("lien", "list", vin, "--json").json()) == 1  # type: ignore[arg-type]

    consent = a.root / "consent.json"
    r = a.on("lien", "consent", vin, "--to", "bank-b", "--amount", "6000", "--out", str(consent))
    assert r.code == 0, r.err
    r = b.on("lien", "grant", vin, "--amount", "6000", "--consent", str(b.receive(consent)), "--json",
             "--authorization", auth_b)
    assert r.code == 0, r.err
    second = str(r.json()["lien_id"])  # type: ignore[index]
    sale = owner_authorization(dmv.on, owner_key, vin, buyer)  # the owner signs with its own wallet
    assert dmv.on("title", "transfer", vin, "--to", buyer, "--km", "42000", "--authorization", sale).code == 1
    assert a.on("lien", "release", first).code == 0
    assert b.on("lien", "release", second).code == 0
    r = dmv.on("title", "transfer", vin, "--to", buyer, "--km", "42000", "--authorization", sale)
    assert r.code == 0, r.err
    history = a.on("title", "history", vin, "--json").json()
    assert [e["event"] for e in history] == [  # type: ignore[attr-defined]
        "TitleRegistered", "LienGranted", "LienGranted", "LienReleased", "LienReleased", "OdometerRecorded",
        "TitleTransferred"]
    # The title document was sealed for every member: bank-b reads it from its own node.
    cid = history[0]["args"]["docCid"]  # type: ignore[index]
    assert wait_for(lambda: b.on("doc", "get", cid).code == 0, 30, interval=1.0)
    assert b.on("doc", "get", cid).out == doc.read_text()


def _vote(orgs: dict[str, Org], *change: str) -> None:
    """dmv proposes a change, bank-a's vote carries it (two of three)."""
    r = orgs["dmv"].on("member", "propose", *change, "--json")
    assert r.code == 0, r.err
    r = orgs["bank-a"].on("member", "vote", str(r.json()["id"]), "--json")  # type: ignore[index]
    assert r.code == 0 and r.json()["executed"], r.err  # type: ignore[index]


def test_a_transient_appraisal_is_read_through_its_custodian_traced_and_erased_everywhere(
    orgs: dict[str, Org], tmp_path: Path,
) -> None:
    dmv, a, b = orgs["dmv"], orgs["bank-a"], orgs["bank-b"]
    _vote(orgs, "--access-log-interval", "1s")  # each key service anchors its log's head as it grows
    vin = _vin(9)
    assert dmv.on("title", "register", vin, "--owner", Account.create().address).code == 0
    r = a.on("lien", "grant", vin, "--amount", "9000", "--json",
             "--authorization", a.receive(Path(lien_authorization(dmv.on, "bank-a", vin, "9000"))))
    assert r.code == 0, r.err
    lien = str(r.json()["lien_id"])  # type: ignore[index]
    papers = tmp_path / "appraisal.txt"
    papers.write_text(f"appraisal working papers of {vin}: photos, comparables, call notes")
    r = a.on("doc", "attach", vin, "--lien", lien, "--file", str(papers), "--json")
    assert r.code == 0, r.err
    cid = r.json()["cid"]  # type: ignore[index]
    assert r.json()["retention"] == "transient" and r.json()["custodian"] == "bank-a"  # type: ignore[index]

    # The auditor (dmv) reads it: bank-a's key service hands over the key; the envelope holds none.
    assert wait_for(lambda: dmv.on("doc", "get", cid, "--purpose", "annual audit").code == 0, 60, interval=1.0)
    r = dmv.on("doc", "get", cid, "--purpose", "annual audit", "--out", str(tmp_path / "read.txt"))
    assert r.code == 0, r.err
    assert (tmp_path / "read.txt").read_text() == papers.read_text()
    kept = KuboStore(dmv.home.ipfs_url).get(cid)  # the auditor keeps a copy of the envelope
    # bank-b, a lender with no lien on the title, is not entitled: refused in one line, and logged.
    r = b.on("doc", "get", cid, "--purpose", "curiosity")
    assert r.code == 1 and "holds no role that reads it" in r.err and r.err.count("\n") == 1, r.err
    log = a.on("doc", "access-log", "--cid", cid, "--json").json()
    assert [(e["kind"], e["actor"], e["purpose"]) for e in log] == [  # type: ignore[union-attr,index]
        ("deposit", a.home.card.account, None),
        ("grant", dmv.home.card.account, "annual audit"), ("grant", dmv.home.card.account, "annual audit"),
        ("refuse", b.home.card.account, "curiosity")]

    # bank-a hands the auditor an excerpt up to its anchored head; the auditor checks it on chain.
    excerpt = tmp_path / "excerpt.json"
    def excerpted() -> bool:
        r = a.on("doc", "access-log", "--cid", cid, "--out", str(excerpt), "--json")
        return r.code == 0 and r.json()["entries"] == 4  # type: ignore[index]
    assert wait_for(excerpted, 60, interval=1.0)
    r = dmv.on("doc", "access-log", "--verify", str(dmv.receive(excerpt)), "--json")
    assert r.code == 0 and r.json()["verified"] and r.json()["entries"] == 4, r.err  # type: ignore[index]
    data = bytearray(excerpt.read_bytes())
    data[data.index(b"annual audit")] ^= 1  # one byte changed
    altered = tmp_path / "altered.json"
    altered.write_bytes(bytes(data))
    r = dmv.on("doc", "access-log", "--verify", str(altered))
    assert r.code == 1 and r.err.count("\n") == 1 and "altered" in r.err, r.err

    # Not erasable while the lien is active; once it is released and a short period is voted, it is.
    r = b.on("doc", "erase", cid)
    assert r.code == 1 and "its business goes on" in r.err, r.err
    _vote(orgs, "--transient-retention", "2s")
    assert a.on("lien", "release", lien).code == 0
    time.sleep(3)
    r = b.on("doc", "erase", cid, "--json")  # anyone may, once it is due
    assert r.code == 0, r.err

    def attested() -> bool:
        status = dmv.on("doc", "status", cid, "--json").json()
        return all(status["attestations"].values())  # type: ignore[index]
    assert wait_for(attested, 90, interval=1.0), dmv.on("doc", "status", cid).out
    status = dmv.on("doc", "status", cid, "--json").json()
    assert status["erased_at"] > 0 and status["retention"] == "transient"  # type: ignore[index]
    assert len(status["attestations"]) == 3  # type: ignore[index]
    for o in orgs.values():  # every member's node holds no copy any more, and none pins it
        assert not KuboStore(o.home.ipfs_url).has(cid), o.name
    # The copy the auditor kept can no longer be opened: its key is destroyed.
    with Profile(dmv.home.path, passphrase=lambda: dmv.passphrase) as profile:
        with pytest.raises(KeyErased):
            profile.documents().open(kept, reader="dmv")
    r = dmv.on("doc", "get", cid)
    assert r.code == 1 and "was erased at" in r.err and r.err.count("\n") == 1, r.err
    history = [e["event"] for e in a.on("title", "history", vin, "--json").json()]  # type: ignore[union-attr,index]
    assert "DocumentRecorded" in history and history[-1] == "DocumentErased", history
    r = a.on("doc", "verify", vin)
    assert r.code == 0 and "gone" in r.out, r.out + r.err


def test_a_member_cannot_sign_as_another(orgs: dict[str, Org]) -> None:
    b = orgs["bank-b"]
    vin = _vin(2)
    assert orgs["dmv"].on("title", "register", vin, "--owner", Account.create().address).code == 0
    r = b.run("lien", "grant", vin, "--amount", "100", "--network", NETWORK, "--as", "bank-a",
              "--authorization", "unused.json")  # refused before it is read
    assert r.code == 1 and "another member's account" in r.err and r.err.count("\n") == 1
    r = b.run("title", "register", _vin(3), "--owner", Account.create().address, "--network", NETWORK, "--as", "dmv")
    assert r.code == 1 and "another member's account" in r.err
    assert b.on("lien", "list", vin, "--json").json() == []
    # bank-b's own key holds no registrar role: the registry refuses it.
    r = b.on("title", "register", _vin(3), "--owner", Account.create().address)
    assert r.code == 1 and "REGISTRAR" in r.err


def test_each_member_talks_only_to_its_own_nodes_and_children_see_no_passphrase(orgs: dict[str, Org]) -> None:
    for o in orgs.values():
        home = o.home
        # HTTP serves eth, net and web3 on loopback; admin, clique and miner only over IPC.
        for method in ("admin_peers", "clique_getSigners", "miner_start", "personal_listAccounts"):
            with pytest.raises(ValueError, match="does not exist|not available"):
                call(home.rpc_url, [(method, [])])
        assert ipc_call(home.ipc_path, "admin_peers")
        assert oct(home.ipc_path.stat().st_mode & 0o777) in ("0o600", "0o700")
        assert home.rpc_url.startswith("http://127.0.0.1:") and home.ipfs_url.startswith("http://127.0.0.1:")
        for which in ("geth", "ipfs", "keys", "steward", "agent"):
            pid = home.process(which).pid()
            assert pid is not None, (o.name, which)
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            assert b"LIENCHAIN_PASSWORD" not in environ, (o.name, which)
            assert o.passphrase.encode() not in environ + cmdline, (o.name, which)


def _secrets(org: Org) -> dict[str, bytes]:
    """Every private key of an organisation, decrypted with its own passphrase."""
    home = org.home
    account = Account.decrypt(json.loads((home.path / "keystore" / f"{org.name}.json").read_text()), org.passphrase)
    sealer = Account.decrypt(json.loads((home.path / "node" / "keystore" / "sealer.json").read_text()), org.passphrase)
    node = Account.decrypt(json.loads((home.path / "node" / "nodekey.json").read_text()), org.passphrase)
    ipfs_key = json.loads((home.path / "node" / "ipfs" / "config").read_text())["Identity"]["PrivKey"]
    doc = document_key(bytes(account)).private_bytes_raw()
    return {"account": bytes(account), "sealer": bytes(sealer), "node": bytes(node), "document": doc,
            "ipfs": base64.b64decode(ipfs_key)}


def test_no_member_directory_holds_another_members_key(orgs: dict[str, Org]) -> None:
    keys = {o.name: _secrets(o) for o in orgs.values()}
    addresses = {o.name: {o.home.card.account.lower()[2:], o.home.card.sealer.lower()[2:]} for o in orgs.values()}
    for o in orgs.values():
        files = [p for p in o.root.rglob("*") if p.is_file() and not p.is_symlink()]
        assert len(files) > 20
        for path in files:
            data = path.read_bytes()
            for other, theirs in keys.items():
                if other == o.name:
                    continue
                for what, secret in theirs.items():
                    for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
                        assert form not in data, f"{path} holds {other}'s {what} key"
                if data.startswith(b"{") and b'"crypto"' in data:  # a keystore: whose?
                    assert not any(addr.encode() in data for addr in addresses[other]), f"{path} is a keystore of {other}"
    # And no key in the clear in the member's own directory either, but inside its keystores.
    for o in orgs.values():
        for path in (p for p in o.root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            for what in ("account", "sealer", "node"):
                assert keys[o.name][what].hex().encode() not in data, f"{path} holds {o.name}'s {what} key in the clear"


def test_chain_keeps_sealing_with_one_sealer_down_and_it_catches_up(orgs: dict[str, Org]) -> None:
    dmv, a, b = orgs["dmv"], orgs["bank-a"], orgs["bank-b"]
    assert b.run("node", "stop", "--network", NETWORK).code == 0
    # bank-b's key service stopped with its node: a reader is told whom to ask, in one line.
    with pytest.raises(CustodianUnreachable, match=r"^the key service of bank-b at http://127\.0\.0\.4:\d+ does not answer "
                                                   r"\(connection refused\): ask bank-b to start its node$"):
        KeyServiceClient(b.home.key_url, custodian="bank-b", timeout=5).health()
    try:
        before = node_facts(dmv.home.rpc_url)
        assert before is not None
        vin = _vin(4)
        assert dmv.on("title", "register", vin, "--owner", Account.create().address).code == 0
        auth = a.receive(Path(lien_authorization(dmv.on, "bank-a", vin, "5000")))
        assert a.on("lien", "grant", vin, "--amount", "5000", "--authorization", str(auth)).code == 0
        r = b.on("lien", "list", vin)
        assert r.code == 1 and "does not answer" in r.err
    finally:
        assert b.run("node", "start", "--network", NETWORK).code == 0
    assert KeyServiceClient(b.home.key_url, custodian="bank-b").health()["custodian"] == "bank-b"
    assert b.run("node", "status", "--network", NETWORK, "--json").json()["keys"] is True  # type: ignore[index]
    head = node_facts(dmv.home.rpc_url)
    assert head is not None and head.block > before.block
    assert wait_for(lambda: _head_everywhere(list(orgs.values()), head.block), 60, interval=0.5)
    assert b.on("lien", "list", vin, "--json").json()[0]["amount"] == "500000"  # type: ignore[index]


def test_a_document_stays_readable_with_its_authors_node_down(orgs: dict[str, Org], tmp_path: Path) -> None:
    dmv, a = orgs["dmv"], orgs["bank-a"]
    doc = tmp_path / "title.txt"
    doc.write_text("kept by every member's own node")
    r = dmv.on("title", "register", _vin(5), "--owner", Account.create().address, "--doc", str(doc), "--json")
    assert r.code == 0, r.err
    cid = r.json()["doc_cid"]  # type: ignore[index]
    # bank-a's agent pins it through bank-a's own Kubo node.
    assert wait_for(lambda: cid in kubo.api(a.home.ipfs_url, "pin/ls", type="recursive").get("Keys", {}), 60, interval=1.0)
    assert dmv.run("node", "stop", "--network", NETWORK).code == 0
    try:
        r = a.on("doc", "get", cid)
        assert r.code == 0, r.err
        assert r.out == doc.read_text()
    finally:
        assert dmv.run("node", "start", "--network", NETWORK).code == 0


def test_a_changed_card_or_manifest_or_chain_id_is_refused(orgs: dict[str, Org], tmp_path: Path) -> None:
    dmv, a = orgs["dmv"], orgs["bank-a"]
    card = json.loads((a.home.path / "card.json").read_text())
    changed = tmp_path / "changed.card.json"
    changed.write_text(json.dumps({**card, "p2p_port": card["p2p_port"] + 1}))
    r = dmv.run("network", "create", "other", "--card", str(changed), "--out", str(tmp_path / "x.json"))
    assert r.code == 1 and "not signed by its account" in r.err and not (tmp_path / "x.json").exists()

    original = (dmv.home.path / "manifest.json").read_bytes()
    host = ORGS["bank-b"][0].encode()
    flipped = tmp_path / "flipped.network.json"
    flipped.write_bytes(original.replace(host, host[:-1] + b"9", 1))  # one byte of bank-b's address
    assert len(flipped.read_bytes()) == len(original) and flipped.read_bytes() != original
    r = a.run("network", "join", str(flipped))
    assert r.code == 1 and "changed" in r.err and r.err.count("\n") == 1

    data = json.loads(original)
    data["chain_id"] += 1
    wrong = tmp_path / "wrong-chain.network.json"
    wrong.write_text(json.dumps(data))
    r = a.run("network", "join", str(wrong))
    assert r.code == 1 and "genesis" in r.err
    assert (a.home.path / "manifest.json").read_bytes() == original  # bank-a's joined manifest unchanged


def _signer_of(org: Org, block: int) -> str:
    return str(ipc_call(org.home.ipc_path, "clique_getSigner", [hex(block)])).lower()


def test_the_network_admits_a_fourth_member_and_removes_a_founder(orgs: dict[str, Org], tmp_path: Path) -> None:
    dmv, a, b = orgs["dmv"], orgs["bank-a"], orgs["bank-b"]
    c = Org(NEWCOMER[0], NEWCOMER[1], dmv.root.parent / NEWCOMER[0])
    c.root.mkdir()
    ports = json.loads((dmv.home.path / "card.json").read_text())["p2p_port"]
    card = _init(c, NEWCOMER[2], ports)

    r = dmv.on("member", "propose", "--add-card", str(dmv.receive(card)), "--json")
    assert r.code == 0, r.err
    proposal = str(r.json()["id"])  # type: ignore[index]
    assert r.json()["executed"] is False  # type: ignore[index]
    r = a.on("member", "vote", proposal, "--json")
    assert r.code == 0, r.err
    assert r.json()["executed"] is True  # type: ignore[index]

    manifest = dmv.root / "trust-now.network.json"
    r = dmv.on("network", "manifest", NETWORK, "--out", str(manifest), "--json")
    assert r.code == 0, r.err
    assert r.json()["members"] == ["dmv", "bank-a", "bank-b", "bank-c"]  # type: ignore[index]
    r = c.run("network", "join", str(c.receive(manifest)), "--hash", r.json()["hash"])  # type: ignore[index]
    assert r.code == 0, r.err
    assert c.run("node", "start", "--network", NETWORK).code == 0
    everyone = [dmv, a, b, c]
    sealer_c = c.home.card.sealer.lower()
    assert wait_for(lambda: sealer_c in {s.lower() for s in ipc_call(dmv.home.ipc_path, "clique_getSigners", ["latest"])},
                    60, interval=1.0)
    head = node_facts(dmv.home.rpc_url)
    assert head is not None
    assert wait_for(lambda: _head_everywhere(everyone, head.block), 60, interval=0.5)
    r = c.on("contracts", "verify", "--deployment", str(c.receive(dmv.root / "trust.deployment.json")))
    assert r.code == 0, r.err

    def c_sealed() -> bool:
        top = node_facts(c.home.rpc_url)
        return top is not None and any(_signer_of(c, n) == sealer_c for n in range(head.block, top.block + 1))

    assert wait_for(c_sealed, 60, interval=1.0)
    vin = _vin(6)
    assert dmv.on("title", "register", vin, "--owner", Account.create().address).code == 0
    r = c.on("lien", "grant", vin, "--amount", "900",
             "--authorization", str(c.receive(Path(lien_authorization(dmv.on, c.home.card.account, vin, "900")))))
    assert r.code == 0, r.err  # its LENDER role came with the admission

    # Four members: removing bank-b takes three approvals.
    r = dmv.on("member", "propose", "--remove", "bank-b", "--json")
    assert r.code == 0, r.err
    proposal = str(r.json()["id"])  # type: ignore[index]
    assert a.on("member", "vote", proposal).code == 0
    r = c.on("member", "vote", proposal, "--json")
    assert r.code == 0, r.err
    assert r.json()["executed"] is True  # type: ignore[index]
    members = dmv.on("member", "list", "--json").json()["members"]  # type: ignore[index]
    assert b.home.card.account not in members and len(members) == 3

    sealer_b = b.home.card.sealer.lower()
    assert wait_for(lambda: sealer_b not in {s.lower() for s in ipc_call(dmv.home.ipc_path, "clique_getSigners", ["latest"])},
                    60, interval=1.0)
    dropped = node_facts(dmv.home.rpc_url)
    assert dropped is not None
    time.sleep(5)
    later = node_facts(dmv.home.rpc_url)
    assert later is not None and later.block >= dropped.block + 3
    assert all(_signer_of(dmv, n) != sealer_b for n in range(dropped.block + 1, later.block + 1))
    # Its roles are gone: it can no longer take a lien, nor vote.
    r = b.on("lien", "grant", _vin(7), "--amount", "100", "--authorization", "unused.json")
    assert r.code == 1
    vin = _vin(7)
    assert dmv.on("title", "register", vin, "--owner", Account.create().address).code == 0
    r = b.on("lien", "grant", vin, "--amount", "100",
             "--authorization", str(b.receive(Path(lien_authorization(dmv.on, b.home.card.account, vin, "100")))))
    assert r.code == 1 and "LENDER" in r.err
    r = b.on("member", "propose", "--ltv-threshold", "60%")
    assert r.code == 1 and "member" in r.err
    # bank-b's node keeps a read-only copy.
    assert wait_for(lambda: _head_everywhere(everyone, later.block), 60, interval=0.5)

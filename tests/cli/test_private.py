"""Private liens and proofs for auditors through the CLI, on the embedded ledger: the amount is
nowhere on chain, an auditor opens it and another lender cannot, and proof files verify against
the chain, off chain and on chain, and fail when anything in them is changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import rlp
from eth_account import Account
from trie import HexaryTrie
from trie.iter import NodeIterator

from lienchain.ledger import Ledger, Profile

from ..search import occurs
from .conftest import PASSPHRASE, authorization
from .test_errors import assert_one_line_error

VIN = "1M8GDM9AXKP042788"
OTHER_VIN = "1HGCM82633A004352"
AMOUNT = 1_337_421  # 13,374.21 USD in minor units: a figure that occurs nowhere else on this chain


def chain_contents(profile_path: Path) -> tuple[list[bytes], list[bytes], list[int]]:
    """Every transaction input, every log (topics and data), and every storage value of the registry."""
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        w3 = p.ledger().w3
        inputs, logs = [], []
        for n in range(w3.eth.block_number + 1):
            for tx in w3.eth.get_block(n, full_transactions=True)["transactions"]:
                inputs.append(bytes(tx.get("input", tx.get("data", b""))))
                for log in w3.eth.get_transaction_receipt(tx["hash"])["logs"]:
                    logs.append(b"".join(bytes(t) for t in log["topics"]) + bytes(log["data"]))
        chain = p.chain()._chain  # noqa: SLF001 - the py-evm chain under the embedded engine
        state = chain.get_vm().state
        root = state._account_db._get_storage_root(bytes.fromhex(p.load_deployment().registry[2:]))  # noqa: SLF001
        storage = [rlp.decode(v, sedes=rlp.sedes.big_endian_int) for v in NodeIterator(HexaryTrie(chain.chaindb.db, root)).values()]
    return inputs, logs, storage


@pytest.fixture
def private_lien(run) -> int:
    assert run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "20000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "20000").code == 0  # 70%: 14,000.00
    r = run("--as", "lender-a", "lien", "grant", VIN, "--amount", f"{AMOUNT / 100:.2f}", "--authorization", authorization(run, "lender-a", VIN, f"{AMOUNT / 100:.2f}", "--private"), "--private", "--json")
    assert r.code == 0, r.err
    granted = json.loads(r.out)
    assert (granted["private"], granted["amount"]) == (True, None)
    return int(granted["lien_id"])


def test_a_private_lien_amount_is_nowhere_on_chain(run, private_lien: int, profile_path: Path) -> None:
    assert "private USD" in run("lien", "list", VIN).out
    assert "amount proved at most 14,000.00 USD" in run("title", "show", VIN).out
    inputs, logs, storage = chain_contents(profile_path)
    assert len(storage) > 20 and len(logs) > 10  # the search did see the registry's state and events
    assert not occurs(AMOUNT, inputs) and not occurs(AMOUNT, logs)
    assert AMOUNT not in storage and not occurs(AMOUNT, [v.to_bytes(32, "big") for v in storage])
    # ... while a public lien's amount is found by the same search: it can find one.
    assert run("--as", "registrar", "title", "register", OTHER_VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "lender-b", "lien", "grant", OTHER_VIN, "--amount", "13374.22", "--authorization", authorization(run, "lender-b", OTHER_VIN, "13374.22")).code == 0
    inputs, logs, storage = chain_contents(profile_path)
    assert occurs(AMOUNT + 1, inputs) and occurs(AMOUNT + 1, logs) and AMOUNT + 1 in storage


def test_an_auditor_opens_a_private_lien_and_another_lender_cannot(run, private_lien: int) -> None:
    r = run("--as", "auditor", "lien", "open", str(private_lien))
    assert r.code == 0, r.err
    assert "13,374.21 USD" in r.out
    r = run("--as", "lender-b", "lien", "open", str(private_lien))
    assert_one_line_error(r, 1, "lender-b cannot open lien 1", "sealed for its lender and the auditors")


def test_an_auditor_acknowledges_a_private_lien_it_opened_and_another_lender_cannot(run, private_lien: int) -> None:
    assert "no auditor has acknowledged opening its amount yet" in run("title", "show", VIN).out
    r = run("--as", "lender-b", "lien", "acknowledge", str(private_lien))
    assert_one_line_error(r, 1, "lender-b cannot open lien 1", "sealed for its lender and the auditors")
    r = run("--as", "auditor", "lien", "acknowledge", str(private_lien), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["acknowledged"] is True
    assert "no auditor has acknowledged" not in run("title", "show", VIN).out
    r = run("--as", "auditor", "lien", "acknowledge", str(private_lien))
    assert_one_line_error(r, 1, "already acknowledged")


def test_its_lender_reveals_a_private_lien_and_an_auditor_may_not_before_its_proof_is_overdue(
    run, private_lien: int
) -> None:
    r = run("--as", "auditor", "lien", "reveal", str(private_lien))
    assert_one_line_error(r, 1, "may not reveal lien 1's amount", "auditor once its loan-to-value proof is overdue")
    assert "private USD" in run("lien", "list", VIN).out
    r = run("--as", "lender-a", "lien", "reveal", str(private_lien), "--json")
    assert r.code == 0, r.err
    assert (json.loads(r.out)["private"], json.loads(r.out)["amount"]) == (False, str(AMOUNT))
    assert "13,374.21 USD" in run("lien", "list", VIN).out
    assert f"LienRevealed         lien 1: {AMOUNT} minor units  0x" in run("title", "history", VIN).out


def test_an_ltv_proof_verifies_off_and_on_chain_and_fails_when_changed(run, private_lien: int, tmp_path: Path) -> None:
    # Another private lien, on another title: a proof moved to it must fail.
    assert run("--as", "registrar", "title", "register", OTHER_VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "oracle-b", "valuation", "set", OTHER_VIN, "--value", "20000").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", OTHER_VIN, "--value", "20000").code == 0
    other = json.loads(run("--as", "lender-a", "lien", "grant", OTHER_VIN, "--amount", "13374.21", "--authorization", authorization(run, "lender-a", OTHER_VIN, "13374.21", "--private"), "--private", "--json").out)
    out = tmp_path / "ltv.json"
    r = run("--as", "lender-a", "proof", "ltv", str(private_lien), "--threshold", "70%", "--out", str(out))
    assert r.code == 0, r.err
    document = json.loads(out.read_text())
    # No amount in the file: not in its fields, and not as a word or decimal text in the proof's
    # bytes. (The proof's hex is random: five given digits occur in it about one run in a hundred.)
    proof = bytes.fromhex(document["proof"].removeprefix("0x"))
    fields = json.dumps({k: v for k, v in document.items() if k != "proof"})
    assert str(AMOUNT) not in fields and "13374" not in fields and not occurs(AMOUNT, [proof])
    r = run("proof", "verify", str(out), "--on-chain")
    assert r.code == 0, r.err
    assert "valid: lien 1 on 1M8GDM9AXKP042788: its amount is at most 70% of the title's value 2000000 USD" in r.out
    assert "the on-chain verifier agrees" in r.out

    for field, value, reason in [
        ("threshold_bps", 6600, "does not verify"),  # 13,200.00 < the amount: a false claim
        ("valuation", "2100000", "the title's value at block"),
        ("lien", other["lien_id"], "does not verify"),
        ("lien", 99, "no lien with id 99"),
        ("lien", True, "must be an integer"),
        ("lien", 2**256, "must be an integer"),
        ("block", 0, "must be an integer in ["),  # before the deployment
        ("chain_id", 1, "on chain 1"),
        ("registry", "0x" + "11" * 20, "this profile's"),
        ("block_hash", "0x" + "00" * 32, "the nodes disagree"),
        ("proof", document["proof"][:-2] + f"{int(document['proof'][-2:], 16) ^ 1:02x}", "does not verify"),
        ("proof", "0x1234", "does not verify"),
    ]:
        changed = tmp_path / f"changed-{field}.json"
        changed.write_text(json.dumps({**document, field: value}))
        r = run("proof", "verify", str(changed))
        assert r.code == 1 and reason in r.err, (field, r.err)
        assert len(r.err.strip().splitlines()) == 1

    r = run("--as", "lender-a", "proof", "ltv", str(private_lien), "--threshold", "66%")
    assert_one_line_error(r, 1, "over what the loan-to-value threshold allows", "13200")


def test_an_exposure_proof_counts_public_and_private_liens(run, private_lien: int, tmp_path: Path, profile_path: Path) -> None:
    assert run("--as", "registrar", "title", "register", OTHER_VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "lender-a", "lien", "grant", OTHER_VIN, "--amount", "5000", "--authorization", authorization(run, "lender-a", OTHER_VIN, "5000")).code == 0  # 18,374.21 in all
    out = tmp_path / "exposure.json"
    r = run("--as", "auditor", "proof", "exposure", "--lender", "lender-a", "--limit", "18374.21", "--out", str(out))
    assert r.code == 0, r.err
    r = run("proof", "verify", str(out), "--on-chain", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["claim"].endswith("2 active lien(s) (1, 2) add up to at most 1837421 USD (minor units)")

    r = run("--as", "auditor", "proof", "exposure", "--lender", "lender-a", "--limit", "18374.20")
    assert_one_line_error(r, 1, "over the limit")
    r = run("--as", "lender-b", "proof", "exposure", "--lender", "lender-a", "--limit", "20000")
    assert_one_line_error(r, 1, "lender-b cannot open lien 1")
    r = run("--as", "auditor", "lien", "open", "2")
    assert_one_line_error(r, 1, "lien 2 is public: its amount is on chain", "`lienchain lien list VIN`")

    assert run("--as", "lender-a", "lien", "release", "2").code == 0  # the file's liens are no longer the active ones
    assert run("proof", "verify", str(out)).code == 0  # still true of its block
    released_at = json.loads(run("title", "history", OTHER_VIN, "--json").out)[-1]
    assert released_at["event"] == "LienReleased"
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        block_hash = "0x" + bytes(p.ledger().w3.eth.get_block(released_at["block"])["hash"]).hex()
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps({**json.loads(out.read_text()), "block": released_at["block"], "block_hash": block_hash}))
    r = run("proof", "verify", str(moved))
    assert_one_line_error(r, 1, "active liens at block", "were [1]")


def test_a_lower_valuation_asks_for_a_new_proof_and_lien_prove_gives_it(run, private_lien: int) -> None:
    assert run("watch", "--alerts").code == 0  # the watch's position: after what happened so far
    assert run("--as", "oracle-b", "valuation", "set", VIN, "--value", "19500").code == 0  # a value needs two
    assert run("--as", "oracle", "valuation", "set", VIN, "--value", "19500").code == 0  # allows 13,650.00
    alerts = [json.loads(line) for line in run("watch", "--alerts", "--json").out.splitlines()]
    # Due from the first lower valuation: the median of 19,500 and 20,000 allows 13,825.00.
    assert [(e["event"], e["args"]["limit"]) for e in alerts] == [("LienProofDue", 1382500)]
    assert "a new proof is due by" in run("title", "show", VIN).out

    r = run("--as", "lender-b", "lien", "prove", str(private_lien))
    assert_one_line_error(r, 1, "lender-b cannot open lien 1")
    r = run("--as", "auditor", "lien", "prove", str(private_lien))
    assert r.code == 0, r.err
    assert "proved within 13,650.00 USD" in r.out
    assert "due" not in run("title", "show", VIN).out
    alerts = [json.loads(line) for line in run("watch", "--alerts", "--json").out.splitlines()]
    assert [(e["event"], e["args"]["provenLimit"]) for e in alerts] == [("LienProved", 1365000)]


def test_an_exposure_proof_is_checked_against_the_chain_not_the_local_index(
    run, private_lien: int, tmp_path: Path, profile_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--as", "registrar", "title", "register", OTHER_VIN, "--owner", Account.create().address).code == 0
    assert run("--as", "lender-a", "lien", "grant", OTHER_VIN, "--amount", "5000", "--authorization", authorization(run, "lender-a", OTHER_VIN, "5000")).code == 0  # 18,374.21 in all
    # The index is a hint: a row deleted from it must neither hide a lien from a proof nor from its check.
    assert run("title", "history", OTHER_VIN).code == 0  # the index is up to date
    index = sqlite3.connect(profile_path / "index.sqlite")
    index.execute("DELETE FROM events WHERE name = 'LienGranted' AND json_extract(args, '$.lienId') = 2")
    index.commit()
    index.close()
    out = tmp_path / "exposure.json"
    r = run("--as", "auditor", "proof", "exposure", "--lender", "lender-a", "--limit", "14000", "--out", str(out))
    assert_one_line_error(r, 1, "over the limit")  # lien 2 counts: 18,374.21 is over 14,000
    assert not out.exists()

    r = run("--as", "auditor", "proof", "exposure", "--lender", "lender-a", "--limit", "18374.21", "--out", str(out))
    assert r.code == 0, r.err
    assert json.loads(out.read_text())["liens"] == [1, 2]
    r = run("proof", "verify", str(out), "--on-chain", "--json")
    assert r.code == 0, r.err

    # A client that leaves lien 2 out makes a proof that the chain, not the index, contradicts.
    held_at = Ledger.liens_held_at
    monkeypatch.setattr(Ledger, "liens_held_at",
                        lambda self, lender, *, block: [x for x in held_at(self, lender, block=block) if x.lien_id != 2])
    forged = tmp_path / "forged.json"
    assert run("--as", "auditor", "proof", "exposure", "--lender", "lender-a", "--limit", "14000", "--out", str(forged)).code == 0
    monkeypatch.undo()
    r = run("proof", "verify", str(forged), "--on-chain")
    assert_one_line_error(r, 1, "the proof covers liens [1]", "were [1, 2]")

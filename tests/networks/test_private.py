"""A private lien on the 3-member network, through the CLI: its amount is in no transaction, no
log and no storage slot of any member's chain; the auditor opens it, the other lender cannot; a
loan-to-value proof made by the lender verifies through another member's node, on chain too."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from lienchain.networks import Network
from lienchain.networks.rpc import call

from .authorizations import lien_authorization
from ..search import occurs
from .conftest import Run

VIN = "3VWFE21C04M000001"
AMOUNT = 1_337_421  # 13,374.21 USD in minor units


def test_a_private_lien_on_the_network(on_story: Run, consortium: Network, tmp_path: Path) -> None:
    assert on_story("--as", "dmv", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert on_story("--as", "dmv", "valuation", "set", VIN, "--value", "20000").code == 0
    amount = f"{AMOUNT / 100:.2f}"
    auth = lien_authorization(lambda *a: on_story("--as", "dmv", *a), "bank-a", VIN, amount, "--private")
    r = on_story("--as", "bank-a", "lien", "grant", VIN, "--amount", amount, "--private", "--json", "--authorization", auth)
    assert r.code == 0, r.err
    lien_id = int(r.json()["lien_id"])  # type: ignore[index]

    r = on_story("--as", "dmv", "lien", "open", str(lien_id))  # the auditor, through its own Kubo node
    assert r.code == 0 and "13,374.21 USD" in r.out, r.err
    r = on_story("--as", "bank-b", "lien", "open", str(lien_id))
    assert r.code == 1 and "bank-b cannot open lien" in r.err and "Traceback" not in r.err

    # Everything bank-b's node holds: every transaction's input, every log, the grant's storage.
    url = consortium.member("bank-b").rpc_url
    (head,) = call(url, [("eth_blockNumber", [])])
    blocks = []
    for start in range(0, int(head, 16) + 1, 200):
        blocks += call(url, [("eth_getBlockByNumber", [hex(n), True]) for n in range(start, min(start + 200, int(head, 16) + 1))],
                       timeout=60)
    inputs = [bytes.fromhex(tx["input"][2:]) for b in blocks for tx in b["transactions"]]
    (logs,) = call(url, [("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest"}])], timeout=60)
    log_bytes = [bytes.fromhex("".join(t[2:] for t in log["topics"]) + log["data"][2:]) for log in logs]
    history = on_story("title", "history", VIN, "--json").json()
    grant_tx = next(e["tx_hash"] for e in history if e["event"] == "LienGranted")  # type: ignore[union-attr,index]
    (tx,) = call(url, [("eth_getTransactionByHash", [grant_tx])])
    (accessed,) = call(url, [("eth_createAccessList", [
        {"from": tx["from"], "to": tx["to"], "data": tx["input"], "gas": tx["gas"]}, hex(int(tx["blockNumber"], 16) - 1)
    ])], timeout=60)
    slots = [(entry["address"], key) for entry in accessed["accessList"] for key in entry["storageKeys"]]
    values = call(url, [("eth_getStorageAt", [a, k, "latest"]) for a, k in slots])
    # The search saw the chain: the grant's own input, its logs, the slots it wrote.
    assert bytes.fromhex(tx["input"][2:]) in inputs and len(log_bytes) > 10 and len(slots) > 5
    assert not occurs(AMOUNT, inputs) and not occurs(AMOUNT, log_bytes)
    assert not occurs(AMOUNT, [bytes.fromhex(v[2:]) for v in values]) and AMOUNT not in [int(v, 16) for v in values]

    proof = tmp_path / "ltv.json"
    r = on_story("--as", "bank-a", "proof", "ltv", str(lien_id), "--out", str(proof))
    assert r.code == 0, r.err
    assert json.loads(proof.read_text())["threshold_bps"] == 7000
    r = on_story("--as", "bank-b", "proof", "verify", str(proof), "--on-chain")  # through bank-b's node
    assert r.code == 0, r.err
    assert f"valid: lien {lien_id} on {VIN}: its amount is at most 70%" in r.out

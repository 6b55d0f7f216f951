"""The embedded chain: persistence across processes, batches, crashes, locking and open cost."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractCustomError, TransactionNotFound

from lienchain.errors import ChainBusy, ChainExists, ChainNotFound, WrongChainId
from lienchain.ledger.chain.embedded import EmbeddedChain

from .evm_snippets import REVERTER_CONTRACT, STORE_CONTRACT

CHAIN_ID = 4242
ALICE: LocalAccount = Account.from_key(b"\x01" * 32)
BOB = Web3.to_checksum_address("0x" + "b0" * 20)
FUNDS = 10**21


def signed(nonce: int, *, to: str | None = BOB, value: int = 0, data: bytes = b"", gas: int = 21_000,
           chain_id: int = CHAIN_ID) -> bytes:
    """A dynamic-fee transaction from ALICE, with every field explicit (no estimation)."""
    tx: dict[str, Any] = {"type": 2, "chainId": chain_id, "nonce": nonce, "value": value, "data": data, "gas": gas,
                          "maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 10**9}
    if to is not None:
        tx["to"] = to
    return bytes(ALICE.sign_transaction(tx).raw_transaction)


def send(chain: EmbeddedChain, raw: bytes) -> dict[str, Any]:
    return dict(chain.w3.eth.wait_for_transaction_receipt(chain.w3.eth.send_raw_transaction(raw), timeout=5))


def run_python(code: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs code in a fresh interpreter: a second process, as a second CLI invocation would be."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, check=check)


@pytest.fixture
def chain_path(tmp_path: Path) -> Path:
    path = tmp_path / "chain"
    EmbeddedChain.create(path, chain_id=CHAIN_ID, alloc={ALICE.address: FUNDS}).close()
    return path


@pytest.fixture
def chain(chain_path: Path) -> Iterator[EmbeddedChain]:
    with EmbeddedChain.open(chain_path) as c:
        yield c


def test_transfer_and_contract_persist_into_a_second_process(chain_path: Path) -> None:
    with EmbeddedChain.open(chain_path) as chain:
        assert send(chain, signed(0, value=12345))["status"] == 1
        address = send(chain, signed(1, to=None, data=STORE_CONTRACT, gas=200_000))["contractAddress"]
        assert send(chain, signed(2, to=address, data=(42).to_bytes(32, "big"), gas=100_000))["status"] == 1
        head = chain.head()

    out = run_python(f"""
        import json
        from pathlib import Path
        from lienchain.ledger.chain.embedded import EmbeddedChain
        with EmbeddedChain.open(Path({str(chain_path)!r})) as chain:
            w3 = chain.w3
            print(json.dumps({{
                "head": chain.head(), "bob": w3.eth.get_balance({BOB!r}),
                "slot0": int.from_bytes(w3.eth.get_storage_at({address!r}, 0), "big"),
                "call": int.from_bytes(w3.eth.call({{"to": {address!r}}}), "big"),
                "logs": [int.from_bytes(log["topics"][0], "big") for log in w3.eth.get_logs(
                    {{"fromBlock": 0, "toBlock": "latest", "address": {address!r}}})],
            }}))
            # ... and this second process writes a block that the first will see.
            raw = bytes.fromhex({signed(3, value=1).hex()!r})
            w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw), timeout=5)
    """)
    seen = json.loads(out.stdout)
    assert seen == {"head": head, "bob": 12345, "slot0": 42, "call": 42, "logs": [42]}
    with EmbeddedChain.open(chain_path) as chain:
        assert chain.head() == head + 1
        assert chain.w3.eth.get_balance(BOB) == 12346


def test_chain_id_is_reported_and_transactions_for_other_chains_are_refused(chain: EmbeddedChain) -> None:
    assert chain.w3.eth.chain_id == CHAIN_ID == chain.chain_id
    unprotected = ALICE.sign_transaction(
        {"nonce": 0, "gasPrice": 2 * 10**9, "gas": 21_000, "to": BOB, "value": 1}).raw_transaction

    with pytest.raises(WrongChainId) as refused:
        chain.w3.eth.send_raw_transaction(signed(0, value=1, chain_id=CHAIN_ID + 1))
    with pytest.raises(WrongChainId):
        chain.w3.eth.send_raw_transaction(unprotected)

    assert refused.value.actual == CHAIN_ID + 1
    assert chain.head() == 0
    assert chain.w3.eth.get_balance(BOB) == 0
    assert chain.w3.eth.get_transaction_count(ALICE.address, "pending") == 0


def test_batch_mines_its_transactions_into_one_block(chain: EmbeddedChain) -> None:
    with chain.batch():
        hashes = [chain.w3.eth.send_raw_transaction(signed(n, value=1)) for n in range(10)]
        assert chain.head() == 0  # nothing mined while the batch is open
        assert chain.w3.eth.get_transaction_count(ALICE.address, "pending") == 10

    receipts = [chain.w3.eth.wait_for_transaction_receipt(h, timeout=5) for h in hashes]
    assert {r["blockNumber"] for r in receipts} == {1}
    assert chain.head() == 1
    assert len(chain.w3.eth.get_block(1)["transactions"]) == 10
    assert chain.w3.eth.get_balance(BOB) == 10


def test_exception_inside_batch_discards_its_transactions(chain_path: Path) -> None:
    with EmbeddedChain.open(chain_path) as chain:
        send(chain, signed(0, value=1))
        with pytest.raises(RuntimeError), chain.batch():
            hashes = [chain.w3.eth.send_raw_transaction(signed(n, value=1)) for n in range(1, 4)]
            raise RuntimeError("caller gave up")

        assert chain.head() == 1
        assert chain.w3.eth.get_balance(BOB) == 1
        assert chain.w3.eth.get_transaction_count(ALICE.address, "pending") == 1
        for h in hashes:
            with pytest.raises(TransactionNotFound):
                chain.w3.eth.get_transaction(h)
        assert send(chain, signed(1, value=1))["blockNumber"] == 2  # the chain goes on from its head

    with EmbeddedChain.open(chain_path) as chain:
        assert (chain.head(), chain.w3.eth.get_balance(BOB)) == (2, 2)


@pytest.mark.parametrize("moment", ["while sending", "while committing the block"])
def test_process_killed_mid_batch_leaves_the_previous_head(chain_path: Path, moment: str) -> None:
    with EmbeddedChain.open(chain_path) as chain:
        send(chain, signed(0, value=1))
        raws = [signed(n, value=1) for n in range(1, 6)]

    died = run_python(f"""
        import os
        from pathlib import Path
        from lienchain.ledger.chain import kvstore
        from lienchain.ledger.chain.embedded import EmbeddedChain

        def die():
            print("uncommitted writes:", chain._store.in_transaction, flush=True)
            os._exit(9)  # no cleanup, no rollback: as if killed

        if {moment!r} == "while committing the block":
            kvstore.SQLiteKV.commit = lambda self: die()  # the whole block is written, not committed
        chain = EmbeddedChain.open(Path({str(chain_path)!r}))
        with chain.batch():
            for raw in {[r.hex() for r in raws]!r}:
                chain.w3.eth.send_raw_transaction(bytes.fromhex(raw))
            if {moment!r} == "while sending":
                die()
    """, check=False)
    assert died.returncode == 9, died.stderr
    if moment == "while committing the block":  # while sending, the batch lives in memory only
        assert "uncommitted writes: True" in died.stdout

    with EmbeddedChain.open(chain_path, lock_timeout=5) as chain:
        assert chain.head() == 1
        assert chain.w3.eth.get_balance(BOB) == 1
        for raw in raws:
            with pytest.raises(TransactionNotFound):
                chain.w3.eth.get_transaction(chain.w3.keccak(raw))
        assert send(chain, signed(1, value=1))["blockNumber"] == 2


def _hold_lock(chain_path: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from lienchain.ledger.chain.embedded import EmbeddedChain
        with EmbeddedChain.open(Path({str(chain_path)!r})):
            print("holding", flush=True)
            time.sleep({seconds})
            Path({str(chain_path)!r}, "released").touch()  # last act before the lock goes
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_second_opener_waits_then_fails_with_chain_busy(chain_path: Path) -> None:
    holder = _hold_lock(chain_path, 60)
    try:
        started = time.monotonic()
        with pytest.raises(ChainBusy) as busy:
            EmbeddedChain.open(chain_path, lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5
        assert str(chain_path) in str(busy.value)
    finally:
        holder.kill()
        holder.wait()


def test_second_opener_proceeds_once_the_first_closes(chain_path: Path) -> None:
    holder = _hold_lock(chain_path, 1)
    try:
        with EmbeddedChain.open(chain_path, lock_timeout=60) as chain:
            assert (chain_path / "released").exists()  # we got in only after the holder let go
            assert chain.head() == 0
    finally:
        holder.wait()


def test_open_and_create_refuse_with_typed_errors(tmp_path: Path, chain_path: Path) -> None:
    with pytest.raises(ChainNotFound) as missing:
        EmbeddedChain.open(tmp_path / "nowhere")
    assert str(missing.value) == f"no embedded chain in {tmp_path / 'nowhere'}"
    with pytest.raises(ChainExists):
        EmbeddedChain.create(chain_path, chain_id=CHAIN_ID, alloc={})


def _chain_of(path: Path, blocks: int) -> list[HexBytes]:
    with EmbeddedChain.create(path, chain_id=CHAIN_ID, alloc={ALICE.address: FUNDS}) as chain:
        hashes = [chain.w3.eth.send_raw_transaction(signed(n, value=1)) for n in range(blocks)]
        assert chain.head() == blocks
    return hashes


def test_opening_reads_the_same_few_keys_whatever_the_chain_length(tmp_path: Path) -> None:
    _chain_of(tmp_path / "short", 1)
    long_hashes = _chain_of(tmp_path / "long", 220)

    reads = {}
    for name in ("short", "long"):
        with EmbeddedChain.open(tmp_path / name) as chain:
            reads[name] = chain.db_reads
    assert reads["short"] == reads["long"] <= 10  # the head, not a replay of 220 blocks

    with EmbeddedChain.open(tmp_path / "long") as chain:
        before = chain.db_reads
        receipt = chain.w3.eth.get_transaction_receipt(long_hashes[0])
        assert receipt["blockNumber"] == 1
        assert chain.db_reads - before <= 20  # found through the transaction index, not a scan


def test_custom_error_revert_reaches_web3_with_its_data(chain: EmbeddedChain) -> None:
    address = send(chain, signed(0, to=None, data=REVERTER_CONTRACT, gas=200_000))["contractAddress"]

    with pytest.raises(ContractCustomError) as reverted:
        chain.w3.eth.call({"to": address, "from": ALICE.address})

    assert reverted.value.data == "0xdeadbeef" + (7).to_bytes(32, "big").hex()


def test_an_unfunded_account_can_call_and_estimate(chain: EmbeddedChain) -> None:
    address = send(chain, signed(0, to=None, data=STORE_CONTRACT, gas=200_000))["contractAddress"]
    send(chain, signed(1, to=address, data=(9).to_bytes(32, "big"), gas=100_000))
    nobody = Account.create().address  # as on geth, a call that names no fee costs nothing

    assert int.from_bytes(chain.w3.eth.call({"to": address, "from": nobody}), "big") == 9
    assert chain.w3.eth.estimate_gas({"to": address, "from": nobody, "data": (1).to_bytes(32, "big")}) > 21_000


def test_block_timestamp_is_when_its_first_transaction_came(chain: EmbeddedChain) -> None:
    time.sleep(1.5)  # the pending block was built at open; it must not keep that time
    sent_at = int(time.time())
    block = send(chain, signed(0, value=1))["blockNumber"]
    assert chain.w3.eth.get_block(block)["timestamp"] >= sent_at


def test_get_logs_respects_block_ranges(chain: EmbeddedChain) -> None:
    address = send(chain, signed(0, to=None, data=STORE_CONTRACT, gas=200_000))["contractAddress"]
    blocks = [send(chain, signed(n, to=address, data=n.to_bytes(32, "big"), gas=100_000))["blockNumber"]
              for n in range(1, 6)]

    logs = chain.w3.eth.get_logs({"fromBlock": blocks[1], "toBlock": blocks[3], "address": address})

    assert [int.from_bytes(log["topics"][0], "big") for log in logs] == [2, 3, 4]
    assert [log["blockNumber"] for log in logs] == blocks[1:4]

"""The Chain interface, passed alike by the embedded chain and a real geth node (as eth-tester's
`BaseTestBackendDirect` is by each of its backends): identity and time, accounts, calls, sending a
signed batch all or nothing, receipts and logs.

On geth these tests share one node for the session, so they measure every effect against the
state before it (nonces, balances) rather than against a fresh chain.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from lienchain.errors import InsufficientFunds, LedgerError
from lienchain.ledger.chain.base import Chain, Reverted, StaleNonce, Transaction, gas_limit
from lienchain.ledger.chain.embedded import EmbeddedChain
from lienchain.ledger.chain.rpc import RpcChain

from .conftest import BACKENDS, SENDER, SENDER_FUNDS
from .evm_snippets import REVERTER_CONTRACT, REVERTER_DATA, STORE_CONTRACT
from .geth_node import GethNode

EMBEDDED_CHAIN_ID = 4242


@pytest.fixture(params=BACKENDS)
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chain]:
    if request.param == "embedded":
        c: Chain = EmbeddedChain.create(tmp_path / "chain", chain_id=EMBEDDED_CHAIN_ID, alloc={SENDER.address: SENDER_FUNDS})
    else:
        node: GethNode = request.getfixturevalue("geth_node")
        c = RpcChain.connect(node.url, chain_id=node.chain_id)
    try:
        yield c
    finally:
        c.close()


def signer(chain: Chain, account: LocalAccount = SENDER, *, first: int | None = None, chain_id: int | None = None) -> Any:
    """A `Sign` for `account`: consecutive nonces from `first` [default: the chain's next]."""
    nonce = chain.nonce(account.address) if first is None else first
    base_fee = chain.block("latest").base_fee

    def sign(start: int, transactions: Sequence[Transaction]) -> list[bytes]:
        return [
            bytes(account.sign_transaction({
                "type": 2, "chainId": chain_id or chain.chain_id, "nonce": nonce + start + i, "to": t.to,
                "value": t.value, "data": t.data, "gas": t.gas, "maxFeePerGas": 2 * base_fee + 10**9,
                "maxPriorityFeePerGas": 10**9,
            }).raw_transaction)
            for i, t in enumerate(transactions)
        ]

    return sign


def create(chain: Chain, code: bytes) -> str:
    """Deploys a contract from SENDER (through web3: creation is not one of the ledger's writes)."""
    tx = {"type": 2, "chainId": chain.chain_id, "nonce": chain.nonce(SENDER.address), "data": code, "value": 0,
          "gas": 200_000, "maxFeePerGas": 2 * chain.block("latest").base_fee + 10**9, "maxPriorityFeePerGas": 10**9}
    tx_hash = chain.w3.eth.send_raw_transaction(SENDER.sign_transaction(tx).raw_transaction)
    return str(chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["contractAddress"])


def pay(to: str, value: int) -> Transaction:
    return Transaction(SENDER.address, to, "0x", 21_000, value)


def word(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


# --- identity and time ---------------------------------------------------------------------------


def test_head_block_and_time_describe_the_latest_block(chain: Chain) -> None:
    sent_at = int(time.time())
    (tx_hash,) = chain.send([pay(Account.create().address, 1)], signer(chain))
    (receipt,) = chain.receipts([tx_hash], timeout=30)
    mined = chain.block(receipt["blockNumber"])
    assert "0x" + tx_hash.hex() in mined.transactions and mined.number == receipt["blockNumber"]
    assert mined.hash == "0x" + bytes(receipt["blockHash"]).hex()
    assert sent_at - 1 <= mined.timestamp <= int(time.time()) + 1  # the wall clock, as Clique seals
    assert chain.head() >= mined.number and chain.time() == chain.block("latest").timestamp >= mined.timestamp
    assert mined.gas_used >= 21_000 and mined.base_fee > 0


def test_a_transaction_signed_for_another_chain_id_is_refused(chain: Chain) -> None:
    nonce, to = chain.nonce(SENDER.address), Account.create().address
    with pytest.raises(LedgerError):
        chain.send([pay(to, 1)], signer(chain, chain_id=chain.chain_id + 1))
    assert (chain.nonce(SENDER.address), chain.balance(to)) == (nonce, 0)


# --- sending -------------------------------------------------------------------------------------


def test_send_mines_a_signed_batch_in_order(chain: Chain) -> None:
    to, nonce = Account.create().address, chain.nonce(SENDER.address)
    hashes = chain.send([pay(to, v) for v in (1, 2, 3)], signer(chain))
    receipts = chain.receipts(hashes, timeout=30)
    assert [bytes(r["transactionHash"]) for r in receipts] == hashes
    assert [r["status"] for r in receipts] == [1, 1, 1]
    assert [r["blockNumber"] for r in receipts] == sorted(r["blockNumber"] for r in receipts)
    assert (chain.balance(to), chain.nonce(SENDER.address)) == (6, nonce + 3)
    assert chain.confirm(hashes, timeout=30) == {}


def test_a_batch_with_one_refused_write_sends_none(chain: Chain) -> None:
    reverter, to = create(chain, REVERTER_CONTRACT), Account.create().address
    nonce = chain.nonce(SENDER.address)
    with pytest.raises(Reverted) as refused:
        chain.send([pay(to, 5), Transaction(SENDER.address, reverter, "0x", 100_000)], signer(chain))
    assert refused.value.data == REVERTER_DATA
    assert (chain.balance(to), chain.nonce(SENDER.address)) == (0, nonce)


def test_what_on_accepted_raises_stops_the_send(chain: Chain) -> None:
    to, nonce = Account.create().address, chain.nonce(SENDER.address)

    def refuse() -> None:
        raise RuntimeError("the document could not be stored")

    with pytest.raises(RuntimeError, match="could not be stored"):
        chain.send([pay(to, 1), pay(to, 2)], signer(chain), on_accepted=refuse)
    assert (chain.balance(to), chain.nonce(SENDER.address)) == (0, nonce)
    chain.send([pay(to, 1)], signer(chain))  # and the sender's nonce is still the next one
    assert chain.nonce(SENDER.address) == nonce + 1


def test_a_used_nonce_is_refused_as_stale(chain: Chain) -> None:
    chain.receipts(chain.send([pay(Account.create().address, 1)], signer(chain)), timeout=30)
    nonce, to = chain.nonce(SENDER.address), Account.create().address
    with pytest.raises(StaleNonce):
        chain.send([pay(to, 1)], signer(chain, first=nonce - 1))
    assert (chain.balance(to), chain.nonce(SENDER.address)) == (0, nonce)


def test_an_account_without_funds_cannot_send(chain: Chain) -> None:
    poor, to = Account.create(), Account.create().address
    with pytest.raises(InsufficientFunds):
        chain.send([Transaction(poor.address, to, "0x", 21_000, 1)], signer(chain, poor))
    assert (chain.balance(to), chain.nonce(poor.address)) == (0, 0)


# --- calls and logs ------------------------------------------------------------------------------


def test_call_returns_output_on_the_state_of_the_block_asked_for(chain: Chain) -> None:
    store = create(chain, STORE_CONTRACT)
    (first,) = chain.receipts(chain.send([Transaction(SENDER.address, store, word(1), 100_000)], signer(chain)), timeout=30)
    chain.receipts(chain.send([Transaction(SENDER.address, store, word(2), 100_000)], signer(chain)), timeout=30)
    nobody = Account.create().address  # a call names no fee: an account without funds may read
    assert int.from_bytes(chain.call(Transaction(nobody, store)), "big") == 2
    assert int.from_bytes(chain.call(Transaction(nobody, store), first["blockNumber"]), "big") == 1


def test_a_write_without_gas_limit_goes_with_its_estimate_and_the_margin(chain: Chain) -> None:
    store = create(chain, STORE_CONTRACT)
    write = Transaction(SENDER.address, store, word(7))
    estimate = chain.estimate_gas(write)
    (receipt,) = chain.receipts(chain.send([write], signer(chain)), timeout=30)
    limit = int(chain.w3.eth.get_transaction(receipt["transactionHash"])["gas"])
    assert receipt["status"] == 1 and receipt["gasUsed"] <= estimate < limit
    assert limit == gas_limit(estimate, chain.block(receipt["blockNumber"]).gas_limit)
    assert int.from_bytes(chain.call(Transaction(SENDER.address, store)), "big") == 7


def test_an_estimate_of_a_refused_write_carries_the_contracts_error_data(chain: Chain) -> None:
    reverter, nonce = create(chain, REVERTER_CONTRACT), chain.nonce(SENDER.address)
    with pytest.raises(Reverted) as refused:
        chain.estimate_gas(Transaction(SENDER.address, reverter))
    assert refused.value.data == REVERTER_DATA
    with pytest.raises(Reverted) as refused:  # estimated when sent: the estimate is the dry run
        chain.send([Transaction(SENDER.address, reverter)], signer(chain))
    assert refused.value.data == REVERTER_DATA and chain.nonce(SENDER.address) == nonce


def test_a_reverted_call_carries_the_contracts_error_data(chain: Chain) -> None:
    reverter = create(chain, REVERTER_CONTRACT)
    with pytest.raises(Reverted) as refused:
        chain.call(Transaction(SENDER.address, reverter))
    assert refused.value.data == REVERTER_DATA


def test_logs_of_a_contract_by_block_range_and_topic(chain: Chain) -> None:
    store = create(chain, STORE_CONTRACT)
    blocks = []
    for n in range(1, 5):  # a block each: the ranges below cut between them
        (receipt,) = chain.receipts(chain.send([Transaction(SENDER.address, store, word(n), 100_000)], signer(chain)),
                                    timeout=30)
        blocks.append(receipt["blockNumber"])
    logs = chain.logs(address=store, from_block=blocks[1], to_block=blocks[2])
    assert [int.from_bytes(log["topics"][0], "big") for log in logs] == [2, 3]
    assert [log["blockNumber"] for log in logs] == blocks[1:3]
    picked = chain.logs(address=store, from_block=blocks[0], topics=[[word(1), word(4)]])
    assert [int.from_bytes(log["topics"][0], "big") for log in picked] == [1, 4]
    assert chain.logs(address=Account.create().address, from_block=blocks[0]) == []


def test_receipts_carry_the_logs_of_their_transactions(chain: Chain) -> None:
    store = create(chain, STORE_CONTRACT)
    hashes = chain.send([Transaction(SENDER.address, store, word(n), 100_000) for n in (7, 8)], signer(chain))
    receipts = chain.receipts(hashes, timeout=30)
    assert [[HexBytes(t) for t in r["logs"][0]["topics"]] for r in receipts] == [[HexBytes(word(7))], [HexBytes(word(8))]]
    assert int.from_bytes(chain.call(Transaction(SENDER.address, store)), "big") == 8

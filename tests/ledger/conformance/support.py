"""Checks the conformance tests share: what a refusal must leave unchanged, the gas a write used
and the limit it was sent with."""

from __future__ import annotations

from lienchain.ledger import Ledger
from lienchain.ledger.chain.base import Transaction, gas_limit


def sent(ledgers: dict[str, Ledger]) -> dict[str, int]:
    """Returns how many transactions each signing account has sent (its next nonce, pending ones
    counted): a refused operation sends nothing, so it leaves every count unchanged. (The head
    block does not tell, on a chain that seals whether or not anyone sends.)"""
    return {name: ledger.chain.nonce(ledger.address) for name, ledger in ledgers.items() if name != "reader"}


def gas_of_last_write(ledger: Ledger) -> int:
    """Returns the gas used by the latest block, which holds the last write when each write waits
    for its receipt and the chain seals only blocks with transactions (the embedded chain, and the
    suite's geth node, which seals on demand)."""
    return ledger.chain.block("latest").gas_used


def limit_of_last_write(ledger: Ledger) -> tuple[int, int]:
    """Checks that the last write (the latest block's last transaction) was sent on its estimate:
    with a gas limit above the gas it used, and exactly the margin over what the chain estimates
    for it on the state it ran on (the block before). Returns (its gas limit, the gas it used)."""
    block = ledger.chain.block("latest")
    tx = ledger.w3.eth.get_transaction(block.transactions[-1])
    used = int(ledger.w3.eth.get_transaction_receipt(block.transactions[-1])["gasUsed"])
    write = Transaction(str(tx["from"]), str(tx["to"]), "0x" + bytes(tx["input"]).hex(), value=int(tx["value"]))
    estimate = ledger.chain.estimate_gas(write, block.number - 1)
    limit = int(tx["gas"])
    assert used <= estimate < limit == gas_limit(estimate, block.gas_limit), (used, estimate, limit)
    return limit, used

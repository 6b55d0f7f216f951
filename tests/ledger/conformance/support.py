"""Checks the conformance tests share: what a refusal must leave unchanged, the gas a write used."""

from __future__ import annotations

from lienchain.ledger import Ledger


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

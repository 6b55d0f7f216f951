"""Throughput and open cost of the embedded chain. Prints figures; asserts nothing.

    python bench/embedded_chain.py [--long 2000] [--batches 10]

Figures: blocks per second for single signed value transfers (auto-mine, one block each, receipt
awaited), transactions per second in batches of 100 (one block per batch), the time and key
lookups to open chains of 1, 200 and --long blocks (opening must not grow with the chain), and,
for scale, a receipt lookup and an unfiltered get_logs over the long chain.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from lienchain.ledger.chain.embedded import DB_FILE, EmbeddedChain

CHAIN_ID = 4242
SENDER: LocalAccount = Account.from_key(b"\x07" * 32)
RECIPIENT = "0x000000000000000000000000000000000000bEEF"


def transfer(nonce: int) -> bytes:
    """A signed dynamic-fee value transfer with every field explicit (no estimation call)."""
    tx: dict[str, Any] = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": RECIPIENT, "value": 1, "gas": 21_000,
          "maxFeePerGas": 2 * 10**9, "maxPriorityFeePerGas": 10**9}
    return bytes(SENDER.sign_transaction(tx).raw_transaction)


def rate(label: str, count: int, seconds: float, unit: str) -> None:
    print(f"{label:<52} {count / seconds:8.1f} {unit}/s  ({count} in {seconds:.2f} s)")


def build(path: Path, blocks: int) -> float:
    """Creates a chain of `blocks` single-transfer blocks; returns the seconds spent sending."""
    raws = [transfer(n) for n in range(blocks)]  # signing is not the chain's cost
    with EmbeddedChain.create(path, chain_id=CHAIN_ID, alloc={SENDER.address: 10**24}) as chain:
        started = time.perf_counter()
        for raw in raws:
            chain.w3.eth.wait_for_transaction_receipt(chain.w3.eth.send_raw_transaction(raw))
        return time.perf_counter() - started


def open_cost(path: Path, repeat: int = 5) -> tuple[float, int]:
    """Median seconds to open the chain and read its head, and the key lookups that took."""
    times, reads = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        with EmbeddedChain.open(path) as chain:
            chain.w3.eth.block_number
            times.append(time.perf_counter() - started)
            reads = chain.db_reads
    return statistics.median(times), reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", type=int, default=2000, help="blocks in the long chain")
    parser.add_argument("--batches", type=int, default=10, help="batches of 100 transactions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        root = Path(tmp)
        seconds = build(root / "long", args.long)
        rate("single transfers, auto-mine (block each, receipt)", args.long, seconds, "blocks")

        raws = [transfer(n) for n in range(args.batches * 100)]
        with EmbeddedChain.create(root / "batched", chain_id=CHAIN_ID, alloc={SENDER.address: 10**24}) as chain:
            started = time.perf_counter()
            for b in range(args.batches):
                with chain.batch():
                    hashes = [chain.w3.eth.send_raw_transaction(raw) for raw in raws[b * 100:(b + 1) * 100]]
                for h in hashes:
                    chain.w3.eth.wait_for_transaction_receipt(h)
            rate("transfers in batches of 100 (receipts awaited)", len(raws), time.perf_counter() - started, "tx")

        build(root / "one", 1)
        build(root / "two-hundred", 200)
        for name, blocks in (("one", 1), ("two-hundred", 200), ("long", args.long)):
            seconds, reads = open_cost(root / name)
            size = (root / name / DB_FILE).stat().st_size / 2**20
            print(f"open a chain of {blocks:>5} blocks: {seconds * 1000:7.2f} ms, {reads} key lookups, file {size:.1f} MiB")

        with EmbeddedChain.open(root / "long") as chain:
            first = chain.w3.eth.get_block(1)["transactions"][0]
            started = time.perf_counter()
            chain.w3.eth.get_transaction_receipt(first)
            print(f"receipt of block 1's transaction in the long chain:  {(time.perf_counter() - started) * 1000:.2f} ms")
            started = time.perf_counter()
            logs = chain.w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest"})
            print(f"get_logs over all {args.long} blocks ({len(logs)} logs): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

"""Throughput and latency of lien grants on a real 3-member network. Prints figures; asserts nothing.

    python bench/network.py [--ops 2000] [--batch 500] [--samples 200] [--period 1]

Builds a throwaway 3-member network (geth Clique sealers and Kubo, on loopback) under a temporary
directory, deploys, registers --ops titles, then prints:

- lien grants per second sustained over --ops grants, sent by one lender in pipelined batches of
  --batch (each transaction signed locally, checked with eth_call, sent, then all receipts awaited),
  with the time split into signing, dry runs, sending and waiting for blocks;
- the time from submitting a grant until it is visible on every member's node (its receipt is
  there), p50 and p99 over --samples grants submitted 50 ms apart.

Aims (issue 4, 2-core machine): at least 200 grants per second, 500 the aim; p99 visibility under
2 s with a 1-second block period.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import LienTerms, Profile, normalize_vin
from lienchain.ledger.vin import VIN, check_digit
from lienchain.networks import GETH, IPFS, Network, locate
from lienchain.networks.rpc import call

PASSPHRASE = "bench passphrase"
MATURITY = int(time.time()) + 5 * 365 * 86400


def vin(n: int) -> VIN:
    body = f"1HGCM826X{n:08d}"
    return normalize_vin(body[:8] + check_digit(body) + body[9:])


def line(label: str, value: str) -> None:
    print(f"{label:<52} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000, help="lien grants for the throughput figure")
    parser.add_argument("--batch", type=int, default=500, help="grants per pipelined batch")
    parser.add_argument("--samples", type=int, default=200, help="grants for the visibility latency")
    parser.add_argument("--period", type=int, default=1, help="Clique block period in seconds")
    args = parser.parse_args()
    geth_bin, ipfs_bin = locate(GETH), locate(IPFS)

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        members = {"dmv": ["REGISTRAR"], "bank-a": ["LENDER"], "bank-b": ["LENDER"]}
        started = time.perf_counter()
        net = Network.create(Path(tmp) / "bench", members, passphrase=lambda: PASSPHRASE, geth_bin=geth_bin,
                             ipfs_bin=ipfs_bin, period=args.period, light_kdf=True)
        line("network init (3 members, light KDF)", f"{time.perf_counter() - started:8.2f} s")
        try:
            started = time.perf_counter()
            net.up(passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin)
            line("network up (sealing and peered)", f"{time.perf_counter() - started:8.2f} s")
            with Profile(net.path, passphrase=lambda: PASSPHRASE) as profile:
                started = time.perf_counter()
                profile.deploy(members)
                line("deploy and grant roles by vote", f"{time.perf_counter() - started:8.2f} s")
                measure(profile, net, args)
        finally:
            net.down()


def measure(profile: Profile, net: Network, args: argparse.Namespace) -> None:
    owner = Account.create().address
    registrar, lender = profile.ledger("dmv"), profile.ledger("bank-a")
    total = args.ops + args.samples
    started = time.perf_counter()
    for i in range(0, total, args.batch):
        registrar.register_titles([(vin(n), owner, "") for n in range(i, min(total, i + args.batch))])
    line(f"title registrations, batches of {args.batch}", f"{total / (time.perf_counter() - started):8.1f} /s")

    started = time.perf_counter()
    for i in range(0, args.ops, args.batch):
        lender.grant_liens([LienTerms(vin(n), 10_000 + n, "USD", MATURITY) for n in range(i, min(args.ops, i + args.batch))])
    elapsed = time.perf_counter() - started
    line(f"lien grants sustained, {args.ops} in batches of {args.batch}",
         f"{args.ops / elapsed:8.1f} /s   ({elapsed:.2f} s)")
    for phase, seconds in sorted(lender.timings().items(), key=lambda kv: -kv[1]):
        line(f"  of which {phase}", f"{seconds:8.2f} s  ({100 * seconds / elapsed:4.1f} %)")

    latencies = visibility(lender, net, range(args.ops, args.ops + args.samples))
    q = statistics.quantiles(latencies, n=100)
    line(f"visible on every member's node, {len(latencies)} grants",
         f"p50 {q[49]:.2f} s   p99 {q[98]:.2f} s   max {max(latencies):.2f} s")


def visibility(lender, net: Network, numbers: range) -> list[float]:  # type: ignore[no-untyped-def]
    """Submits one grant every 50 ms and times each until every member's node has its receipt."""
    pending: dict[str, float] = {}
    seen: dict[str, set[str]] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set() or pending:
            with lock:
                hashes = list(pending)
            for m in net.members:
                if not hashes:
                    break
                replies = call(m.rpc_url, [("eth_getTransactionReceipt", [h]) for h in hashes], timeout=10)
                now = time.perf_counter()
                with lock:
                    for h, receipt in zip(hashes, replies):
                        if receipt is not None and h in pending:
                            seen.setdefault(h, set()).add(m.name)
                            if len(seen[h]) == len(net.members):
                                latencies.append(now - pending.pop(h))
            time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    for n in numbers:
        sent_at = time.perf_counter()
        tx_hash = lender.submit_lien(LienTerms(vin(n), 20_000 + n, "USD", MATURITY))
        with lock:
            pending[tx_hash] = sent_at
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - sent_at)))
    done.set()
    poller.join(120)
    return latencies


if __name__ == "__main__":
    main()

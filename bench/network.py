"""Throughput and latency of lien grants on a real 3-member network. Prints figures; asserts nothing.

    python bench/network.py [--ops 4000] [--batch 4000] [--lenders 1] [--samples 200] [--period 1]

Builds a throwaway 3-member sandbox (geth Clique sealers and Kubo, on loopback, each member in its
own directory with its own agent) under a temporary directory (or --keep DIR, to read the nodes'
logs afterwards), deploys, registers the titles, then prints:

- lien grants per second sustained over --ops grants, sent by --lenders lenders (each through its
  own member's node) in calls of `Ledger.grant_liens` of --batch grants: each call encodes, dry-runs
  (eth_call), signs and sends its transactions in JSON-RPC batches, then waits for every receipt;
- where the time goes: CPU seconds of the three geth nodes, the Kubo nodes and this client over the
  run, and the client's time per phase;
- the time from submitting a grant until it is visible on every member's node (its receipt is
  there), p50 and p99 over --samples grants submitted 50 ms apart;
- the chain reorganisations the nodes logged during the run, and the longest time a sealer took to
  build a block;
- the baseline, measured in the same run: the same grants on a single geth node on this machine
  (the ceiling for three nodes that each execute every grant), and the ratio of the two.

Aims (issue 4, 2-core machine): at least 200 grants per second, 500 the aim; p99 visibility under
2 s with a 1-second block period.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import LienTerms, Profile, normalize_vin
from lienchain.ledger.registry.vin import VIN, check_digit
from lienchain.networks import DEFAULT_GAS_LIMIT, GETH, IPFS, Network, locate
from lienchain.networks.rpc import call

PASSPHRASE = "bench passphrase"
MATURITY = int(time.time()) + 5 * 365 * 86400


def vin(n: int) -> VIN:
    body = f"1HGCM826XA{n:07d}"  # A: model year 2010
    return normalize_vin(body[:8] + check_digit(body) + body[9:])


def line(label: str, value: str) -> None:
    print(f"{label:<52} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=4000, help="lien grants for the throughput figure")
    parser.add_argument("--batch", type=int, default=4000, help="grants per call of Ledger.grant_liens")
    parser.add_argument("--lenders", type=int, default=1, choices=(1, 2), help="lenders granting at once, each through its own node")
    parser.add_argument("--samples", type=int, default=200, help="grants for the visibility latency")
    parser.add_argument("--period", type=int, default=1, help="Clique block period in seconds")
    parser.add_argument("--gas-limit", type=int, default=DEFAULT_GAS_LIMIT, help="block gas limit")
    parser.add_argument("--keep", type=Path, help="build the network in this new directory and keep it (logs)")
    args = parser.parse_args()
    geth_bin, ipfs_bin = locate(GETH), locate(IPFS)

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        if args.keep:
            tmp = str(args.keep)
        three = run(Path(tmp) / "bench", {"dmv": ["REGISTRAR"], "bank-a": ["LENDER"], "bank-b": ["LENDER"]},
                    args, geth_bin, ipfs_bin, lenders=("bank-a", "bank-b")[: args.lenders])
        print()
        print("baseline: the same grants on a single geth node")
        one = run(Path(tmp) / "single", {"solo": ["REGISTRAR", "LENDER"]}, args, geth_bin, ipfs_bin, lenders=("solo",),
                  samples=False)
        print()
        line("3-member grants/s as a share of the single node's", f"{three / one:8.2f}   ({three:.1f} / {one:.1f})")


def run(path: Path, members: dict[str, list[str]], args: argparse.Namespace, geth_bin: Path, ipfs_bin: Path, *,
        lenders: tuple[str, ...], samples: bool = True) -> float:
    """Builds, starts and deploys a sandbox, measures it, stops it; returns the grants per second."""
    started = time.perf_counter()
    net = Network.create(path, members, passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin,
                         period=args.period, gas_limit=args.gas_limit, light_kdf=True)
    line(f"network init ({len(members)} member(s), light KDF)", f"{time.perf_counter() - started:8.2f} s")
    try:
        started = time.perf_counter()
        net.up(passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin)
        line("network up (sealing and peered)", f"{time.perf_counter() - started:8.2f} s")
        started = time.perf_counter()
        net.deploy(passphrase=lambda: PASSPHRASE)
        line("deploy (founding roles in the constructor), verified by the others", f"{time.perf_counter() - started:8.2f} s")
        profiles = {m.name: Profile(net.home(m.name).path, passphrase=lambda: PASSPHRASE) for m in net.members}
        try:
            return measure(profiles, net, args, lenders, samples)
        finally:
            for p in profiles.values():
                p.close()
    finally:
        net.down()


def measure(profiles: dict[str, Profile], net: Network, args: argparse.Namespace, lender_names: tuple[str, ...],
            samples: bool) -> float:
    owner = Account.create().address
    registrar_name = next(m.name for m in net.members if "REGISTRAR" in m.roles)
    registrar = profiles[registrar_name].ledger(registrar_name)
    lenders = [profiles[name].ledger(name) for name in lender_names]
    total = args.ops + args.samples
    started = time.perf_counter()
    for i in range(0, total, args.batch):
        registrar.register_titles([(vin(n), owner, "bafkreititle") for n in range(i, min(total, i + args.batch))])
    line(f"title registrations, batches of {args.batch}", f"{total / (time.perf_counter() - started):8.1f} /s")

    def authorized(lender, numbers: range, base: int) -> list[LienTerms]:  # type: ignore[no-untyped-def]
        """The registrar's authorizations, signed before the clock starts: the lenders' work is timed."""
        terms = [LienTerms(vin(n), base + n, "USD", MATURITY, "bafkreiloan") for n in numbers]
        return registrar.authorize_liens(terms, lender=lender.address, deadline=MATURITY)

    def grant(lender, items: list[LienTerms]) -> None:  # type: ignore[no-untyped-def]
        for i in range(0, len(items), args.batch):
            lender.grant_liens(items[i : i + args.batch])

    logs_before = {m.name: net.home(m.name).process("geth").log_file.stat().st_size for m in net.members}
    cpu_before = cpu_seconds(net)
    share = args.ops // len(lenders)
    workers = [threading.Thread(target=grant, args=(lender, authorized(lender, range(k * share, (k + 1) * share), 10_000)))
               for k, lender in enumerate(lenders)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    granted = share * len(lenders)
    line(f"lien grants sustained, {granted} by {len(lenders)} lender(s), batches of {args.batch}",
         f"{granted / elapsed:8.1f} /s   ({elapsed:.2f} s)")
    cpu_after = cpu_seconds(net)
    reorgs, longest = geth_log_figures(net, logs_before)
    line("  chain reorganisations logged by the nodes", f"{reorgs:8d}")
    line("  longest block build (Commit new sealing work)", f"{longest * 1000:8.1f} ms")
    for kind in cpu_before:
        spent = cpu_after[kind] - cpu_before[kind]
        line(f"  CPU time of {kind}", f"{spent:8.2f} s  ({1000 * spent / granted:.2f} ms a grant)")
    phases: dict[str, float] = {}
    for lender in lenders:
        for phase, seconds in lender.timings().items():
            phases[phase] = phases.get(phase, 0.0) + seconds
    for phase, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        line(f"  client time in {phase} (summed over lenders)", f"{seconds:8.2f} s")

    if samples:
        numbers = range(args.ops, args.ops + args.samples)
        latencies = visibility(lenders[0], net, dict(zip(numbers, authorized(lenders[0], numbers, 20_000))))
        q = statistics.quantiles(latencies, n=100)
        line(f"visible on every member's node, {len(latencies)} grants",
             f"p50 {q[49]:.2f} s   p99 {q[98]:.2f} s   max {max(latencies):.2f} s")
    return granted / elapsed


_ELAPSED = re.compile(r"Commit new sealing work.*?elapsed=([0-9.]+)(µs|us|ms|s)\b")


def geth_log_figures(net: Network, since: dict[str, int]) -> tuple[int, float]:
    """Returns the reorganisations the nodes logged and the longest block build (s) since `since`."""
    reorgs, longest = 0, 0.0
    scale = {"µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    for m in net.members:
        with open(net.home(m.name).process("geth").log_file, "rb") as log:
            log.seek(since[m.name])
            text = log.read().decode(errors="replace")
        reorgs += text.count("reorg detected")
        for value, unit in _ELAPSED.findall(text):
            longest = max(longest, float(value) * scale[unit])
    return reorgs, longest


def cpu_seconds(net: Network) -> dict[str, float]:
    """Returns the CPU seconds used so far by the geth nodes, the Kubo nodes, and this client."""
    tick = os.sysconf("SC_CLK_TCK")

    def of(pid: int | None) -> float:
        if pid is None:
            return 0.0
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    homes = [net.home(m.name) for m in net.members]
    return {
        f"the {len(homes)} geth node(s)": sum(of(h.process("geth").pid()) for h in homes),
        f"the {len(homes)} Kubo node(s) and agent(s)": sum(of(h.process("ipfs").pid()) + of(h.process("agent").pid()) for h in homes),
        "this client (Python)": time.process_time(),
    }


def visibility(lender, net: Network, items: dict[int, LienTerms]) -> list[float]:  # type: ignore[no-untyped-def]
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
    for n in items:
        sent_at = time.perf_counter()
        tx_hash = lender.submit_lien(items[n])
        with lock:
            pending[tx_hash] = sent_at
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - sent_at)))
    done.set()
    poller.join(120)
    return latencies


if __name__ == "__main__":
    main()

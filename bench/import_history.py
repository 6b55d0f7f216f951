"""Bulk import rows per second, and `title history` from the event index. Prints figures; asserts nothing.

    python bench/import_history.py [--rows 10000] [--events 1000] [--network]

- `lienchain import` of a --rows CSV (each row registers a title and grants a lien on it) on the
  embedded ledger, and with --network also on a throwaway 3-member network (geth and Kubo);
- the time `Ledger.history` takes for a title with --events events, read from the local event
  index (the aim: under 200 ms), beside a scan of the chain's logs without the index, and the wall
  time of `lienchain title history` (which adds Python's start-up).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import Ledger, Profile, normalize_vin
from lienchain.ledger.chain.transactions import Call
from lienchain.ledger.registry.vin import check_digit
from lienchain.networks import GETH, IPFS, Network, locate

PASSPHRASE = "bench passphrase"


def vin(n: int) -> str:
    body = f"1HGCM826XA{n:07d}"  # A: model year 2010
    return body[:8] + check_digit(body) + body[9:]


def line(label: str, value: str) -> None:
    print(f"{label:<56} {value}")


def write_book(path: Path, rows: int) -> Path:
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["vin", "owner", "amount", "currency", "maturity"])
        for n in range(rows):
            out.writerow([vin(n), Account.create().address, f"{5000 + n % 20000}.00", "USD", "2031-06-30"])
    return path


def timed_import(env: dict[str, str], book: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lienchain.cli", "import", str(book), *args, "--batch", "500"],
                   env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def history_figures(profile_path: Path, env: dict[str, str], events: int) -> None:
    target = normalize_vin(vin(99_999))
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as profile:
        profile.ledger("registrar").register_title(target, Account.create().address, doc_cid="bafkreititle")
        oracle = profile.ledger("oracle")
        now = int(time.time())
        token = oracle.sync_index().events(names=("TitleRegistered",))[-1].args["tokenId"]
        for i in range(0, events - 1, 200):  # a valuation a day, sent 200 to a block
            oracle._signer.send_many([  # noqa: SLF001 - a bench filling the chain fast
                Call(oracle.registry.functions.setValuation(int(token), 2_000_000 + j, b"USD", now - 86400 * (events - j), ""))
                for j in range(i, min(i + 200, events - 1))
            ])
        reader = profile.ledger()
        assert len(reader.history(target)) == events
        runs = []
        for _ in range(7):
            started = time.perf_counter()
            reader.history(target)
            runs.append(time.perf_counter() - started)
        line(f"title history, {events} events, from the index", f"{1000 * statistics.median(runs):8.1f} ms (median of 7)")
        started = time.perf_counter()
        Ledger(reader.chain, reader.deployment).history(target)
        line("  the same, scanning the chain's logs (no index)", f"{1000 * (time.perf_counter() - started):8.1f} ms")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lienchain.cli", "title", "history", target], env={**os.environ, **env},
                   check=True, stdout=subprocess.DEVNULL)
    line("  `lienchain title history`, wall time", f"{1000 * (time.perf_counter() - started):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the import file")
    parser.add_argument("--events", type=int, default=1000, help="events of the title whose history is read")
    parser.add_argument("--network", action="store_true", help="also import on a 3-member network")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        book = write_book(Path(tmp) / "book.csv", args.rows)
        path = Path(tmp) / "profile"
        Profile.create(path, passphrase=lambda: PASSPHRASE, light_kdf=True).close()
        env = {"LIENCHAIN_HOME": str(path), "LIENCHAIN_PASSWORD": PASSPHRASE}
        seconds = timed_import(env, book, "--registrar", "registrar", "--lender", "lender-a")
        line(f"import, embedded ledger, {args.rows} rows (title + lien)", f"{args.rows / seconds:8.1f} rows/s   ({seconds:.1f} s)")
        history_figures(path, env, args.events)

        if args.network:
            root = Path(tmp) / "networks"
            members = {"dmv": ["REGISTRAR"], "bank-a": ["LENDER"], "bank-b": ["LENDER"]}
            geth_bin, ipfs_bin = locate(GETH), locate(IPFS)
            net = Network.create(root / "bench", members, passphrase=lambda: PASSPHRASE, geth_bin=geth_bin,
                                 ipfs_bin=ipfs_bin, light_kdf=True)
            try:
                net.up(passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin)
                with Profile(net.path, passphrase=lambda: PASSPHRASE) as profile:
                    profile.deploy(members)
                env = {"LIENCHAIN_NETWORKS": str(root), "LIENCHAIN_PASSWORD": PASSPHRASE}
                seconds = timed_import(env, book, "--network", "bench", "--registrar", "dmv", "--lender", "bank-a")
                line(f"import, 3-member network, {args.rows} rows (title + lien)",
                     f"{args.rows / seconds:8.1f} rows/s   ({seconds:.1f} s)")
            finally:
                net.down()


if __name__ == "__main__":
    main()

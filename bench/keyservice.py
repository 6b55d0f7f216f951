"""A member's key service: key requests served per second, and what it adds to `doc get`. Prints
figures; asserts nothing.

    python bench/keyservice.py [--requests 400] [--readers 4]

One embedded profile (its chain is the entitlement's source of truth, as a member's geth node is on a
network) and one real key service (aiohttp, on loopback) over a real vault, as `node start` runs it:

- requests per second: signed key requests for transient documents, each checked on chain, logged
  and answered with the key wrapped for the reader; sequential, and from --readers threads at once.
  Baseline of the same run: the service's health check (the same HTTP stack, no signature, no chain
  read, no log write), and the chain read alone (`readStatus`, what entitlement costs);
- `doc get` latency: reading a transient document (fetch, key request, unwrap, open) beside reading
  an essential one of the same size (fetch, open with the reader's own key): the difference is what
  custody adds.

The machines this runs on are shared and their speed drifts within an hour: read the ratios,
measured in the same run, before the absolute figures.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from lienchain.ledger import Profile
from lienchain.ledger.registry.retention import Retention
from lienchain.ledger.workspace.custody import RemoteCustody
from lienchain.ledger.workspace.documents import Documents
from lienchain.networks.keyservice import KeyServer, build_app
from lienchain.storage import EmbeddedStore
from lienchain.storage.keys import vault_key
from lienchain.storage.vault import KeyVault
from network import PASSPHRASE, line, vin

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="key requests per measurement")
    parser.add_argument("--readers", type=int, default=4, help="readers asking at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        root = Path(tmp)
        profile = Profile.create(root / "profile", passphrase=lambda: PASSPHRASE, light_kdf=True)
        profile.close()  # opened again, lazily, by the one thread that talks to the embedded chain
        measure(profile, root, args.requests, args.readers)


def measure(profile: Profile, root: Path, count: int, readers: int) -> None:
    # The embedded chain lives in one thread (its SQLite connection), as a member's node view is
    # one locked connection in the key service: every chain call goes through this one.
    chain = ThreadPoolExecutor(1)

    def on_chain(call: Callable[[], T]) -> T:
        return chain.submit(call).result()

    title, custodian = vin(1), "oracle"
    ledger = on_chain(profile.ledger)
    on_chain(lambda: profile.session("registrar").register_title(title, profile.accounts.get("lender-a").address))
    auditor = profile.accounts.get("auditor").address

    account = profile.accounts.unlock(custodian)

    def entitled(reader: str, cid: str) -> str | None:  # the rule a member's key service applies
        return on_chain(lambda: ledger.retention.refusal(cid, reader, author=account.address))

    vault = KeyVault(root / "vault.sqlite", vault_key(bytes(account.key)))
    app = build_app(vault, custodian=custodian, account=account, chain_id=ledger.deployment.chain_id,
                    depositors=[account.address], entitled=entitled, rate=1e6, burst=10**6)
    with KeyServer(app, "127.0.0.1", free_port()) as server:
        custody = RemoteCustody({custodian: server.url}, profile.accounts, chain_id=ledger.deployment.chain_id)
        documents = Documents(EmbeddedStore(root / "store"), profile.accounts, custody=custody)
        oracle = on_chain(lambda: profile.session(custodian))
        oracle.documents = documents
        paper = b"appraisal working papers: photos, comparables, call notes " * 40  # about 2.4 kB
        transient = [on_chain(lambda: oracle.attach_document(title, paper + bytes([i]), retention=Retention.TRANSIENT)).cid
                     for i in range(8)]
        essential = on_chain(lambda: oracle.attach_document(title, paper, retention=Retention.ESSENTIAL)).cid

        health = rate(count, lambda i: requests.get(server.url + "/v1/health", timeout=10).raise_for_status())
        reads = rate(count, lambda i: entitled(auditor, transient[i % 8]))
        sequential = rate(count, lambda i: custody.content_key(custodian, transient[i % 8], reader="auditor",
                                                               purpose="bench"))
        with ThreadPoolExecutor(readers) as pool:
            started = time.perf_counter()
            list(pool.map(lambda i: custody.content_key(custodian, transient[i % 8], reader="auditor", purpose="bench"),
                          range(count)))
            parallel = count / (time.perf_counter() - started)
        line("health checks/s (baseline: the HTTP stack alone)", f"{health:8.0f}")
        line("entitlement reads/s (baseline: readStatus, the author)", f"{reads:8.0f}")
        line("key requests/s, one reader", f"{sequential:8.0f}   ({sequential / health:.2f} of the health checks')")
        line(f"key requests/s, {readers} readers at once", f"{parallel:8.0f}   ({parallel / sequential:.2f} x one reader)")

        plain = latency(lambda: documents.read(essential, reader="auditor"))
        custodial = latency(lambda: documents.read(transient[0], reader="auditor"))
        line("doc get of an essential document, median ms", f"{plain * 1e3:8.2f}")
        line("doc get of a transient document, median ms", f"{custodial * 1e3:8.2f}   "
             f"(+{(custodial - plain) * 1e3:.2f} ms, {custodial / plain:.1f} x the essential one)")
        print(f"access log: {vault.head().count} entries, its chain verifies: {vault.verify_log() == vault.head()}")
    vault.close()
    on_chain(profile.close)
    chain.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rate(count: int, step: Callable[[int], object]) -> float:
    """Runs `step` `count` times in a row; returns how many per second."""
    started = time.perf_counter()
    for i in range(count):
        step(i)
    return count / (time.perf_counter() - started)


def latency(step: Callable[[], object], runs: int = 50) -> float:
    """Returns the median seconds of `runs` calls of `step` (after one warm-up call)."""
    step()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main()

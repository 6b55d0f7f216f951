"""Throughput and latency of the embedded ledger. Prints figures; asserts nothing.

    python bench/ledger.py [--titles 10000] [--ops 300]

Figures: title registrations and lien grants per second through the library (one operation per
call, and registrations batched into blocks; one-per-call grants also with the fixed gas limit
the client used before it estimated gas, as a baseline, and the ratio), the wall time of `lienchain demo`, and the wall time
of `lienchain title show` in a profile holding --titles titles. Aims (issue 3, on a 2-core machine):
at least 150 operations per second, the demo under 15 s, `title show` under 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import LienTerms, Profile, normalize_vin
from lienchain.ledger.registry.vin import VIN, check_digit

PASSPHRASE = "bench passphrase"
MATURITY = int(time.time()) + 5 * 365 * 86400
FIXED_GRANT_GAS = 1_000_000  # the fixed limit a grant had before the client estimated gas


def vin(n: int) -> VIN:
    body = f"1HGCM826XA{n:07d}"  # A: model year 2010
    return normalize_vin(body[:8] + check_digit(body) + body[9:])


def rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<46} {count / seconds:8.1f} /s   ({count} in {seconds:.2f} s)")


def cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lienchain.cli", *args], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=10_000, help="titles in the profile for `title show`")
    parser.add_argument("--ops", type=int, default=300, help="operations per throughput figure")
    args = parser.parse_args()
    owner = Account.create().address

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        path = Path(tmp) / "profile"
        started = time.perf_counter()
        profile = Profile.create(path, passphrase=lambda: PASSPHRASE, light_kdf=True)
        print(f"{'profile init (light KDF)':<46} {time.perf_counter() - started:8.2f} s")
        with profile:
            registrar, lender = profile.ledger("registrar"), profile.ledger("lender-a")

            started = time.perf_counter()
            for n in range(args.ops):
                registrar.register_title(vin(n), owner, doc_cid="bafkreititle")
            rate("title registrations, one per call", args.ops, time.perf_counter() - started)

            # The registrar's authorizations are signed before the clock starts: the lender's work is timed.
            def authorized(amounts: list[tuple[int, int]]) -> list[LienTerms]:
                return registrar.authorize_liens([LienTerms(vin(n), a, "USD", MATURITY, "bafkreiloan") for n, a in amounts],
                                                 lender=lender.address, deadline=MATURITY)

            first = authorized([(n, 1_000_000 + n) for n in range(args.ops)])
            started = time.perf_counter()
            for t in first:
                lender.grant_lien(t.vin, t.amount, currency="USD", maturity=MATURITY, authorization=t.authorization,
                                 doc_cid="bafkreiloan")
            estimated = time.perf_counter() - started
            rate("lien grants, one per call", args.ops, estimated)
            # The same grants (second liens) sent with the fixed limit the client used before it
            # estimated gas (1,000,000): what estimating costs, in the same run.
            second = authorized([(n, 1_000 + n) for n in range(args.ops)])
            started = time.perf_counter()
            for t in second:
                assert t.authorization is not None
                fn = lender.registry.functions.grantLien(lender._token(t.vin), t.amount, b"USD", MATURITY, "bafkreiloan", [],  # noqa: SLF001
                                                         t.authorization.as_argument())
                lender._signer.send(fn, gas=FIXED_GRANT_GAS)  # noqa: SLF001
            fixed = time.perf_counter() - started
            rate("  the same with a fixed gas limit (baseline)", args.ops, fixed)
            print(f"{'  estimated / fixed, time per grant':<46} {estimated / fixed:8.2f}")

            batch = 200
            third = authorized([(n, 500_000) for n in range(batch)])
            started = time.perf_counter()
            lender.grant_liens(third)
            rate(f"lien grants, one batch of {batch} (third liens)", batch, time.perf_counter() - started)

            started = time.perf_counter()
            done = args.ops
            while done < args.titles:
                size = min(batch, args.titles - done)
                registrar.register_titles([(vin(n), owner, "bafkreititle") for n in range(done, done + size)])
                done += size
            if args.titles > args.ops:
                rate(f"title registrations, batches of {batch}", args.titles - args.ops, time.perf_counter() - started)
            print(f"{'chain head after filling':<46} {profile.chain().w3.eth.block_number:8d} blocks")

        env = {"LIENCHAIN_HOME": str(path), "LIENCHAIN_PASSWORD": PASSPHRASE}
        shows = [cli(env, "title", "show", vin(n)) for n in (0, args.titles // 2, args.titles - 1)]
        print(f"{f'lienchain title show, {args.titles} titles':<46} {min(shows):8.2f} s  (best of 3; worst {max(shows):.2f} s)")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import lienchain.cli.main"], check=True)
        print(f"{'  of which: python start-up and imports':<46} {time.perf_counter() - started:8.2f} s")

    demo = cli({}, "demo")
    print(f"{'lienchain demo':<46} {demo:8.2f} s")


if __name__ == "__main__":
    main()

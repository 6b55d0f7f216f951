"""Bulk assignment of a lien portfolio, on the embedded chain and on a real 3-member network. Prints
figures; asserts nothing.

    python bench/assignments.py [--liens 2000] [--skip-network]

For each backend, in the same run: registers --liens titles and grants one lien on each to the
first lender (in batches, untimed but for the grant rate, printed as the baseline: one write per
lien), has the second lender accept the whole portfolio (one signature over a Merkle root), then
times `Session.assign_liens`: every lien checked, its assignment document sealed and anchored, the
liens sent in transactions of 100 with their Merkle proofs. Prints assignments per second, beside the
grants per second of the same backend and the ratio of the two, then the network's rate as a share
of the embedded chain's. The machines this runs on are shared and their speed drifts within an
hour: read the ratios, measured in the same run, before the absolute figures.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from eth_account import Account

from lienchain.ledger import LienTerms, Profile
from lienchain.ledger.workspace.session import Session
from lienchain.networks import GETH, IPFS, Network, locate
from network import MATURITY, PASSPHRASE, line, vin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--liens", type=int, default=2000, help="liens in the portfolio")
    parser.add_argument("--skip-network", action="store_true", help="the embedded chain only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        print("embedded chain")
        with Profile.create(Path(tmp) / "embedded", passphrase=lambda: PASSPHRASE, light_kdf=True) as profile:
            embedded = measure(profile.session("registrar"), profile.session("lender-a"), profile.session("lender-b"),
                               args.liens)
        if args.skip_network:
            return
        print()
        print("3-member network (geth Clique sealers and Kubo, each member through its own node)")
        network = on_network(Path(tmp) / "network", args.liens)
    print()
    line("3-member assignments/s as a share of the embedded chain's", f"{network / embedded:8.2f}   "
         f"({network:.1f} / {embedded:.1f})")


def on_network(path: Path, liens: int) -> float:
    geth_bin, ipfs_bin = locate(GETH), locate(IPFS)
    members = {"dmv": ["REGISTRAR"], "bank-a": ["LENDER"], "bank-b": ["LENDER"]}
    net = Network.create(path, members, passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin,
                         light_kdf=True)
    try:
        net.up(passphrase=lambda: PASSPHRASE, geth_bin=geth_bin, ipfs_bin=ipfs_bin)
        net.deploy(passphrase=lambda: PASSPHRASE)
        profiles = {m: Profile(net.home(m).path, passphrase=lambda: PASSPHRASE) for m in members}
        try:
            return measure(profiles["dmv"].session("dmv"), profiles["bank-a"].session("bank-a"),
                           profiles["bank-b"].session("bank-b"), liens)
        finally:
            for p in profiles.values():
                p.close()
    finally:
        net.down()


def measure(registrar: Session, assignor: Session, assignee: Session, count: int) -> float:
    """Builds the portfolio, then times its assignment; returns assignments per second."""
    owner, batch = Account.create().address, 500
    vins = [vin(n) for n in range(count)]
    for i in range(0, count, batch):
        registrar.ledger.register_titles([(v, owner, "bafkreititle") for v in vins[i : i + batch]])
    terms = registrar.ledger.authorize_liens([LienTerms(v, 1_000 + n, "USD", MATURITY, "bafkreiloan")
                                              for n, v in enumerate(vins)],
                                             lender=assignor.ledger.address, deadline=MATURITY)
    started = time.perf_counter()
    ids = [lien_id for i in range(0, count, batch) for lien_id in assignor.ledger.grant_liens(terms[i : i + batch])]
    grants = count / (time.perf_counter() - started)
    line(f"baseline: lien grants, batches of {batch}", f"{grants:8.1f} /s")

    started = time.perf_counter()
    acceptance = assignee.accept_assignment(ids, assignor=assignor.ledger.address, deadline=MATURITY)
    line(f"acceptance of {count} liens (Merkle root, one signature)", f"{(time.perf_counter() - started) * 1000:8.1f} ms")
    started = time.perf_counter()
    done = assignor.assign_liens(ids, assignee.ledger.address, acceptance=acceptance, document=b"Portfolio sale")
    elapsed = time.perf_counter() - started
    assert len(done) == count  # a benchmark that assigned less would print a false rate
    rate = count / elapsed
    line(f"assignments, {count} liens in transactions of 100", f"{rate:8.1f} /s   ({elapsed:.2f} s)")
    line("  as a multiple of the grant rate", f"{rate / grants:8.2f}")
    started = time.perf_counter()
    assert assignor.assign_liens(ids, assignee.ledger.address, acceptance=acceptance) == []
    line("  a re-run that finds every lien assigned (checks only)", f"{time.perf_counter() - started:8.2f} s")
    return rate


if __name__ == "__main__":
    main()

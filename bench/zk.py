"""Prove and verify times and proof sizes of lienchain's zero-knowledge proofs. Prints figures.

    python bench/zk.py [--runs 5]

For each proof type: median prove and verify time in Python (py_ecc, pure Python), and the proof's
size (points 64 bytes, scalars 32, as the EVM precompiles take them), and the gas of verifying it
on chain with contracts/src/ZkVerifier.sol (deployed on a throwaway embedded profile; the gas of
the call, including its calldata). Aims (issue 6): an LTV proof proves in under 1 s and verifies on
chain in under 1,000,000 gas; a Groth16 verification costs about 200,000-250,000 gas for reference.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from lienchain.contracts.build import load_artifact
from lienchain.ledger import Profile
from lienchain.ledger.deployment import deploy_contract
from lienchain.zk import exposure, ltv, opening
from lienchain.zk import range as range_proof
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.opening import OpeningStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.encoding import range_to_bytes
from lienchain.zk.range import RangeProof, RangeStatement
from lienchain.zk.transcript import Context


def size(proof: Any) -> int:
    if isinstance(proof, RangeProof):
        return len(proof.bits) * (3 * 64 + 3 * 32)
    return 64 + 2 * 32


def figure(name: str, runs: int, prove: Callable[[], Any], verify: Callable[[Any], None],
           gas: Callable[[Any], int] | None = None) -> None:
    proofs, prove_times, verify_times = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        proofs.append(prove())
        prove_times.append(time.perf_counter() - started)
    for p in proofs:
        started = time.perf_counter()
        verify(p)
        verify_times.append(time.perf_counter() - started)
    on_chain = f"{gas(proofs[0]):>10,d} gas" if gas else "         -"
    print(f"{name:<34} prove {1000 * statistics.median(prove_times):7.1f} ms   "
          f"verify {1000 * statistics.median(verify_times):7.1f} ms   size {size(proofs[0]):6d} bytes   {on_chain}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        profile = Profile.create(Path(tmp) / "p", passphrase=lambda: "bench", light_kdf=True)
        w3 = profile.chain().w3
        address = deploy_contract(w3, profile.accounts.unlock("registrar"), "ZkVerifier", [])
        v = w3.eth.contract(address=address, abi=load_artifact("ZkVerifier").abi).functions
        ctx = Context(w3.eth.chain_id, address, b"lien:7")
        try:
            measure(args.runs, ctx, v)
        finally:
            profile.close()


def measure(runs: int, ctx: Context, v: Any) -> None:
    w = Opening.random(1_300_000)
    c = [w.commit().x, w.commit().y]
    s1 = OpeningStatement(ctx, w.commit())
    figure("opening (Schnorr)", runs, lambda: opening.prove(s1, w), lambda p: opening.verify(s1, p))
    s2 = RangeStatement(ctx, w.commit())
    figure("range, 40 bits", runs, lambda: range_proof.prove(s2, w), lambda p: range_proof.verify(s2, p),
           lambda p: v.verifyRange(ctx.chain_id, ctx.contract, ctx.subject, c, 40, range_to_bytes(p)).estimate_gas())
    # A limit of 1,400,000 - 50,000 = 1,350,000: the slack is range-proved on 21 bits.
    s3 = LtvStatement(ctx, w.commit(), valuation=2_000_000, threshold_bps=7000, deducted=50_000)
    figure("loan-to-value (21-bit limit)", runs, lambda: ltv.prove(s3, w), lambda p: ltv.verify(s3, p),
           lambda p: v.verifyLtv(ctx.chain_id, ctx.contract, ctx.subject, c, 2_000_000, 7000, 50_000,
                                 range_to_bytes(p)).estimate_gas())
    # The longest slack there is: a limit of 2**40 - 1 takes 40 bits.
    s3b = LtvStatement(ctx, w.commit(), valuation=2**40 - 1, threshold_bps=10_000)
    figure("loan-to-value (40-bit limit)", runs, lambda: ltv.prove(s3b, w), lambda p: ltv.verify(s3b, p),
           lambda p: v.verifyLtv(ctx.chain_id, ctx.contract, ctx.subject, c, 2**40 - 1, 10_000, 0,
                                 range_to_bytes(p)).estimate_gas())
    ws = [Opening.random(x) for x in (500_000, 1_250_000, 300_000)]
    s4 = ExposureStatement(ctx, tuple(x.commit() for x in ws), 2_050_000)
    figure("exposure (3 liens <= limit)", runs, lambda: exposure.prove(s4, ws), lambda p: exposure.verify(s4, p),
           lambda p: v.verifyExposure(ctx.chain_id, ctx.contract, ctx.subject, [[x.commit().x, x.commit().y] for x in ws],
                                      2_050_000, range_to_bytes(p)).estimate_gas())
    print(f"{'Groth16 verification, for reference':<34} {'':>44} ~200,000-250,000 gas")


if __name__ == "__main__":
    main()

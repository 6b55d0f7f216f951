"""Prove and verify times and proof sizes of lienchain's zero-knowledge proofs. Prints figures.

    python bench/zk.py [--runs 5]

For each proof type: median prove and verify time in Python (py_ecc, pure Python), and the proof's
size (points 64 bytes, scalars 32, as the EVM precompiles take them). Aim (issue 6): an LTV proof
proves in under 1 s. The on-chain verifier, and its gas beside Groth16's ~200,000-250,000, follow.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from lienchain.zk import exposure, ltv, opening
from lienchain.zk import range as range_proof
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.opening import OpeningStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.range import RangeProof, RangeStatement
from lienchain.zk.transcript import Context

CONTEXT = Context(1_234_567, "0x" + "ab" * 20, b"lien:7")


def size(proof: Any) -> int:
    if isinstance(proof, RangeProof):
        return len(proof.bits) * (3 * 64 + 3 * 32)
    return 64 + 2 * 32


def figure(name: str, runs: int, prove: Callable[[], Any], verify: Callable[[Any], None]) -> None:
    proofs, prove_times, verify_times = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        proofs.append(prove())
        prove_times.append(time.perf_counter() - started)
    for p in proofs:
        started = time.perf_counter()
        verify(p)
        verify_times.append(time.perf_counter() - started)
    print(f"{name:<34} prove {1000 * statistics.median(prove_times):7.1f} ms   "
          f"verify {1000 * statistics.median(verify_times):7.1f} ms   size {size(proofs[0]):6d} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    w = Opening.random(1_300_000)
    s1 = OpeningStatement(CONTEXT, w.commit())
    figure("opening (Schnorr)", args.runs, lambda: opening.prove(s1, w), lambda p: opening.verify(s1, p))
    s2 = RangeStatement(CONTEXT, w.commit())
    figure("range, 40 bits", args.runs, lambda: range_proof.prove(s2, w), lambda p: range_proof.verify(s2, p))
    s3 = LtvStatement(CONTEXT, w.commit(), valuation=2_000_000, threshold_bps=7000)
    figure("loan-to-value (<= 70% of value)", args.runs, lambda: ltv.prove(s3, w), lambda p: ltv.verify(s3, p))
    ws = [Opening.random(v) for v in (500_000, 1_250_000, 300_000)]
    s4 = ExposureStatement(CONTEXT, tuple(x.commit() for x in ws), 2_050_000)
    figure("exposure (3 liens <= limit)", args.runs, lambda: exposure.prove(s4, ws), lambda p: exposure.verify(s4, p))


if __name__ == "__main__":
    main()

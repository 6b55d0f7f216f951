"""Prove and verify times and proof sizes of lienchain's zero-knowledge proofs. Prints figures.

    python bench/zk.py [--runs 5]

For each proof type: median prove and verify time in pure Python (the first proof also builds the
tables of G and H, about 60 ms once per process: see zk/curve.py's FixedBase), and the proof's
size (points 64 bytes, scalars 32, as the EVM precompiles take them), and the gas of verifying it
on chain with contracts/src/ZkVerifier.sol (deployed on a throwaway embedded profile, London
rules): the gas used by a mined transaction calling the verifier, its 21,000 base and calldata
included (exact, where the chain's gas estimate rounds up by as much as 21,000). Aims (issue 6): an
LTV proof proves in under 1 s and verifies on chain in under 1,000,000 gas; a Groth16 verification
costs about 200,000-250,000 gas for reference.
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
from lienchain.ledger.registry.deployment import deploy_contract
from lienchain.ledger.chain.transactions import fees_for, latest_base_fee
from lienchain.zk import exposure, ltv
from lienchain.zk import range as range_proof
from lienchain.zk.exposure import ExposureStatement
from lienchain.zk.ltv import LtvStatement
from lienchain.zk.pedersen import Opening
from lienchain.zk.encoding import range_to_bytes
from lienchain.zk.range import RangeProof, RangeStatement
from lienchain.zk.transcript import Context


def size(proof: Any) -> int:
    if isinstance(proof, RangeProof):
        return len(range_to_bytes(proof))
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
        account = profile.accounts.unlock("registrar")
        address = deploy_contract(w3, account, "ZkVerifier", [])
        verifier = w3.eth.contract(address=address, abi=load_artifact("ZkVerifier").abi).functions
        ctx = Context(w3.eth.chain_id, address, b"lien:7")
        try:
            measure(args.runs, ctx, lambda name, *a: gas_used(w3, account, getattr(verifier, name)(*a)))
        finally:
            profile.close()


def gas_used(w3: Any, account: Any, call: Any) -> int:
    """Sends `call` as a transaction and returns the gas it used; fails unless the verifier said yes."""
    if call.call() is not True:
        raise SystemExit(f"the verifier refused the benchmark's proof ({call.fn_name})")
    max_fee, tip = fees_for(latest_base_fee(w3))
    tx = call.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address, "pending"),
                                 "chainId": w3.eth.chain_id, "gas": 5_000_000, "maxFeePerGas": max_fee,
                                 "maxPriorityFeePerGas": tip})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    return int(receipt["gasUsed"])


def measure(runs: int, ctx: Context, gas: Callable[..., int]) -> None:
    w = Opening.random(1_300_000)
    c = [w.commit().x, w.commit().y]
    head = (ctx.chain_id, ctx.contract, ctx.subject)
    s2 = RangeStatement(ctx, w.commit())
    figure("range, 40 bits", runs, lambda: range_proof.prove(s2, w), lambda p: range_proof.verify(s2, p),
           lambda p: gas("verifyRange", *head, c, 40, range_to_bytes(p)))
    # A limit of 1,400,000 - 50,000 = 1,350,000: the slack is range-proved on 21 bits.
    s3 = LtvStatement(ctx, w.commit(), valuation=2_000_000, threshold_bps=7000, deducted=50_000)
    figure("loan-to-value (21-bit limit)", runs, lambda: ltv.prove(s3, w), lambda p: ltv.verify(s3, p),
           lambda p: gas("verifyLtv", *head, c, 2_000_000, 7000, 50_000, range_to_bytes(p)))
    # The longest slack there is: a limit of 2**40 - 1 takes 40 bits.
    s3b = LtvStatement(ctx, w.commit(), valuation=2**40 - 1, threshold_bps=10_000)
    figure("loan-to-value (40-bit limit)", runs, lambda: ltv.prove(s3b, w), lambda p: ltv.verify(s3b, p),
           lambda p: gas("verifyLtv", *head, c, 2**40 - 1, 10_000, 0, range_to_bytes(p)))
    ws = [Opening.random(x) for x in (500_000, 1_250_000, 300_000)]
    s4 = ExposureStatement(ctx, tuple(x.commit() for x in ws), 2_050_000)
    # A limit of 2,050,000: the slack is range-proved on 21 bits.
    figure("exposure (3 liens, 21-bit limit)", runs, lambda: exposure.prove(s4, ws), lambda p: exposure.verify(s4, p),
           lambda p: gas("verifyExposure", *head, [[x.commit().x, x.commit().y] for x in ws], 2_050_000, range_to_bytes(p)))
    print(f"{'Groth16 verification, for reference':<34} {'':>44} ~200,000-250,000 gas")


if __name__ == "__main__":
    main()

"""Gas of a call the registry runs in its lifecycle module (through its fallback), beside the same
call made directly to a registry that has the function itself. Prints figures.

    python bench/registry_split_gas.py [--baseline REV]

On one throwaway embedded profile (London rules): this checkout's deployment, whose registry runs
`reviewTitle` and `valuations` in TitleLifecycle, and a second registry built from the baseline
revision's committed artifacts (`git show REF:contracts/artifacts/...`), which has both itself.
Each registry gets the same title and the same two valuations; then each call is sent as a
transaction (a view too, so that its gas is a mined transaction's, 21,000 base and calldata
included) and its gas used is printed for both, with the difference. `ltvThreshold`, which both
registries have themselves, is the control: what differs without the fallback.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from web3 import Web3

from lienchain.contracts.build import REPO_DIR, registry_abi
from lienchain.ledger import Profile
from lienchain.ledger.chain.transactions import fees_for, latest_base_fee
from lienchain.ledger.registry.roles import role_id

VIN = "1M8GDM9AXKP042788"
#: The last revision whose registry has `reviewTitle` and `valuations` itself.
BEFORE_SPLIT = "8267bbb"
CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def baseline_artifact(ref: str, name: str) -> dict[str, Any]:
    out = subprocess.run(["git", "-C", str(REPO_DIR), "show", f"{ref}:contracts/artifacts/{name}.json"],
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out))


def link(code: str, refs: dict[str, Any], addresses: dict[str, str]) -> str:
    hexcode = code.removeprefix("0x")
    for libs in refs.values():
        for lib, spots in libs.items():
            for spot in spots:
                start = 2 * spot["start"]
                hexcode = hexcode[:start] + addresses[lib][2:].lower() + hexcode[start + 40:]
    return "0x" + hexcode


def send(w3: Web3, account: Any, call: Any) -> Any:
    max_fee, tip = fees_for(latest_base_fee(w3))
    tx = call.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address, "pending"),
                                 "chainId": w3.eth.chain_id, "gas": 8_000_000, "maxFeePerGas": max_fee,
                                 "maxPriorityFeePerGas": tip})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
    if receipt["status"] != 1:
        raise SystemExit(f"{call.fn_name} failed")
    return receipt


def deploy_baseline(w3: Web3, account: Any, ref: str, governance: str, verifier: str,
                    roles: list[tuple[str, str]]) -> tuple[str, list[dict[str, Any]]]:
    registry = baseline_artifact(ref, "TitleRegistry")
    libraries: dict[str, str] = {}
    for lib in sorted({lib for libs in registry["linkReferences"].values() for lib in libs}):
        art = baseline_artifact(ref, lib)
        contract = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        libraries[lib] = str(send(w3, account, contract.constructor())["contractAddress"])
    contract = w3.eth.contract(abi=registry["abi"], bytecode=link(registry["bytecode"], registry["linkReferences"], libraries))
    args = [governance, verifier, [a for a, _ in roles], [role_id(r) for _, r in roles]]
    return str(send(w3, account, contract.constructor(*args))["contractAddress"]), registry["abi"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BEFORE_SPLIT,
                        help="a git revision whose registry has the functions itself [default: the last before the split]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lienchain-bench-") as tmp:
        profile = Profile.create(Path(tmp) / "p", passphrase=lambda: "bench", light_kdf=True)
        try:
            run(profile, args.baseline)
        finally:
            profile.close()


def run(profile: Profile, ref: str) -> None:
    w3 = profile.chain().w3
    d = profile.load_deployment()
    accounts = {name: profile.accounts.unlock(name) for name in ("registrar", "oracle", "oracle-b")}
    roles = [(accounts["registrar"].address, "REGISTRAR"), (accounts["oracle"].address, "ORACLE"),
             (accounts["oracle-b"].address, "ORACLE")]
    address, abi = deploy_baseline(w3, accounts["registrar"], ref, d.governance, d.verifier, roles)
    registries = {
        f"direct ({ref})": w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi),
        "via fallback": w3.eth.contract(address=Web3.to_checksum_address(d.registry), abi=registry_abi()),
    }
    token = int.from_bytes(Web3.keccak(text=VIN), "big")
    now = int(time.time()) - 60
    for reg in registries.values():
        send(w3, accounts["registrar"], reg.functions.registerTitle(VIN, accounts["registrar"].address, CID))
        for oracle, value in (("oracle", 2_000_000), ("oracle-b", 2_100_000)):
            send(w3, accounts[oracle], reg.functions.setValuation(token, value, b"USD", now, CID))
    calls = [("reviewTitle", (token,)), ("valuations", (token,)), ("ltvThreshold (control)", ())]
    print(f"{'call':<24}" + "".join(f"{k:>20}" for k in registries) + f"{'difference':>14}")
    for label, call_args in calls:
        fn = label.split()[0]
        used = [int(send(w3, accounts["registrar"], getattr(reg.functions, fn)(*call_args))["gasUsed"])
                for reg in registries.values()]
        print(f"{label:<24}" + "".join(f"{g:>20,}" for g in used) + f"{used[1] - used[0]:>+14,}")
    # What a view returns through the fallback is what the registry returned itself.
    direct, routed = (reg.functions.valuations(token).call() for reg in registries.values())
    assert direct == routed, (direct, routed)
    print(f"valuations(...) returns the same {len(routed)} records through the fallback")


if __name__ == "__main__":
    main()

"""How fast the `lienchain` command answers. Prints figures; asserts nothing.

    python bench/cli.py [--titles 10000] [--runs 7]

Measured in the same run, with the interpreter running this script (the virtualenv's): bare
Python start-up (`python -c pass`), `lienchain --help`, `lienchain title show VIN` in an embedded
profile holding --titles titles, and for reference what importing web3, eth-tester and py-evm
alone costs (an embedded read runs the EVM through them). Each figure is the median wall time of
--runs runs, and that as a multiple of bare Python start-up; beside it the median CPU time (user +
system) of the process, which a busy machine inflates less than wall time. Aims (issue 11):
`--help` within 4x and `title show` within 10x of bare Python start-up.

The profile is built once (light KDF, titles registered in batches through the library) and
cached under the temporary directory, so later runs reuse it; the build time is printed. Each
command runs once untimed first, with bytecode caching on (PYTHONDONTWRITEBYTECODE is dropped for
the commands), so that the timed runs start as a user's do: from compiled modules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lienchain.ledger import Profile, normalize_vin
from lienchain.ledger.registry.vin import VIN, check_digit

PASSPHRASE = "bench passphrase"
BATCH = 1_000  # registrations per block: about 150M gas of the embedded chain's 500M block limit
_BUILT = "bench-cli.json"  # written last into a complete cached profile: what it holds and its build time


def vin(n: int) -> VIN:
    body = f"1HGCM826XA{n:07d}"  # A: model year 2010
    return normalize_vin(body[:8] + check_digit(body) + body[9:])


def cached_profile(titles: int) -> tuple[Path, float, bool]:
    """Returns a profile holding `titles` titles, the seconds its build took, and whether it was cached."""
    path = Path(tempfile.gettempdir()) / "lienchain-bench-cli" / f"titles-{titles}-v2"  # v2: VINs with a model year
    record = path / _BUILT
    if record.exists():
        return path, float(json.loads(record.read_text())["build_seconds"]), True
    shutil.rmtree(path, ignore_errors=True)  # a build that died half-way
    started = time.perf_counter()
    with Profile.create(path, passphrase=lambda: PASSPHRASE, light_kdf=True) as profile:
        registrar = profile.ledger("registrar")
        owner = str(profile.accounts.get("auditor").address)
        for first in range(0, titles, BATCH):
            registrar.register_titles([(vin(n), owner, "bafkreititle") for n in range(first, min(first + BATCH, titles))])
    seconds = time.perf_counter() - started
    record.write_text(json.dumps({"titles": titles, "build_seconds": seconds}) + "\n")
    return path, seconds, False


def measure(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Returns the median wall time and the median CPU time (user + system) of `runs` runs, in seconds,
    after one untimed run that writes the bytecode caches."""
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=10_000, help="titles in the profile for `title show`")
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (the median is printed)")
    args = parser.parse_args()

    python = sys.executable
    script = Path(python).parent / "lienchain"  # the console script a user runs
    lienchain = [str(script)] if script.exists() else [python, "-m", "lienchain.cli"]
    path, build, cached = cached_profile(args.titles)
    print(f"profile with {args.titles:,} titles: {path} "
          f"({'cached; its build took' if cached else 'built in'} {build:.0f} s)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"LIENCHAIN_HOME": str(path), "LIENCHAIN_PASSWORD": PASSPHRASE}
    show = str(vin(args.titles // 2))

    rows = [
        ("python -c pass (bare start-up)", [python, "-c", "pass"]),
        ("lienchain --help", [*lienchain, "--help"]),
        (f"lienchain title show VIN ({args.titles:,} titles)", [*lienchain, "title", "show", show]),
        ("reference: import web3, eth_tester, py-evm", [python, "-c", "import web3, eth_tester, eth.vm.forks.london"]),
    ]
    results = [(label, *measure(command, args.runs, env)) for label, command in rows]
    bare = results[0][1]
    loadavg = os.getloadavg()[0]
    print(f"{dt.date.today().isoformat()}, {os.cpu_count()} cores, load average {loadavg:.1f}, "
          f"median of {args.runs} runs, Python {sys.version.split()[0]}")
    print(f"{'command':<48} {'wall':>9} {'x bare':>7} {'cpu':>9}")
    for label, wall, cpu in results:
        print(f"{label:<48} {wall * 1000:7.1f} ms {wall / bare:6.1f}x {cpu * 1000:6.1f} ms")


if __name__ == "__main__":
    main()

"""Formation is dependable: the sandbox network forms 20 times in a row on a busy machine.

Sealers that started sealing before they saw each other each sealed their own block 1 and waited
for each other forever; it happened 3 times in a few runs when the machine was busy. Now a node
seals only once it reaches a majority of the sealers, so every formation passes block 5.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from lienchain.networks import Network
from lienchain.networks.process import wait_for

from .conftest import Run

ROUNDS = 20


def _passed(net: Network, height: int) -> bool:
    statuses = net.status()
    return all((s.block or 0) > height and s.peers == len(statuses) - 1 and s.sealing for s in statuses)


def test_the_sandbox_forms_every_time_while_the_machine_is_busy(cli: Run, networks_root: Path) -> None:
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # keeps one of the cores busy
    formed = 0
    try:
        for i in range(ROUNDS):
            name = f"formation-{i}"
            assert cli("network", "init", name, "--members", "a,b,c", "--light-kdf").code == 0
            try:
                r = cli("network", "up", name)
                assert r.code == 0, f"round {i}: {r.err}"
                net = Network(networks_root / name)
                assert wait_for(lambda: _passed(net, 5), 60, interval=0.5), f"round {i}: {[s.to_dict() for s in net.status()]}"
                formed += 1
            finally:
                assert cli("network", "down", name).code == 0
                shutil.rmtree(networks_root / name)
    finally:
        hog.kill()
        hog.wait()
    assert formed == ROUNDS

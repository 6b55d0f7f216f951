"""`lienchain watch --follow` on the 3-member network: alerts within 2 seconds, resumed after a stop."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from eth_account import Account

from lienchain.networks import Network

from .authorizations import lien_authorization
from .conftest import Run, cli_env

VIN = "5YJSA1E27HF000337"


class Follower:
    """A `lienchain watch --follow` process, its lines timestamped as they arrive."""

    def __init__(self, root: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lienchain.cli", "watch", "--follow", "--json", "--network", "story", *args],
            env=cli_env(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[tuple[float, dict]] = queue.Queue()  # type: ignore[type-arg]
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.monotonic(), json.loads(line)))

    def next(self, timeout: float) -> tuple[float, dict]:  # type: ignore[type-arg]
        return self.lines.get(timeout=timeout)

    def drain(self, settle: float = 3.0) -> list[dict]:  # type: ignore[type-arg]
        out = []
        while True:
            try:
                out.append(self.lines.get(timeout=settle)[1])
            except queue.Empty:
                return out

    def stop(self) -> None:
        """Stops the watch as a user or a service manager would: SIGTERM."""
        self.process.terminate()
        self.process.wait(10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


def test_watch_prints_an_alert_within_two_seconds_and_resumes_after_a_stop(
    on_story: Run, consortium: Network, networks_root: Path
) -> None:
    assert on_story("--as", "dmv", "title", "register", VIN, "--owner", Account.create().address).code == 0
    assert on_story("--as", "dmv", "valuation", "set", VIN, "--value", "10000").code == 0
    auth = lien_authorization(lambda *a: on_story("--as", "dmv", *a), "bank-a", VIN, "7000")
    assert on_story("--as", "bank-a", "lien", "grant", VIN, "--amount", "7000", "--authorization", auth).code == 0

    follower = Follower(networks_root, "--alerts")
    try:
        follower.drain()  # alerts of earlier tests, if any
        r = on_story("--as", "dmv", "valuation", "set", VIN, "--value", "9000")  # 77.78%: an alert
        set_done = time.monotonic()
        assert r.code == 0, r.err
        seen_at, alert = follower.next(timeout=10)
        assert (alert["event"], alert["vin"], alert["args"]["ltvBps"]) == ("LtvAlert", VIN, 7778)
        assert seen_at - set_done < 2.0, f"alert printed {seen_at - set_done:.2f} s after the valuation"
    finally:
        follower.stop()

    # While no watch runs: a recovery, then another alert.
    assert on_story("--as", "dmv", "valuation", "set", VIN, "--value", "12000").code == 0  # 58.33%
    assert on_story("--as", "dmv", "valuation", "set", VIN, "--value", "9500").code == 0  # 73.69%

    follower = Follower(networks_root, "--alerts")
    try:
        resumed = follower.drain()
    finally:
        follower.stop()
    assert [(e["event"], e["args"]["ltvBps"]) for e in resumed if e["vin"] == VIN] == [
        ("LtvRecovered", 5834), ("LtvAlert", 7369)
    ]


def test_watch_waits_for_its_node_and_catches_up(on_story: Run, consortium: Network, networks_root: Path) -> None:
    vin = "2T1BURHE5JC034461"
    assert on_story("--as", "dmv", "title", "register", vin, "--owner", Account.create().address).code == 0
    assert on_story("--as", "dmv", "valuation", "set", vin, "--value", "10000").code == 0
    auth = lien_authorization(lambda *a: on_story("--as", "dmv", *a), "bank-b", vin, "6000")
    assert on_story("--as", "bank-b", "lien", "grant", vin, "--amount", "6000", "--authorization", auth).code == 0

    follower = Follower(networks_root, "--alerts", "--as", "bank-a")  # reads through bank-a's node
    try:
        follower.drain()
        assert on_story("node", "stop", "bank-a").code == 0
        try:
            assert on_story("--as", "dmv", "valuation", "set", vin, "--value", "8000").code == 0  # 75%: an alert
        finally:
            assert on_story("node", "start", "bank-a").code == 0
        _, alert = follower.next(timeout=60)
        assert (alert["event"], alert["vin"], alert["args"]["ltvBps"]) == ("LtvAlert", vin, 7500)
    finally:
        follower.kill()
    assert follower.process.stderr is not None and "waiting for the node" in follower.process.stderr.read()

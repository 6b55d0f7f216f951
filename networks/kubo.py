"""Kubo for a consortium: one node per member in a private swarm on loopback.

A repository starts from Kubo's `test` profile (loopback addresses, no bootstrap peers, AutoConf,
MDNS and delegated routing off) and gets: the members' shared `swarm.key`, so only members'
nodes can connect (and `LIBP2P_FORCE_PNET=1`, so a node without the key refuses to start rather than
join the public network); fixed loopback ports; no gateway; no DHT (`Routing.Type` "none": the
members are peered with each other directly, and bitswap asks connected peers for blocks).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import NodeFailed
from ..files import write_atomic


def new_swarm_key() -> bytes:
    """Returns a new private-swarm key in the format Kubo reads from `swarm.key`."""
    return b"/key/swarm/psk/1.0.0/\n/base16/\n" + secrets.token_hex(32).encode() + b"\n"


def init_repo(ipfs: Path, repo: Path, *, swarm_key: bytes, api_port: int, swarm_port: int) -> str:
    """Initialises a member's Kubo repository for the private swarm.

    Args:
        ipfs: The Kubo binary.
        repo: The repository directory (created).
        swarm_key: The swarm's key (see `new_swarm_key`).
        api_port: The RPC API's loopback port.
        swarm_port: The libp2p TCP loopback port.

    Returns:
        The node's peer ID.

    Raises:
        NodeFailed: If `ipfs init` fails.
    """
    done = subprocess.run(  # noqa: S603 - argv built here, no shell
        [str(ipfs), "init", "--empty-repo", "--profile=test"], env={"IPFS_PATH": str(repo), "HOME": str(repo)},
        capture_output=True, text=True, timeout=60, check=False,
    )
    if done.returncode != 0:
        raise NodeFailed(f"ipfs init in {repo} failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    write_atomic(repo / "swarm.key", swarm_key, mode=0o600)
    config = _read(repo)
    config["Addresses"].update({
        "API": f"/ip4/127.0.0.1/tcp/{api_port}",
        "Gateway": [],
        "Swarm": [f"/ip4/127.0.0.1/tcp/{swarm_port}"],
    })
    config["Routing"]["Type"] = "none"
    config["AutoConf"] = {"Enabled": False}
    config["Discovery"] = {"MDNS": {"Enabled": False}}
    _write(repo, config)
    return str(config["Identity"]["PeerID"])


def set_peers(repo: Path, peers: list[tuple[str, str]]) -> None:
    """Makes a node keep connections to the other members (Peering) and bootstrap from them only.

    Args:
        repo: The node's repository.
        peers: (peer ID, multiaddr without /p2p) of every other member's node.
    """
    config = _read(repo)
    config["Peering"] = {"Peers": [{"ID": pid, "Addrs": [addr]} for pid, addr in peers]}
    config["Bootstrap"] = [f"{addr}/p2p/{pid}" for pid, addr in peers]
    _write(repo, config)


def daemon_command(ipfs: Path, repo: Path) -> tuple[list[str], dict[str, str]]:
    """Returns the argv and environment that run a member's node."""
    env = {"IPFS_PATH": str(repo), "LIBP2P_FORCE_PNET": "1"}
    return [str(ipfs), "daemon", "--migrate=false"], env


def api(url: str, path: str, *, timeout: float = 5.0, **params: str) -> Any:
    """Calls the Kubo RPC API and returns its decoded JSON answer (a list for a streamed one).

    Raises:
        OSError: If the node does not answer or answers with an error.
        ValueError: If the answer is not JSON.
    """
    query = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in params.items())
    request = urllib.request.Request(f"{url}/api/v0/{path}" + (f"?{query}" if query else ""), method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a loopback http URL of ours
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else lines


def is_ready(url: str) -> bool:
    """Tells whether the node's RPC API answers."""
    try:
        api(url, "id", timeout=2.0)
    except (OSError, ValueError):
        return False
    return True


def peer_count(url: str) -> int | None:
    """Returns how many peers the node is connected to, or None if it does not answer."""
    try:
        answer = api(url, "swarm/peers", timeout=2.0)
    except (OSError, ValueError):
        return None
    return len(answer.get("Peers") or [])


def _read(repo: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((repo / "config").read_text())
    return config


def _write(repo: Path, config: dict[str, Any]) -> None:
    write_atomic(repo / "config", (json.dumps(config, indent=2) + "\n").encode(), mode=0o600)

"""Kubo for a consortium: one node per member in a private swarm on loopback.

A repository starts from Kubo's `test` profile (loopback addresses, no bootstrap peers, AutoConf,
MDNS and delegated routing off) and gets: the members' shared `swarm.key`, so only members'
nodes can connect (and `LIBP2P_FORCE_PNET=1`, so a node without the key refuses to start rather than
join the public network); fixed loopback ports, TCP only; no gateway; no DHT (`Routing.Type`
"none": the members are peered with each other directly, and bitswap asks connected peers for
blocks, which is all a private swarm of a few known nodes needs); and no telemetry, which Kubo
otherwise sends to its maintainers' endpoint even from a private network.
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

# Kubo reads IPFS_TELEMETRY before its config; both are set so neither a daemon started by hand
# nor one started here reports anything.
_ENV = {"LIBP2P_FORCE_PNET": "1", "IPFS_TELEMETRY": "off"}


def new_swarm_key() -> bytes:
    """Returns a new private-swarm key in the format Kubo reads from `swarm.key`.

    Returns:
        The file's content: the PSK v1 header, the base16 encoding line and 32 random bytes in hex.
    """
    return b"/key/swarm/psk/1.0.0/\n/base16/\n" + secrets.token_hex(32).encode() + b"\n"


def init_repo(ipfs: Path, repo: Path, *, swarm_key: bytes | None, api_port: int, swarm_port: int,
              swarm_host: str = "127.0.0.1") -> str:
    """Initialises a member's Kubo repository for the private swarm.

    Args:
        ipfs: The Kubo binary.
        repo: The repository directory (created).
        swarm_key: The swarm's key (see `new_swarm_key`), or None to write it later (`set_swarm_key`).
        api_port: The RPC API's loopback port.
        swarm_port: The libp2p TCP port.
        swarm_host: The address the libp2p port listens on (the one the member announces).

    Returns:
        The node's peer ID.

    Raises:
        NodeFailed: If `ipfs init` fails.
        OutputError: If the key or the configuration cannot be written.
    """
    done = subprocess.run(  # noqa: S603 - argv built here, no shell
        [str(ipfs), "init", "--empty-repo", "--profile=test"],
        env={"IPFS_PATH": str(repo), "HOME": str(repo), "PATH": "/usr/bin:/bin", **_ENV},
        capture_output=True, text=True, timeout=60, check=False,
    )
    if done.returncode != 0:
        raise NodeFailed(f"ipfs init in {repo} failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    if swarm_key is not None:
        set_swarm_key(repo, swarm_key)
    config = _read(repo)
    config["Addresses"].update({
        "API": f"/ip4/127.0.0.1/tcp/{api_port}",
        "Gateway": [],
        "Swarm": [f"/ip4/{swarm_host}/tcp/{swarm_port}"],
    })
    # With AutoConf off, an "auto" left in any of these would stop the daemon; the test profile
    # leaves none, but they are set here so a change of profile defaults cannot bring one back.
    config["AutoConf"] = {"Enabled": False}
    config["Bootstrap"] = []
    config["DNS"] = {"Resolvers": {}}
    config["Routing"].update({"Type": "none", "DelegatedRouters": []})
    config.setdefault("Ipns", {})["DelegatedPublishers"] = []
    config["Discovery"] = {"MDNS": {"Enabled": False}}
    # TCP only: a private network cannot use QUIC or WebTransport (their own encryption bypasses
    # the key), and Websocket would share the TCP listener, which a private network refuses.
    config["Swarm"]["Transports"]["Network"] = {
        "TCP": True, "Websocket": False, "QUIC": False, "WebTransport": False, "WebRTCDirect": False, "Relay": False,
    }
    config["Swarm"].update({"RelayClient": {"Enabled": False}, "RelayService": {"Enabled": False}})
    config["Plugins"] = {"Plugins": {"telemetry": {"Config": {"Mode": "off"}}}}
    _write(repo, config)
    return str(config["Identity"]["PeerID"])


def set_swarm_key(repo: Path, swarm_key: bytes) -> None:
    """Writes the private swarm's key where Kubo reads it, readable by its owner only."""
    write_atomic(repo / "swarm.key", swarm_key, mode=0o600)


def set_peers(repo: Path, peers: list[tuple[str, str]]) -> None:
    """Makes a node keep connections to the other members (Peering) and bootstrap from them only.

    Args:
        repo: The node's repository.
        peers: (peer ID, multiaddr without /p2p) of every other member's node.

    Raises:
        OutputError: If the configuration cannot be written.
    """
    config = _read(repo)
    config["Peering"] = {"Peers": [{"ID": pid, "Addrs": [addr]} for pid, addr in peers]}
    config["Bootstrap"] = [f"{addr}/p2p/{pid}" for pid, addr in peers]
    _write(repo, config)


def daemon_command(ipfs: Path, repo: Path) -> tuple[list[str], dict[str, str]]:
    """Returns the argv and environment that run a member's node.

    Args:
        ipfs: The Kubo binary.
        repo: The node's repository.

    Returns:
        The argv, and the variables to add to the environment (repository, forced private
        network, no telemetry). Repository migrations are refused rather than run unasked.
    """
    return [str(ipfs), "daemon", "--migrate=false"], {"IPFS_PATH": str(repo), **_ENV}


def api(url: str, path: str, *, timeout: float = 5.0, **params: str) -> Any:
    """Calls the Kubo RPC API and returns its decoded JSON answer (a list for a streamed one).

    Args:
        url: The node's RPC endpoint, e.g. http://127.0.0.1:5001.
        path: The command's path under /api/v0, e.g. "swarm/peers".
        timeout: Seconds to wait for the answer.
        params: The command's query arguments (`arg` for its positional argument).

    Returns:
        The decoded answer: one object, or a list of the objects of a streamed answer.

    Raises:
        OSError: If the node does not answer or answers with an error.
        ValueError: If the answer is not JSON.
    """
    query = urllib.parse.urlencode(params)
    request = urllib.request.Request(f"{url}/api/v0/{path}" + (f"?{query}" if query else ""), method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a loopback http URL of ours
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else lines


def is_ready(url: str) -> bool:
    """Tells whether the node's RPC API answers.

    Args:
        url: The node's RPC endpoint.

    Returns:
        True if it answered `id`.
    """
    try:
        api(url, "id", timeout=2.0)
    except (OSError, ValueError):
        return False
    return True


def peer_count(url: str) -> int | None:
    """Returns how many peers the node is connected to.

    Args:
        url: The node's RPC endpoint.

    Returns:
        The number of connected peers, or None if the node does not answer.
    """
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

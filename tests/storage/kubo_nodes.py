"""Real Kubo daemons for the storage tests: a small private swarm on loopback, started and stopped here."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from lienchain.networks import IPFS
from lienchain.networks import kubo
from lienchain.networks.process import Process, wait_for

from ..binaries import require


def ipfs_binary() -> Path:
    """The Kubo binary, built on first use (see tests/binaries.py)."""
    return require(IPFS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class KuboNode:
    """One daemon: its repository, endpoints and process."""

    repo: Path
    api: str
    swarm: str
    peer_id: str
    process: Process

    def start(self) -> None:
        argv, env = kubo.daemon_command(ipfs_binary(), self.repo)
        self.process.start(argv, env={**os.environ, **env})
        assert wait_for(lambda: kubo.is_ready(self.api), 30), self.process.tail(20)

    def stop(self) -> None:
        self.process.stop()

    def block_file(self, cid: str) -> Path:
        """The flatfs file holding a block (named by the base32 of its multihash)."""
        import base64

        from lienchain.storage import digest_of

        key = base64.b32encode(b"\x12\x20" + digest_of(cid)).decode().rstrip("=")
        (path,) = (self.repo / "blocks").rglob(f"{key}.data")
        return path


def swarm(root: Path, count: int, *, swarm_key: bytes | None = None) -> list[KuboNode]:
    """Initialises and starts `count` peered nodes sharing one swarm key (a new one if not given)."""
    key = swarm_key or kubo.new_swarm_key()
    nodes = []
    for i in range(count):
        repo = root / f"ipfs-{i}"
        api_port, swarm_port = _free_port(), _free_port()
        peer_id = kubo.init_repo(ipfs_binary(), repo, swarm_key=key, api_port=api_port, swarm_port=swarm_port)
        nodes.append(KuboNode(repo, f"http://127.0.0.1:{api_port}", f"/ip4/127.0.0.1/tcp/{swarm_port}", peer_id,
                              Process(f"Kubo {i}", root / f"ipfs-{i}.pid", root / f"ipfs-{i}.log")))
    for node in nodes:
        kubo.set_peers(node.repo, [(o.peer_id, o.swarm) for o in nodes if o is not node])
    for node in nodes:
        node.start()
    return nodes


def clear(node: KuboNode) -> None:
    """Unpins everything and collects garbage: the node holds no document afterwards."""
    pins = kubo.api(node.api, "pin/ls", type="recursive").get("Keys") or {}
    for cid in pins:
        kubo.api(node.api, "pin/rm", arg=cid)
    kubo.api(node.api, "repo/gc")

"""Choosing the ports a member's nodes listen on."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from ..errors import PortInUse
from .process import port_free

#: The ports a member's geth (peer-to-peer), Kubo (swarm) and key service listen on at its host,
#: unless it chooses others.
DEFAULT_P2P_PORT = 30303
DEFAULT_SWARM_PORT = 4001
DEFAULT_KEY_PORT = 4711


def taken_ports(root: Path) -> set[int]:
    """Returns the ports that member directories under `root` (and in its sandboxes) have chosen."""
    taken: set[int] = set()
    for record in [*root.glob("*/member.json"), *root.glob("*/members/*/member.json")]:
        try:
            taken.update(int(p) for p in json.loads(record.read_text())["ports"].values())
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return taken


def allocate_ports(root: Path, count: int, host: str = "127.0.0.1") -> list[int]:
    """Returns `count` distinct ports free at `host` that no network under `root` has taken.

    They come from 20000-32767, below the kernel's ephemeral range, so an outgoing connection
    does not take one of them between now and the node's start.
    """
    taken = taken_ports(root)
    chosen: list[int] = []
    for _ in range(2000):
        port = 20_000 + secrets.randbelow(12_768)
        if port not in taken and port not in chosen and port_free(port, host):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise PortInUse(f"found no {count} free ports between 20000 and 32767 at {host}: free some and retry")

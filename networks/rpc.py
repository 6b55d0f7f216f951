"""What a member's geth node says about itself, in one JSON-RPC batch over loopback HTTP."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ipc import ipc_call


@dataclass(frozen=True)
class NodeFacts:
    """A node's view of the chain."""

    block: int
    head: str
    peers: int
    sealing: bool | None  # whether the node mines with a sealer the chain currently authorises
    timestamp: int = 0  # the head block's time (seconds since the epoch)


def call(url: str, requests: list[tuple[str, list[Any]]], *, timeout: float = 5.0) -> list[Any]:
    """Sends JSON-RPC requests as one batch and returns their results in order.

    Raises:
        OSError: If the node does not answer (urllib's errors are OSErrors).
        ValueError: If it answers with an error or with something that is not JSON-RPC.
    """
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(requests)]
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a loopback http URL of ours
        replies = {r["id"]: r for r in json.loads(response.read())}
    results = []
    for i, (method, _) in enumerate(requests):
        reply = replies.get(i, {})
        if "error" in reply or "result" not in reply:
            raise ValueError(f"{method} failed: {reply.get('error', 'no result')}")
        results.append(reply["result"])
    return results


def node_facts(
    url: str, *, sealer: str | None = None, ipc: Path | None = None, timeout: float = 5.0
) -> NodeFacts | None:
    """Returns a node's height, head hash, peer count and (given its sealer and IPC socket) whether
    it seals; None if down."""
    requests: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False]), ("net_peerCount", [])]
    if sealer is not None:
        requests += [("eth_mining", []), ("eth_coinbase", [])]
    try:
        results = call(url, requests, timeout=timeout)
        signers = ipc_call(ipc, "clique_getSigners", ["latest"], timeout=timeout) if sealer and ipc else None
    except (OSError, ValueError):
        return None
    sealing = None
    if sealer is not None and signers is not None:
        sealing = bool(results[2]) and str(results[3]).lower() == sealer.lower() and sealer.lower() in {s.lower() for s in signers}
    head = results[0]
    return NodeFacts(int(head["number"], 16), head["hash"], int(results[1], 16), sealing, int(head["timestamp"], 16))

"""When a member's node may seal: once it is peered with a majority of the chain's sealers.

Clique lets an authorised sealer seal out of turn after a short random delay. Sealers that start
before they see each other each seal their own block 1; each then waits for the others (a sealer
may not seal twice within half the sealers' count of blocks) and the chain never reaches block 2.
So a node starts its sealer only once its peers and itself make a majority of the sealers, and a
sealer cut off from the majority stops, so that it does not build a rival chain on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .ipc import ipc_call


def sealers_in_reach(ipc: Path, node_of_sealer: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Returns (sealers this node reaches, itself included; sealers of the chain).

    Args:
        ipc: The node's IPC socket.
        node_of_sealer: The enode id of each sealer's node, by lower-case sealer address; without
            it every peer counts as a sealer.

    Raises:
        OSError, ValueError: If the node does not answer.
    """
    signers = [s.lower() for s in ipc_call(ipc, "clique_getSigners", ["latest"])]
    # A peer's enode URL carries its public key, the node id cards list (admin_peers' "id" is its hash).
    ids = {p["enode"].split("//", 1)[1].split("@", 1)[0].lower() for p in ipc_call(ipc, "admin_peers")}
    if node_of_sealer is not None:
        ids &= {node_of_sealer[s].lower() for s in signers if s in node_of_sealer}
    return min(len(ids) + 1, len(signers)), len(signers)


def majority(count: int) -> int:
    """Returns the smallest number of sealers that is more than half of `count`."""
    return count // 2 + 1

"""Consortium networks on geth (Clique) and Kubo, one organisation per machine.

`MemberHome.init` creates a member's keys and signed card on its own machine, `Manifest.create`
turns the founders' cards into a network manifest, `MemberHome.join` and `MemberHome.start` run
the member's nodes and agent. `Network` is the single-host sandbox built from the same steps.
`install` builds the pinned geth and Kubo with Go when they are not already there.

The names below are imported on first use (see `lienchain._lazy`): the pinned binaries' versions,
which the command line's help shows, do not need web3 or the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .binaries import BINARIES, GETH, IPFS, Binary, install, locate
    from .card import MemberCard
    from .manifest import Manifest
    from .member import MemberHome, NodeStatus
    from .network import DEFAULT_GAS_LIMIT, Member, MemberStatus, Network, network_path, networks_root, parse_members

_EXPORTS = {
    "BINARIES": ".binaries",
    "DEFAULT_GAS_LIMIT": ".network",
    "GETH": ".binaries",
    "IPFS": ".binaries",
    "Binary": ".binaries",
    "Manifest": ".manifest",
    "Member": ".network",
    "MemberCard": ".card",
    "MemberHome": ".member",
    "MemberStatus": ".network",
    "NodeStatus": ".member",
    "Network": ".network",
    "install": ".binaries",
    "locate": ".binaries",
    "network_path": ".network",
    "networks_root": ".network",
    "parse_members": ".network",
}

__all__ = [
    "BINARIES",
    "DEFAULT_GAS_LIMIT",
    "GETH",
    "IPFS",
    "Binary",
    "Manifest",
    "Member",
    "MemberCard",
    "MemberHome",
    "MemberStatus",
    "NodeStatus",
    "Network",
    "install",
    "locate",
    "network_path",
    "networks_root",
    "parse_members",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

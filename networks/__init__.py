"""Consortium networks on geth (Clique) and Kubo, one organisation per machine.

`MemberHome.init` creates a member's keys and signed card on its own machine, `Manifest.create`
turns the founders' cards into a network manifest, `MemberHome.join` and `MemberHome.start` run
the member's nodes and agent. `Network` is the single-host sandbox built from the same steps.
`install` builds the pinned geth and Kubo with Go when they are not already there.
"""

from .binaries import BINARIES, GETH, IPFS, Binary, install, locate
from .card import MemberCard
from .manifest import Manifest
from .member import MemberHome, NodeStatus
from .network import DEFAULT_GAS_LIMIT, Member, MemberStatus, Network, network_path, networks_root, parse_members

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

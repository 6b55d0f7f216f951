"""Consortium networks on geth (Clique) and Kubo: genesis, member keys, node processes.

`Network.create` writes a network directory for a list of members; `Network.up` starts each
member's geth sealer and Kubo node on loopback and waits until the chain seals and the members are
peered. `install` builds the pinned geth and Kubo with Go when they are not already there.
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

"""The single-host sandbox: a whole consortium on one machine, built from a real one's steps.

`Network.create` (`lienchain network init NAME --members a,b,c`) runs, for each member, what the
member's organisation would run on its own machine (`node init`, see member.py), then what the
founder runs (`network create`, see manifest.py), then `network join` in each member's directory::

    NAME/
      sandbox.json        the members, in order (this module's record)
      NAME.network.json   the manifest
      members/M/          M's member directory, exactly as on M's own machine (see member.py)

It is a sandbox, not a consortium: one directory tree and one passphrase hold every member's keys,
so whoever holds it can sign as any member, pass any proposal and seal every block. Separate
organisations form a network with `node init` / `network create` / `network join`, each on its
own machine, holding only its own keys.

`--network NAME --as M` opens M's member directory as the profile, so every command runs exactly
as on M's machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, NetworkExists, NetworkNotFormed, UnknownMember
from ..files import write_atomic
from ..ledger.workspace.accounts import Passphrase
from ..ledger.registry.deployment import Deployment
from ..ledger.workspace.profile import Profile
from ..ledger.registry.roles import ROLES
from . import geth
from .consortium import deploy_from_manifest, install_deployment
from .manifest import Manifest
from .member import MemberHome, read_record
from .ports import allocate_ports
from .process import wait_for
from .rpc import NodeFacts, node_facts

SANDBOX_FILE = "sandbox.json"
_NO_FACTS = NodeFacts(block=-1, head="", peers=0, sealing=None)
_FORMAT = "lienchain/sandbox/v1"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
DEFAULT_GAS_LIMIT = geth.DEFAULT_GAS_LIMIT


def networks_root() -> Path:
    """Returns where networks live: $LIENCHAIN_NETWORKS, or ~/.lienchain/networks."""
    env = os.environ.get("LIENCHAIN_NETWORKS")
    return Path(env) if env else Path.home() / ".lienchain" / "networks"


def network_path(name: str) -> Path:
    """Returns the directory of the named network (which may not exist)."""
    return networks_root() / name


def parse_members(spec: str) -> dict[str, list[str]]:
    """Parses `bank-a:LENDER,bank-b:LENDER,dmv:REGISTRAR+AUDITOR` into member names and their roles.

    A member without roles still seals blocks, stores documents and votes.

    Raises:
        ConfigError: If a name or role is invalid, or a name repeats.
    """
    members: dict[str, list[str]] = {}
    for item in (part.strip() for part in spec.split(",")):
        name, _, roles = item.partition(":")
        if not _NAME.match(name):
            raise ConfigError(f"member name {name!r} is invalid: use lower-case letters, digits and '-' (at most 32)")
        if name in members:
            raise ConfigError(f"member {name!r} is listed twice: list each member once")
        wanted = [r.strip().upper() for r in roles.split("+")] if roles else []
        unknown = [r for r in wanted if r not in ROLES]
        if unknown:
            raise ConfigError(f"role {unknown[0]!r} of {name} is unknown: choose from {', '.join(ROLES)}")
        members[name] = wanted
    if len(members) < 1:
        raise ConfigError("a network needs at least one member: list them as a,b,c")
    return members


@dataclass(frozen=True)
class Member:
    """One member of the sandbox: its public card's facts and its nodes' loopback endpoints."""

    name: str
    roles: tuple[str, ...]
    account: str
    sealer: str
    rpc_url: str
    ipfs_url: str


@dataclass(frozen=True)
class MemberStatus:
    """What `network status` reports of one member."""

    name: str
    geth: bool
    ipfs: bool
    block: int | None
    head: str | None
    peers: int | None
    sealing: bool | None
    ipfs_peers: int | None

    def to_dict(self) -> dict[str, Any]:
        """Returns the status as JSON-ready data."""
        return asdict(self)


class Network:
    """An opened sandbox directory."""

    def __init__(self, path: Path) -> None:
        """Opens a sandbox directory.

        Raises:
            NetworkNotFound: If `path` holds no sandbox.
            ConfigError: If its record is unreadable.
        """
        self.path = Path(path)
        self.name = self.path.name
        record = read_record(self.path / SANDBOX_FILE)
        if not isinstance(record, dict) or record.get("format") != _FORMAT or not isinstance(record.get("members"), list):
            raise ConfigError(f"{self.path / SANDBOX_FILE} is not a sandbox record of format {_FORMAT!r}: restore it")
        self.homes = {str(n): MemberHome(self.path / "members" / str(n)) for n in record["members"]}
        self.members = [
            Member(h.name, h.card.roles, h.card.account, h.card.sealer, h.rpc_url, h.ipfs_url) for h in self.homes.values()
        ]
        manifest = next(iter(self.homes.values())).manifest()
        self.chain_id, self.period = manifest.chain_id, manifest.period

    @staticmethod
    def is_sandbox(path: Path) -> bool:
        """Tells whether a directory is a sandbox."""
        return (Path(path) / SANDBOX_FILE).exists()

    @classmethod
    def create(
        cls,
        path: Path,
        members: dict[str, list[str]],
        *,
        passphrase: Passphrase,
        geth_bin: Path,
        ipfs_bin: Path,
        period: int = 1,
        gas_limit: int = DEFAULT_GAS_LIMIT,
        light_kdf: bool = False,
        currency: str = "USD",
        progress: Callable[[str], None] = lambda _: None,
    ) -> Network:
        """Writes a new sandbox: each member's `node init`, the founder's `network create`, and
        each member's `network join`, all on this host (removed again if any step fails).

        Raises:
            NetworkExists: If `path` exists.
            InvalidManifest: If the period or gas limit is out of range.
            NodeFailed: If geth or Kubo cannot initialise a member's data.
        """
        path = Path(path)
        if path.exists():
            raise NetworkExists(path.name, str(path))
        secret = passphrase()  # one passphrase for every member: the sandbox's nature
        ports = allocate_ports(path.parent, 6 * len(members))
        path.mkdir(parents=True)
        try:
            homes = []
            for i, (name, roles) in enumerate(members.items()):
                homes.append(MemberHome.init(
                    path / "members" / name, network=path.name, member=name, host="127.0.0.1", roles=roles,
                    passphrase=lambda: secret, ipfs_bin=ipfs_bin, p2p_port=ports[6 * i], swarm_port=ports[6 * i + 1],
                    key_port=ports[6 * i + 2], light_kdf=light_kdf, local_ports=ports[6 * i + 3 : 6 * i + 6],
                ))
            progress(f"created the keys of {', '.join(members)} (each member in its own directory, encrypted)")
            manifest = Manifest.create(path.name, [h.card for h in homes], period=period, gas_limit=gas_limit)
            manifest.save(path / f"{path.name}.network.json")
            for h in homes:
                h.join(manifest, passphrase=lambda: secret, geth_bin=geth_bin, currency=currency)
            progress(f"wrote the Clique genesis (chain id {manifest.chain_id}, {period}-second blocks) and joined each member")
            write_atomic(path / SANDBOX_FILE, (json.dumps({"format": _FORMAT, "members": list(members)}, indent=2) + "\n").encode())
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return cls(path)

    # --- members ----------------------------------------------------------------------------

    def member(self, name: str) -> Member:
        """Returns a member by name.

        Raises:
            UnknownMember: If there is no such member.
        """
        for m in self.members:
            if m.name == name:
                return m
        raise UnknownMember(name, [m.name for m in self.members])

    def home(self, name: str) -> MemberHome:
        """Returns a member's directory.

        Raises:
            UnknownMember: If there is no such member.
        """
        return self.homes[self.member(name).name]

    # --- nodes --------------------------------------------------------------------------------

    def stop_node(self, name: str, *, kill: bool = False) -> list[str]:
        """Stops a member's agent and nodes; returns which were running."""
        return self.home(name).stop(kill=kill)

    def up(self, *, passphrase: Passphrase, geth_bin: Path, ipfs_bin: Path, timeout: float = 90.0,
           progress: Callable[[str], None] = lambda _: None) -> list[MemberStatus]:
        """Starts every member's nodes and waits until the chain seals and the members are peered.

        Raises:
            NodeFailed: If a node does not start, or the network does not form within `timeout`.
        """
        secret = passphrase()  # asked once, not once per member
        for m in self.members:
            self.home(m.name).start(passphrase=lambda: secret, geth_bin=geth_bin, ipfs_bin=ipfs_bin, agent=False)
            progress(f"started {m.name}: geth on {m.rpc_url}, Kubo on {m.ipfs_url}")
        # The agents (which start the sealers) go last, so that no early majority seals block 1
        # while a later member is still starting.
        for home in self.homes.values():
            home.start_agent()
        want = len(self.members) - 1
        start_block = max((s.block or 0) for s in self.status())

        def formed() -> bool:
            # Two blocks past the start: a chain of rival first blocks would stand still at one.
            return all((s.peers or 0) >= want and (s.ipfs_peers or 0) >= want and (s.block or 0) >= start_block + 2
                       and s.sealing for s in self.status())

        if not wait_for(formed, timeout, interval=0.5):
            lagging = [s.name for s in self.status() if (s.peers or 0) < want or (s.ipfs_peers or 0) < want]
            raise NetworkNotFormed(self.name, timeout, lagging)
        return self.status()

    def down(self) -> list[str]:
        """Stops every member's nodes; returns the members that had a node running."""
        return [m.name for m in self.members if self.stop_node(m.name)]

    def status(self) -> list[MemberStatus]:
        """Returns each member's node state: block height and head, peers, sealing, IPFS peers."""
        out = []
        for m in self.members:
            s = self.home(m.name).status()
            out.append(MemberStatus(m.name, s.geth, s.ipfs, s.block, s.head, s.peers, s.sealing, s.ipfs_peers))
        return out

    # --- contracts ----------------------------------------------------------------------------

    def deploy(self, *, passphrase: Passphrase, progress: Callable[[str], None] = lambda _: None) -> Deployment:
        """Deploys from the first member's directory (founding members, sealers and roles from the
        manifest), then verifies and installs the record in every other member's, through its node.

        Raises:
            ConfigError: If the sandbox's contracts are deployed already.
            DeploymentMismatch: If a member's node does not show the deployment (a bug).
        """
        homes = list(self.homes.values())
        with Profile(homes[0].path, passphrase=passphrase) as profile:
            deployment = deploy_from_manifest(homes[0], profile, homes[0].name)
        progress(f"deployed governance {deployment.governance} and registry {deployment.registry} from {homes[0].name}, "
                 "the founding roles set in the constructor")
        record = self.path / f"{self.name}.deployment.json"
        deployment.save(record)
        height = homes[0].status().block or 0
        for home in homes[1:]:
            # Each member checks through its own node, once that node has the deployment's blocks.
            wait_for(lambda: (node_facts(home.rpc_url) or _NO_FACTS).block >= height, 30, interval=0.2)
            with Profile(home.path, passphrase=passphrase) as profile:
                install_deployment(home, profile, record)
        progress(f"verified and installed the deployment through the nodes of {', '.join(h.name for h in homes[1:]) or 'none'}")
        return deployment

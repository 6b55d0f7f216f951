"""The single-host sandbox: a whole consortium in one directory, for trying lienchain out.

This is a sandbox, not a consortium: one directory and one passphrase hold every member's keys, so
whoever holds it can sign as any member, pass any proposal and seal every block. Separate
organisations form a network with `node init` / `network create` / `network join` (see member.py),
each holding only its own keys.

`Network.create` turns a list of members into a network directory::

    NAME/
      network.json        members, roles, addresses, ports, enodes, peer ids (this module's record)
      profile.json        the validated profile every CLI command connects with (engine "geth")
      genesis.json        Clique genesis, London rules, one sealer per member
      accounts.json       the members' transacting accounts (keys in keystore/, encrypted)
      swarm.key           the private IPFS swarm's key, shared by the members (mode 0600)
      deployment.json     written by `lienchain contracts deploy --network NAME`
      members/M/geth/     M's geth data directory (chain, node key)
      members/M/keystore/ M's sealer key, encrypted: it signs blocks, holds no funds and no role
      members/M/ipfs/     M's Kubo repository
      members/M/config.toml, logs/, run/   M's geth config, node logs, pid files

The directory is also a lienchain profile (`--network NAME` opens it), so every command runs
against the network exactly as against an embedded profile. Ports come from a range no other
network under the same root uses, so several networks coexist on one host.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account

from ..errors import ConfigError, NetworkExists, NetworkNotFound, NodeFailed, NodeUnreachable, PortInUse, UnknownMember
from ..files import write_atomic
from ..ledger.accounts import AccountBook, Passphrase, encrypt_key
from ..ledger.profile import FUNDING
from ..ledger.roles import ROLES
from . import geth, kubo
from .process import Process, await_ready, child_env, hand_over, last_error, port_free, run_tool, secret_pipes, wait_for
from .rpc import node_facts
from .sealing import start_sealing_when_peered

NETWORK_FILE = "network.json"
_FORMAT = 1
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_PORTS = ("p2p", "http", "auth", "swarm", "api")
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
        raise ConfigError("a network needs at least one member: pass --members a,b,c")
    return members


@dataclass(frozen=True)
class Member:
    """One member of the network as network.json records it."""

    name: str
    roles: tuple[str, ...]
    account: str  # the member's transacting account (keystore/NAME.json)
    sealer: str  # the member's block-sealing account (members/NAME/keystore)
    ports: dict[str, int]
    enode: str
    peer_id: str

    @property
    def rpc_url(self) -> str:
        """Returns the URL of the member's geth JSON-RPC endpoint."""
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def ipfs_url(self) -> str:
        """Returns the URL of the member's Kubo RPC endpoint."""
        return f"http://127.0.0.1:{self.ports['api']}"


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
    """An opened network directory."""

    def __init__(self, path: Path) -> None:
        """Opens a network directory.

        Raises:
            NetworkNotFound: If `path` holds no network.
            ConfigError: If its network.json is unreadable.
        """
        self.path = Path(path)
        self.name = self.path.name
        try:
            record = json.loads((self.path / NETWORK_FILE).read_text())
        except FileNotFoundError:
            raise NetworkNotFound(self.name, str(self.path)) from None
        except ValueError as exc:
            raise ConfigError(f"{self.path / NETWORK_FILE} is not valid JSON ({exc}): restore it from a backup") from None
        try:
            if record["format"] != _FORMAT:
                raise ConfigError(f"{self.path} is a network of format {record['format']}, expected {_FORMAT}")
            self.chain_id = int(record["chain_id"])
            self.period = int(record["period"])
            self.gas_limit = int(record["gas_limit"])
            self.members = [
                Member(m["name"], tuple(m["roles"]), m["account"], m["sealer"], dict(m["ports"]), m["enode"], m["peer_id"])
                for m in record["members"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{self.path / NETWORK_FILE} is not a valid network record ({exc}): restore it") from None

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
        """Writes a new network directory (built beside `path`, renamed into place when complete).

        Raises:
            NetworkExists: If `path` exists.
            ConfigError: If the period or gas limit is out of range.
            NodeFailed: If geth or Kubo cannot initialise a member's data.
        """
        path = Path(path)
        if path.exists():
            raise NetworkExists(path.name, str(path))
        if not 1 <= period <= 3600:
            raise ConfigError(f"--period {period} is out of range: give 1 to 3600 seconds")
        if not 5_000_000 <= gas_limit <= 2**63 - 1:
            raise ConfigError(f"--gas-limit {gas_limit} is too small: give at least 5000000")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
        try:
            _write_network(tmp, path, members, passphrase=passphrase, geth_bin=geth_bin, ipfs_bin=ipfs_bin,
                           period=period, gas_limit=gas_limit, light_kdf=light_kdf, currency=currency,
                           progress=progress)
            os.rename(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
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

    def _dir(self, m: Member) -> Path:
        return self.path / "members" / m.name

    def geth_process(self, m: Member) -> Process:
        """Returns the member's geth process record."""
        return Process(f"geth of {m.name}", self._dir(m) / "run" / "geth.pid", self._dir(m) / "logs" / "geth.log")

    def ipc_path(self, m: Member) -> Path:
        """Returns the member's geth IPC socket."""
        return self._dir(m) / "geth" / geth.IPC_NAME

    def ipfs_process(self, m: Member) -> Process:
        """Returns the member's Kubo process record."""
        return Process(f"Kubo of {m.name}", self._dir(m) / "run" / "ipfs.pid", self._dir(m) / "logs" / "ipfs.log")

    # --- nodes --------------------------------------------------------------------------------

    def start_node(self, name: str, *, passphrase: Passphrase, geth_bin: Path, ipfs_bin: Path, timeout: float = 60.0,
                   seal: bool = True) -> None:
        """Starts a member's geth and Kubo nodes (those not already running) and waits until both answer.

        With `seal`, it then waits until the node is peered with a majority of the sealers and
        starts its sealer (see `start_sealing`).

        Raises:
            PortInUse: If another process holds one of the member's ports.
            NodeFailed: If a node exits or does not answer within `timeout` seconds (a passphrase
                that does not unlock the sealer key makes geth exit; the error quotes its log).
        """
        m = self.member(name)
        gproc, iproc = self.geth_process(m), self.ipfs_process(m)
        needed = ([] if gproc.running() else ["p2p", "http", "auth"]) + ([] if iproc.running() else ["swarm", "api"])
        for port in needed:
            if not port_free(m.ports[port]):
                raise PortInUse(
                    f"port {m.ports[port]} ({port}) of {m.name} is taken by another process: stop it, "
                    f"or create the network again to get other ports"
                )
        if not gproc.running():
            self._start_geth(m, gproc, passphrase(), geth_bin, timeout)
        if not iproc.running():
            argv, env = kubo.daemon_command(ipfs_bin, self._dir(m) / "ipfs")
            iproc.start(argv, env={**child_env(), **env})
            await_ready(iproc, lambda: kubo.is_ready(m.ipfs_url), timeout)
        if seal:
            self.start_sealing(name, timeout=timeout)

    def start_sealing(self, name: str, *, timeout: float = 60.0) -> None:
        """Starts a member's sealer once its node is peered with a majority of the sealers.

        A sealer that seals before it sees the others starts a fork of its own: sealers started
        together each sealed their own block 1 and then waited for each other forever.

        Raises:
            NodeFailed: If the node is not peered with a majority within `timeout` seconds.
        """
        m = self.member(name)
        if not start_sealing_when_peered(self.ipc_path(m), timeout):
            raise NodeFailed(
                f"geth of {m.name} is not peered with a majority of the sealers after {timeout:.0f} s, so it does not "
                f"seal: start the other members' nodes (`lienchain network up {self.name}`)"
            )

    def _start_geth(self, m: Member, proc: Process, passphrase: str, geth_bin: Path, timeout: float) -> None:
        # The passphrase goes through a named pipe that geth reads once: it never touches the disk.
        with secret_pipes("passphrase") as (fifo,):
            argv = geth.node_command(
                geth_bin, config=self._dir(m) / "config.toml", keystore=self._dir(m) / "keystore",
                sealer=m.sealer, password_file=fifo, mine=False,
            )
            proc.start(argv, env=child_env())
            if not hand_over(proc, {fifo: passphrase.encode() + b"\n"}, timeout):
                raise NodeFailed(f"geth of {m.name} did not start: {last_error(proc)}")
        await_ready(proc, lambda: node_facts(m.rpc_url) is not None, timeout)

    def stop_node(self, name: str, *, kill: bool = False) -> list[str]:
        """Stops a member's nodes (SIGTERM, or SIGKILL with `kill`); returns which were running."""
        m = self.member(name)
        stopped = []
        for label, proc in (("geth", self.geth_process(m)), ("ipfs", self.ipfs_process(m))):
            if proc.stop(kill=kill):
                stopped.append(label)
        return stopped

    def up(self, *, passphrase: Passphrase, geth_bin: Path, ipfs_bin: Path, timeout: float = 90.0,
           progress: Callable[[str], None] = lambda _: None) -> list[MemberStatus]:
        """Starts every member's nodes and waits until the chain seals and the members are peered.

        Raises:
            NodeFailed: If a node does not start, or the network does not form within `timeout`.
        """
        secret = passphrase()  # asked once, not once per member
        for m in self.members:
            self.start_node(m.name, passphrase=lambda: secret, geth_bin=geth_bin, ipfs_bin=ipfs_bin, seal=False)
            progress(f"started {m.name}: geth on {m.rpc_url}, Kubo on {m.ipfs_url}")
        for m in self.members:
            self.start_sealing(m.name, timeout=timeout)
        want = len(self.members) - 1
        start_block = max((s.block or 0) for s in self.status())

        def formed() -> bool:
            statuses = self.status()
            return all(
                (s.peers or 0) >= want and (s.ipfs_peers or 0) >= want and (s.block or 0) > start_block
                for s in statuses
            )

        if not wait_for(formed, timeout, interval=0.5):
            lagging = [s.name for s in self.status() if (s.peers or 0) < want or (s.ipfs_peers or 0) < want]
            raise NodeFailed(
                f"the network did not form within {timeout:.0f} s (not peered: {', '.join(lagging) or 'none'}; "
                f"no new block: check `lienchain node logs MEMBER --network {self.name}`)"
            )
        return self.status()

    def down(self) -> list[str]:
        """Stops every member's nodes; returns the members that had a node running."""
        return [m.name for m in self.members if self.stop_node(m.name)]

    def status(self) -> list[MemberStatus]:
        """Returns each member's node state: block height and head, peers, sealing, IPFS peers."""
        out = []
        for m in self.members:
            facts = node_facts(m.rpc_url, sealer=m.sealer, ipc=self.ipc_path(m)) if self.geth_process(m).running() else None
            ipfs_up = self.ipfs_process(m).running()
            out.append(MemberStatus(
                name=m.name,
                geth=facts is not None,
                ipfs=ipfs_up,
                block=facts.block if facts else None,
                head=facts.head if facts else None,
                peers=facts.peers if facts else None,
                sealing=facts.sealing if facts else None,
                ipfs_peers=kubo.peer_count(m.ipfs_url) if ipfs_up else None,
            ))
        return out

    def endpoint(self, name: str) -> str:
        """Returns a member's RPC URL, checking that its node answers.

        Raises:
            NodeUnreachable: If it does not.
        """
        m = self.member(name)
        if node_facts(m.rpc_url) is None:
            raise NodeUnreachable(
                f"the geth node of {name} does not answer on {m.rpc_url}: "
                f"start it with `lienchain node start {name} --network {self.name}`"
            )
        return m.rpc_url


def _allocate_ports(root: Path, count: int) -> list[int]:
    """Returns `count` consecutive free loopback ports that no network under `root` has taken."""
    taken: set[int] = set()
    for record in root.glob(f"*/{NETWORK_FILE}"):
        try:
            for m in json.loads(record.read_text())["members"]:
                taken.update(int(p) for p in m["ports"].values())
        except (OSError, ValueError, KeyError, TypeError):
            continue
    for _ in range(200):
        base = 20_000 + 10 * secrets.randbelow(3_000)
        ports = list(range(base, base + count))
        if not taken.intersection(ports) and all(port_free(p) for p in ports):
            return ports
    raise PortInUse(f"found no {count} free consecutive ports between 20000 and 50000: free some and retry")


def _write_network(
    tmp: Path, final: Path, members: dict[str, list[str]], *, passphrase: Passphrase, geth_bin: Path,
    ipfs_bin: Path, period: int, gas_limit: int, light_kdf: bool, currency: str, progress: Callable[[str], None],
) -> None:
    names = list(members)
    chain_id = 1_000_000 + secrets.randbelow(2**31 - 1_000_000)
    book = AccountBook(tmp, passphrase)
    accounts = {n: book.create(n, light_kdf=light_kdf) for n in names}
    secret = passphrase()
    sealers = {}
    for n in names:
        sealer = Account.create()
        keystore = encrypt_key(bytes(sealer.key), secret, light_kdf=light_kdf)
        (tmp / "members" / n / "keystore").mkdir(parents=True, mode=0o700)
        write_atomic(tmp / "members" / n / "keystore" / "sealer.json", json.dumps(keystore).encode(), mode=0o600)
        sealers[n] = str(sealer.address)
    progress(f"created the accounts and sealer keys of {', '.join(names)} (encrypted)")

    ports = _allocate_ports(final.parent, len(_PORTS) * len(names))
    port_map = {n: dict(zip(_PORTS, ports[i * len(_PORTS):(i + 1) * len(_PORTS)])) for i, n in enumerate(names)}
    node_keys = {n: geth.NodeKey.generate() for n in names}
    enodes = {n: node_keys[n].enode(port_map[n]["p2p"]) for n in names}

    genesis = geth.genesis(chain_id=chain_id, sealers=list(sealers.values()), period=period, gas_limit=gas_limit,
                           alloc={str(a.address): FUNDING for a in accounts.values()})
    write_atomic(tmp / "genesis.json", json.dumps(genesis, indent=2).encode())
    swarm_key = kubo.new_swarm_key()
    write_atomic(tmp / "swarm.key", swarm_key, mode=0o600)
    peer_ids = {}
    for n in names:
        d = tmp / "members" / n
        datadir = d / "geth"
        (datadir / "geth").mkdir(parents=True)
        node_keys[n].write(datadir)
        config = geth.config_toml(
            datadir=final / "members" / n / "geth", network_id=chain_id, p2p_port=port_map[n]["p2p"],
            http_port=port_map[n]["http"], auth_port=port_map[n]["auth"],
            static_nodes=[enodes[o] for o in names if o != n], gas_limit=gas_limit,
        )
        write_atomic(d / "config.toml", config.encode())
        run_tool(geth.init_command(geth_bin, datadir, tmp / "genesis.json"), f"geth init for {n}")
        peer_ids[n] = kubo.init_repo(ipfs_bin, d / "ipfs", swarm_key=swarm_key,
                                     api_port=port_map[n]["api"], swarm_port=port_map[n]["swarm"])
    for n in names:
        kubo.set_peers(tmp / "members" / n / "ipfs", [
            (peer_ids[o], f"/ip4/127.0.0.1/tcp/{port_map[o]['swarm']}") for o in names if o != n
        ])
    progress(f"wrote the Clique genesis (chain id {chain_id}, {period}-second blocks) and the nodes' data")

    record = {
        "format": _FORMAT, "chain_id": chain_id, "period": period, "gas_limit": gas_limit,
        "members": [
            {"name": n, "roles": members[n], "account": str(accounts[n].address), "sealer": sealers[n],
             "ports": port_map[n], "enode": enodes[n], "peer_id": peer_ids[n]}
            for n in names
        ],
    }
    write_atomic(tmp / NETWORK_FILE, (json.dumps(record, indent=2) + "\n").encode())
    profile = {
        "format": 1, "engine": "geth", "network": final.name, "chain_id": chain_id, "currency": currency,
        "created": int(time.time()),
        "members": {n: {"rpc": f"http://127.0.0.1:{port_map[n]['http']}", "ipfs": f"http://127.0.0.1:{port_map[n]['api']}"}
                    for n in names},
    }
    write_atomic(tmp / "profile.json", (json.dumps(profile, indent=2) + "\n").encode())

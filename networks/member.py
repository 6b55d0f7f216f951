"""One organisation's part of a consortium, on its own machine: its keys, its nodes, its copy of the chain.

`MemberHome.init` (`lienchain node init`) writes a member's network directory and its public card::

    NAME/                  under $LIENCHAIN_NETWORKS (default ~/.lienchain/networks)
      member.json          the member's name, announced host and ports (this module's record)
      card.json            its signed public card (see card.py), to hand to the others
      accounts.json        its transacting account (public facts); keystore/MEMBER.json holds the key
      node/keystore/       the sealer key, encrypted: it signs blocks, holds no funds and no role
      node/nodekey.json    the devp2p node key, encrypted; geth reads it once at start through a pipe
      node/ipfs/           the Kubo repository (its identity is Kubo's own, in its config, mode 0600)
      keys/vault.sqlite    the key service's vault (mode 0700 directory): custodial documents' content
                           keys, encrypted under a key derived from the account key, and its access log
      manifest.json        the manifest the member joined with (`network join`)
      node/config.toml, node/geth/, profile.json   written by `network join`
      deployment.json      installed by `contracts deploy` or `contracts verify`
      logs/, run/          the nodes', the key service's and the agent's logs and pid files

Every keystore is encrypted under the member's own passphrase, asked for once. Nothing of another
member's is ever written here: only their public cards, inside the manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..errors import ConfigError, InvalidManifest, NetworkExists, NetworkNotFound, NodeFailed, NotJoined, PortInUse
from ..files import write_atomic
from ..ledger.workspace.accounts import AccountBook, AccountInfo, Passphrase, encrypt_key
from ..storage import document_key, public_key_hex
from . import kubo
from .card import MemberCard, check_host, check_name, check_roles
from .engine import CLIQUE, Engine
from .manifest import Manifest
from .ports import DEFAULT_KEY_PORT, DEFAULT_P2P_PORT, DEFAULT_SWARM_PORT, allocate_ports
from .process import Process, await_ready, child_env, hand_over, last_error, port_free, run_tool, secret_pipes
from .rpc import node_facts
from .sealing import majority, sealers_in_reach

HOME_FILE = "member.json"
HOME_FORMAT = "lienchain/member-home/v1"
MANIFEST_FILE = "manifest.json"
#: A chain whose sealers are peered but that sealed nothing for this many periods (and at least
#: `_STALL_MIN_SECONDS`) is reported stalled.
STATUS_STALL_PERIODS = 10
_STALL_MIN_SECONDS = 20


@dataclass(frozen=True)
class NodeStatus:
    """What `node status` reports of a member's own nodes."""

    member: str
    geth: bool
    ipfs: bool
    agent: bool
    keys: bool  # the key service runs
    steward: bool  # the steward runs: it anchors the access log and carries out erasures
    block: int | None
    head: str | None
    head_age: int | None  # seconds since the head block was sealed
    peers: int | None
    sealers_reached: int | None  # sealers this node reaches, itself included
    sealers: int | None
    sealing: bool | None
    ipfs_peers: int | None
    stalled: bool
    advice: str

    def to_dict(self) -> dict[str, Any]:
        """Returns the status as JSON-ready data."""
        return asdict(self)


def read_record(file: Path) -> Any:
    """Reads the JSON record that makes a directory a member directory or a sandbox.

    Raises:
        NetworkNotFound: If the directory holds no such record.
        ConfigError: If the record is not valid JSON.
    """
    try:
        return json.loads(file.read_text())
    except FileNotFoundError:
        raise NetworkNotFound(file.parent.name, str(file.parent)) from None
    except ValueError as exc:
        raise ConfigError(f"{file} is not valid JSON ({exc}): restore it from a backup") from None


def open_unlocked(argv: list[str]) -> tuple[MemberHome, LocalAccount]:
    """For a process `node start` runs with the member's passphrase (the key service, the steward):
    sets its log up on stdout, opens the member directory `argv[1]` and unlocks the member's account
    with the passphrase read once from the named pipe `argv[2]`, which never touches the disk, the
    command line or the environment.

    Raises:
        BadPassphrase: If the passphrase does not open the account.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    home = MemberHome(Path(argv[1]))
    with open(argv[2], "rb") as pipe:
        secret = pipe.read().decode()
    return home, AccountBook(home.path, lambda: secret).unlock(home.name)


class MemberHome:
    """An opened member directory (see the module docstring)."""

    def __init__(self, path: Path, *, engine: Engine = CLIQUE) -> None:
        """Opens a member directory.

        Raises:
            NetworkNotFound: If `path` holds none.
            ConfigError: If its member.json is unreadable.
        """
        self.path = Path(path)
        self.engine = engine
        record = read_record(self.path / HOME_FILE)
        try:
            if record["format"] != HOME_FORMAT:
                raise ConfigError(f"{self.path} is a member directory of format {record['format']!r}, expected {HOME_FORMAT!r}")
            self.network = str(record["network"])
            self.name = str(record["member"])
            self.ports: dict[str, int] = {k: int(v) for k, v in record["ports"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{self.path / HOME_FILE} is not a valid member record ({exc}): restore it") from None
        self.card = MemberCard.load(self.path / "card.json")

    @staticmethod
    def is_home(path: Path) -> bool:
        """Tells whether a directory is a member directory."""
        return (Path(path) / HOME_FILE).exists()

    # --- node init ----------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        network: str,
        member: str,
        host: str,
        roles: list[str],
        passphrase: Passphrase,
        ipfs_bin: Path,
        p2p_port: int = DEFAULT_P2P_PORT,
        swarm_port: int = DEFAULT_SWARM_PORT,
        key_port: int = DEFAULT_KEY_PORT,
        light_kdf: bool = False,
        engine: Engine = CLIQUE,
        local_ports: list[int] | None = None,
    ) -> MemberHome:
        """Creates a member's keys and Kubo identity and its signed card, in a new directory.

        The directory is built beside `path` and renamed into place when complete. The loopback
        ports of geth's HTTP and engine APIs and of Kubo's API are `local_ports`, or chosen free.

        Raises:
            NetworkExists: If `path` exists.
            InvalidCard: If the name, network or a role is invalid.
            PortInUse: If the peer-to-peer, swarm or key service port is taken at `host`.
            NodeFailed: If Kubo cannot initialise the repository.
        """
        path = Path(path)
        check_name(network, "network")
        check_name(member)
        check_host(host)
        wanted = check_roles(roles)
        if path.exists():
            raise NetworkExists(path.name, str(path))
        for label, port in (("peer-to-peer", p2p_port), ("swarm", swarm_port), ("key service", key_port)):
            if not port_free(port, host):
                raise PortInUse(f"the {label} port {port} is taken at {host} (or {host} is not this machine's): choose another port")
        local = local_ports or allocate_ports(path.parent, 3)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
        try:
            secret = passphrase()  # asked once: every keystore of the member is under it
            book = AccountBook(tmp, lambda: secret)
            account = book.create(member, light_kdf=light_kdf)
            sealer = Account.create()
            node = tmp / "node"
            (node / "keystore").mkdir(parents=True, mode=0o700)
            write_atomic(node / "keystore" / "sealer.json",
                         json.dumps(encrypt_key(bytes(sealer.key), secret, light_kdf=light_kdf)).encode(), mode=0o600)
            node_key = engine.new_node_key()
            write_atomic(node / "nodekey.json",
                         json.dumps(encrypt_key(node_key.secret, secret, light_kdf=light_kdf)).encode(), mode=0o600)
            peer_id = kubo.init_repo(ipfs_bin, node / "ipfs", swarm_key=None, api_port=local[2],
                                     swarm_port=swarm_port, swarm_host=host)
            card = MemberCard(
                network=network, name=member, roles=wanted, account=str(account.address), sealer=str(sealer.address),
                document_key=public_key_hex(document_key(bytes(account.key)).public_key()), host=host,
                p2p_port=p2p_port, swarm_port=swarm_port, key_port=key_port, node_id=node_key.node_id, peer_id=peer_id,
            ).signed(account)
            write_atomic(tmp / "card.json", (json.dumps(card.to_dict(), indent=2) + "\n").encode())
            record = {"format": HOME_FORMAT, "network": network, "member": member, "host": host, 
                      "ports": {"p2p": p2p_port, "swarm": swarm_port, "key": key_port, "http": local[0], "auth": local[1], "api": local[2]}}
            write_atomic(tmp / HOME_FILE, (json.dumps(record, indent=2) + "\n").encode())
            os.rename(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(path, engine=engine)

    # --- network join -------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        """Returns where the joined manifest is kept."""
        return self.path / MANIFEST_FILE

    def manifest(self) -> Manifest:
        """Returns the manifest this member joined with.

        Raises:
            NotJoined: If it has not joined yet.
        """
        if not self.manifest_path.exists():
            raise NotJoined(self.name, self.network)
        return Manifest.load(self.manifest_path)

    def join(self, manifest: Manifest, *, passphrase: Passphrase, geth_bin: Path, currency: str = "USD") -> None:
        """Joins a network: checks the manifest against this member, opens the swarm key, and writes
        the geth and Kubo configuration with the other members as peers.

        Joining again with a later manifest of the same network (one that admits new members)
        updates the peers; the chain data stays.

        Raises:
            InvalidManifest: If the manifest is for another network or genesis than the one joined,
                lacks this member's card or holds a changed one, or its swarm key does not open.
            BadPassphrase: If the passphrase does not open the member's account.
        """
        if manifest.network != self.network:
            raise InvalidManifest(f"the manifest is for network {manifest.network!r}, not {self.network!r}")
        current = [c for c in manifest.members if c.name == self.name]
        if not current:
            raise InvalidManifest(
                f"the manifest of {manifest.network} does not list {self.name} as a member: "
                "check that it was made from (or exported after admitting) this member's card"
            )
        if current[0].to_dict() != self.card.to_dict():
            raise InvalidManifest(
                f"the manifest holds a card for {self.name} that is not this member's own card.json: "
                "it was made from another card; do not join, and tell the other members"
            )
        if self.manifest_path.exists():
            before = Manifest.load(self.manifest_path)
            if (before.chain_id, before.genesis) != (manifest.chain_id, manifest.genesis):
                raise InvalidManifest(
                    f"{self.name} already joined {self.network} with chain id {before.chain_id}; this manifest "
                    f"is of another chain (chain id {manifest.chain_id}): do not mix networks of the same name"
                )
        book = AccountBook(self.path, passphrase)
        account = book.unlock(self.name)
        swarm_key = manifest.open_swarm_key(self.name, document_key(bytes(account.key)))
        node = self.path / "node"
        write_atomic(node / "genesis.json", json.dumps(manifest.genesis, indent=2).encode())
        if not (node / "geth" / "geth" / "chaindata").exists():
            run_tool(self.engine.init_command(geth_bin, node / "geth", node / "genesis.json"), f"geth init for {self.name}")
            # `geth init` leaves a node key of its own in the clear; the node runs with the
            # member's encrypted one (see `_start_geth`), so this one goes.
            (node / "geth" / "geth" / "nodekey").unlink(missing_ok=True)
        others = [c for c in manifest.members if c.name != self.name]
        write_atomic(node / "config.toml", self.engine.config(
            datadir=node / "geth", network_id=manifest.chain_id, p2p_port=self.ports["p2p"],
            http_port=self.ports["http"], auth_port=self.ports["auth"], static_nodes=[c.enode for c in others],
            gas_limit=manifest.gas_limit, listen_host=self.card.host,
        ).encode())
        # The others' public facts, so documents are sealed for them too; never their keys.
        book.set_contacts([AccountInfo(c.name, c.account, c.document_key) for c in others])
        kubo.set_swarm_key(node / "ipfs", swarm_key)
        kubo.set_peers(node / "ipfs", [(c.peer_id, c.swarm_address) for c in others])
        profile = {
            "format": 1, "engine": "geth", "network": self.network, "chain_id": manifest.chain_id, "currency": currency,
            "created": int(time.time()), "member": self.name,
            "members": {self.name: {"rpc": self.rpc_url, "ipfs": self.ipfs_url}},
            # Each member's key service, which keeps its transient documents' keys (see custody.py).
            "custodians": {c.name: c.key_url for c in manifest.members},
        }
        write_atomic(self.path / "profile.json", (json.dumps(profile, indent=2) + "\n").encode())
        manifest.save(self.manifest_path)

    # --- nodes --------------------------------------------------------------------------------

    @property
    def rpc_url(self) -> str:
        """Returns the URL of the member's geth JSON-RPC endpoint (loopback)."""
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def ipfs_url(self) -> str:
        """Returns the URL of the member's Kubo RPC endpoint (loopback)."""
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def key_url(self) -> str:
        """Returns the URL of the member's key service, at its announced host."""
        return self.card.key_url

    @property
    def vault_path(self) -> Path:
        """Returns the key service's vault file."""
        return self.path / "keys" / "vault.sqlite"

    @property
    def ipc_path(self) -> Path:
        """Returns the member's geth IPC socket."""
        return self.path / "node" / "geth" / self.engine.ipc_name

    def process(self, which: str) -> Process:
        """Returns the record of one of the member's processes: "geth", "ipfs", "keys" or "agent"."""
        label = {"geth": "geth", "ipfs": "Kubo", "keys": "the key service", "steward": "the steward",
                 "agent": "the agent"}[which]
        return Process(f"{label} of {self.name}", self.path / "run" / f"{which}.pid", self.path / "logs" / f"{which}.log")

    def start(self, *, passphrase: Passphrase, geth_bin: Path, ipfs_bin: Path, timeout: float = 60.0,
              agent: bool = True) -> None:
        """Starts the member's geth and Kubo nodes, its key service and its agent (those not running)
        and waits until the nodes and the key service answer. The agent starts the sealer once the node reaches a majority of the
        sealers, casts the member's Clique votes, and pins every anchored document. Without
        `agent`, the agent is left for `start_agent` (the node then does not seal).

        Raises:
            ConfigError: If the member has not joined a network yet.
            PortInUse: If another process holds one of the member's ports.
            NodeFailed: If a node exits or does not answer within `timeout` seconds.
        """
        self.manifest()
        gproc, iproc, kproc = self.process("geth"), self.process("ipfs"), self.process("keys")
        ports = {**self.ports, "key": self.card.key_port}
        needed = ([] if gproc.running() else [("p2p", self.card.host), ("http", "127.0.0.1"), ("auth", "127.0.0.1")]) + \
                 ([] if iproc.running() else [("swarm", self.card.host), ("api", "127.0.0.1")]) + \
                 ([] if kproc.running() else [("key", self.card.host)])
        for port, host in needed:
            if not port_free(ports[port], host):
                raise PortInUse(f"port {ports[port]} ({port}) of {self.name} at {host} is taken by another process: stop it")
        asked: list[str] = []

        def secret() -> str:  # asked once, for geth and the key service alike
            if not asked:
                asked.append(passphrase())
            return asked[0]

        if not gproc.running():
            self._start_geth(gproc, secret, geth_bin, timeout)
        if not iproc.running():
            argv, env = kubo.daemon_command(ipfs_bin, self.path / "node" / "ipfs")
            iproc.start(argv, env=child_env(env))
            await_ready(iproc, lambda: kubo.is_ready(self.ipfs_url), timeout)
        if not kproc.running():
            self._start_keys(kproc, secret, timeout)
        if not self.process("steward").running():
            self._start_steward(self.process("steward"), secret, timeout)
        if agent:
            self.start_agent()

    def start_agent(self) -> None:
        """Starts the member's agent (see agent.py), unless it runs."""
        self.process("agent").start([sys.executable, "-m", "lienchain.networks.agent", str(self.path)])

    def _start_geth(self, proc: Process, passphrase: Passphrase, geth_bin: Path, timeout: float) -> None:
        secret = passphrase()
        if "\n" in secret:
            raise ConfigError("the passphrase holds a line break, which geth cannot read: use one without")
        # Check the passphrase here, where a mistake is a clear error, not a geth that exits.
        AccountBook(self.path, lambda: secret).unlock(self.name)
        try:
            node_key = Account.decrypt(json.loads((self.path / "node" / "nodekey.json").read_text()), secret)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"the node key of {self.name} cannot be opened ({exc}): restore node/nodekey.json") from None
        # The passphrase and the node key reach geth through named pipes it reads once: neither
        # touches the disk nor appears in its command line or environment.
        # A throwaway key the node mines with until it may seal (see geth.node_command), new at
        # each start, under a password that exists only here and in geth: it guards nothing.
        idle, idle_password = Account.create(), secrets.token_hex(16)
        write_atomic(self.path / "node" / "keystore" / "idle.json",
                     json.dumps(encrypt_key(bytes(idle.key), idle_password, light_kdf=True)).encode(), mode=0o600)
        (self.path / "run").mkdir(exist_ok=True)
        write_atomic(self.path / "run" / "idle.json", json.dumps({"address": str(idle.address)}).encode())
        with secret_pipes("passphrase", "nodekey") as (password_pipe, nodekey_pipe):
            argv = self.engine.node_command(
                geth_bin, config=self.path / "node" / "config.toml", keystore=self.path / "node" / "keystore",
                sealer=self.card.sealer, idle=str(idle.address), password_file=password_pipe, nodekey_file=nodekey_pipe,
            )
            proc.start(argv)
            passwords = f"{secret}\n{idle_password}\n"  # one line per unlocked key, in --unlock's order
            if not hand_over(proc, {nodekey_pipe: bytes(node_key).hex().encode(), password_pipe: passwords.encode()},
                             timeout):
                proc.stop(kill=True)  # it may wait on a pipe that is gone: not a node to keep
                raise NodeFailed(f"geth of {self.name} did not start: {last_error(proc)}")
        try:
            await_ready(proc, lambda: node_facts(self.rpc_url) is not None, timeout)
        except NodeFailed:
            proc.stop(kill=True)
            raise

    def _start_keys(self, proc: Process, passphrase: Passphrase, timeout: float) -> None:
        from .keyservice import is_ready

        secret = passphrase()
        AccountBook(self.path, lambda: secret).unlock(self.name)  # a wrong passphrase is a clear error here
        # The passphrase reaches the key service through a named pipe it reads once (as geth's does).
        with secret_pipes("passphrase") as (pipe,):
            proc.start([sys.executable, "-m", "lienchain.networks.keyservice", str(self.path), str(pipe)])
            if not hand_over(proc, {pipe: secret.encode()}, timeout):
                proc.stop(kill=True)
                raise NodeFailed(f"the key service of {self.name} did not start: {last_error(proc)}")
        try:
            await_ready(proc, lambda: is_ready(self.key_url), timeout)
        except NodeFailed:
            proc.stop(kill=True)
            raise

    def _start_steward(self, proc: Process, passphrase: Passphrase, timeout: float) -> None:
        secret = passphrase()
        # The steward signs with the member's account: the passphrase reaches it through a pipe too.
        with secret_pipes("passphrase") as (pipe,):
            proc.start([sys.executable, "-m", "lienchain.networks.steward", str(self.path), str(pipe)])
            if not hand_over(proc, {pipe: secret.encode()}, timeout):
                proc.stop(kill=True)
                raise NodeFailed(f"the steward of {self.name} did not start: {last_error(proc)}")

    @contextlib.contextmanager
    def pin_lock(self) -> Iterator[None]:
        """Holds the member's lock on its Kubo node's pins (a file lock, across processes): the
        agent pins a document and the steward removes an erased one under it, so that a pin under
        way when its document is erased cannot outlive the removal."""
        (self.path / "run").mkdir(exist_ok=True)
        with open(self.path / "run" / "pins.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read_idle_address(self) -> str:
        """Reads the address of the throwaway key the running node mines with while it does not seal."""
        return str(json.loads((self.path / "run" / "idle.json").read_text())["address"])

    def stop(self, *, kill: bool = False) -> list[str]:
        """Stops the member's agent, steward, key service and nodes (SIGTERM, or SIGKILL with `kill`); returns which ran."""
        return [which for which in ("agent", "steward", "keys", "geth", "ipfs") if self.process(which).stop(kill=kill)]

    def status(self) -> NodeStatus:
        """Returns the state of the member's own nodes, naming a stalled chain and what to do."""
        geth_up = self.process("geth").running()
        facts = node_facts(self.rpc_url, sealer=self.card.sealer, ipc=self.ipc_path) if geth_up else None
        reach: tuple[int, int] | None = None
        if facts is not None:
            try:
                reach = sealers_in_reach(self.ipc_path, self.sealer_nodes())
            except (OSError, ValueError, ConfigError):
                reach = None
        ipfs_up = self.process("ipfs").running()
        age = max(0, int(time.time()) - facts.timestamp) if facts else None
        stalled, advice = self._diagnose(facts is not None, age, reach)
        return NodeStatus(
            member=self.name, geth=facts is not None, ipfs=ipfs_up, agent=self.process("agent").running(),
            keys=self.process("keys").running(), steward=self.process("steward").running(),
            block=facts.block if facts else None, head=facts.head if facts else None, head_age=age,
            peers=facts.peers if facts else None, sealers_reached=reach[0] if reach else None,
            sealers=reach[1] if reach else None, sealing=facts.sealing if facts else None,
            ipfs_peers=kubo.peer_count(self.ipfs_url) if ipfs_up else None, stalled=stalled, advice=advice,
        )

    def _diagnose(self, up: bool, age: int | None, reach: tuple[int, int] | None) -> tuple[bool, str]:
        start = f"lienchain node start --network {self.network}"
        if not up:
            return False, f"geth is not running: start it with `{start}`"
        if reach is None:
            return False, "the node does not answer over IPC: see `lienchain node logs`"
        if not self.process("agent").running():
            return False, f"the agent is not running, so the node neither seals nor pins: run `{start}`"
        period = self.manifest().period
        if reach[0] < majority(reach[1]):
            return False, (f"reaches {reach[0]} of {reach[1]} sealers, fewer than a majority: it waits to seal until "
                           "more members' nodes are up and reachable (their peer-to-peer port open to this host)")
        if age is not None and age > max(STATUS_STALL_PERIODS * period, _STALL_MIN_SECONDS):
            return True, (f"stalled: peered with a majority of the sealers but no block for {age} s. The agents mend "
                          "rival blocks at one height by dropping one; if this persists, see `lienchain node logs "
                          f"--agent`, then restart this node (`lienchain node stop`, `{start}`) and ask the other "
                          "members to do the same, one at a time")
        return False, "ok"

    def sealer_nodes(self) -> dict[str, str]:
        """Returns, for each current member's sealer address (lower-case), its node's enode id."""
        return {c.sealer.lower(): c.node_id for c in self.manifest().members}

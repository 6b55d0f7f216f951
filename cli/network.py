"""`lienchain network init|up|down|status|install` and `lienchain node start|stop|logs`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import ConfigError, UnknownMember
from ..networks.binaries import GETH, IPFS, Binary, install
from ..networks.geth import DEFAULT_GAS_LIMIT
from .options import App, common_options, new_passphrase_source, pass_app, passphrase_source

if TYPE_CHECKING:
    from ..networks.member import MemberHome
    from ..networks.network import MemberStatus

_binary_options = [
    click.option("--geth", "geth_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help=f"A geth {GETH.version} binary to use [default: the cached one, or geth on PATH]."),
    click.option("--ipfs", "ipfs_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help=f"A Kubo {IPFS.version} binary to use [default: the cached one, or ipfs on PATH]."),
]


F = TypeVar("F", bound=Callable[..., Any])


def binary_options(f: F) -> F:
    """Adds --geth and --ipfs."""
    for option in reversed(_binary_options):
        f = option(f)
    return f


def built(binary: Binary, given: Path | None) -> Path:
    """Returns the binary to run: the one given, else the cached or installed one, else one built
    now with Go, saying so on stderr first (a few minutes, once per machine)."""
    return install(binary, given=given, progress=lambda line: click.echo(f"{line} ...", err=True))


def _status_lines(statuses: list[MemberStatus]) -> list[str]:
    lines = [f"{'member':<12} {'geth':<5} {'block':>7} {'peers':>5} {'sealing':<8} {'ipfs':<5} {'ipfs peers':>10}"]
    for s in statuses:
        lines.append(
            f"{s.name:<12} {'up' if s.geth else 'down':<5} {_show(s.block):>7} {_show(s.peers):>5} "
            f"{_show(s.sealing):<8} {'up' if s.ipfs else 'down':<5} {_show(s.ipfs_peers):>10}"
        )
    heads = {s.head for s in statuses if s.head}
    if len(heads) > 1:
        lines.append("(members are at different heads: a lagging node catches up within a few blocks)")
    return lines


@click.group("network")
def network() -> None:
    """Create and run a consortium network: one geth sealer and one Kubo node per member."""


@network.command("install")
@binary_options
@common_options
@pass_app
def install_cmd(app: App, geth_path: Path | None, ipfs_path: Path | None) -> None:
    """Build and cache geth and Kubo of the pinned versions with Go (unless already there).

    \b
    Example:
      lienchain network install
    """
    found = {b.name: str(built(b, g)) for b, g in ((GETH, geth_path), (IPFS, ipfs_path))}
    app.emit(found, [f"{name:<5} {path}" for name, path in found.items()])


@network.command("init")
@click.argument("name")
@click.option("--members", required=True, metavar="A[:ROLE[+ROLE]],B,...",
              help="The members, each optionally with its registry roles, e.g. dmv:REGISTRAR,bank-a:LENDER.")
@click.option("--period", type=click.IntRange(1, 3600), default=1, show_default=True, help="Seconds between blocks.")
@click.option("--gas-limit", type=click.IntRange(5_000_000), default=DEFAULT_GAS_LIMIT, show_default=True,
              help="The block gas limit.")
@click.option("--currency", default="USD", show_default=True, help="Default currency of lien amounts.")
@click.option("--light-kdf", is_flag=True, help="Weak keystore encryption, for throwaway networks (tests).")
@binary_options
@common_options
@pass_app
def init_cmd(app: App, name: str, members: str, period: int, gas_limit: int, currency: str, light_kdf: bool,
             geth_path: Path | None, ipfs_path: Path | None) -> None:
    """Write a single-host SANDBOX network: every member's keys in one directory under one
    passphrase, for trying lienchain out. Whoever holds it can act as any member: separate
    organisations form a network with `node init`, `network create` and `network join`.

    \b
    Example:
      lienchain network init consortium --members dmv:REGISTRAR,bank-a:LENDER,bank-b:LENDER+AUDITOR
    """
    from ..networks.network import Network, network_path, parse_members

    lines: list[str] = []
    net = Network.create(
        network_path(name), parse_members(members), passphrase=new_passphrase_source,
        geth_bin=built(GETH, geth_path), ipfs_bin=built(IPFS, ipfs_path), period=period, gas_limit=gas_limit,
        light_kdf=light_kdf, currency=currency, progress=lines.append,
    )
    data = {"network": name, "path": str(net.path), "chain_id": net.chain_id,
            "members": [{"name": m.name, "roles": list(m.roles), "account": m.account, "sealer": m.sealer,
                         "rpc": m.rpc_url, "ipfs": m.ipfs_url} for m in net.members]}
    app.emit({**data, "sandbox": True}, [*lines, f"sandbox network {name} written to {net.path}",
                    "this is a SANDBOX: one directory and one passphrase hold every member's keys",
                    *(f"  {m.name:<12} rpc {m.rpc_url}  ipfs {m.ipfs_url}  roles {'+'.join(m.roles) or '-'}"
                      for m in net.members),
                    f"next: lienchain network up {name}"])


@network.command("up")
@click.argument("name")
@click.option("--timeout", type=float, default=90.0, show_default=True, help="Seconds to wait for the network to form.")
@binary_options
@common_options
@pass_app
def up_cmd(app: App, name: str, timeout: float, geth_path: Path | None, ipfs_path: Path | None) -> None:
    """Start every member's nodes and wait until the chain seals and all members are peered.

    \b
    Example:
      lienchain network up consortium
    """
    lines: list[str] = []
    statuses = app.network(name).up(passphrase=passphrase_source, geth_bin=built(GETH, geth_path),
                                    ipfs_bin=built(IPFS, ipfs_path), timeout=timeout, progress=lines.append)
    app.emit([s.to_dict() for s in statuses], [*lines, *_status_lines(statuses)])


@network.command("down")
@click.argument("name")
@common_options
@pass_app
def down_cmd(app: App, name: str) -> None:
    """Stop every member's nodes (their data stays).

    \b
    Example:
      lienchain network down consortium
    """
    stopped = app.network(name).down()
    app.emit({"stopped": stopped}, f"stopped the nodes of {', '.join(stopped)}" if stopped else "no node was running")


@network.command("status")
@click.argument("name")
@common_options
@pass_app
def status_cmd(app: App, name: str) -> None:
    """Show each member's block height, peers, whether it seals, and its IPFS peers.

    \b
    Example:
      lienchain network status consortium
    """
    statuses = app.network(name).status()
    app.emit([s.to_dict() for s in statuses], _status_lines(statuses))


@click.group("node")
def node() -> None:
    """Start, stop and read the logs of one member's nodes (choose the network with --network)."""


def _home(app: App, member: str | None) -> MemberHome:
    """Returns the member directory --network names (whose member is `member`, if given), or in a
    sandbox the directory of the member that `member` names."""
    from ..networks.member import MemberHome
    from ..networks.network import Network, network_path

    if not app.network_name:
        raise ConfigError("this command acts on a network: choose it with --network NAME")
    path = network_path(app.network_name)
    if Network.is_sandbox(path):
        if member is None:
            raise click.UsageError("name the member: this network is a single-host sandbox of several members")
        return Network(path).home(member)
    home = MemberHome(path)
    if member is not None and member != home.name:
        raise UnknownMember(member, [home.name])
    return home


@node.command("start")
@click.argument("member", required=False)
@binary_options
@common_options
@pass_app
def node_start(app: App, member: str | None, geth_path: Path | None, ipfs_path: Path | None) -> None:
    """Start this member's geth and Kubo nodes, its key service and its agent, which seals once the node reaches a
    majority of the sealers, casts the member's Clique votes and pins documents. A restarted node
    catches up. (In a sandbox, name the member.)

    \b
    Examples:
      lienchain node start --network consortium
      lienchain node start bank-a --network sandbox
    """
    home = _home(app, member)
    home.start(passphrase=passphrase_source, geth_bin=built(GETH, geth_path), ipfs_bin=built(IPFS, ipfs_path))
    app.emit({"member": home.name, "rpc": home.rpc_url, "ipfs": home.ipfs_url, "keys": home.key_url},
             f"started {home.name}: geth on {home.rpc_url}, Kubo on {home.ipfs_url}, key service on {home.key_url}")


@node.command("stop")
@click.argument("member", required=False)
@click.option("--kill", is_flag=True, help="Kill at once (SIGKILL), as a crash would.")
@common_options
@pass_app
def node_stop(app: App, member: str | None, kill: bool) -> None:
    """Stop this member's geth and Kubo nodes, its key service and its agent. (In a sandbox, name the member.)

    \b
    Example:
      lienchain node stop --network consortium
    """
    home = _home(app, member)
    stopped = home.stop(kill=kill)
    app.emit({"member": home.name, "stopped": stopped},
             f"stopped {' and '.join(stopped)} of {home.name}" if stopped else f"no node of {home.name} was running")


def _show(value: object) -> str:
    return "-" if value is None else ("yes" if value is True else "no" if value is False else str(value))


@node.command("status")
@click.argument("member", required=False)
@common_options
@pass_app
def node_status(app: App, member: str | None) -> None:
    """Show this member's nodes: height, head age, peers, sealers reached, sealing, and what to do
    when the chain is stalled or the node cannot seal. (In a sandbox, name the member.)

    \b
    Example:
      lienchain node status --network consortium
    """
    s = _home(app, member).status()
    app.emit(s.to_dict(), [
        f"member   {s.member}",
        f"geth     {'up' if s.geth else 'down'}  block {_show(s.block)}  head age {_show(s.head_age)} s  peers {_show(s.peers)}",
        f"sealers  reaches {_show(s.sealers_reached)} of {_show(s.sealers)}  sealing {_show(s.sealing)}",
        f"ipfs     {'up' if s.ipfs else 'down'}  peers {_show(s.ipfs_peers)}",
        f"agent    {'up' if s.agent else 'down'}",
        f"keys     {'up' if s.keys else 'down'}",
        f"steward  {'up' if s.steward else 'down'}",
        f"{'STALLED' if s.stalled else 'state'}    {s.advice}",
    ])


@node.command("logs")
@click.argument("member", required=False)
@click.option("--lines", "-n", type=click.IntRange(1), default=40, show_default=True, help="How many lines.")
@click.option("--ipfs", "ipfs_log", is_flag=True, help="Kubo's log instead of geth's.")
@click.option("--agent", "agent_log", is_flag=True, help="The agent's log (sealing, votes, pins) instead of geth's.")
@click.option("--keys", "keys_log", is_flag=True, help="The key service's log (key requests answered) instead of geth's.")
@click.option("--steward", "steward_log", is_flag=True,
              help="The steward's log (access-log anchors, erasures carried out) instead of geth's.")
@common_options
@pass_app
def node_logs(app: App, member: str | None, lines: int, ipfs_log: bool, agent_log: bool, keys_log: bool,
              steward_log: bool) -> None:
    """Print the end of this member's geth (or Kubo, agent, key service or steward) log. (In a sandbox, name the member.)

    \b
    Example:
      lienchain node logs --network consortium -n 100
    """
    home = _home(app, member)
    proc = home.process("agent" if agent_log else "keys" if keys_log else "steward" if steward_log
                        else "ipfs" if ipfs_log else "geth")
    tail = proc.tail(lines)
    app.emit({"member": home.name, "log": str(proc.log_file), "lines": tail}, tail or [f"{proc.log_file} is empty"])

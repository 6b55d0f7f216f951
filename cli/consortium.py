"""A consortium across organisations: `node init`, `network create|join|manifest`, `contracts verify`.

Each organisation runs these on its own machine, in its own network directory, under its own
passphrase; only public cards and manifests travel between them.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..files import write_atomic
from ..networks.binaries import GETH, IPFS
from ..networks.ports import DEFAULT_KEY_PORT, DEFAULT_P2P_PORT, DEFAULT_SWARM_PORT
from .network import binary_options, built, network, node
from .options import App, common_options, new_passphrase_source, pass_app, passphrase_source

_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)
_IN = click.Path(dir_okay=False, exists=True, path_type=Path)


@node.command("init")
@click.argument("member")
@click.option("--host", required=True, metavar="ADDR",
              help="The address the other members reach this machine at (its peer-to-peer and swarm ports).")
@click.option("--roles", default="", metavar="ROLE[+ROLE]", help="The registry roles the member asks for, e.g. LENDER+AUDITOR.")
@click.option("--p2p-port", type=click.IntRange(1, 65535), default=DEFAULT_P2P_PORT, show_default=True,
              help="geth's peer-to-peer port at --host.")
@click.option("--swarm-port", type=click.IntRange(1, 65535), default=DEFAULT_SWARM_PORT, show_default=True,
              help="Kubo's swarm port at --host.")
@click.option("--key-port", type=click.IntRange(1, 65535), default=DEFAULT_KEY_PORT, show_default=True,
              help="The key service's port at --host (readers ask it for custodial documents' keys).")
@click.option("--out", "out", type=_OUT, required=True, help="Where to write the member's public card.")
@click.option("--light-kdf", is_flag=True, help="Weak keystore encryption, for throwaway networks (tests).")
@click.option("--ipfs", "ipfs_path", type=_IN, help=f"A Kubo {IPFS.version} binary to use.")
@common_options
@pass_app
def node_init(app: App, member: str, host: str, roles: str, p2p_port: int, swarm_port: int, key_port: int,
              out: Path, light_kdf: bool, ipfs_path: Path | None) -> None:
    """Create this organisation's keys (account, sealer, node, Kubo identity and document key, all
    under its own passphrase) and its signed public card, to send to the founder. --network NAME
    names the network the member will join.

    \b
    Example:
      lienchain node init bank-a --network consortium --host 203.0.113.7 --roles LENDER --out bank-a.card.json
    """
    from ..networks.member import MemberHome
    from ..networks.network import network_path

    network_name = app.network_name
    if not network_name:
        raise click.UsageError("name the network the member will join: --network NAME")
    home = MemberHome.init(
        network_path(network_name), network=network_name, member=member, host=host,
        roles=[r for r in roles.split("+") if r], passphrase=new_passphrase_source, ipfs_bin=built(IPFS, ipfs_path),
        p2p_port=p2p_port, swarm_port=swarm_port, key_port=key_port, light_kdf=light_kdf,
    )
    write_atomic(out, Path(home.path / "card.json").read_bytes())
    c = home.card
    app.emit({"member": member, "path": str(home.path), "card": c.to_dict()}, [
        f"created {member}'s keys in {home.path} (encrypted under your passphrase)",
        f"  account {c.account}  sealer {c.sealer}  roles {'+'.join(c.roles) or '-'}",
        f"  enode   {c.enode}",
        f"  ipfs    {c.swarm_address}/p2p/{c.peer_id}",
        f"  keys    {c.key_url}",
        f"wrote the public card to {out}: send it to the founder who runs `lienchain network create`",
    ])


@network.command("create")
@click.argument("name")
@click.option("--card", "cards", type=_IN, multiple=True, required=True, help="A founding member's card (repeat).")
@click.option("--period", type=click.IntRange(1, 3600), default=1, show_default=True, help="Seconds between blocks.")
@click.option("--out", "out", type=_OUT, required=True, help="Where to write the network manifest.")
@common_options
@pass_app
def create_cmd(app: App, name: str, cards: tuple[Path, ...], period: int, out: Path) -> None:
    """Check the founders' cards and write the network manifest: chain id, Clique genesis (one
    sealer per card), the cards, and the swarm key sealed for each member. Every member compares
    the printed hash out of band before joining.

    \b
    Example:
      lienchain network create consortium --card dmv.card.json --card bank-a.card.json --card bank-b.card.json --out consortium.network.json
    """
    from ..networks.card import MemberCard
    from ..networks.manifest import Manifest

    manifest = Manifest.create(name, [MemberCard.load(p) for p in cards], period=period)
    manifest.save(out)
    app.emit({"network": name, "chain_id": manifest.chain_id, "manifest": str(out), "hash": manifest.hash()}, [
        f"network {name}: chain id {manifest.chain_id}, {period}-second blocks, sealers "
        + ", ".join(c.name for c in manifest.founders),
        f"wrote {out}; send it to every founder",
        f"manifest hash {manifest.hash()}",
        "every member compares this hash with the others (by phone, not by the channel the file came by)",
    ])


@network.command("join")
@click.argument("manifest_file", metavar="MANIFEST", type=_IN)
@click.option("--hash", "expected", metavar="SHA256", help="Refuse the manifest unless it has this hash.")
@binary_options
@common_options
@pass_app
def join_cmd(app: App, manifest_file: Path, expected: str | None, geth_path: Path | None, ipfs_path: Path | None) -> None:
    """Join a network from its manifest: check this member's card and the genesis, open the swarm
    key, and write the geth and Kubo configuration with the other members as peers.

    \b
    Example:
      lienchain network join consortium.network.json --hash 3f1c...
    """
    from ..ledger.workspace.profile import DEPLOYMENT_FILE
    from ..networks.consortium import check_against_chain
    from ..networks.manifest import Manifest
    from ..networks.member import MemberHome
    from ..networks.network import network_path

    manifest = Manifest.load(manifest_file)
    if expected and expected.strip().lower() != manifest.hash():
        raise click.ClickException(f"the manifest's hash is {manifest.hash()}, not {expected}: do not join; get it again")
    home = MemberHome(network_path(manifest.network))
    rejoin = home.manifest_path.exists()
    if (home.path / DEPLOYMENT_FILE).exists():  # a later manifest: its members must be the chain's
        app.network_name = manifest.network
        check_against_chain(home, app.profile(), manifest)
    home.join(manifest, passphrase=passphrase_source, geth_bin=built(GETH, geth_path))
    peers = [c.name for c in manifest.members if c.name != home.name]
    app.emit({"network": manifest.network, "member": home.name, "hash": manifest.hash(), "peers": peers}, [
        f"{home.name} joined {manifest.network} (chain id {manifest.chain_id}); the members:",
        *(f"  {c.name:<12} account {c.account}  sealer {c.sealer}  roles {'+'.join(manifest.roles_of(c.name)) or '-'}"
          for c in manifest.members),
        f"manifest hash {manifest.hash()}: compare it with the other members",
        f"next: lienchain node {'stop and then node start' if rejoin else 'start'} --network {manifest.network}"
        + (" (the nodes read their peers at start)" if rejoin else ""),
    ])



@network.command("manifest")
@click.argument("name")
@click.option("--out", "out", type=_OUT, required=True, help="Where to write the manifest.")
@common_options
@pass_app
def manifest_cmd(app: App, name: str, out: Path) -> None:
    """Export the network's current manifest for a newly admitted member: the founding one plus
    the members admitted and removed by vote (read from the chain), with the swarm key sealed for
    the newcomers.

    \b
    Example:
      lienchain network manifest consortium --out consortium.network.json
    """
    from ..networks.consortium import export_manifest

    app.network_name = name
    home = app.home()
    manifest = export_manifest(home, app.profile())
    manifest.save(out)
    app.emit({"network": name, "manifest": str(out), "hash": manifest.hash(),
              "members": [c.name for c in manifest.members]}, [
        f"wrote {out}: members {', '.join(c.name for c in manifest.members)}",
        f"manifest hash {manifest.hash()}",
    ])


def deploy_consortium(app: App, out: Path | None) -> None:
    """`contracts deploy --network NAME --as MEMBER` on a member's own directory."""
    from ..networks.consortium import deploy_from_manifest

    home = app.home()
    signer = app.signer_name()
    d = deploy_from_manifest(home, app.profile(), signer)
    target = out or Path(f"{home.network}.deployment.json")
    d.save(target)
    app.emit({**d.__dict__, "record": str(target)}, [
        f"deployed governance {d.governance} and registry {d.registry} (block {d.block}) with the manifest's "
        "founding members, sealers and roles",
        f"wrote {target}: hand it to the other members for `lienchain contracts verify`",
    ])


@click.command("verify")
@click.option("--deployment", "record", type=_IN, required=True, help="The deployment record to check.")
@common_options
@pass_app
def verify_cmd(app: App, record: Path) -> None:
    """Check a deployment through this member's own node (the code is the committed artifacts, the
    governance contract is the only role administrator, the roles are the manifest's founding
    roles) and only then install it.

    \b
    Example:
      lienchain contracts verify --network consortium --deployment consortium.deployment.json
    """
    if not app.network_name:
        raise click.UsageError("contracts verify checks a network's deployment: give --network NAME")
    from ..networks.consortium import install_deployment

    home = app.home()
    d = install_deployment(home, app.profile(), record)
    app.emit(d.__dict__, [f"verified registry {d.registry} and governance {d.governance} through {home.name}'s node; "
                          "installed"])

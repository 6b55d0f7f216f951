"""`lienchain contracts build|deploy`."""

from __future__ import annotations

from pathlib import Path

import click

from ..contracts.build import ARTIFACTS_DIR, compile_contracts, write_artifacts
from .consortium import deploy_consortium, verify_cmd
from .options import App, common_options, pass_app, passphrase_source


@click.group("contracts")
def contracts() -> None:
    """Compile and deploy the registry and governance contracts."""


@contracts.command("build")
@common_options
@pass_app
def build(app: App) -> None:
    """Recompile contracts/src with the pinned solc (npm, WebAssembly) into contracts/artifacts.

    \b
    Example:
      lienchain contracts build
    """
    artifacts = compile_contracts()
    before = {p.name: p.read_text() for p in ARTIFACTS_DIR.glob("*.json")}
    paths = write_artifacts(artifacts)
    changed = [p.name for p in paths if before.get(p.name) != p.read_text()]
    app.emit(
        {"artifacts": [str(p) for p in paths], "changed": changed},
        [f"{'wrote  ' if p.name in changed else 'same   '}{p}" for p in paths],
    )


@contracts.command("deploy")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where a member writes the record for the others [default: NAME.deployment.json].")
@common_options
@pass_app
def deploy_cmd(app: App, out: Path | None) -> None:
    """Deploy governance and the registry with the founding members and roles: a consortium's
    from the manifest every founder checked (`--network NAME --as MEMBER`), a sandbox's or a
    profile's (`init --no-deploy`) from its accounts.

    \b
    Examples:
      lienchain contracts deploy --network consortium --as dmv
      lienchain init --no-deploy && lienchain contracts deploy
    """
    from ..networks.member import MemberHome
    from ..networks.network import network_path

    if app.network_name and MemberHome.is_home(network_path(app.network_name)):
        deploy_consortium(app, out)
        return
    lines: list[str] = []
    if app.network_name:
        d = app.network().deploy(passphrase=passphrase_source, progress=lines.append)
    else:
        d = app.profile().deploy(progress=lines.append)
    app.emit(d.__dict__, [*lines, f"block      {d.block}"])


contracts.add_command(verify_cmd)

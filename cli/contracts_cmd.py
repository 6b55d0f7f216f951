"""`lienchain contracts build|deploy`."""

from __future__ import annotations

import click

from ..contracts.build import ARTIFACTS_DIR, compile_contracts, write_artifacts
from .options import App, common_options, pass_app


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
@common_options
@pass_app
def deploy_cmd(app: App) -> None:
    """Deploy governance (the profile's accounts are its founding members, a network's members
    with their sealers) and the registry with the founding roles into a profile created with
    `init --no-deploy` or a network.

    \b
    Examples:
      lienchain init --no-deploy && lienchain contracts deploy
      lienchain contracts deploy --network consortium
    """
    lines: list[str] = []
    members = app.network().members if app.network_name else None
    roles = {m.name: list(m.roles) for m in members} if members else None
    sealers = {m.name: m.sealer for m in members} if members else None
    d = app.profile().deploy(roles, progress=lines.append, sealers=sealers)
    app.emit(d.__dict__, [*lines, f"block      {d.block}"])


COMMANDS = [contracts]

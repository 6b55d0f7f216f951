"""`lienchain contracts build|deploy`."""

from __future__ import annotations

import click

from ..contracts.build import ARTIFACTS_DIR, compile_contracts, write_artifacts
from ..errors import ConfigError
from ..ledger.deployment import deploy
from ..ledger.profile import DEPLOYMENT_FILE
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
    """Deploy governance (with the profile's accounts as founding members) and the registry,
    if the profile has no deployment yet.

    \b
    Example:
      lienchain --as registrar contracts deploy
    """
    profile = app.profile()
    if (profile.path / DEPLOYMENT_FILE).exists():
        d = profile.deployment
        raise ConfigError(
            f"this profile's contracts are already deployed (registry {d.registry}): "
            "create a new profile with `lienchain init` for a new register"
        )
    signer = profile.accounts.unlock(app.signer_name())
    members = [a.address for a in profile.accounts.list()]
    d = deploy(profile.chain().w3, signer, members)
    d.save(profile.path / DEPLOYMENT_FILE)
    app.emit(d.__dict__, [f"governance {d.governance}", f"registry   {d.registry}", f"block      {d.block}"])


COMMANDS = [contracts]

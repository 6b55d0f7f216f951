"""`lienchain init|status|demo`."""

from __future__ import annotations

import time

import click

from ..errors import ConfigError
from .options import App, common_options, new_passphrase_source, pass_app


@click.command("init")
@click.option("--currency", default="USD", show_default=True, help="Default currency of lien amounts.")
@click.option("--light-kdf", is_flag=True, help="Weak keystore encryption, for throwaway profiles only.")
@click.option("--no-deploy", is_flag=True, help="Leave the contracts for `lienchain contracts deploy`.")
@common_options
@pass_app
def init(app: App, currency: str, light_kdf: bool, no_deploy: bool) -> None:
    """Create a profile: an embedded chain with the contracts deployed, a document store, and the
    accounts registrar, lender-a, lender-b, oracle and auditor, each given its founding role by
    the registry's constructor.
    Keys are encrypted with the passphrase from LIENCHAIN_PASSWORD (or asked for).

    \b
    Example:
      LIENCHAIN_PASSWORD=... lienchain init --profile ~/.lienchain/test
    """
    from ..ledger.workspace.profile import Profile, default_profile_path

    if app.network_name:
        raise ConfigError("`init` creates an embedded profile: create a network with `lienchain network init NAME --members ...`")
    path = app.profile_path or default_profile_path()
    lines: list[str] = []
    profile = Profile.create(path, passphrase=new_passphrase_source, light_kdf=light_kdf, currency=currency.upper(),
                             deploy_contracts=not no_deploy, progress=lines.append)
    profile.close()
    deployment = None if no_deploy else profile.load_deployment().__dict__
    app.emit({"profile": str(path), **profile.config, "deployment": deployment}, [f"created profile {path}", *lines])


@click.command("status")
@common_options
@pass_app
def status(app: App) -> None:
    """Show the profile: engine, chain, head block, contracts and accounts.

    \b
    Example:
      lienchain status
    """
    profile = app.profile()
    ledger = app.ledger()
    d = profile.load_deployment()
    head = ledger.chain.head()
    data = {
        "profile": str(profile.path), "engine": profile.config["engine"], "chain_id": d.chain_id,
        "head_block": head, "head_time": ledger.chain.time(), "registry": d.registry, "governance": d.governance,
        "members": len(ledger.members()), "accounts": [a.name for a in profile.accounts.list()],
    }
    app.emit(data, [f"{k:<11} {', '.join(v) if isinstance(v, list) else v}" for k, v in data.items()])


@click.command("demo")
@common_options
@pass_app
def demo(app: App) -> None:
    """Run the whole story on a throwaway profile and print each step: register a title, lien it,
    refuse a second lien without consent, grant it with consent, refuse a transfer and a foreign
    release, release both liens, transfer the title, and list its history.

    \b
    Example:
      lienchain demo
    """
    from .demo import Step, run_demo

    started = time.monotonic()

    def show(step: Step) -> None:
        if not app.json:
            mark = "ok " if step.ok else "BUG"
            click.echo(f"[{mark}] {step.actor:<9} {step.action}\n        -> {step.outcome}")

    steps = run_demo(show)
    elapsed = time.monotonic() - started
    if app.json:
        app.emit({"steps": [s.to_dict() for s in steps], "seconds": round(elapsed, 2)}, "")
    else:
        click.echo(f"demo finished in {elapsed:.1f} s")
    if not all(s.ok for s in steps):
        raise click.ClickException("the demo found a refusal that did not happen")

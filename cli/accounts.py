"""`lienchain account new|list`."""

from __future__ import annotations

import click

from ..ledger.registry.roles import ROLES
from .options import App, common_options, pass_app


@click.group("account")
def account() -> None:
    """Create and list the profile's named accounts."""


@account.command("new")
@click.argument("name")
@common_options
@pass_app
def new(app: App, name: str) -> None:
    """Create an account with a fresh key in an encrypted keystore. It holds no role until the
    members vote one to it (`lienchain member propose --grant ROLE --to NAME`).

    \b
    Example:
      lienchain account new lender-c
    """
    created = app.profile().create_account(name)
    app.emit(created.to_dict(), f"created account {name} {created.address} (funded with gas money, no role yet)")


@account.command("list")
@common_options
@pass_app
def list_accounts(app: App) -> None:
    """List the profile's accounts with their registry roles.

    \b
    Example:
      lienchain account list
    """
    ledger = app.ledger()
    rows = []
    for info in app.profile().accounts.list():
        roles = [r for r in ROLES if ledger.has_role(r, info.address)]
        rows.append({**info.to_dict(), "roles": roles})
    app.emit(rows, [f"{r['name']:<12} {r['address']}  {','.join(r['roles']) or '-'}" for r in rows])

"""`lienchain import FILE`: titles and liens in bulk, all rows checked first, safe to re-run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ConfigError
from .options import App, common_options, pass_app


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="The file's format [default: from its extension].")
@click.option("--registrar", metavar="NAME",
              help="The account that registers the titles and authorizes the liens [default: --as].")
@click.option("--lender", metavar="NAME", help="The account that takes the liens [default: --as].")
@click.option("--batch", type=click.IntRange(1, 2000), default=200, show_default=True, help="Rows per batch.")
@common_options
@pass_app
def import_cmd(app: App, file: Path, fmt: str | None, registrar: str | None, lender: str | None, batch: int) -> None:
    """Register titles and grant liens from a CSV or JSON file. Every row is checked first, and
    all bad rows are listed with their line numbers before anything is written; a re-run after an
    interruption skips what is already on chain.

    Columns: vin, and owner (to register the title), and/or amount and maturity (YYYY-MM-DD), with
    an optional currency (to grant a lien).

    \b
    Examples:
      lienchain import titles.csv --registrar registrar
      lienchain --as lender-a import book.json --format json --registrar registrar
    """
    from ..ledger.workspace import importer

    profile = app.profile()
    registrar, lender = registrar or app.account, lender or app.account
    rows = importer.read_rows(file, fmt=fmt or ("json" if file.suffix.lower() == ".json" else "csv"),
                              accounts=profile.accounts, currency=profile.currency, now=app.ledger().now())
    if rows and not registrar:
        raise ConfigError("the file registers titles or grants liens a registrar authorizes: name the registrar "
                          "with --registrar or --as")
    if any(r.amount is not None for r in rows) and not lender:
        raise ConfigError("the file grants liens: name the lending account with --lender or --as")
    lender_session = profile.session(lender) if lender and any(r.amount is not None for r in rows) else None
    # Liens need a registrar too: it authorizes them for owners without keys.
    registrar_session = profile.session(registrar) if registrar and rows else None
    plan = importer.plan(rows, profile.ledger(), lender_session.ledger.address if lender_session else "")
    total = len(plan.titles) + len(plan.liens)
    with click.progressbar(length=total, label=f"importing {file.name}", file=sys.stderr,
                           show_pos=True) as bar:
        importer.run(plan, registrar_session, lender_session, batch=batch, progress=bar.update)
    app.emit({"file": str(file), "titles": len(plan.titles), "liens": len(plan.liens), "skipped": plan.skipped},
             f"imported {len(plan.titles)} title(s) and {len(plan.liens)} lien(s) from {file.name}"
             f" ({plan.skipped} already on chain, skipped)")

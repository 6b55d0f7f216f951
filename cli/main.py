"""The `lienchain` command: a thin layer that parses, calls one library function, and renders.

Library errors become one-line CLI errors here, in the group's `invoke`, and nowhere else.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import LienchainError
from . import accounts, contracts_cmd, docs, importing, liens, members, network, proofs, setup, titles, valuations, watch
from .options import app_of, common_options


class CommandFailed(click.ClickException):
    """A refused or failed operation: one line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class LienchainGroup(click.Group):
    """The root group: turns lienchain's expected errors into exit code 1 with a one-line reason."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LienchainError as exc:
            for problem in getattr(exc, "problems", []):  # every bad row of an import, one per line
                click.echo(f"  {problem}", err=True)
            raise CommandFailed(str(exc)) from None
        finally:
            app_of(ctx).close()


def _version(_ctx: click.Context) -> str:
    # Read only when asked for (`lienchain.__version__` reads the installed package's metadata).
    from .. import __version__

    return f"lienchain, version {__version__}"


@click.group(cls=LienchainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.custom_version_option(_version)
@common_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """lienchain: vehicle titles and liens on a consortium's private chain.

    \b
    Example:
      lienchain init && lienchain --as registrar title register 1M8GDM9AXKP042788 --owner auditor
    """
    app_of(ctx)


for module in (setup, titles, liens, valuations, docs, members, contracts_cmd, accounts, network, watch, importing, proofs):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point of the `lienchain` console script."""
    try:
        cli.main(prog_name="lienchain")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)

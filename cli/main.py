"""The `lienchain` command: a thin layer that parses, calls one library function, and renders.

Library errors become one-line CLI errors here, in the group's `invoke`, and nowhere else: the
library's message (what went wrong), then the command line's advice for its class (what to do next,
cli/advice.py).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import click

from ..errors import LienchainError
from .lazy import LazyCommand, LazyCommands, LazyGroup
from .options import app_of, common_options

#: The top-level commands: where each is defined, and its summary for `lienchain --help`, which
#: thus imports none of them (see lazy.py). consortium.py adds `node init` and `network create`,
#: `join` and `manifest` to the groups of network.py, so those two are taken from it.
COMMANDS = {
    "account": LazyCommand("accounts:account", "Create and list the profile's named accounts."),
    "contracts": LazyCommand("contracts_cmd:contracts", "Compile and deploy the registry and governance contracts."),
    "demo": LazyCommand("setup:demo", "Run the whole story on a throwaway profile and print each step: register a "
                        "title, lien it, refuse a second lien without consent, grant it with consent, refuse a transfer "
                        "and a foreign release, release both liens, transfer the title, and list its history."),
    "doc": LazyCommand("docs:doc", "Fetch, verify, attach and erase the sealed documents anchored on chain, and read the access trail."),
    "import": LazyCommand("importing:import_cmd", "Register titles and grant liens from a CSV or JSON file."),
    "init": LazyCommand("setup:init", "Create a profile: an embedded chain with the contracts deployed, a document "
                        "store, and the accounts registrar, lender-a, lender-b, oracle and auditor, each given its "
                        "founding role by the registry's constructor."),
    "lien": LazyCommand("liens:lien", "Grant, consent to, assign, subordinate, release and list liens."),
    "member": LazyCommand("members:member", "Propose and vote on roles and membership."),
    "network": LazyCommand("consortium:network", "Create and run a consortium network: one geth sealer and one Kubo "
                           "node per member."),
    "node": LazyCommand("consortium:node", "Start, stop and read the logs of one member's nodes (choose the network "
                        "with --network)."),
    "proof": LazyCommand("proofs:proof", "Prove facts about liens without showing their amounts, and check such proofs."),
    "report": LazyCommand("report:report", "Show each lender's portfolio: liens by state, exposure, late releases "
                                           "and proofs, disposal times."),
    "status": LazyCommand("setup:status", "Show the profile: engine, chain, head block, contracts and accounts."),
    "title": LazyCommand("titles:title", "Register, show, transfer and trace vehicle titles."),
    "valuation": LazyCommand("valuations:valuation", "Post and read oracles' valuations of titles."),
    "watch": LazyCommand("watch:watch", "Print the registry's events, one line each (JSON lines with --json), from "
                         "where the last watch of this profile stopped; with --follow, keep printing them as they "
                         "happen, waiting for the node if it goes away."),
}


class CommandFailed(click.ClickException):
    """A refused or failed operation: one line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class LienchainGroup(LazyGroup):
    """The root group: turns lienchain's expected errors into exit code 1 with a one-line reason and advice."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LienchainError as exc:
            for problem in getattr(exc, "problems", []):  # every bad row of an import, one per line
                click.echo(f"  {problem}", err=True)
            from .advice import explain  # only when a command failed: the advice table is not needed else

            raise CommandFailed(explain(exc)) from None
        finally:
            app_of(ctx).close()


def _version(_ctx: click.Context) -> str:
    # Read only when asked for (`lienchain.__version__` reads the installed package's metadata).
    from .. import __version__

    return f"lienchain, version {__version__}"


@click.group(cls=LienchainGroup, commands=LazyCommands(__package__, COMMANDS),
             context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    """Entry point of the `lienchain` console script."""
    try:
        cli.main(prog_name="lienchain")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    finally:
        # The command is done (click exits through SystemExit, so this runs). Tearing down the
        # thousand-odd modules that a command reading the chain imported (web3, py-evm) makes the
        # interpreter run its cyclic collector over all their objects again and again: 0.15-0.35 s,
        # more than the read itself. Frozen, they are left out of those collections; atexit
        # handlers still run, and the memory goes back to the system with the process.
        gc.freeze()

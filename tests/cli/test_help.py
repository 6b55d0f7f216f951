"""Every command has help text and an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from lienchain.cli.main import cli


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _leaves(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


COMMANDS = _leaves(cli)


def test_the_design_commands_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for expected in ["init", "demo", "status", "title register", "title show", "title history", "title transfer",
                     "lien grant", "lien consent", "lien release", "lien list", "doc get", "doc verify",
                     "member propose", "member vote", "member list", "contracts build", "contracts deploy",
                     "account new", "account list", "network init", "network up", "network down",
                     "network status", "network install", "node start", "node stop", "node logs"]:
        assert expected in names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help_with_example_and_common_options(command: tuple[str, ...]) -> None:
    r = CliRunner().invoke(cli, [*command, "--help"])
    assert r.exit_code == 0
    assert "Example" in r.output
    for option in ("--json", "--profile", "--network", "--as"):
        assert option in r.output

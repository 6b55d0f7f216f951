"""Top-level commands imported on first use, so that `lienchain --help` imports no command module.

Building the commands (about seventy, each with its options) and importing what their modules
need costs more than Python's own start-up. The root group therefore holds a table of each
top-level command's module and one-line summary (click's "Lazily Loading Subcommands" pattern):
a command's module is imported when the command runs, shows its own help, or is looked up in
`commands`, and `lienchain --help` lists the summaries without importing any of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from gettext import gettext as _

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a top-level command is defined, and its summary as `lienchain --help` lists it."""

    target: str
    """The command object, as "module:attribute" relative to the package of the table."""
    summary: str
    """The first sentence of the command's help, which is all click shortens for a listing
    (tests/cli/test_imports.py checks it against the command's own)."""


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported from its module when first looked up.

    click lets a group keep its commands in any mutable mapping; code that walks `commands`
    (tests, completion) imports them as it goes.
    """

    def __init__(self, package: str | None, table: Mapping[str, LazyCommand]) -> None:
        """Holds the table; nothing is imported yet.

        Args:
            package: The package the table's modules are relative to (`__package__`).
            table: Each command's name -> where it is defined.
        """
        self._package = package
        self._table = dict(table)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        command = self._loaded.get(name)
        if command is None:
            module, _colon, attribute = self._table[name].target.partition(":")  # KeyError for an unknown name
            command = getattr(importlib.import_module(f".{module}", self._package), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._table[name].target} is not a click command")
            self._loaded[name] = command
        return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._table.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._table or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._table, *self._loaded]))

    def __len__(self) -> int:
        return len(self._table.keys() | self._loaded.keys())

    def listed(self, name: str) -> click.Command:
        """Returns the command if it is imported, else a stand-in with its summary as its help:
        click shortens either to the same line."""
        command = self._loaded.get(name)
        return command if command is not None else click.Command(name, help=self._table[name].summary)


class LazyGroup(click.Group):
    """A group whose help lists commands kept in `LazyCommands` without importing them."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Writes the commands and their summaries, as `click.Group.format_commands` does."""
        if not isinstance(self.commands, LazyCommands):
            super().format_commands(ctx, formatter)
            return
        commands = [(name, self.commands.listed(name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if not command.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

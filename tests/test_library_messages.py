"""The library says what went wrong; which command or flag mends it is the command line's to say.

Every message the library can raise is read from its source with `ast`: the strings in a `raise`
statement or in a call of an exception class anywhere outside cli/ (an f-string with `{}` for each
placeholder), and every string of the error tree (errors/) but its docstrings. None may name one of
lienchain's commands (`lienchain title show`, or quoted as code: `title show`) or a --flag: that
advice belongs in cli/advice.py, keyed by the exception's class (tests/cli/test_advice.py).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import lienchain
from lienchain import errors
from lienchain.cli.main import cli

ROOT = Path(lienchain.__file__).parent
#: Not the library: the command line, and the tests and benchmarks that drive it.
OUTSIDE = {"cli", "tests", "bench"}


def _library_modules() -> list[Path]:
    folders = [d for d in ROOT.iterdir() if (d / "__init__.py").exists() and d.name not in OUTSIDE]
    return sorted([*ROOT.glob("*.py"), *(p for d in folders for p in d.rglob("*.py"))])


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Every command that runs (not the groups), as its words after `lienchain`."""
    ctx = click.Context(group, info_name="lienchain")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name))


COMMANDS = sorted(_commands(cli), key=len, reverse=True)
#: `lienchain CMD`, or `CMD` opening a span quoted as code, or a --flag.
ADVICE = re.compile(rf"(?:lienchain |`)(?:{'|'.join(map(re.escape, COMMANDS))})(?![\w-])|(?<![\w-])--[a-z{{]")


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's, with `{}` for each placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _strings(node: ast.AST, skip: frozenset[int] = frozenset()) -> Iterator[tuple[int, str]]:
    """Every string literal under `node` (an f-string once, not its parts) but those in `skip`, by id."""
    text = _text(node)
    if text is not None:
        if id(node) not in skip:
            yield node.lineno, text  # type: ignore[attr-defined]
        return
    for child in ast.iter_child_nodes(node):
        yield from _strings(child, skip)


def _is_exception_class(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    cls = getattr(errors, name, None) or getattr(builtins, name, None)
    return isinstance(cls, type) and issubclass(cls, BaseException)


def _messages(tree: ast.Module, *, error_tree: bool) -> Iterator[tuple[int, str]]:
    """The strings of raise statements and exception constructions; all but docstrings in errors/."""
    if error_tree:
        docstrings = frozenset(
            id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and isinstance(node.body[0], ast.Expr)
        )
        yield from _strings(tree, docstrings)
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            yield from _strings(node.exc)
        elif isinstance(node, ast.Call) and _is_exception_class(node):
            yield from _strings(node)


def _offences() -> list[str]:
    found: set[str] = set()
    for path in _library_modules():
        relative = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(), str(path))
        for line, text in _messages(tree, error_tree=relative.parts[0] == "errors"):
            match = ADVICE.search(text)
            if match:
                found.add(f"{relative}:{line}: {match.group()!r} in {text!r}")
    return sorted(found)


def test_the_scan_reads_the_library_and_knows_the_commands() -> None:
    modules = {str(p.relative_to(ROOT)) for p in _library_modules()}
    assert {"errors/config.py", "ledger/workspace/session.py", "storage/kubo.py", "networks/binaries.py"} <= modules
    assert not any(m.startswith(("cli/", "tests/", "bench/")) for m in modules)
    assert {"init", "title show", "network install", "node start", "lien list"} <= set(COMMANDS)


@pytest.mark.parametrize("message", [
    "run `lienchain init` first", "start it with lienchain node start MEMBER", "see `node logs`",
    "pass --lenient", "install it, or pass --{}", "(--period {} is out of range)",
])
def test_the_scan_finds_a_command_or_a_flag(message: str) -> None:
    assert ADVICE.search(message)


@pytest.mark.parametrize("message", [
    "no lienchain profile at {}", "{} is not a lienchain proof file", "in use by another lienchain process",
    "run `ipfs cid format -v 1 {}`", "the block period {} s is out of range", "geth-1.13.15--linux",
])
def test_the_scan_lets_a_plain_message_pass(message: str) -> None:
    assert not ADVICE.search(message)


def test_library_messages_name_no_command_or_flag() -> None:
    offences = _offences()
    assert not offences, "advice for the command line, to move into cli/advice.py:\n" + "\n".join(offences)

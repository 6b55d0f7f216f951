"""A command line that answers at once (issue 11): `lienchain --help`, `--version` and every
command's `--help` import none of the chain stack (web3, eth-account, py-evm, eth-tester, py-ecc,
...), `--help` imports no command module, and a read imports only what running the EVM needs.

Each check runs in a fresh interpreter, since this test process has long imported all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from .conftest import Run

#: What a help or version screen must not import: the chain stack and its helpers, the
#: document encryption and the Kubo client. Each costs from tens to hundreds of milliseconds.
FORBIDDEN = (
    "web3", "eth_account", "eth", "eth_tester", "py_ecc", "eth_abi", "eth_utils", "eth_keys", "eth_hash",
    "hexbytes", "rlp", "trie", "coincurve", "cryptography", "requests", "ipfshttpclient", "solcx",
)

# Walks the command tree and runs each help screen in one interpreter, noting after each
# invocation which forbidden modules appeared: the first invocation to import one is named.
_WALK = textwrap.dedent(
    """
    import contextlib, io, json, sys

    import click

    forbidden = json.loads(sys.argv[1])
    seen = {}

    def note(step):
        for name in forbidden:
            if name in sys.modules and name not in seen:
                seen[name] = step

    note("python start-up")  # the baseline: should anything be imported before lienchain is
    from lienchain.cli.main import cli
    note("import lienchain.cli.main")

    screens = []

    def run(args):
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
            code = cli.main(args, prog_name="lienchain", standalone_mode=False)
        assert code == 0 and out.getvalue(), (args, code)
        screens.append(" ".join(args))
        note("lienchain " + " ".join(args))

    def walk(group, path):
        ctx = click.Context(group, info_name=path[-1] if path else "lienchain")
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            run([*path, name, "--help"])
            if isinstance(command, click.Group):
                walk(command, [*path, name])

    run(["--help"])
    run(["--version"])
    walk(cli, [])
    print(json.dumps({"seen": seen, "screens": screens}))
    """
)


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LIENCHAIN_HOME": "/nonexistent/lienchain-profile"})


def test_help_and_version_screens_import_no_chain_library() -> None:
    result = _python(_WALK, json.dumps(FORBIDDEN))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "title show --help" in report["screens"] and "network create --help" in report["screens"]
    seen = report["seen"]
    assert seen == {}, "imported by a help or version screen: " + ", ".join(f"{m} (first by `{s}`)" for m, s in seen.items())


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["title", "show", "--help"]], ids=" ".join)
def test_the_console_command_answers_help_without_the_chain_library(args: list[str]) -> None:
    # The real entry point, as `lienchain ...` runs it, in case main() differs from cli.main().
    code = textwrap.dedent(
        """
        import json, sys
        args, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
        from lienchain.cli.main import main
        sys.argv = ["lienchain", *args]
        try:
            main()
        except SystemExit as exit:
            assert not exit.code, exit.code
        print(json.dumps(sorted(m for m in forbidden if m in sys.modules)), file=sys.stderr)
        """
    )
    result = _python(code, json.dumps(args), json.dumps(FORBIDDEN))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_the_command_list_imports_no_command_module_and_reads_as_the_commands_say() -> None:
    # `lienchain --help` lists summaries kept beside the command table; they must read exactly
    # as each command's own help would, at any terminal width.
    code = textwrap.dedent(
        """
        import json, sys
        import click
        from lienchain.cli.main import cli

        def listing(width):
            return cli.get_help(click.Context(cli, info_name="lienchain", terminal_width=width))

        lazy = {w: listing(w) for w in (50, 80, 200)}
        imported = sorted(m for m in sys.modules if m.startswith("lienchain.cli."))
        commands = {name: cli.commands[name] for name in cli.commands}  # imports them all
        print(json.dumps({"imported": imported, "same": all(lazy[w] == listing(w) for w in lazy),
                          "names": {n: c.name for n, c in commands.items()}}))
        """
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] == ["lienchain.cli.lazy", "lienchain.cli.main", "lienchain.cli.options"]
    assert report["same"]
    assert all(name == command for name, command in report["names"].items())


#: What a read of the embedded chain must not import. It runs the EVM, so it needs web3,
#: eth-tester and py-evm (which imports py-ecc itself); it needs no proofs, sealed documents,
#: Kubo client, consortium tooling or compiler.
READ_FORBIDDEN = (
    "lienchain.zk", "lienchain.storage.sealing", "lienchain.storage.keys", "lienchain.storage.kubo",
    "lienchain.networks.member", "lienchain.networks.network", "lienchain.networks.consortium",
    "lienchain.ledger.workspace.session", "lienchain.ledger.workspace.documents",
    "lienchain.ledger.workspace.audit", "lienchain.ledger.workspace.importer",
    "cryptography", "ipfshttpclient", "solcx",
)

_VIN = "1M8GDM9AXKP042788"


@pytest.mark.parametrize("args", [["title", "show", _VIN], ["lien", "list", _VIN], ["title", "history", _VIN], ["status"]],
                         ids=" ".join)
def test_reads_import_only_what_they_use(run: Run, env: dict[str, str], args: list[str]) -> None:
    assert run("--as", "registrar", "title", "register", _VIN, "--owner", "auditor").code == 0
    code = textwrap.dedent(
        """
        import json, sys
        args, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
        from lienchain.cli.main import cli
        assert cli.main(args, prog_name="lienchain", standalone_mode=False) is None
        print(json.dumps(sorted(m for m in forbidden if m in sys.modules)), file=sys.stderr)
        """
    )
    result = subprocess.run([sys.executable, "-c", code, json.dumps(args), json.dumps(READ_FORBIDDEN)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []

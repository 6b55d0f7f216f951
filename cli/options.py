"""Options every command shares (--json, --profile, --network, --as), the application context, and output.

Each shared option may be given before the subcommand (`lienchain --as lender-a lien grant ...`)
or after it (`lienchain lien grant ... --as lender-a`); the value given last wins.

This module, like every command module, imports the library's heavy parts (web3, py-evm, the
networks) only inside the functions that use them: `lienchain --help` and each command's `--help`
must answer without loading the chain.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import ConfigError, NetworkNotFound

if TYPE_CHECKING:
    from ..ledger.registry.ledger import Ledger
    from ..ledger.workspace.profile import Profile
    from ..ledger.workspace.session import Session
    from ..networks.member import MemberHome
    from ..networks.network import Network

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """What a command needs from the command line, opened lazily."""

    json: bool = False
    profile_path: Path | None = None
    network_name: str | None = None
    account: str | None = None
    _profile: Profile | None = field(default=None, repr=False)

    def profile(self) -> Profile:
        """Opens the chosen profile (once): --network's, else --profile's, else the default.

        Raises:
            ProfileNotFound, NetworkNotFound: If there is no profile there.
        """
        if self._profile is None:
            from ..ledger.workspace.profile import PROFILE_FILE, Profile, default_profile_path

            path = self.profile_path or default_profile_path()
            if self.network_name:
                from ..networks.network import Network, network_path

                path = network_path(self.network_name)
                if Network.is_sandbox(path):  # a sandbox member's directory, as on its own machine
                    sandbox = Network(path)
                    path = sandbox.home(self.account or sandbox.members[0].name).path
                if not (path / PROFILE_FILE).exists():
                    raise NetworkNotFound(self.network_name, str(path))
            self._profile = Profile(path, passphrase=passphrase_source)
        return self._profile

    def network(self, name: str | None = None) -> Network:
        """Opens the named network, or the --network one.

        Raises:
            ConfigError: If no network is named.
            NetworkNotFound: If it does not exist.
        """
        from ..networks.network import Network, network_path

        name = name or self.network_name
        if not name:
            raise ConfigError("this command acts on a network: choose it with --network NAME")
        return Network(network_path(name))

    def home(self) -> MemberHome:
        """Returns the member directory of --network (in a sandbox, the --as member's, else the first's).

        Raises:
            ConfigError: If no network is named.
            NetworkNotFound: If it does not exist.
        """
        from ..networks.member import MemberHome
        from ..networks.network import Network, network_path

        if not self.network_name:
            raise ConfigError("this command acts on a network: choose it with --network NAME")
        path = network_path(self.network_name)
        if Network.is_sandbox(path):
            sandbox = Network(path)
            return sandbox.home(self.account or sandbox.members[0].name)
        return MemberHome(path)

    def ledger(self, *, signing: bool = False) -> Ledger:
        """Returns the profile's ledger, signing as --as when `signing`.

        Raises:
            ConfigError: If a signing command has no --as account.
            UnknownAccount: If the --as account of a signing command is not one of the profile's.
        """
        signer = self.signer_name() if signing else None
        # A read still goes through the --as member's own node, when there is one.
        return self.profile().ledger(signer, via=self.account)

    def session(self) -> Session:
        """Returns the --as account's session (its ledger and the profile's documents).

        Raises:
            ConfigError: If no --as account was given.
        """
        return self.profile().session(self.signer_name())

    def signer_name(self) -> str:
        """Returns the --as account, which commands that sign or open documents require."""
        if not self.account:
            raise ConfigError("this command needs an account: choose it with --as NAME")
        self.profile().accounts.get(self.account)
        return self.account

    def currency(self, given: str | None) -> str:
        """Returns the --currency given, else the profile's, upper-cased."""
        return (given or self.profile().currency).upper()

    def close(self) -> None:
        """Closes the profile, if one was opened."""
        if self._profile is not None:
            self._profile.close()

    def emit(self, data: Any, text: str | list[str]) -> None:
        """Prints a result: `data` as JSON with --json, else the human-readable `text`."""
        if self.json:
            click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            click.echo(text if isinstance(text, str) else "\n".join(text))

    def label(self, address: str) -> str:
        """Returns an address followed by its account name, when it is one of the profile's."""
        name = self.profile().accounts.name_of(address)
        return f"{address} ({name})" if name else address


def passphrase_source(*, confirm: bool = False) -> str:
    """Returns the profile passphrase from LIENCHAIN_PASSWORD, or asks for it on a terminal.

    Args:
        confirm: Ask twice (when the passphrase is being chosen, so a typo cannot lock keys away).

    Raises:
        ConfigError: If neither is available.
    """
    env = os.environ.get("LIENCHAIN_PASSWORD")
    if env:
        return env
    if sys.stdin.isatty():
        return str(click.prompt("Profile passphrase", hide_input=True, confirmation_prompt=confirm))
    raise ConfigError("no passphrase: set LIENCHAIN_PASSWORD, or run on a terminal to be asked")


def new_passphrase_source() -> str:
    """Returns a passphrase being chosen: from LIENCHAIN_PASSWORD, or asked for twice."""
    return passphrase_source(confirm=True)


def app_of(ctx: click.Context) -> App:
    """Returns the App of a command line, creating it on the root context."""
    root = ctx.find_root()
    if not isinstance(root.obj, App):
        root.obj = App()
    return root.obj


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None and value is not False:
            setattr(app_of(ctx), attr, value)
        return value

    return callback


def common_options(f: F) -> F:
    """Adds --json, --profile, --network and --as to a command or group."""
    f = click.option(
        "--json", "json_output", is_flag=True, default=False, expose_value=False, is_eager=True,
        callback=_store("json"), help="Print machine-readable JSON on stdout.",
    )(f)
    f = click.option(
        "--profile", "profile_dir", type=click.Path(file_okay=False, path_type=Path), expose_value=False, is_eager=True,
        callback=_store("profile_path"),
        help="Profile directory [default: $LIENCHAIN_HOME or ~/.lienchain/default].",
    )(f)
    f = click.option(
        "--network", "network_opt", metavar="NAME", expose_value=False, is_eager=True,
        callback=_store("network_name"),
        help="Act on the named consortium network (see `lienchain network init`) instead of a profile.",
    )(f)
    # Named so that no command's own option can shadow it (click keys parameters by name).
    f = click.option(
        "--as", "as_account", metavar="NAME", expose_value=False, is_eager=True, callback=_store("account"),
        help="The profile account that signs (e.g. registrar, lender-a).",
    )(f)
    return f


pass_app = click.make_pass_decorator(App, ensure=True)

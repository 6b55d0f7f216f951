"""Bad input to the network commands: one line, exit 1 (2 for usage), nothing written. No node runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_errors import assert_one_line_error


@pytest.mark.parametrize(
    ("members", "needle"),
    [
        ("Bank A,dmv", "member name 'Bank A' is invalid"),
        ("bank-a,bank-a", "listed twice"),
        ("bank-a:BANKER", "role 'BANKER' of bank-a is unknown"),
    ],
)
def test_network_init_refuses_bad_members_and_writes_nothing(run_in, tmp_path: Path, members: str, needle: str) -> None:
    r = run_in("network", "init", "consortium", "--members", members)
    assert_one_line_error(r, 1, needle)
    assert not (tmp_path / "networks").exists() or not any((tmp_path / "networks").iterdir())


def test_network_init_needs_members(run_in) -> None:
    r = run_in("network", "init", "consortium")
    assert r.code == 2 and "--members" in r.err


@pytest.mark.parametrize("command", [("network", "up", "nowhere"), ("network", "status", "nowhere"),
                                     ("node", "start", "bank-a", "--network", "nowhere"),
                                     ("title", "show", "1M8GDM9AXKP042788", "--network", "nowhere")])
def test_unknown_network_is_refused(run_in, command: tuple[str, ...]) -> None:
    assert_one_line_error(run_in(*command), 1, "no network 'nowhere'", "lienchain network init nowhere")


def test_node_commands_need_a_network(run_in) -> None:
    assert_one_line_error(run_in("node", "stop", "bank-a"), 1, "--network NAME")


def test_given_binary_of_another_version_is_refused(run_in, tmp_path: Path) -> None:
    fake = tmp_path / "geth"
    fake.write_text("#!/bin/sh\necho 'Version: 1.14.0-stable'\n")
    fake.chmod(0o755)
    r = run_in("network", "init", "consortium", "--members", "a,b", "--geth", str(fake))
    assert_one_line_error(r, 1, "geth 1.14.0", "needs 1.13.15")


def test_init_refuses_a_network(run_in, tmp_path: Path) -> None:
    assert_one_line_error(run_in("init", "--network", "consortium"), 1, "lienchain network init")
    assert not (tmp_path / "profile").exists()

"""Shared fixtures: one embedded profile built per session, copied for every test that writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lienchain.ledger import Ledger, Profile

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def template_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly initialised embedded profile (light KDF), built once per session; never modified."""
    path = tmp_path_factory.mktemp("template") / "profile"
    Profile.create(path, passphrase=lambda: PASSPHRASE, light_kdf=True).close()
    return path


@pytest.fixture(scope="session")
def copy_profile(template_profile: Path) -> Callable[[Path], Profile]:
    """Copies the template profile to a directory and opens the copy (for tests that need many)."""

    def copy(directory: Path) -> Profile:
        shutil.copytree(template_profile, directory / "profile")
        return Profile(directory / "profile", passphrase=lambda: PASSPHRASE)

    return copy


@pytest.fixture
def profile_path(template_profile: Path, tmp_path: Path) -> Path:
    """A private copy of the template profile for one test."""
    path = tmp_path / "profile"
    shutil.copytree(template_profile, path)
    return path


@pytest.fixture
def profile(profile_path: Path) -> Iterator[Profile]:
    """The test's profile, opened."""
    with Profile(profile_path, passphrase=lambda: PASSPHRASE) as p:
        yield p


@pytest.fixture
def ledgers(profile: Profile) -> dict[str, Ledger]:
    """A ledger signing as each of the profile's accounts, and "reader" that signs nothing."""
    out = {a.name: profile.ledger(a.name) for a in profile.accounts.list()}
    out["reader"] = profile.ledger()
    return out

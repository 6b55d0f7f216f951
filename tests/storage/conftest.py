"""Storage fixtures: one conformance harness over every DocumentStore implementation.

A new implementation (the Kubo store) joins the conformance suite by adding one entry to
`HARNESSES`: a function building an empty store, and one that swaps the bytes it holds under a CID
behind its back (to prove `get` refuses them). Kubo-backed entries are marked so CI runs them with
the real binary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lienchain.storage import CID, DocumentStore, EmbeddedStore


@dataclass(frozen=True)
class StoreHarness:
    """A store under test, and a way to tamper with what it holds."""

    store: DocumentStore
    replace_stored_bytes: Callable[[CID, bytes], None]


def _embedded(directory: Path) -> StoreHarness:
    root = directory / "store"

    def replace_stored_bytes(cid: CID, data: bytes) -> None:
        (blob,) = root.rglob(cid)  # wherever the store shards it, exactly one file has the CID's name
        blob.write_bytes(data)

    return StoreHarness(EmbeddedStore(root), replace_stored_bytes)


HARNESSES: dict[str, Callable[[Path], StoreHarness]] = {
    "embedded": _embedded,
}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> StoreHarness:
    """An empty store of each implementation in turn, with its tampering hook."""
    return HARNESSES[request.param](tmp_path)


@pytest.fixture
def store(harness: StoreHarness) -> DocumentStore:
    """An empty store of each implementation in turn."""
    return harness.store


@pytest.fixture
def replace_stored_bytes(harness: StoreHarness) -> Callable[[CID, bytes], None]:
    """Swaps the bytes `store` holds under a CID behind its back, as an attacker with disk access would."""
    return harness.replace_stored_bytes

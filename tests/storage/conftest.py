"""Storage fixtures: one conformance harness over every DocumentStore implementation.

A new implementation (the Kubo store) joins the conformance suite by adding one entry to
`HARNESSES`: a function building an empty store, and one that swaps the bytes it holds under a CID
behind its back (to prove `get` refuses them). The Kubo entry runs a real Kubo daemon; CI requires
the binary (LIENCHAIN_REQUIRE_NODES=1), elsewhere its tests are skipped without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lienchain.storage import CID, DocumentStore, EmbeddedStore, KuboStore

from .kubo_nodes import KuboNode, clear, swarm


@dataclass(frozen=True)
class StoreHarness:
    """A store under test, and a way to tamper with what it holds."""

    store: DocumentStore
    replace_stored_bytes: Callable[[CID, bytes], None]


def _embedded(request: pytest.FixtureRequest, directory: Path) -> StoreHarness:
    root = directory / "store"

    def replace_stored_bytes(cid: CID, data: bytes) -> None:
        (blob,) = root.rglob(cid)  # wherever the store shards it, exactly one file has the CID's name
        blob.write_bytes(data)

    return StoreHarness(EmbeddedStore(root), replace_stored_bytes)


def _kubo(request: pytest.FixtureRequest, directory: Path) -> StoreHarness:
    # One daemon for the session, emptied before each test (unpin all, `repo gc`: a few ms): a new
    # repository and daemon per test costs about 0.3 s each, and an emptied node holds no document,
    # exactly like a new one.
    node: KuboNode = request.getfixturevalue("kubo_node")
    clear(node)

    def replace_stored_bytes(cid: CID, data: bytes) -> None:
        # The block's file in the flatfs blockstore; Kubo caches whether it has a block, never its
        # bytes, and does not re-hash what it reads, so it serves the forged bytes from then on.
        node.block_file(cid).write_bytes(data)

    return StoreHarness(KuboStore(node.api), replace_stored_bytes)


HARNESSES: dict[str, Callable[[pytest.FixtureRequest, Path], StoreHarness]] = {
    "embedded": _embedded,
    "kubo": _kubo,
}
# Marks of the harnesses that need a real node, so `-m "not kubo"` leaves them out.
MARKS = {"kubo": [pytest.mark.kubo]}


@pytest.fixture(scope="session")
def kubo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KuboNode]:
    """A real Kubo daemon on loopback for the session (skipped without the binary, see kubo_nodes)."""
    (node,) = swarm(tmp_path_factory.mktemp("kubo"), 1)
    yield node
    node.stop()


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, [])) for name in sorted(HARNESSES)])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> StoreHarness:
    """An empty store of each implementation in turn, with its tampering hook."""
    return HARNESSES[request.param](request, tmp_path)


@pytest.fixture
def store(harness: StoreHarness) -> DocumentStore:
    """An empty store of each implementation in turn."""
    return harness.store


@pytest.fixture
def replace_stored_bytes(harness: StoreHarness) -> Callable[[CID, bytes], None]:
    """Swaps the bytes `store` holds under a CID behind its back, as an attacker with disk access would."""
    return harness.replace_stored_bytes

"""What the Kubo store promises beyond the conformance suite: the embedded store's CIDs, replication
to the other members' nodes, reads that pass over a tampered or missing copy, and a swarm closed to
nodes without its key. Real Kubo daemons."""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lienchain.errors import CIDMismatch, DocumentNotFound, NodeUnreachable, StorageError
from lienchain.networks import kubo
from lienchain.networks.process import wait_for
from lienchain.storage import EmbeddedStore, KuboStore, compute_cid

from .kubo_nodes import KuboNode, swarm

pytestmark = pytest.mark.kubo

CHUNK = 262144
SIZES = [0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 7 * CHUNK]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[KuboNode]]:
    """Two peered nodes of one private swarm."""
    nodes = swarm(tmp_path_factory.mktemp("pair"), 2)
    assert wait_for(lambda: all(kubo.peer_count(n.api) == 1 for n in nodes), 30)
    yield nodes
    for node in nodes:
        node.stop()


@pytest.mark.parametrize("size", SIZES)
def test_same_bytes_get_the_same_cid_in_the_embedded_store_and_in_kubo(
    kubo_node: KuboNode, tmp_path: Path, size: int
) -> None:
    data = hashlib.shake_256(f"document of {size} bytes".encode()).digest(size)

    in_kubo = KuboStore(kubo_node.api).put(data)
    embedded = EmbeddedStore(tmp_path).put(data)

    assert in_kubo == embedded == compute_cid(data)


def test_a_document_is_pinned_on_every_member_and_readable_with_its_authors_node_down(
    pair: list[KuboNode],
) -> None:
    author, other = pair
    data = b"loan agreement, lien 7, sealed"
    cid = KuboStore(author.api, replicas=[other.api]).put(data)
    pins = kubo.api(other.api, "pin/ls", arg=cid, offline="true")
    assert cid in pins["Keys"]

    author.stop()
    try:
        assert KuboStore(other.api, replicas=[author.api]).get(cid) == data
    finally:
        author.start()
    assert wait_for(lambda: kubo.peer_count(author.api) == 1, 30)


def test_a_put_with_a_member_node_down_succeeds_and_names_that_node(pair: list[KuboNode]) -> None:
    author, other = pair
    other.stop()
    try:
        store = KuboStore(author.api, replicas=[other.api], timeout=5)
        cid = store.put(b"title certificate stored while bank-b is offline")
        assert store.unreplicated == [other.api]
        assert store.get(cid) == b"title certificate stored while bank-b is offline"
    finally:
        other.start()
    assert wait_for(lambda: kubo.peer_count(author.api) == 1, 30)


def test_a_node_without_the_swarm_key_cannot_join(pair: list[KuboNode], tmp_path: Path) -> None:
    (outsider,) = swarm(tmp_path, 1)  # its own, different swarm key
    try:
        kubo.api(outsider.api, "swarm/connect", arg=f"{pair[0].swarm}/p2p/{pair[0].peer_id}", timeout=15)
    except OSError:
        pass  # refused: the handshake fails without the key
    finally:
        peers = kubo.peer_count(outsider.api)
        outsider.stop()
    assert peers == 0
    assert kubo.peer_count(pair[0].api) == 1  # still just its member peer


def test_a_tampered_copy_on_the_own_node_is_passed_over_for_a_members_copy(pair: list[KuboNode]) -> None:
    author, other = pair
    data = b"lien release, lien 9"
    cid = KuboStore(author.api, replicas=[other.api]).put(data)
    author.block_file(cid).write_bytes(b"lien release, lien 0")

    assert KuboStore(author.api, replicas=[other.api]).get(cid) == data
    with pytest.raises(CIDMismatch):
        KuboStore(author.api).get(cid)


def test_put_again_repairs_a_document_whose_root_block_was_replaced(kubo_node: KuboNode) -> None:
    store = KuboStore(kubo_node.api)
    data = hashlib.shake_256(b"a scanned title certificate").digest(3 * CHUNK + 17)
    cid = store.put(data)
    kubo_node.block_file(cid).write_bytes(b"not a dag-pb node")  # the file no longer even parses

    with pytest.raises(CIDMismatch) as raised:
        store.get(cid)
    assert raised.value.actual == compute_cid(b"not a dag-pb node")

    store.put(data)
    assert store.get(cid) == data


def test_with_the_own_node_down_an_unreplicated_document_is_unreachable_not_missing(pair: list[KuboNode]) -> None:
    author, other = pair
    cid = KuboStore(author.api).put(b"kept on the author's node only")
    author.stop()
    try:
        with pytest.raises(NodeUnreachable, match="does not answer and no other member's node holds"):
            KuboStore(author.api, replicas=[other.api]).get(cid)
        with pytest.raises(NodeUnreachable, match=author.api):
            KuboStore(author.api).has(cid)
    finally:
        author.start()
    assert wait_for(lambda: kubo.peer_count(author.api) == 1, 30)


def test_an_unknown_document_is_not_found_at_once_though_members_are_peered(pair: list[KuboNode]) -> None:
    unknown = compute_cid(b"never stored anywhere")
    store = KuboStore(pair[0].api, replicas=[pair[1].api], timeout=5)

    with pytest.raises(DocumentNotFound):
        store.get(unknown)
    assert not store.has(unknown)


def test_a_delete_that_leaves_the_document_on_the_node_fails_and_says_so(kubo_node: KuboNode) -> None:
    store = KuboStore(kubo_node.api)
    cid = store.put(b"an appraisal whose erasure is on record")
    # Another root keeps it: a copy in the node's own files (MFS), which no unpin removes.
    query = urllib.parse.urlencode({"arg": [f"/ipfs/{cid}", "/kept"]}, doseq=True)
    urllib.request.urlopen(urllib.request.Request(f"{kubo_node.api}/api/v0/files/cp?{query}", method="POST"),
                           timeout=10).close()
    with pytest.raises(StorageError, match="still holds"):  # an erasure attested on this would be false
        store.delete(cid)
    assert store.has(cid)
    kubo.api(kubo_node.api, "files/rm", arg="/kept")
    assert store.delete(cid) is True and not store.has(cid)

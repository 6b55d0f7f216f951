"""The behaviour every DocumentStore must have; each implementation runs all of it (see conftest)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from lienchain.errors import CIDMismatch, DocumentNotFound, InvalidCID
from lienchain.storage import CID, DocumentStore, compute_cid

SMALL = b"title MA-2024-000117: lien of 18,500 USD for First Bank"
LARGE = hashlib.shake_256(b"lienchain/conformance/large").digest(3 * 262144 + 17)  # a multi-block DAG
UNKNOWN = compute_cid(b"a document nobody stored")


@pytest.mark.parametrize("data", [b"", SMALL, LARGE], ids=["empty", "small", "multi-block"])
def test_get_returns_the_bytes_put(store: DocumentStore, data: bytes) -> None:
    cid = store.put(data)

    assert store.get(cid) == data


@pytest.mark.parametrize("data", [SMALL, LARGE], ids=["small", "multi-block"])
def test_put_files_a_document_under_the_cid_kubo_would_give_it(store: DocumentStore, data: bytes) -> None:
    assert store.put(data) == compute_cid(data)


def test_put_is_idempotent(store: DocumentStore) -> None:
    first = store.put(SMALL)
    second = store.put(SMALL)

    assert first == second
    assert store.get(first) == SMALL


def test_different_documents_get_different_cids(store: DocumentStore) -> None:
    assert store.put(SMALL) != store.put(SMALL + b".")


def test_has_tells_stored_from_unknown_documents(store: DocumentStore) -> None:
    cid = store.put(SMALL)

    assert store.has(cid)
    assert not store.has(UNKNOWN)


def test_get_of_unknown_cid_raises_document_not_found(store: DocumentStore) -> None:
    with pytest.raises(DocumentNotFound) as raised:
        store.get(UNKNOWN)

    assert raised.value.cid == UNKNOWN


@pytest.mark.parametrize("text", ["", "../../etc/passwd", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"])
def test_store_refuses_strings_that_are_not_cids(store: DocumentStore, text: str) -> None:
    with pytest.raises(InvalidCID):
        store.get(CID(text))
    with pytest.raises(InvalidCID):
        store.has(CID(text))


Tamper = Callable[[CID, bytes], None]


def test_get_refuses_tampered_document(store: DocumentStore, replace_stored_bytes: Tamper) -> None:
    cid = store.put(SMALL)
    forged = SMALL.replace(b"18,500", b"1,850")
    replace_stored_bytes(cid, forged)

    with pytest.raises(CIDMismatch) as raised:
        store.get(cid)

    assert (raised.value.expected, raised.value.actual) == (cid, compute_cid(forged))


def test_put_again_repairs_a_tampered_document(store: DocumentStore, replace_stored_bytes: Tamper) -> None:
    cid = store.put(SMALL)
    replace_stored_bytes(cid, b"garbage")

    store.put(SMALL)

    assert store.get(cid) == SMALL


@pytest.mark.parametrize("data", [SMALL, LARGE], ids=["small", "multi-block"])
def test_delete_removes_the_stores_copy_for_good(store: DocumentStore, data: bytes) -> None:
    kept = store.put(SMALL + b" kept")
    cid = store.put(data)

    assert store.delete(cid) is True
    assert not store.has(cid)
    with pytest.raises(DocumentNotFound):
        store.get(cid)
    assert store.delete(cid) is False  # an erasure may be repeated
    assert store.get(kept) == SMALL + b" kept"  # other documents stay

"""What the embedded store promises beyond the conformance suite: atomic, self-contained files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lienchain.errors import StorageError
from lienchain.storage import EmbeddedStore, compute_cid

DOCUMENT = b"bill of sale, VIN 1HGCM82633A004352"


def test_opening_a_store_does_not_touch_the_disk(tmp_path: Path) -> None:
    EmbeddedStore(tmp_path / "store")

    assert not (tmp_path / "store").exists()


def test_put_leaves_only_the_document_behind(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    cid = store.put(DOCUMENT)

    files = [p for p in tmp_path.rglob("*") if p.is_file()]

    assert [p.name for p in files] == [cid]
    assert files[0].read_bytes() == DOCUMENT


def test_crash_before_rename_leaves_no_document_under_the_cid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path)

    def crash(source: object, target: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)

    with pytest.raises(StorageError, match="cannot access document"):
        store.put(DOCUMENT)

    assert not store.has(compute_cid(DOCUMENT))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the temporary file is gone too


def test_documents_are_sharded_across_directories(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    for i in range(40):
        store.put(b"document %d" % i)

    shards = {p.parent for p in tmp_path.rglob("baf*")}

    assert len(shards) > 10  # a shard prefix every CID shares ("af") would give one directory

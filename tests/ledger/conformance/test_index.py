"""The local event index: the same history and liens as the chain, kept up to date, rebuilt at will."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from typing import Any

import pytest
from eth_account import Account

from lienchain.ledger import Ledger, normalize_vin

from .conftest import Backend
from .support import grant, value

VIN = normalize_vin("1M8GDM9AXKP042788")
OTHER = normalize_vin("1HGCM82633A004352")
MATURITY = int(time.time()) + 5 * 365 * 86400


def chain_only(ledger: Ledger) -> Ledger:
    """The same ledger reading the chain itself (no index)."""
    return Ledger(ledger.chain, ledger.deployment)


def story(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_titles([(VIN, Account.create().address, "bafkreia"), (OTHER, Account.create().address, "bafkreititle")])
    value(ledgers, VIN, 3_000_000, currency="USD")
    first = grant(ledgers, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    grant(ledgers, "lender-a", OTHER, 5, currency="USD", maturity=MATURITY)
    ledgers["lender-a"].release_lien(first.lien_id)


def test_history_and_liens_from_the_index_match_the_chain(ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    reader = ledgers["reader"]
    for vin in (VIN, OTHER):
        assert same_history(reader, vin)
        assert reader.liens(vin) == chain_only(reader).liens(vin)
    assert [e.name for e in reader.history(VIN)] == ["TitleRegistered", "ValuationSet", "ValuationSet", "LienGranted",
                                                        "LienReleased"]


def same_history(reader: Ledger, vin: str) -> bool:
    """The indexed and the scanned history agree (the index keeps integers beyond 2**53 as strings)."""
    indexed = [(e.name, e.block, {k: str(v) for k, v in e.args.items()}) for e in reader.history(vin)]
    scanned = [(e.name, e.block, {k: str(v) for k, v in e.args.items()}) for e in chain_only(reader).history(vin)]
    return indexed == scanned


def test_the_index_catches_up_with_new_events(ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    assert len(ledgers["reader"].liens(OTHER)) == 1
    grant(ledgers, "lender-b", OTHER, 7, currency="USD", maturity=MATURITY,
                                   consents=[ledgers["lender-a"].sign_consent(OTHER, lender=ledgers["lender-b"].address,
                                                                              amount=7, currency="USD",
                                                                              deadline=int(time.time()) + 600)])
    assert [lien.amount for lien in ledgers["reader"].liens(OTHER)] == [5, 7]


def test_a_deleted_index_is_rebuilt_from_the_chain(backend: Backend, ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    before = ledgers["reader"].history(VIN)
    backend.close_index()
    backend.index_path.unlink()
    reopened = backend.reopen()
    assert reopened.history(VIN) == before
    assert backend.index_path.exists()


def test_the_walk_back_stops_at_the_newest_block_whose_stored_hash_is_still_the_chains(
    backend: Backend, ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    story(ledgers)
    before = ledgers["reader"].history(VIN)
    granted = next(e.block for e in before if e.name == "LienGranted")
    with closing(sqlite3.connect(backend.index_path)) as db:
        kept = max(n for (n,) in db.execute("SELECT number FROM blocks WHERE number < ?", (granted,)))
    replace_stored_hashes(backend, granted)
    read_from = recorded_log_reads(backend, monkeypatch)
    assert ledgers["reader"].history(VIN) == before  # indexed again, none twice
    assert read_from == [kept + 1]


def replace_stored_hashes(backend: Backend, first: int) -> None:
    """Changes the index's hashes of blocks from `first` on, as if a reorg had replaced them."""
    with closing(sqlite3.connect(backend.index_path)) as db, db:
        db.execute("UPDATE blocks SET hash = '0xdead' WHERE number >= ?", (first,))


def recorded_log_reads(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the first block of every log read from the chain from now on."""
    read_from: list[int] = []
    logs = backend.chain.logs

    def recorded(**kwargs: Any) -> Any:
        read_from.append(kwargs["from_block"])
        return logs(**kwargs)

    monkeypatch.setattr(backend.chain, "logs", recorded)
    return read_from


def values(reader: Ledger, vin: str) -> list[int]:
    return [int(e.args["value"]) for e in reader.history(vin) if e.name == "ValuationSet"]


def valued_after_a_fork_point(backend: Backend, ledgers: dict[str, Ledger]) -> int:
    """The story, indexed; then a fork point, after which the oracle values VIN at 2,000,000.

    Returns:
        The fork point.
    """
    story(ledgers)
    ledgers["reader"].history(VIN)
    fork = backend.fork()
    value(ledgers, VIN, 2_000_000, currency="USD")
    return fork


def valued_otherwise(branch: Backend) -> None:
    """The branch that replaces it: the oracle values VIN at 2,500,000 instead."""
    value({n: branch.ledger(n) for n in ("oracle", "oracle-b")}, VIN, 2_500_000)


def test_after_a_reorg_deeper_than_64_blocks_the_index_holds_the_new_branch_only(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    fork = valued_after_a_fork_point(backend, ledgers)
    backend.pad(70)
    assert values(ledgers["reader"], VIN) == [3_000_000, 3_000_000, 2_000_000, 2_000_000]
    backend.reorg(fork, valued_otherwise)
    assert values(ledgers["reader"], VIN) == [3_000_000, 3_000_000, 2_500_000, 2_500_000]
    assert same_history(ledgers["reader"], VIN)


def test_after_a_reorg_the_index_reads_the_chain_again_from_the_fork_point_on(
    backend: Backend, ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    fork = valued_after_a_fork_point(backend, ledgers)
    assert values(ledgers["reader"], VIN) == [3_000_000, 3_000_000, 2_000_000, 2_000_000]
    backend.reorg(fork, valued_otherwise)
    read_from = recorded_log_reads(backend, monkeypatch)
    assert values(ledgers["reader"], VIN) == [3_000_000, 3_000_000, 2_500_000, 2_500_000]
    assert read_from == [fork + 1]  # not a block before the fork point, and once


def test_a_range_read_while_a_reorg_replaces_its_blocks_is_read_again(
    backend: Backend, ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    fork = valued_after_a_fork_point(backend, ledgers)
    logs, reorged = backend.chain.logs, []

    def logs_then_reorg(**kwargs: Any) -> Any:
        found = logs(**kwargs)
        if not reorged:  # the logs are the old branch's; the blocks' headers will be the new one's
            reorged.append(True)
            backend.reorg(fork, valued_otherwise)
        return found

    monkeypatch.setattr(backend.chain, "logs", logs_then_reorg)
    assert values(ledgers["reader"], VIN) == [3_000_000, 3_000_000, 2_500_000, 2_500_000]
    assert reorged


def test_a_node_behind_the_index_keeps_its_later_events_unless_its_own_blocks_were_replaced(
    backend: Backend, ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    story(ledgers)
    reader = ledgers["reader"]
    before = reader.history(VIN)
    granted, released = (e.block for e in before if e.name in ("LienGranted", "LienReleased"))
    monkeypatch.setattr(backend.chain, "head", lambda: released - 1)  # a node catching up after a restart
    assert reader.history(VIN) == before  # the same blocks up to its head: the release above it is kept
    replace_stored_hashes(backend, granted)  # its blocks are another branch's
    assert [e.name for e in reader.history(VIN)] == ["TitleRegistered", "ValuationSet", "ValuationSet", "LienGranted"]

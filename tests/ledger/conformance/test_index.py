"""The local event index: the same history and liens as the chain, kept up to date, rebuilt at will."""

from __future__ import annotations

import sqlite3
import time

from eth_account import Account

from lienchain.ledger import Ledger, normalize_vin

from .conftest import Backend

VIN = normalize_vin("1M8GDM9AXKP042788")
OTHER = normalize_vin("1HGCM82633A004352")
MATURITY = int(time.time()) + 5 * 365 * 86400


def chain_only(ledger: Ledger) -> Ledger:
    """The same ledger reading the chain itself (no index)."""
    return Ledger(ledger.chain, ledger.deployment)


def story(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_titles([(VIN, Account.create().address, "bafkreia"), (OTHER, Account.create().address, "")])
    ledgers["oracle"].set_valuation(VIN, 3_000_000, currency="USD")
    first = ledgers["lender-a"].grant_lien(VIN, 1_000_000, currency="USD", maturity=MATURITY)
    ledgers["lender-a"].grant_lien(OTHER, 5, currency="USD", maturity=MATURITY)
    ledgers["lender-a"].release_lien(first.lien_id)


def test_history_and_liens_from_the_index_match_the_chain(ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    reader = ledgers["reader"]
    for vin in (VIN, OTHER):
        assert same_history(reader, vin)
        assert reader.liens(vin) == chain_only(reader).liens(vin)
    assert [e.name for e in reader.history(VIN)] == ["TitleRegistered", "ValuationSet", "LienGranted", "LienReleased"]


def same_history(reader: Ledger, vin: str) -> bool:
    """The indexed and the scanned history agree (the index keeps integers beyond 2**53 as strings)."""
    indexed = [(e.name, e.block, {k: str(v) for k, v in e.args.items()}) for e in reader.history(vin)]
    scanned = [(e.name, e.block, {k: str(v) for k, v in e.args.items()}) for e in chain_only(reader).history(vin)]
    return indexed == scanned


def test_the_index_catches_up_with_new_events(ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    assert len(ledgers["reader"].liens(OTHER)) == 1
    ledgers["lender-b"].grant_lien(OTHER, 7, currency="USD", maturity=MATURITY,
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


def test_a_replaced_last_block_is_indexed_again_without_duplicates(backend: Backend, ledgers: dict[str, Ledger]) -> None:
    story(ledgers)
    before = ledgers["reader"].history(VIN)
    db = sqlite3.connect(backend.index_path)
    db.execute("UPDATE meta SET value = '0xdead' WHERE key = 'synced_hash'")  # as after a reorg
    db.commit()
    db.close()
    assert ledgers["reader"].history(VIN) == before

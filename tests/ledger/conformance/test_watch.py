"""A watch over the event index across a reorg: every event of the new branch handed out once, those
a reorg moved before the watch's cursor too, and none it handed out before handed out again."""

from __future__ import annotations

import json
from pathlib import Path

from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.workspace.watch import Watch

from .conftest import Backend
from .test_index import MATURITY, OTHER, VIN, story
from .support import grant, value

THIRD = normalize_vin("5YJSA1E27HF000337")


def handle(watch: Watch) -> list[tuple[str, int]]:
    """Polls once and marks every event handed out as done; returns their names and blocks."""
    events = watch.poll()
    for e in events:
        watch.done(e)
    return [(e.name, e.block) for e in events]


def names(events: list[tuple[str, int]]) -> list[str]:
    return [name for name, _ in events]


def test_a_watch_hands_out_once_the_events_a_reorg_moved_before_its_cursor(
    backend: Backend, ledgers: dict[str, Ledger], tmp_path: Path
) -> None:
    story(ledgers)
    cursor = tmp_path / "watch.json"
    running = Watch(ledgers["reader"], cursor)
    assert "LienReleased" in names(handle(running))
    fork = backend.fork()
    value(ledgers, VIN, 2_900_000, currency="USD")
    value(ledgers, OTHER, 40, currency="USD")
    ledgers["registrar"].register_titles([(THIRD, ledgers["oracle"].address, "bafkreititle")])
    before = handle(running)
    assert names(before) == ["ValuationSet"] * 4 + ["TitleRegistered"]

    # The new branch starts with a lien; the three transactions above are mined again after it.
    backend.reorg(fork, lambda branch: grant(
        {n: branch.ledger(n) for n in ("lender-b", "registrar")}, "lender-b", VIN, 1_000, maturity=MATURITY))
    other = Ledger(backend.chain, backend.deployment, index_path=backend.index_path)  # another reader syncs the index
    try:
        moved = [e for e in other.history(VIN) if e.name == "LienGranted"][-1]
    finally:
        other.close()
    assert moved.block == fork + 1 and moved.block < before[-1][1]  # before the watch's cursor
    backend.ledger("lender-a").release_lien(  # and one event after the reorg
        next(lien.lien_id for lien in ledgers["reader"].liens(OTHER) if lien.status.name == "ACTIVE"))

    expected = ["AuthorizationUsed", "LienGranted", "LienReleased"]
    assert [e.name for e in running.poll()] == expected  # the watch that ran through the reorg
    restarted = Watch(ledgers["reader"], cursor)  # and one started after it, from the cursor file
    assert names(handle(restarted)) == expected
    assert handle(restarted) == []
    assert handle(Watch(ledgers["reader"], cursor)) == []


def test_a_cursor_file_without_block_hashes_is_read_and_learns_them_from_its_next_event(
    ledgers: dict[str, Ledger], tmp_path: Path
) -> None:
    story(ledgers)
    cursor = tmp_path / "watch.json"
    watch = Watch(ledgers["reader"], cursor)
    events = watch.poll()
    last = events[-2]  # as an older lienchain left it: position and identities only
    cursor.write_text(json.dumps({"position": list(last.position), "recent": [f"{last.tx_hash}:{last.name}:"
                                                                              f"{json.dumps(last.args, sort_keys=True)}"]}))
    resumed = Watch(ledgers["reader"], cursor)
    assert handle(resumed) == [(events[-1].name, events[-1].block)]
    assert json.loads(cursor.read_text())["blocks"] == {str(events[-1].block): ledgers["reader"].chain.block(events[-1].block).hash}

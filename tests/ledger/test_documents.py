"""Checking the documents a title's history anchors (what `doc verify` reports).

The histories here are built by hand: a step anchored with an empty CID cannot be made on the
current registry, which refuses it, but a registry deployed before it required documents took such
steps, and their events stay on its chain.
"""

from __future__ import annotations

from lienchain.ledger import Event, Profile
from lienchain.storage import compute_cid


def event(name: str, block: int, **args: object) -> Event:
    return Event(name, block, "0x" + "ab" * 32, 0, args=dict(args))


def test_every_anchoring_step_is_checked_and_one_anchored_with_an_empty_cid_fails(profile: Profile) -> None:
    documents = profile.documents()
    stored = documents.seal(b"appraisal", readers=["oracle"])
    documents.put(stored)
    missing = compute_cid(b"never stored")
    history = [
        event("TitleRegistered", 1, vin="1M8GDM9AXKP042788", docCid=""),  # an old registry took it
        event("ValuationSet", 2, value=1_000, docCid=stored.cid),
        event("LtvAlert", 3, ltvBps=9_000, thresholdBps=7_000),  # anchors nothing: left out
        event("TitleTransferred", 4, docCid=missing),
        event("LienForceReleased", 5, evidenceCid=""),
    ]
    checks = documents.check_anchors(history)
    assert [(c.event, c.cid, c.ok) for c in checks] == [
        ("TitleRegistered", None, False), ("ValuationSet", stored.cid, True), ("TitleTransferred", missing, False),
        ("LienForceReleased", None, False),
    ]
    assert checks[0].error == checks[3].error == "no document anchored"
    assert checks[1].size == len(stored.envelope) and missing in str(checks[2].error)
    assert checks[0].to_dict() == {"event": "TitleRegistered", "block": 1, "cid": "-", "ok": False,
                                   "error": "no document anchored"}
    assert checks[1].to_dict() == {"event": "ValuationSet", "block": 2, "cid": stored.cid, "ok": True,
                                   "bytes": len(stored.envelope)}

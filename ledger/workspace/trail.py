"""The access trail: a custodian's log of key requests, its heads anchored on chain, and excerpts
an auditor checks against them.

A custodian (a member's key service) logs every request for a key in its vault's hash-chained log
(`storage.vault`), and anchors the log's head in the document registry at the interval the members
voted (`anchor`). An excerpt of the log (`excerpt`: the entries about one document or one reader,
the others' shown only by their digests) runs up to an anchored head, so an auditor who receives it
checks on chain that it is the log the custodian committed to (`verify`): an entry changed, dropped
or added after the anchor breaks the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidExcerpt
from ...storage.accesslog import Excerpt, LogHead, verify_excerpt
from ...storage.vault import KeyVault
from ..registry.ledger import Ledger

__all__ = ["Verified", "anchor", "excerpt", "verify"]


@dataclass(frozen=True)
class Verified:
    """An excerpt checked against the head its custodian anchored."""

    custodian: str | None
    account: str
    through: int  # the log entries the anchored head covers
    head: bytes
    entries: int  # the entries shown in full

    def to_dict(self) -> dict[str, Any]:
        """Returns the result as JSON-ready data."""
        return {"custodian": self.custodian, "account": self.account, "through": self.through,
                "head": "0x" + self.head.hex(), "entries": self.entries, "verified": True}


def anchor(vault: KeyVault, ledger: Ledger) -> LogHead | None:
    """Anchors the vault's log head, signed by `ledger`'s account (the custodian's), if the log grew
    since the last anchor.

    Returns:
        The head anchored, or None if there was nothing new.

    Raises:
        DocumentsNotGovernanceMember: If the signing account is not a member.
    """
    head = vault.head()
    anchored, _, _ = ledger.retention.last_anchor(ledger.address)
    if head.count <= anchored:
        return None
    ledger.retention.anchor_log(head.count, head.hash)
    return head


def excerpt(vault: KeyVault, ledger: Ledger, *, custodian: str, cid: str | None = None,
            reader: str | None = None) -> Excerpt:
    """Returns the log's entries about a document or a reader up to its last anchored head (see
    `KeyVault.excerpt`), naming the custodian and its account so that an auditor finds the head.

    Raises:
        InvalidExcerpt: If the custodian has anchored no head yet.
    """
    through, _, _ = ledger.retention.last_anchor(ledger.address)
    if through == 0:
        raise InvalidExcerpt(f"{custodian} has anchored no head of its access log yet: anchor it first, then excerpt it")
    return vault.excerpt(through=through, cid=cid, reader=reader, custodian=custodian, account=ledger.address)


def verify(data: bytes, ledger: Ledger, *, name_of: Callable[[str], str | None] = lambda _: None) -> Verified:
    """Checks an excerpt against the heads its custodian anchored on chain: the one after its last
    entry, and every earlier one within it (so a log rewritten after an anchor, then anchored again
    on the rewritten branch, fails at the first anchor it contradicts).

    Args:
        data: The excerpt file's bytes.
        ledger: Any ledger of the deployment (reads only).
        name_of: The name the reader knows an account by (its contacts), if any: an excerpt that
            names another custodian than its account's is refused.

    Raises:
        InvalidExcerpt: If the excerpt is malformed, names no custodian account or another
            custodian than its account's, the custodian anchored no head at its end, or it does
            not hash to the heads anchored within it (it was altered).
    """
    parsed = Excerpt.from_json(data)
    if not parsed.account:
        raise InvalidExcerpt("the excerpt names no custodian account: ask its custodian for a complete excerpt")
    known = name_of(parsed.account)
    if known is not None and parsed.custodian is not None and known != parsed.custodian:
        raise InvalidExcerpt(f"the excerpt names custodian {parsed.custodian}, but its account {parsed.account} is "
                             f"{known}'s: it is not {parsed.custodian}'s log")
    anchors = ledger.retention.anchors(parsed.account)
    head = anchors.get(parsed.through)
    if head is None:
        raise InvalidExcerpt(f"{parsed.custodian or parsed.account} anchored no head after {parsed.through} entries: "
                             "the excerpt does not end at an anchored head; ask for one that does")
    verify_excerpt(parsed, head)
    heads = {item.seq: after for item, after in zip(parsed.items, parsed.heads, strict=True)}
    if parsed.items:
        heads[parsed.items[0].seq - 1] = parsed.prev
    for count, anchored in sorted(anchors.items()):
        if count in heads and heads[count] != anchored:
            raise InvalidExcerpt(f"the excerpt's head after {count} entries is not the one "
                                 f"{parsed.custodian or parsed.account} anchored then: its log was rewritten after "
                                 "that anchor")
    return Verified(known or parsed.custodian, parsed.account, parsed.through, head, len(parsed.entries))

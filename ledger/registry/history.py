"""History: a title's events, read from the local event index when the ledger keeps one, else from
the chain's logs."""

from __future__ import annotations

from typing import Any, cast

from eth_utils.abi import event_abi_to_log_topic
from web3.contract import Contract

from ...errors import ConfigError
from .context import LedgerContext
from .index import EventIndex
from .records import Event, plain
from .titles import Titles
from .vin import VIN

__all__ = ["DOCUMENT_EVENTS", "LIEN_EVENTS", "TITLE_EVENTS", "History"]

#: The events that name a title in their first indexed argument.
TITLE_EVENTS = ("TitleRegistered", "TitleTransferred", "TitleStatusChanged", "TitleBranded", "BrandRemoved",
                "OdometerRecorded", "ValuationSet", "LtvAlert", "LtvRecovered", "TitleDisposed", "TitleRedeemed")
#: The events of a title's liens, which name the title in their second indexed argument.
LIEN_EVENTS = ("LienGranted", "LienReleased", "LienLapsed", "LienForceReleased", "LienCommitted", "LienProved",
               "LienProofDue", "LienProofSettled", "LienAcknowledged", "LienRevealed", "LienAssigned",
               "LienSubordinated", "LienPaidOff", "LienPayoffDisputed", "LienReleaseOverdue", "LienReleasedAfterPayoff",
               "LienDefaulted", "DefaultNotice", "LienDischarged", "LienDefaultWithdrawn")
#: The document registry's events about a title's documents, which name it in their second indexed argument.
DOCUMENT_EVENTS = ("DocumentRecorded", "DocumentErased")


class History:
    """The registry's events, by title."""

    def __init__(self, context: LedgerContext, titles: Titles) -> None:
        """Binds the part to the ledger's shared context and its titles (to check a VIN exists)."""
        self._c = context
        self._titles = titles

    def events(self, vin: VIN) -> list[Event]:
        """Returns every event of a title and its liens, oldest first, with the documents about it
        that no registry step anchors (attachments) and the erasure of any of its documents.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        c = self._c
        self._titles.get(vin)
        events = self._registry_events(vin)
        anchored = {e.doc_cid for e in events if e.doc_cid}
        extra = [e for e in self._document_events(vin)
                 if e.name == "DocumentErased" or str(e.args["cid"]) not in anchored]
        return sorted(events + extra, key=lambda e: e.position) if extra else events

    def _document_events(self, vin: VIN) -> list[Event]:
        """The document registry's records and erasures of documents about the title."""
        c = self._c
        if c.documents is None:
            return []
        if c.index is not None:
            return self.sync_index().events(token_id=c.token(vin), names=DOCUMENT_EVENTS)
        by_topic = event_topics(c.documents.abi, DOCUMENT_EVENTS)
        tid = "0x" + c.token(vin).to_bytes(32, "big").hex()
        logs = c.chain.logs(address=c.documents.address, from_block=c.deployment.block,
                            topics=[["0x" + t.hex() for t in by_topic], None, tid])
        return [_event(c.documents, by_topic[bytes(log["topics"][0])], log) for log in logs]

    def _registry_events(self, vin: VIN) -> list[Event]:
        c = self._c
        if c.index is not None:
            return self.sync_index().events(token_id=c.token(vin), names=TITLE_EVENTS + LIEN_EVENTS)
        tid = "0x" + c.token(vin).to_bytes(32, "big").hex()
        by_topic = event_topics(c.registry.abi, TITLE_EVENTS + LIEN_EVENTS)
        topics = {name: "0x" + t.hex() for t, name in by_topic.items()}
        start = c.deployment.block
        logs = c.chain.logs(address=c.registry.address, from_block=start, topics=[[topics[n] for n in TITLE_EVENTS], tid])
        logs += c.chain.logs(address=c.registry.address, from_block=start, topics=[[topics[n] for n in LIEN_EVENTS], None, tid])
        events = [_event(c.registry, by_topic[bytes(log["topics"][0])], log) for log in logs]
        return sorted(events, key=lambda e: (e.block, e.log_index))

    def sync_index(self) -> EventIndex:
        """Brings the local event index up to the chain's head and returns it.

        Raises:
            ConfigError: If the ledger was opened without an index file.
        """
        if self._c.index is None:
            raise ConfigError("this ledger keeps no event index: open it with index_path")
        return self._c.index.sync()


def _event(contract: Contract, name: str, log: Any) -> Event:
    decoded = getattr(contract.events, name)().process_log(log)
    return Event(name=name, block=int(log["blockNumber"]), tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                 log_index=int(log["logIndex"]), args={k: plain(v) for k, v in decoded["args"].items()},
                 tx_index=int(log["transactionIndex"]))


def event_topics(abi: Any, names: tuple[str, ...]) -> dict[bytes, str]:
    """Returns the topic of each named event of an ABI, mapped to its name."""
    items: list[dict[str, Any]] = list(abi)
    return {
        bytes(event_abi_to_log_topic(cast(Any, item))): str(item["name"])
        for item in items
        if item.get("type") == "event" and item["name"] in names
    }

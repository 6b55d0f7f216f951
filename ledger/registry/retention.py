"""The retention of anchored documents, their erasure, and the anchors of the access trail.

Every document a step anchors is recorded in the deployment's `DocumentRegistry` with its class
(`Retention.ESSENTIAL`: title and loan records, kept years; `Retention.TRANSIENT`: appraisals and
other working papers, kept about 90 days) and what it is about: a lien, or a title's owner of the
time. Its retention runs from when that business ends (the lien released, lapsed or discharged by
a sale; the title transferred, sold or cancelled) for its class's period, which the members set by vote. Once
it has run out anyone may record the erasure; each member's node then destroys what it holds (the
content key, its copy) and attests it. Key services anchor the heads of their access logs here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from eth_utils.abi import event_abi_to_log_topic

from web3.contract import Contract

from ...errors import ConfigError
from ..chain.transactions import Call
from .context import Hook, LedgerContext
from .governance import Governance
from .records import Address

__all__ = ["DocumentRecord", "DocumentRetention", "Erasure", "ReadStatus", "Retention", "RetentionInput"]

#: The most documents, erasure attestations, one transaction of `record` or `attest` carries.
BATCH = 100


class Retention(enum.IntEnum):
    """How long a document is kept after its business ends (mirrors `IDocumentRegistry.Retention`)."""

    ESSENTIAL = 0
    TRANSIENT = 1

    @property
    def label(self) -> str:
        """Returns the lower-case name users type and read."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Retention:
        """Returns the class named `text` (any case).

        Raises:
            ValueError: If it names none.
        """
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"retention {text!r} is unknown: choose essential or transient") from None


class ReadStatus(enum.IntEnum):
    """Whether a reader may have a document's content key now (mirrors `IDocumentRegistry.ReadStatus`)."""

    ENTITLED = 0
    NOT_RECORDED = 1
    ERASED = 2
    NOT_ENTITLED = 3


@dataclass(frozen=True)
class RetentionInput:
    """A document to record: its CID, class, and the title and lien (0: none) it is about."""

    cid: str
    retention: Retention
    token_id: int
    lien_id: int = 0


@dataclass(frozen=True)
class Anchoring:
    """Who anchored a document first, and the title and lien (0: the title) of that step."""

    author: Address
    token_id: int
    lien_id: int


@dataclass(frozen=True)
class DocumentRecord:
    """A recorded document and where its retention stands."""

    cid: str
    retention: Retention
    author: Address
    recorded_at: int
    erased_at: int  # 0 while kept
    token_id: int
    lien_id: int  # 0: the document is about the title
    business_ended_at: int  # 0 while its business goes on
    due_at: int  # when its retention runs out under the period of now; 0 while its business goes on

    @property
    def erased(self) -> bool:
        """Tells whether its erasure was recorded."""
        return self.erased_at != 0

    def to_dict(self) -> dict[str, Any]:
        """Returns the record as JSON-ready data."""
        return asdict(self) | {"retention": self.retention.label, "subject": self.subject}

    @property
    def subject(self) -> str:
        """Returns what the document is about, for people: "lien 7" or "title"."""
        return f"lien {self.lien_id}" if self.lien_id else "title"


@dataclass(frozen=True)
class Erasure:
    """A document's recorded erasure and which members attested it."""

    record: DocumentRecord
    attestations: dict[str, bool]  # member account -> attested

    def to_dict(self) -> dict[str, Any]:
        """Returns the erasure as JSON-ready data."""
        return {**self.record.to_dict(), "attestations": dict(self.attestations)}


class DocumentRetention:
    """The documents of a deployment's `DocumentRegistry`: records, erasures, attestations, log anchors."""

    def __init__(self, context: LedgerContext, governance: Governance) -> None:
        """Binds the part to the ledger's shared context and its governance."""
        self._c = context
        self._governance = governance

    @property
    def contract(self) -> Contract:
        """Returns the deployment's `DocumentRegistry`.

        Raises:
            ConfigError: If the deployment predates it.
        """
        if self._c.documents is None:
            raise ConfigError("this deployment has no document registry (it predates retention): deploy the "
                              "contracts again to record, erase and trace documents")
        return self._c.documents

    # --- writes -------------------------------------------------------------------------------

    def record(self, documents: Sequence[RetentionInput], *, on_accepted: Hook = None) -> None:
        """Records documents the signing account's steps anchored, in transactions of `BATCH`.

        Args:
            documents: The documents.
            on_accepted: Called once the document registry accepted them, before they are sent
                (where an attachment, anchored by its record alone, is stored).

        Raises:
            DocumentsAlreadyRecorded, DocumentsInvalidSubject, DocumentsNotStepSubject, DocumentsNotMember,
                DocumentsInvalidInput: If the document registry refuses (nothing of that batch is recorded).
        """
        contract = self.contract
        calls = [Call(contract.functions.record([(d.cid, int(d.retention), d.token_id, d.lien_id) for d in chunk]))
                 for chunk in _chunks(documents)]
        if calls:
            self._c.signer().send_many(calls, titles=self._c.vins, receipts=False, on_accepted=on_accepted)

    def check_record(self, documents: Sequence[RetentionInput]) -> None:
        """Runs `record` as the signing account would, sending nothing: for a step that records its
        document after it, but must know first that it may.

        Raises:
            As `record`.
        """
        contract, c = self.contract, self._c
        for chunk in _chunks(documents):
            c.reader.call(contract.functions.record([(d.cid, int(d.retention), d.token_id, d.lien_id) for d in chunk]),
                          sender=c.signer().address, titles=c.vins)

    def erase(self, cid: str) -> DocumentRecord:
        """Records the erasure of a document whose retention has run out.

        Raises:
            DocumentsNotRecorded, DocumentsBusinessOngoing, DocumentsNotDue, DocumentsAlreadyErased:
                If the document registry refuses.
        """
        self._c.signer().send(self.contract.functions.erase(cid), titles=self._c.vins)
        return self.require(cid)

    def attest(self, cids: Iterable[str]) -> None:
        """Attests, for the signing member, that its node holds neither these erased documents nor
        their keys any more, in transactions of `BATCH`.

        Raises:
            DocumentsNotErased, DocumentsAlreadyAttested, DocumentsNotGovernanceMember: If refused.
        """
        contract = self.contract
        calls = [Call(contract.functions.attestErasures(list(chunk))) for chunk in _chunks(list(cids))]
        if calls:
            self._c.signer().send_many(calls, receipts=False)

    def anchor_log(self, count: int, head: bytes) -> None:
        """Anchors the head of the signing member's access log after `count` entries.

        Raises:
            DocumentsLogNotAdvanced, DocumentsNotGovernanceMember: If refused.
        """
        self._c.signer().send(self.contract.functions.anchorAccessLog(count, head))

    # --- reads --------------------------------------------------------------------------------

    def get(self, cid: str) -> DocumentRecord | None:
        """Reads a document's record and where its retention stands; None if it is not recorded."""
        c = self._c
        d = c.reader.call(self.contract.functions.document(cid))
        if int(d.recordedAt) == 0:
            return None
        ended, due = c.reader.call(self.contract.functions.retention(cid), titles=c.vins)
        return DocumentRecord(
            cid=cid, retention=Retention(int(d.retention)), author=Address(str(d.author)),
            recorded_at=int(d.recordedAt), erased_at=int(d.erasedAt), token_id=int(d.tokenId), lien_id=int(d.lienId),
            business_ended_at=int(ended), due_at=int(due),
        )

    def require(self, cid: str) -> DocumentRecord:
        """Reads a document's record and where its retention stands.

        Raises:
            DocumentsNotRecorded: If it is not recorded.
        """
        record = self.get(cid)
        if record is None:  # the document registry's own refusal, as a caller catches it from a write
            self._c.reader.call(self.contract.functions.retention(cid), titles=self._c.vins)
        assert record is not None  # the call above refused an unrecorded CID
        return record

    def erased_at(self, cid: str) -> int:
        """Returns when a document's erasure was recorded: 0 if it was not (or is not recorded). One read."""
        return int(self._c.reader.call(self.contract.functions.document(cid)).erasedAt)

    def erasure(self, cid: str) -> Erasure:
        """Reads a document's record and each current member's attestation of its erasure.

        Raises:
            DocumentsNotRecorded: If it is not recorded.
        """
        record = self.require(cid)
        return Erasure(record, {str(m): self.attested(cid, m) for m in self._governance.members()})

    def attested(self, cid: str, member: str) -> bool:
        """Tells whether a member attested a document's erasure."""
        return bool(self._c.reader.call(self.contract.functions.attested(cid, member)))

    def read_status(self, cid: str, reader: str) -> ReadStatus:
        """Tells whether `reader` may have the document's content key now."""
        return ReadStatus(int(self._c.reader.call(self.contract.functions.readStatus(cid, reader))))

    def anchoring(self, cid: str) -> Anchoring | None:
        """Returns who anchored a document first and about what; None if no step did (an
        attachment). The document is recorded by that account, about that subject."""
        c = self._c
        author, token, lien = c.reader.call(c.registry.functions.anchoring(cid))
        return None if int(author, 16) == 0 else Anchoring(Address(author), int(token), int(lien))

    def holds_role(self, account: str) -> bool:
        """Tells whether an account holds a role of the registry: a key service serves (and logs)
        requests of such accounts only."""
        return bool(self._c.reader.call(self.contract.functions.holdsRole(account)))

    def refusal(self, cid: str, reader: str, *, author: str | None = None) -> str | None:
        """Tells why `reader` may not have the document's content key now; None if it may. The
        rule key services apply (see `IDocumentRegistry.readStatus`).

        Args:
            cid: The document.
            reader: Who asks.
            author: The account that deposited the key, if known (a key service's own member): a
                record that names another author is refused as well. Such a record was made by
                someone else before the document's step anchored it; a correction vote mends it.
        """
        status = self.read_status(cid, reader)
        if status == ReadStatus.ENTITLED:
            if author is None:
                return None
            recorded = str(self._c.reader.call(self.contract.functions.document(cid)).author)
            return None if recorded.lower() == author.lower() else (
                f"its record names {recorded} as its author, not {author}, who holds its key: "
                "a member vote that corrects the record gives it its step's author back")
        if status == ReadStatus.NOT_RECORDED:
            return "it is not recorded in the document registry"
        if status == ReadStatus.ERASED:
            return "it was erased"
        return ("the reader holds no role that reads it: its author, an AUDITOR, the holder of the lien it is about, "
                "or for a title's document a REGISTRAR may")

    def anchors(self, custodian: str) -> dict[int, bytes]:
        """Returns every access-log head a member anchored: the head by the entries it covers."""
        contract = self.contract
        event = contract.events.AccessLogAnchored()
        topic = "0x" + bytes(event_abi_to_log_topic(cast(Any, event.abi))).hex()
        who = "0x" + bytes(12).hex() + custodian.lower().removeprefix("0x")
        logs = self._c.chain.logs(address=contract.address, from_block=self._c.deployment.block, topics=[topic, who])
        found: dict[int, bytes] = {}
        for log in logs:
            args = event.process_log(log)["args"]
            found[int(args["count"])] = bytes(args["head"])
        return found

    def anchored_head(self, custodian: str, count: int) -> bytes | None:
        """Returns the access-log head a member anchored after `count` entries; None if it anchored none there."""
        head = bytes(self._c.reader.call(self.contract.functions.anchoredHead(custodian, count)))
        return head if any(head) else None

    def last_anchor(self, custodian: str) -> tuple[int, bytes, int]:
        """Returns a member's last anchored access-log head: (entries covered, head, when; all zero if none)."""
        count, head, at = self._c.reader.call(self.contract.functions.lastAnchor(custodian))
        return int(count), bytes(head), int(at)

    def erased_between(self, first: int, last: int) -> list[str]:
        """Returns the CIDs whose erasure was recorded in blocks `first` to `last`, in chain order."""
        contract = self.contract
        event = contract.events.DocumentErased()
        topic = "0x" + bytes(event_abi_to_log_topic(cast(Any, event.abi))).hex()
        logs = self._c.chain.logs(address=contract.address, from_block=first, to_block=last, topics=[topic])
        return [str(event.process_log(log)["args"]["cid"]) for log in logs]

    def period(self, retention: Retention) -> int:
        """Returns a class's retention period in seconds."""
        return int(self._c.reader.call(self.contract.functions.retentionPeriod(int(retention))))

    def log_interval(self) -> int:
        """Returns how often key services anchor their access logs, in seconds."""
        return int(self._c.reader.call(self.contract.functions.accessLogInterval()))

    # --- votes --------------------------------------------------------------------------------

    def propose_period(self, retention: Retention, seconds: int) -> int:
        """Proposes a class's retention period (seconds); the proposer's vote counts at once.

        Raises:
            DocumentsInvalidPeriod: If the document registry would refuse it (nothing is proposed).
        """
        return self._governance.propose_contract_call(
            self.contract, "setRetentionPeriod", [int(retention), seconds],
            f"keep {retention.label} documents {seconds / 86400:g} days ({seconds} s) after their business ends")

    def propose_correction(self, document: RetentionInput) -> int:
        """Proposes correcting a document's recorded class and subject (each CID is recorded once, by
        whoever records it first, so a wrong record is mended only by a member vote).

        Raises:
            DocumentsNotRecorded, DocumentsAlreadyErased, DocumentsInvalidSubject: If the document
                registry would refuse it (nothing is proposed).
        """
        d = document
        return self._governance.propose_contract_call(
            self.contract, "correctDocument", [(d.cid, int(d.retention), d.token_id, d.lien_id)],
            f"record document {d.cid} as {d.retention.label}, about "
            + (f"lien {d.lien_id}" if d.lien_id else f"title {d.token_id:#x}"))

    def propose_log_interval(self, seconds: int) -> int:
        """Proposes how often key services anchor their access logs (seconds).

        Raises:
            DocumentsInvalidPeriod: If the document registry would refuse it (nothing is proposed).
        """
        return self._governance.propose_contract_call(
            self.contract, "setAccessLogInterval", [seconds],
            f"anchor every key service's access log every {seconds / 3600:g} hours ({seconds} s)")


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]

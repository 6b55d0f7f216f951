"""Domain records read from the chain: titles, liens and the events of their history."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, NewType, TypeVar

from .vin import VIN, TokenId

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

LienId = NewType("LienId", int)
Address = NewType("Address", str)
R = TypeVar("R", bound="DataclassInstance")


def plain(value: Any) -> Any:
    """Returns a decoded ABI value as JSON-ready data: a `bytes3` currency code (three capital
    letters) as its letters, other bytes as 0x-hex, addresses in checksum form."""
    if isinstance(value, bytes):
        if len(value) == 3 and value.isalpha() and value.isupper():
            return value.decode("ascii")
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        # Imported here, not at the top: the records are the command line's too, eth-utils is not.
        from eth_utils.address import to_checksum_address

        return to_checksum_address(value)
    return value


def from_struct(record: type[R], struct: Any, **given: Any) -> R:
    """Builds a record from a struct a contract returned (decoded by name): each field is the
    struct's member of the same name in camelCase (`proven_limit` from `provenLimit`), unless given.

    Args:
        record: The record's class.
        struct: The decoded struct.
        given: The fields that do not come from a member as they are (a converted currency code, an
            enum, a value the struct does not hold).
    """
    taken = {f.name: getattr(struct, _camel_case(f.name)) for f in fields(record) if f.name not in given}
    return record(**taken, **given)


def _camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class _Status(enum.IntEnum):
    """A life-cycle state the registry keeps as a number and users type and read as a word."""

    @property
    def label(self) -> str:
        """Returns the lower-case name users type and read."""
        return self.name.lower()


class TitleStatus(_Status):
    """The life-cycle state of a title (mirrors `ITitleRegistry.TitleStatus`)."""

    ACTIVE = 0
    STOLEN = 1
    CANCELLED = 2
    REPOSSESSED = 3


class Brand(enum.IntEnum):
    """A brand on a title, which stays with it for good unless a member vote removes it (mirrors
    `ITitleRegistry.Brand`; the title keeps them as a bit mask, bit `b` for brand `b`)."""

    SALVAGE = 0
    FLOOD = 1
    REBUILT = 2
    JUNK = 3
    ODOMETER_NOT_ACTUAL = 4

    @property
    def label(self) -> str:
        """Returns the name users type and read: SALVAGE, FLOOD, ..., ODOMETER-NOT-ACTUAL (as the
        registry's `tokenURI` says)."""
        return self.name.replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> Brand:
        """Returns the brand named `text`, in any case, with hyphens or underscores.

        Raises:
            ValueError: If no brand has this name.
        """
        try:
            return cls[text.strip().upper().replace("-", "_")]
        except KeyError:
            raise ValueError(f"{text!r} is no brand: one of {', '.join(b.label for b in cls)}") from None

    @classmethod
    def of_mask(cls, mask: int) -> tuple[Brand, ...]:
        """Returns the brands of a title's bit mask, in the registry's order."""
        return tuple(b for b in cls if mask >> b.value & 1)


class LienStatus(_Status):
    """The life-cycle state of a lien (mirrors `ITitleRegistry.LienStatus`)."""

    NONE = 0
    ACTIVE = 1
    RELEASED = 2
    LAPSED = 3
    DISCHARGED = 4


class AuthorizationPolicy(_Status):
    """Who, besides a title's owner, may authorize a new lien (mirrors `ITitleRegistry.AuthorizationPolicy`)."""

    OWNER_OR_REGISTRAR = 0
    OWNER_ONLY = 1

    @property
    def label(self) -> str:
        """Returns the name users type and read: owner-or-registrar, owner-only."""
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True)
class Valuation:
    """One oracle's latest valuation of a title."""

    oracle: Address
    value: int  # minor units of `currency`
    currency: str
    valued_at: int
    doc_cid: str
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        """Returns the valuation as JSON-ready data (the value as a string: it may exceed 2**53)."""
        return {**asdict(self), "value": str(self.value)}


@dataclass(frozen=True)
class Appraisal:
    """A title's value and loan-to-value as the registry sees them now."""

    value: int  # the median of the fresh valuations, once there are `min_valuations`; else 0
    currency: str
    fresh_oracles: int
    stale_oracles: int
    min_valuations: int  # how many fresh valuations a value needs
    counted: bool  # whether its value ever counted: then it is never unlimited again
    secured: int  # the active liens' total
    ltv_bps: int
    threshold_bps: int
    frozen: bool

    @property
    def state(self) -> str:
        """Returns "unvalued", "under-valued" (fewer current oracles valued it than a value
        needs, and its value never counted), "stale" (its value counted before, or enough oracles
        valued it, and too few fresh valuations of current oracles are left), "frozen" or "healthy"
        (as the registry's `tokenURI` says)."""
        if self.value == 0:
            current = self.fresh_oracles + self.stale_oracles
            if self.counted or current >= self.min_valuations:
                return "stale"
            return "unvalued" if current == 0 else "under-valued"
        return "frozen" if self.frozen else "healthy"

    def to_dict(self) -> dict[str, Any]:
        """Returns the appraisal as JSON-ready data, with its state (amounts as strings)."""
        return {**asdict(self), "value": str(self.value), "secured": str(self.secured), "state": self.state}


@dataclass(frozen=True)
class PrivateLienState:
    """A title's private lien: its amount commitment and whether it owes a new proof."""

    lien_id: LienId
    commitment: tuple[int, int]
    proven_limit: int  # the amount was last proved at most this
    proven_at: int
    limit: int  # what the threshold allows it now: the value's threshold less the public liens
    deadline: int  # when `due`: the time by which a new proof must be on chain
    due: bool
    overdue: bool
    acknowledged: bool  # whether an auditor acknowledged that it opened the amount

    def to_dict(self) -> dict[str, Any]:
        """Returns the state as JSON-ready data (amounts as strings, the commitment in hex, a deadline
        only when a proof is due)."""
        return {**asdict(self), "commitment": [hex(c) for c in self.commitment], "proven_limit": str(self.proven_limit),
                "limit": str(self.limit), "deadline": self.deadline if self.due else None}


@dataclass(frozen=True)
class Title:
    """A registered vehicle title."""

    vin: VIN
    token_id: TokenId
    owner: Address
    doc_cid: str
    status: TitleStatus
    registered_at: int
    active_liens: int
    brands: tuple[Brand, ...] = ()  # for good, until a member vote removes one
    odometer_km: int = 0  # the latest reading
    odometer_at: int = 0  # when it was recorded; 0 if none was

    def to_dict(self) -> dict[str, Any]:
        """Returns the title as JSON-ready data (the token id as a string, the status and brands by
        their labels)."""
        return {**asdict(self), "token_id": str(self.token_id), "status": self.status.label,
                "brands": [b.label for b in self.brands]}


@dataclass(frozen=True)
class Lien:
    """A lien on a title."""

    lien_id: LienId
    token_id: TokenId
    lender: Address
    amount: int
    currency: str
    maturity: int
    granted_at: int
    priority: int
    doc_cid: str
    status: LienStatus

    @property
    def active(self) -> bool:
        """Returns whether the lien still encumbers its title."""
        return self.status == LienStatus.ACTIVE

    @property
    def private(self) -> bool:
        """Returns whether the amount is private: only its commitment is on chain (`amount` is 0)."""
        return self.amount == 0

    def to_dict(self) -> dict[str, Any]:
        """Returns the lien as JSON-ready data (the token id and a public amount as strings, a private
        amount as None, the status by its label)."""
        return {**asdict(self), "token_id": str(self.token_id), "amount": None if self.private else str(self.amount),
                "private": self.private, "status": self.status.label}


@dataclass(frozen=True)
class Payoff:
    """A lien's recorded payoff and its release deadlines (all zero when none is recorded)."""

    lien_id: LienId
    paid_off_at: int
    recorded_by: Address
    #: When the lienholder must have released the lien by.
    release_due: int
    #: After when a registrar (not the one who recorded the payoff) may release it instead.
    registrar_may_release_at: int
    #: Whether a review raised `LienReleaseOverdue` for it.
    overdue: bool

    @property
    def recorded(self) -> bool:
        """Returns whether a payoff is recorded (and not disputed)."""
        return self.paid_off_at != 0

    def to_dict(self) -> dict[str, Any]:
        """Returns the payoff as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Enforcement:
    """A repossessed title's default: the lien in default and its notice period (all zero when
    the title is not repossessed)."""

    lien_id: LienId
    defaulted_at: int
    #: When the lien's holder may dispose of the title.
    notice_ends_at: int

    def to_dict(self) -> dict[str, Any]:
        """Returns the enforcement as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Discharge:
    """What a disposition paid one lien it discharged."""

    lien_id: LienId
    lender: Address
    recovered: int
    deficiency: int

    def to_dict(self) -> dict[str, Any]:
        """Returns the discharge as JSON-ready data (amounts as strings)."""
        return {**asdict(self), "recovered": str(self.recovered), "deficiency": str(self.deficiency)}


@dataclass(frozen=True)
class Disposition:
    """A title's sale by the holder of its lien in default, and its waterfall."""

    token_id: TokenId
    lien_id: LienId
    seller: Address
    buyer: Address
    price: int
    #: What was left for the owner once the liens were paid.
    surplus: int
    #: The liens paid and discharged, seniors first.
    discharged: tuple[Discharge, ...]
    doc_cid: str

    def to_dict(self) -> dict[str, Any]:
        """Returns the disposition as JSON-ready data (amounts as strings)."""
        return {"token_id": str(self.token_id), "lien_id": self.lien_id, "seller": self.seller, "buyer": self.buyer,
                "price": str(self.price), "surplus": str(self.surplus), "doc_cid": self.doc_cid,
                "discharged": [d.to_dict() for d in self.discharged]}


@dataclass(frozen=True)
class Event:
    """One state change in a title's history, as an event log on chain."""

    name: str
    block: int
    tx_hash: str
    log_index: int
    args: dict[str, Any] = field(default_factory=dict)
    time: int = 0  # the block's timestamp, when known
    tx_index: int = 0  # the transaction's position in its block

    @property
    def position(self) -> tuple[int, int, int]:
        """Returns where the event stands in the chain: (block, transaction index, log index)."""
        return (self.block, self.tx_index, self.log_index)

    @property
    def doc_cid(self) -> str | None:
        """Returns the document CID the event anchors, if it anchors one (a forced release's evidence too)."""
        cid = self.args.get("docCid") or self.args.get("evidenceCid") or (
            self.args.get("cid") if self.name == "DocumentRecorded" else None)  # an attachment
        return str(cid) if cid else None

    def to_dict(self) -> dict[str, Any]:
        """Returns the event as JSON-ready data."""
        return {
            "event": self.name,
            "block": self.block,
            "tx_hash": self.tx_hash,
            "log_index": self.log_index,
            "time": self.time,
            "args": self.args,
        }


@dataclass(frozen=True)
class ProposalCall:
    """What a proposal's call does: the contract and function it calls, with the arguments by name."""

    contract: str  # "TitleRegistry" or "Governance"
    target: Address
    function: str
    args: dict[str, Any]  # by parameter name: roles by name, addresses in checksum form, bytes as hex
    calls: tuple[ProposalCall, ...] = ()  # a governance batch's calls, in order (its `args` are empty)

    def to_dict(self) -> dict[str, Any]:
        """Returns the call as JSON-ready data."""
        return {"contract": self.contract, "target": self.target, "function": self.function, "args": self.args,
                "calls": [c.to_dict() for c in self.calls]}


@dataclass(frozen=True)
class Proposal:
    """A governance proposal and how many of the members who may vote on it approved it."""

    id: int
    target: Address
    data: str  # the call's calldata, hex
    description: str
    proposer: Address
    created_at: int
    executed: bool
    member_count: int  # the members when it was made
    approvals: int  # of members since before it was made who still are
    expires_at: int  # from then on it can no longer be approved
    expired: bool  # when it was read: its expiry had come, and it had not run
    cancelled: bool  # by its proposer
    call: ProposalCall | None  # its call decoded; None if lienchain cannot decode it

    @property
    def needed(self) -> int:
        """Returns the approvals that carry it: more than half of the members it was made with."""
        return self.member_count // 2 + 1

    @property
    def state(self) -> str:
        """Returns "executed", "cancelled", "expired" or "open"."""
        if self.executed:
            return "executed"
        if self.cancelled:
            return "cancelled"
        return "expired" if self.expired else "open"

    def to_dict(self) -> dict[str, Any]:
        """Returns the proposal as JSON-ready data, with its state and the approvals it needs (the
        call decoded, or None)."""
        return {**asdict(self), "call": self.call.to_dict() if self.call else None, "needed": self.needed,
                "state": self.state}

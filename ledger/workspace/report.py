"""A portfolio report from the event index: per lender, its liens by state, its exposure, its titles
frozen or repossessed, the releases and proofs it owes late, and how long its dispositions took.

Everything is read from the registry's events (each with its block's time) and judged against the
chain's clock: a release is overdue once the deadline its `LienPaidOff` event named has passed with
the payoff neither released nor disputed; a proof once the deadline of its latest `LienProofDue`
has passed with no proof, settlement or reveal since (a proof due by time alone counts once a
`title review` recorded it). A disposition's cycle is from its lien's `LienDefaulted` to its
`TitleDisposed`, in days of chain time.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from ..registry.index import EventIndex
from ..registry.records import Address, Lien, LienStatus, TitleStatus

__all__ = ["CycleTimes", "LenderReport", "Report", "build_report"]

_DAY = 86400


@dataclass(frozen=True)
class CycleTimes:
    """How long dispositions took, default to sale, in days."""

    count: int
    median_days: float | None
    p90_days: float | None

    @classmethod
    def of(cls, days: list[float]) -> CycleTimes:
        """Summarizes cycle times: the median, and the 90th percentile by nearest rank."""
        if not days:
            return cls(0, None, None)
        ranked = sorted(days)
        return cls(len(ranked), round(statistics.median(ranked), 2), round(ranked[math.ceil(0.9 * len(ranked)) - 1], 2))


@dataclass(frozen=True)
class LenderReport:
    """One lender's portfolio."""

    lender: Address
    #: Its liens (held now, or when they ended) by state label.
    liens: dict[str, int]
    #: The total of its active public liens, by currency (minor units).
    exposure: dict[str, int]
    #: How many of its active liens are private (their amounts are not in `exposure`).
    private_liens: int
    frozen_titles: list[str]
    repossessed_titles: list[str]
    #: Its paid-off liens past their release deadline, neither released nor disputed.
    overdue_releases: list[int]
    #: Its liens released after their release deadline.
    late_releases: int
    #: Its private liens past their proof deadline.
    overdue_proofs: list[int]
    dispositions: CycleTimes

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data (amounts as strings)."""
        return {**asdict(self), "exposure": {c: str(a) for c, a in self.exposure.items()}}


@dataclass(frozen=True)
class Report:
    """The portfolio of every lender asked for, as of `at` (chain time)."""

    at: int
    lenders: list[LenderReport] = field(default_factory=list)
    dispositions: CycleTimes = CycleTimes(0, None, None)

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data."""
        return {"at": self.at, "lenders": [x.to_dict() for x in self.lenders], "dispositions": asdict(self.dispositions)}


def build_report(index: EventIndex, *, now: int, lender: str | None = None) -> Report:
    """Builds the report from a synced event index.

    Args:
        index: The registry's events, synced.
        now: The chain's time to judge deadlines by.
        lender: Only this lender's portfolio [default: every lender's that ever held a lien].
    """
    liens = index.liens()
    vins = {int(e.args["tokenId"]): str(e.args["vin"]) for e in index.events(names=("TitleRegistered",))}
    statuses = index.title_statuses()
    frozen = _frozen(index)
    paid = _release_deadlines(index)
    ended_at = {int(e.args["lienId"]): e.time for e in index.events(
        names=("LienReleased", "LienReleasedAfterPayoff", "LienForceReleased"))}
    proofs = _proof_deadlines(index)
    defaulted = {int(e.args["lienId"]): e.time for e in index.events(names=("LienDefaulted",))}
    cycles: dict[int, float] = {int(e.args["lienId"]): (e.time - defaulted[int(e.args["lienId"])]) / _DAY
                                for e in index.events(names=("TitleDisposed",)) if int(e.args["lienId"]) in defaulted}
    by_lender: dict[str, list[Lien]] = defaultdict(list)
    for x in liens:
        by_lender[x.lender.lower()].append(x)
    wanted = [lender.lower()] if lender else sorted(by_lender)
    reports = []
    for who in wanted:
        held = by_lender.get(who, [])
        active = [x for x in held if x.active]
        exposure: Counter[str] = Counter()
        for x in active:
            if not x.private:
                exposure[x.currency] += x.amount
        titles = sorted({x.token_id for x in active})
        reports.append(LenderReport(
            lender=Address(held[0].lender if held else (lender or who)),
            liens=dict(sorted(Counter(x.status.label for x in held).items())),
            exposure=dict(sorted(exposure.items())),
            private_liens=sum(1 for x in active if x.private),
            frozen_titles=[vins[t] for t in titles if frozen.get(t)],
            repossessed_titles=[vins[t] for t in titles if statuses.get(t) == TitleStatus.REPOSSESSED],
            overdue_releases=[x.lien_id for x in active if x.lien_id in paid and paid[x.lien_id] < now],
            late_releases=sum(1 for x in held if x.status == LienStatus.RELEASED and x.lien_id in paid
                              and ended_at.get(x.lien_id, 0) > paid[x.lien_id]),
            overdue_proofs=[x.lien_id for x in active if x.lien_id in proofs and proofs[x.lien_id] < now],
            dispositions=CycleTimes.of([cycles[x.lien_id] for x in held if x.lien_id in cycles]),
        ))
    mine = {x.lien_id for who in wanted for x in by_lender.get(who, [])}
    return Report(now, reports, CycleTimes.of([d for lien_id, d in cycles.items() if lien_id in mine]))


def _frozen(index: EventIndex) -> dict[int, bool]:
    """Whether each title's latest loan-to-value event froze it."""
    frozen: dict[int, bool] = {}
    for e in index.events(names=("LtvAlert", "LtvRecovered")):
        frozen[int(e.args["tokenId"])] = e.name == "LtvAlert"
    return frozen


def _release_deadlines(index: EventIndex) -> dict[int, int]:
    """The release deadline of each lien's standing payoff (a dispute withdraws it)."""
    due: dict[int, int] = {}
    for e in index.events(names=("LienPaidOff", "LienPayoffDisputed")):
        if e.name == "LienPaidOff":
            due[int(e.args["lienId"])] = int(e.args["releaseDue"])
        else:
            due.pop(int(e.args["lienId"]), None)
    return due


def _proof_deadlines(index: EventIndex) -> dict[int, int]:
    """The deadline of each private lien's proof due now (a proof, settlement or reveal ends it)."""
    due: dict[int, int] = {}
    for e in index.events(names=("LienProofDue", "LienProved", "LienProofSettled", "LienRevealed")):
        if e.name == "LienProofDue":
            due[int(e.args["lienId"])] = int(e.args["deadline"])
        else:
            due.pop(int(e.args["lienId"]), None)
    return due

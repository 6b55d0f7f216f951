"""The reference model of tests/ledger/test_properties.py: what the registry and governance should
hold and emit after each operation, and which refusal each operation should meet, in plain Python.

Each operation checks its conditions in the order the registry (or, where it refuses first, the
client) does, and returns the refusal it predicts, changing nothing; or it changes the state,
records the events the registry would emit, and returns None. Time is `Model.now`: the time of
the block the next operation lands in, which the test sets.

A title's liens are kept with their priorities; the registry keeps its active ones in priority
order, which `Model.active_ids` gives (the order of default notices and of the waterfall).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lienchain import errors
from lienchain.ledger import LienStatus, TitleStatus

#: A refusal the model predicts: the exception's class, or None for an accepted operation.
Refusal = type[Exception] | None

ROLE = {"registrar": "REGISTRAR", "registrar-b": "REGISTRAR", "lender-a": "LENDER", "lender-b": "LENDER",
        "oracle": "ORACLE", "oracle-b": "ORACLE", "auditor": "AUDITOR"}
MEMBERS = ["registrar", "lender-a", "lender-b", "oracle", "auditor"]  # a proposal carries with 3 approvals
THRESHOLD_BPS = 7000
MIN_VALUATIONS = 2
MAX_ACTIVE_LIENS = 16
#: Who authorizes private liens (the lender's own authorization is refused before anything is sent).
PRIVATE_AUTHORIZER = "registrar-b"
#: Settings the test votes into its template, short enough for its clock to pass in a few moves.
LAPSE_GRACE = 3600
PROOF_WINDOW = 2 * 86400
VOTING_PERIOD = 86400  # the shortest governance allows
#: A day each instead of ten (the defaults), and an hour's notice, so that a sequence's waits reach them.
RELEASE_DEADLINE = 86400
RELEASE_GRACE = 86400
NOTICE_PERIOD = 3600
HORIZON = 3 * 86400  # the farthest deadline `Model.deadlines` names
CARRIED_RELEASE_EVENT = "LienForceReleased"  # emitted by the vote that carries a forced release


@dataclass
class ModelLien:
    vin: str
    lender: str
    amount: int  # 0 for a private lien: only its commitment is on chain
    maturity: int
    granted_at: int
    status: LienStatus = LienStatus.ACTIVE
    priority: int = 0  # distinct among its title's liens; the lower, the more senior
    secret: int = 0  # a private lien's amount, which its lender and the auditor can open
    acknowledged: bool = False
    payoff: ModelPayoff | None = None
    recovered: int = 0  # what a disposition paid it

    @property
    def private(self) -> bool:
        return self.amount == 0

    @property
    def active(self) -> bool:
        return self.status == LienStatus.ACTIVE


@dataclass
class ModelPayoff:
    """A lien's recorded payoff."""

    at: int
    by: str
    overdue: bool = False  # LienReleaseOverdue emitted


@dataclass
class ModelProof:
    """A title's private lien and its latest loan-to-value proof."""

    lien_id: int
    proven_limit: int
    proven_at: int
    due_since: int = 0  # set by the review that found the limit below the proven one
    due_marked_at: int = 0  # when that review ran (an auditor may reveal a proof window after)


@dataclass
class ModelTitle:
    owner: str
    status: TitleStatus = TitleStatus.ACTIVE
    liens: list[int] = field(default_factory=list)
    private: ModelProof | None = None
    alerted: bool = False  # frozen at the latest review: LtvAlert emitted, LtvRecovered not yet
    enforcing: int = 0  # the lien in default, while the title is repossessed
    defaulted_at: int = 0
    noticed: set[int] = field(default_factory=set)  # the liens told of the latest default


@dataclass
class ModelProposal:
    """A proposal that governance releases a lien."""

    lien_id: int
    expires_at: int
    approvals: set[str]
    executed: bool = False


class Model:
    """What the registry and governance should hold and emit (see the module's docstring)."""

    def __init__(self, proposals: int) -> None:
        self.titles: dict[str, ModelTitle] = {}
        self.liens: dict[int, ModelLien] = {}
        self.valuations: dict[str, dict[str, int]] = {}  # by VIN, by oracle
        self.revoked: set[str] = set()
        self.counted: set[str] = set()  # titles whose value counted once: never unlimited again
        self.proposals: dict[int, ModelProposal] = {}
        self.proposal_count = proposals  # every proposal's, the template's and revocations' too
        self.now = 0  # the time of the block the next operation lands in
        self.events: list[tuple[str, str]] = []  # the current operation's title events, (VIN, name)
        self.votes: list[str] = []  # and its governance events
        self.touched: set[int] = set()  # and the liens it granted, changed or ended
        self.carried: set[int] = set()  # and the proposals it carried
        #: Whether an assignee's latest acceptance of a lien from an assignor, (assignor, assignee,
        #: lien), was used: each counts once per lien.
        self.acceptances: dict[tuple[str, str, int], bool] = {}

    # --- reads ------------------------------------------------------------------------------------

    def role(self, actor: str) -> str:
        return "" if actor in self.revoked else ROLE[actor]

    def value(self, vin: str) -> int:
        """The median of the current oracles' valuations once there are enough; 0 otherwise."""
        values = sorted(v for o, v in self.valuations.get(vin, {}).items() if o not in self.revoked)
        if len(values) < MIN_VALUATIONS:
            return 0
        n = len(values)
        return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) // 2

    def ordered(self, vin: str) -> list[int]:
        """A title's liens, every one ever granted, in priority order."""
        return sorted(self.titles[vin].liens, key=lambda i: self.liens[i].priority)

    def active_ids(self, vin: str) -> list[int]:
        """A title's active liens in priority order: the registry's order of them."""
        return [i for i in self.ordered(vin) if self.liens[i].active]

    def active_liens(self, vin: str) -> list[ModelLien]:
        return [self.liens[i] for i in self.active_ids(vin)]

    def active_lenders(self, vin: str) -> set[str]:
        return {lien.lender for lien in self.active_liens(vin)}

    def secured(self, vin: str) -> int:
        """The public liens' total: a private lien counts 0 here."""
        return sum(lien.amount for lien in self.active_liens(vin))

    def ltv_bps(self, vin: str, extra: int = 0) -> int:
        value = self.value(vin)
        return -(-(self.secured(vin) + extra) * 10_000 // value) if value else 0

    def frozen(self, vin: str) -> bool:
        return self.value(vin) > 0 and self.ltv_bps(vin) > THRESHOLD_BPS

    def allowed(self, vin: str) -> int:
        """What the threshold allows all of a title's liens together."""
        return self.value(vin) * THRESHOLD_BPS // 10_000

    def limit(self, vin: str) -> int:
        """What the threshold allows a title's private lien: the allowed total less the public liens."""
        return max(self.allowed(vin) - self.secured(vin), 0)

    def due(self, vin: str) -> bool:
        p = self.titles[vin].private
        return p is not None and self.limit(vin) < p.proven_limit

    def deadline(self, vin: str) -> int:
        p = self.titles[vin].private
        assert p is not None
        return max(p.proven_at, p.due_since) + PROOF_WINDOW

    def overdue(self, vin: str, at: int) -> bool:
        return self.due(vin) and at > self.deadline(vin)

    def deadlines(self) -> list[int]:
        """The moments within the horizon at which some operation's outcome turns: a lien's lapse,
        a proposal's expiry, a private lien's proof or acknowledgement falling due."""
        times = [lien.maturity + LAPSE_GRACE for lien in self.liens.values() if lien.active]
        times += [p.expires_at for p in self.proposals.values() if not p.executed]
        for vin, t in self.titles.items():
            if t.private is not None:
                lien = self.liens[t.private.lien_id]
                if not lien.acknowledged:
                    times.append(lien.granted_at + PROOF_WINDOW)
                if self.due(vin):
                    times.append(self.deadline(vin))
            if t.enforcing:
                times.append(t.defaulted_at + NOTICE_PERIOD)
        for lien in self.liens.values():
            if lien.active and lien.payoff is not None:
                times += [lien.payoff.at + RELEASE_DEADLINE, lien.payoff.at + RELEASE_DEADLINE + RELEASE_GRACE]
        return sorted(x for x in times if self.now <= x <= self.now + HORIZON)

    def pick_lien(self, n: int, preferred: Callable[[Model, ModelLien], int]) -> int:
        """The n-th lien (cyclically), counting the ones preferred now first (the most preferred
        first, where `preferred` ranks them by number), then the others, then an id no lien has."""
        ids = sorted(self.liens, key=lambda i: -int(preferred(self, self.liens[i]))) + [len(self.liens) + 1]
        return ids[n % len(ids)]

    def juniors(self, lien_id: int) -> list[int]:
        """The active liens junior to an active lien on its title, in priority order."""
        lien = self.liens.get(lien_id)
        if lien is None or not lien.active:
            return []
        return [i for i in self.active_ids(lien.vin) if self.liens[i].priority > lien.priority]

    def pick_junior(self, lien_id: int, n: int) -> int:
        """The n-th lien (cyclically) to rank a lien behind: its juniors first, then any other, then
        an id no lien has."""
        juniors = self.juniors(lien_id)
        ids = juniors + [i for i in sorted(self.liens) if i not in juniors] + [len(self.liens) + 1]
        return ids[n % len(ids)]

    def pick_title(self, n: int) -> str:
        """The n-th title (cyclically), counting the repossessed ones first."""
        vins = sorted(self.titles, key=lambda v: self.titles[v].status != TitleStatus.REPOSSESSED)
        return vins[n % len(vins)]

    def pick_proposal(self, n: int) -> int:
        """The n-th proposal to release a lien (cyclically), counting the open ones first, then the
        others, then an id no proposal has."""
        ids = sorted(self.proposals, key=lambda i: self.proposals[i].executed or self.now >= self.proposals[i].expires_at)
        return (ids + [self.proposal_count + 1])[n % (len(ids) + 1)]

    # --- titles -----------------------------------------------------------------------------------

    def register(self, actor: str, vin: str, owner: str) -> Refusal:
        if ROLE[actor] != "REGISTRAR":
            return errors.AccessControlUnauthorizedAccount
        if vin in self.titles:
            return errors.RegistryTitleExists
        self.titles[vin] = ModelTitle(owner)
        self._emit(vin, "TitleRegistered")
        return None

    def transfer(self, actor: str, vin: str, to: str, by: str) -> Refusal:
        t = self.titles[vin]
        if by == actor:
            return errors.InvalidAuthorizationFile  # the client's: a registrar's own authorization
        if ROLE[actor] != "REGISTRAR":
            return errors.AccessControlUnauthorizedAccount
        if t.status != TitleStatus.ACTIVE:
            return errors.RegistryTitleNotActive
        if self.active_liens(vin):
            return errors.RegistryTitleEncumbered
        if to == t.owner:
            return errors.RegistryInvalidOwner
        if ROLE[by] != "REGISTRAR":  # the owners have no keys here: a second registrar authorizes
            return errors.RegistryNotAuthorized
        t.owner = to
        self._emit(vin, "OdometerRecorded")  # the reading at the transfer: always 0 here, never a rollback
        self._emit(vin, "TitleTransferred")
        return None

    def set_status(self, actor: str, vin: str, status: TitleStatus) -> Refusal:
        t = self.titles[vin]
        if ROLE[actor] != "REGISTRAR":
            return errors.AccessControlUnauthorizedAccount
        if t.status == TitleStatus.CANCELLED:
            return errors.RegistryTitleCancelled
        if TitleStatus.REPOSSESSED in (t.status, status):  # only a default and its end change that
            return errors.RegistryRepossessionByDefault
        if t.status == status:
            return errors.RegistryStatusUnchanged
        if status == TitleStatus.CANCELLED:
            return errors.RegistryCancellationNeedsVote  # for good: only a member vote cancels a title
        t.status = status
        self._emit(vin, "TitleStatusChanged")
        return None

    def set_valuation(self, actor: str, vin: str, value: int) -> Refusal:
        if self.role(actor) != "ORACLE":
            return errors.AccessControlUnauthorizedAccount
        self.valuations.setdefault(vin, {})[actor] = value
        self._emit(vin, "ValuationSet")
        self._review(vin)
        return None

    def revoke(self, oracle: str) -> None:
        """Governance revokes an oracle's role: one member proposes, two more approve."""
        self.revoked.add(oracle)
        self.proposal_count += 1
        self.votes += ["ProposalCreated"] + ["ProposalApproved"] * 3 + ["ProposalExecuted"]

    # --- liens ------------------------------------------------------------------------------------

    def grant(self, actor: str, vin: str, amount: int, consenting: bool, by: str, maturity: int) -> Refusal:
        t = self.titles[vin]
        if self.role(actor) != "LENDER":
            return errors.AccessControlUnauthorizedAccount
        if t.status != TitleStatus.ACTIVE:
            return errors.RegistryTitleNotActive
        if ROLE[by] != "REGISTRAR" or by == actor:
            return errors.RegistryNotAuthorized
        if maturity <= self.now:
            return errors.RegistryInvalidMaturity
        refusal = self._ltv_refusal(vin, amount)
        if refusal is not None:
            return refusal
        if self.active_lenders(vin) - {actor} and not consenting:
            return errors.RegistryConsentMissing
        if len(self.active_liens(vin)) >= MAX_ACTIVE_LIENS:
            return errors.RegistryTooManyLiens
        self._add_lien(ModelLien(vin, actor, amount, maturity, self.now))
        self._review(vin)
        return None

    def _ltv_refusal(self, vin: str, amount: int) -> Refusal:
        """Why a title takes no new public lien of `amount` now, if it does not."""
        p = self.titles[vin].private
        if p is not None and self.overdue(vin, self.now):
            return errors.RegistryProofOverdue
        if p is not None:
            lien = self.liens[p.lien_id]
            if not lien.acknowledged and self.now > lien.granted_at + PROOF_WINDOW:
                return errors.RegistryLienUnacknowledged
        if not self.value(vin):  # unvalued titles take any lien; stale ones (an oracle left) none
            return errors.RegistryValuationStale if vin in self.counted else None
        if self.frozen(vin):
            return errors.RegistryTitleFrozen
        proven = p.proven_limit if p is not None else 0  # a private lien counts at its proven limit
        if self.ltv_bps(vin, amount + proven) > THRESHOLD_BPS:
            return errors.RegistryLtvExceeded
        return None

    def grant_private(self, actor: str, vin: str, amount: int, maturity: int) -> Refusal:
        t = self.titles[vin]
        if actor == PRIVATE_AUTHORIZER:
            return errors.NotAuthorizer  # the client's: no registrar authorizes its own lien
        if not self.value(vin):
            return errors.NoFreshValuation  # the client's, before proving
        if amount > self.allowed(vin):
            return errors.ProofError  # the client's: it cannot prove the amount within the threshold
        if self.role(actor) != "LENDER":
            return errors.AccessControlUnauthorizedAccount
        if t.status != TitleStatus.ACTIVE:
            return errors.RegistryTitleNotActive
        if maturity <= self.now:
            return errors.RegistryInvalidMaturity
        if self.active_liens(vin):
            return errors.RegistryPrivateLienNotFirst
        lien_id = self._add_lien(ModelLien(vin, actor, 0, maturity, self.now, secret=amount))
        t.private = ModelProof(lien_id, self.allowed(vin), self.now)
        self._emit(vin, "LienCommitted")
        return None

    def acknowledge(self, actor: str, lien_id: int) -> Refusal:
        refusal = self._opening_refusal(actor, lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if self.role(actor) != "AUDITOR":
            return errors.AccessControlUnauthorizedAccount
        if not lien.active:
            return errors.RegistryLienNotActive
        if lien.acknowledged:
            return errors.RegistryLienAcknowledged
        lien.acknowledged = True
        self._emit(lien.vin, "LienAcknowledged")
        return None

    def prove(self, actor: str, lien_id: int, reserve: int) -> Refusal:
        refusal = self._opening_refusal(actor, lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if not lien.active:
            return errors.ProofError  # the client's: nothing to prove about a lien that ended
        if not self.value(lien.vin):
            return errors.NoFreshValuation
        limit = self.allowed(lien.vin) - self.secured(lien.vin) - reserve
        if lien.secret > limit:
            return errors.ProofError  # the client's: the amount no longer fits
        p = self.titles[lien.vin].private
        assert p is not None and p.lien_id == lien_id
        p.proven_limit, p.proven_at, p.due_since, p.due_marked_at = limit, self.now, 0, 0
        self._emit(lien.vin, "LienProved")
        return None

    def _opening_refusal(self, actor: str, lien_id: int) -> Refusal:
        """Why `actor` cannot open a lien's amount, which it must before acknowledging or proving it."""
        lien = self.liens.get(lien_id)
        if lien is None:
            return errors.RegistryUnknownLien
        if lien.amount:
            return errors.LienIsPublic
        if actor not in (lien.lender, "auditor"):  # sealed for its lender and the auditors
            return errors.NotARecipient
        return None

    def release(self, actor: str, lien_id: int) -> Refusal:
        lien = self.liens.get(lien_id)
        if lien is None:
            return errors.RegistryUnknownLien
        if not lien.active:
            return errors.RegistryLienNotActive
        if lien.lender != actor:
            return errors.RegistryNotLienholder
        self._end_lien(lien_id, LienStatus.RELEASED, "LienReleased")
        return None

    def lapse(self, lien_id: int) -> Refusal:
        lien = self.liens.get(lien_id)
        if lien is None:
            return errors.RegistryUnknownLien
        if not lien.active:
            return errors.RegistryLienNotActive
        if self.now <= lien.maturity + LAPSE_GRACE:
            return errors.RegistryLienNotLapsed
        self._end_lien(lien_id, LienStatus.LAPSED, "LienLapsed")
        return None

    # --- forced releases --------------------------------------------------------------------------

    def propose_release(self, actor: str, lien_id: int) -> Refusal:
        lien = self.liens.get(lien_id)
        if lien is None:  # the client runs the release first, as governance would
            return errors.RegistryUnknownLien
        if not lien.active:
            return errors.RegistryLienNotActive
        if actor not in MEMBERS:
            return errors.GovernanceNotMember
        self.proposal_count += 1
        self.proposals[self.proposal_count] = ModelProposal(lien_id, self.now + VOTING_PERIOD, {actor})
        self.votes += ["ProposalCreated", "ProposalApproved"]
        return None

    def approve(self, actor: str, proposal_id: int) -> Refusal:
        p = self.proposals.get(proposal_id)
        if p is None:
            return errors.GovernanceUnknownProposal  # the client reads the proposal first
        if actor not in MEMBERS:
            return errors.GovernanceNotMember
        if p.executed:
            return errors.GovernanceAlreadyExecuted
        if self.now >= p.expires_at:
            return errors.GovernanceProposalExpired
        if actor in p.approvals:
            return errors.GovernanceAlreadyApproved
        if len(p.approvals) + 1 <= len(MEMBERS) // 2:
            p.approvals.add(actor)
            self.votes.append("ProposalApproved")
            return None
        if not self.liens[p.lien_id].active:  # the vote carries it, and the release fails: all reverts
            return errors.GovernanceCallFailed
        p.approvals.add(actor)
        p.executed = True
        self.carried.add(proposal_id)
        self.votes.append("ProposalApproved")
        self._end_lien(p.lien_id, LienStatus.RELEASED, CARRIED_RELEASE_EVENT)
        self.votes.append("ProposalExecuted")
        return None

    # --- assignment and subordination -------------------------------------------------------------

    def assign(self, actor: str, lien_id: int, to: str, fresh: bool) -> Refusal:
        """`actor` assigns a lien to `to`, with `to`'s acceptance of it: a new one, or the latest
        one `to` signed for that lien from `actor` if not `fresh` (and there is one)."""
        key = (actor, to, lien_id)
        if fresh or key not in self.acceptances:
            self.acceptances[key] = False
        if to == actor or ROLE[to] != "LENDER":
            return errors.RegistryInvalidAssignee
        refusal = self._active_refusal(lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if lien.lender != actor:
            return errors.RegistryNotLienholder
        if self.titles[lien.vin].status == TitleStatus.REPOSSESSED:  # the default told its holders
            return errors.RegistryTitleRepossessed
        if lien.payoff is not None:  # its holder owes the release
            return errors.RegistryPayoffRecorded
        if self.acceptances[key]:
            return errors.RegistryAcceptanceUsed
        self.acceptances[key] = True
        lien.lender = to
        self.touched.add(lien_id)
        self._emit(lien.vin, "LienAssigned")
        return None

    def subordinate(self, actor: str, lien_id: int, behind_id: int, signer: str) -> Refusal:
        """`actor` ranks a lien right behind a junior one, with `signer`'s acceptance."""
        refusal = self._active_refusal(lien_id) or self._active_refusal(behind_id)
        if refusal is not None:
            return refusal
        senior, junior = self.liens[lien_id], self.liens[behind_id]
        if senior.lender != actor:
            return errors.RegistryNotLienholder
        if junior.vin != senior.vin or junior.priority <= senior.priority:
            return errors.RegistryNotSenior
        if senior.private:
            return errors.RegistryPrivateLienStaysFirst
        if self.titles[senior.vin].status == TitleStatus.REPOSSESSED:  # the announced waterfall stays
            return errors.RegistryTitleRepossessed
        if signer != junior.lender:
            return errors.RegistryNotAccepted
        # The liens from the senior to the junior rotate: each takes the place and the priority of
        # the one before it, the senior the junior's.
        moved = [i for i in self.active_ids(senior.vin) if senior.priority <= self.liens[i].priority <= junior.priority]
        priorities = [self.liens[i].priority for i in moved]
        for i, priority in zip(moved[1:] + moved[:1], priorities, strict=True):
            self.liens[i].priority = priority
            self.touched.add(i)
        self._emit(senior.vin, "LienSubordinated")
        return None

    # --- payoff and release -----------------------------------------------------------------------

    def record_payoff(self, actor: str, lien_id: int) -> Refusal:
        """A registrar records a lien's payoff (the titles' owners have no keys here)."""
        refusal = self._active_refusal(lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if ROLE[actor] != "REGISTRAR":
            return errors.RegistryNotBorrower
        if lien.payoff is not None:
            return errors.RegistryPayoffRecorded
        lien.payoff = ModelPayoff(self.now, actor)
        self.touched.add(lien_id)
        self._emit(lien.vin, "LienPaidOff")
        return None

    def dispute_payoff(self, actor: str, lien_id: int) -> Refusal:
        refusal = self._active_refusal(lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if lien.lender != actor:
            return errors.RegistryNotLienholder
        if lien.payoff is None:
            return errors.RegistryNoPayoff
        if self.now > lien.payoff.at + RELEASE_DEADLINE:  # by the release deadline, or not at all
            return errors.RegistryDisputeTooLate
        lien.payoff = None
        self.touched.add(lien_id)
        self._emit(lien.vin, "LienPayoffDisputed")
        return None

    def release_paid_off(self, actor: str, lien_id: int) -> Refusal:
        """A registrar other than the payoff's releases a paid-off lien past the deadline and grace."""
        refusal = self._active_refusal(lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if ROLE[actor] != "REGISTRAR":
            return errors.AccessControlUnauthorizedAccount
        if lien.payoff is None:
            return errors.RegistryNoPayoff
        if lien.payoff.by == actor:
            return errors.RegistrySameRegistrar
        if self.now <= lien.payoff.at + RELEASE_DEADLINE + RELEASE_GRACE:
            return errors.RegistryReleaseNotOverdue
        self._end_lien(lien_id, LienStatus.RELEASED, "LienReleasedAfterPayoff")
        return None

    def review(self, vin: str) -> Refusal:
        """Anyone reviews a title: what time alone changed, and paid-off liens past their deadline."""
        self._review_title(vin)
        for lien_id in self.active_ids(vin):
            p = self.liens[lien_id].payoff
            if p is not None and not p.overdue and self.now > p.at + RELEASE_DEADLINE:
                p.overdue = True
                self.touched.add(lien_id)
                self._emit(vin, "LienReleaseOverdue")
        return None

    # --- default and disposition ------------------------------------------------------------------

    def declare_default(self, actor: str, lien_id: int) -> Refusal:
        refusal = self._active_refusal(lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        t = self.titles[lien.vin]
        if lien.lender != actor:
            return errors.RegistryNotLienholder
        if t.status == TitleStatus.REPOSSESSED:
            return errors.RegistryTitleRepossessed
        if t.status != TitleStatus.ACTIVE:
            return errors.RegistryTitleNotActive
        t.status, t.enforcing, t.defaulted_at = TitleStatus.REPOSSESSED, lien_id, self.now
        self._emit(lien.vin, "TitleStatusChanged")
        self._emit(lien.vin, "LienDefaulted")
        t.noticed = {i for i in self.active_ids(lien.vin) if i != lien_id}
        for _ in t.noticed:
            self._emit(lien.vin, "DefaultNotice")
        return None

    def dispose(self, actor: str, vin: str, buyer: str, price: int) -> Refusal:
        """The holder of a title's lien in default sells it past the notice period: the waterfall
        pays that lien and its juniors by priority and discharges them; the seniors stay."""
        t = self.titles[vin]
        if t.status != TitleStatus.REPOSSESSED:
            return errors.RegistryNotRepossessed
        enforcing = self.liens[t.enforcing]
        if enforcing.lender != actor:
            return errors.RegistryNotLienholder
        if self.now < t.defaulted_at + NOTICE_PERIOD:
            return errors.RegistryNoticePeriodRunning
        if enforcing.payoff is not None:  # a payoff on record stands until disputed
            return errors.RegistryPayoffRecorded
        if buyer == t.owner:
            return errors.RegistryInvalidOwner
        if price == 0:
            return errors.RegistryInvalidPrice
        self._emit(vin, "OdometerRecorded")  # the reading at the sale: 0 here, never a rollback
        if enforcing.private:  # revealed in the sale's own transaction
            enforcing.amount, t.private = enforcing.secret, None
            self.touched.add(t.enforcing)
            self._emit(vin, "LienRevealed")
            self._review(vin)
        left = price
        for lien_id in self.active_ids(vin)[self.active_ids(vin).index(t.enforcing):]:
            lien = self.liens[lien_id]
            owed = 0 if lien.payoff is not None else lien.amount  # a junior on record as paid takes nothing
            lien.recovered = min(left, owed)
            left -= lien.recovered
            lien.status = LienStatus.DISCHARGED
            self.touched.add(lien_id)
            self._emit(vin, "LienDischarged")
        t.status, t.enforcing, t.defaulted_at, t.owner = TitleStatus.ACTIVE, 0, 0, buyer
        self._emit(vin, "TitleStatusChanged")
        self._emit(vin, "TitleTransferred")
        self._emit(vin, "TitleDisposed")
        self._review_title(vin)
        return None

    def waterfall(self, vin: str) -> list[int]:
        """The amounts of a repossessed title's lien in default and its juniors, in priority order."""
        ids = self.active_ids(vin)
        t = self.titles[vin]
        return [self.liens[i].amount for i in ids[ids.index(t.enforcing):]] if t.enforcing in ids else []

    def reveal(self, actor: str, lien_id: int) -> Refusal:
        """A private lien's amount made public by its holder, or by an auditor once its proof is
        overdue a whole proof window after a review marked it due."""
        refusal = self._opening_refusal(actor, lien_id)
        if refusal is not None:
            return refusal
        lien = self.liens[lien_id]
        if not lien.active:
            return errors.RegistryLienNotActive
        t = self.titles[lien.vin]
        p = t.private
        assert p is not None and p.lien_id == lien_id
        if actor != lien.lender and not (
            self.role(actor) == "AUDITOR" and self.overdue(lien.vin, self.now) and self.value(lien.vin)
            and p.due_marked_at and self.now > p.due_marked_at + PROOF_WINDOW
        ):
            return errors.RegistryRevealNotAllowed
        lien.amount, t.private = lien.secret, None
        self.touched.add(lien_id)
        self._emit(lien.vin, "LienRevealed")
        self._review(lien.vin)
        return None

    def _active_refusal(self, lien_id: int) -> Refusal:
        lien = self.liens.get(lien_id)
        if lien is None:
            return errors.RegistryUnknownLien
        if not lien.active:
            return errors.RegistryLienNotActive
        return None

    # --- state changes ----------------------------------------------------------------------------

    def _emit(self, vin: str, name: str) -> None:
        self.events.append((vin, name))

    def _add_lien(self, lien: ModelLien) -> int:
        lien_id = len(self.liens) + 1
        self.liens[lien_id] = lien
        self.titles[lien.vin].liens.append(lien_id)
        lien.priority = len(self.titles[lien.vin].liens)  # the title's count of liens ever granted
        self.touched.add(lien_id)
        self._emit(lien.vin, "LienGranted")
        return lien_id

    def _end_lien(self, lien_id: int, status: LienStatus, name: str) -> None:
        lien = self.liens[lien_id]
        lien.status = status
        self.touched.add(lien_id)
        t = self.titles[lien.vin]
        if t.private is not None and t.private.lien_id == lien_id:
            t.private = None
        self._emit(lien.vin, name)
        if t.enforcing == lien_id:  # redeemed: the lien in default ended before a disposition
            t.status, t.enforcing, t.defaulted_at = TitleStatus.ACTIVE, 0, 0
            self._emit(lien.vin, "TitleStatusChanged")
            self._emit(lien.vin, "TitleRedeemed")
        self._review(lien.vin)

    def _review_title(self, vin: str) -> None:
        """What the registry's review of a title does (after a disposition too): marks a private
        lien's proof due that time alone made due, from its proof, then reviews as `_review`."""
        p = self.titles[vin].private
        if p is not None and not p.due_since and self.due(vin):
            p.due_since, p.due_marked_at = p.proven_at, self.now
            self._emit(vin, "LienProofDue")
        self._review(vin)

    def _review(self, vin: str) -> None:
        """What the registry does after a valuation, a public grant and a lien's end: marks a private
        lien's proof due (once) or settled, and the title frozen or recovered."""
        t = self.titles[vin]
        if t.private is not None:
            if self.limit(vin) >= t.private.proven_limit:
                if t.private.due_since:
                    t.private.due_since = t.private.due_marked_at = 0
                    self._emit(vin, "LienProofSettled")
            elif not t.private.due_since:
                t.private.due_since = t.private.due_marked_at = self.now
                self._emit(vin, "LienProofDue")
        if not self.value(vin):
            return
        self.counted.add(vin)
        if self.frozen(vin) != t.alerted:
            t.alerted = not t.alerted
            self._emit(vin, "LtvAlert" if t.alerted else "LtvRecovered")

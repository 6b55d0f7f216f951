"""The reference model of tests/ledger/test_properties.py: what the registry and governance should
hold and emit after each operation, and which refusal each operation should meet, in plain Python.

Each operation checks its conditions in the order the registry (or, where it refuses first, the
client) does, and returns the refusal it predicts, changing nothing; or it changes the state,
records the events the registry would emit, and returns None. Time is `Model.now`: the time of
the block the next operation lands in, which the test sets.
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
#: Who authorizes private liens (the lender's own authorization is refused before anything is sent).
PRIVATE_AUTHORIZER = "registrar-b"
#: Settings the test votes into its template, short enough for its clock to pass in a few moves.
LAPSE_GRACE = 3600
PROOF_WINDOW = 2 * 86400
VOTING_PERIOD = 86400  # the shortest governance allows
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
    secret: int = 0  # a private lien's amount, which its lender and the auditor can open
    acknowledged: bool = False

    @property
    def active(self) -> bool:
        return self.status == LienStatus.ACTIVE


@dataclass
class ModelProof:
    """A title's private lien and its latest loan-to-value proof."""

    lien_id: int
    proven_limit: int
    proven_at: int
    due_since: int = 0  # set by the review that found the limit below the proven one


@dataclass
class ModelTitle:
    owner: str
    status: TitleStatus = TitleStatus.ACTIVE
    liens: list[int] = field(default_factory=list)
    private: ModelProof | None = None
    alerted: bool = False  # frozen at the latest review: LtvAlert emitted, LtvRecovered not yet


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
        self.touched: set[int] = set()  # and the liens it granted or ended
        self.carried: set[int] = set()  # and the proposals it carried

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

    def active_liens(self, vin: str) -> list[ModelLien]:
        return [self.liens[i] for i in self.titles[vin].liens if self.liens[i].active]

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
        return sorted(x for x in times if self.now <= x <= self.now + HORIZON)

    def pick_lien(self, n: int, preferred: Callable[[ModelLien, int], bool]) -> int:
        """The n-th lien (cyclically), counting the ones preferred now first, then the others, then
        an id no lien has."""
        ids = sorted(self.liens, key=lambda i: not preferred(self.liens[i], self.now)) + [len(self.liens) + 1]
        return ids[n % len(ids)]

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
        p.proven_limit, p.proven_at, p.due_since = limit, self.now, 0
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

    # --- state changes ----------------------------------------------------------------------------

    def _emit(self, vin: str, name: str) -> None:
        self.events.append((vin, name))

    def _add_lien(self, lien: ModelLien) -> int:
        lien_id = len(self.liens) + 1
        self.liens[lien_id] = lien
        self.titles[lien.vin].liens.append(lien_id)
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
        self._review(lien.vin)

    def _review(self, vin: str) -> None:
        """What the registry does after a valuation, a public grant and a lien's end: marks a private
        lien's proof due (once) or settled, and the title frozen or recovered."""
        t = self.titles[vin]
        if t.private is not None:
            if self.limit(vin) >= t.private.proven_limit:
                if t.private.due_since:
                    t.private.due_since = 0
                    self._emit(vin, "LienProofSettled")
            elif not t.private.due_since:
                t.private.due_since = self.now
                self._emit(vin, "LienProofDue")
        if not self.value(vin):
            return
        self.counted.add(vin)
        if self.frozen(vin) != t.alerted:
            t.alerted = not t.alerted
            self._emit(vin, "LtvAlert" if t.alerted else "LtvRecovered")

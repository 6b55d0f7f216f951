"""Property-based tests: random operation sequences by random accounts against a reference model.

After every operation the registry's state must equal the model's (reference_model.py); the
operation must be accepted or refused as the model predicts, a refusal with the exception the model
names and with nothing sent; and the events it emitted must be those the model emits. The chain's
clock is the test's: each block carries the time the test set, or one second after its parent, so
that lapses, proof deadlines, proposal expiries, release deadlines and notice periods are
reached, to the second, without waiting. Three fixed sequences run every time besides the random
ones, for the paths those reach only now and then.

Every account's roles are the template's throughout, but for the ORACLE role, which governance may
revoke: no other role is ever revoked in these sequences (so that an account found to hold LENDER
once holds it for the rest of the sequence), and the titles' owners have no keys (a registrar
records their payoffs and authorizes their transfers).

The invariants that follow:

- no transfer while liened, no second lien without the consent of the title's other lienholders,
  and no lien and no transfer without the authorization of someone other than the sender who may
  give it (a registrar, as the default policy admits for owners without keys);
- only role holders change state, and a released, lapsed or force-released lien stays inactive;
- a title's value is the median of its current oracles' valuations once two are there, and no
  title is frozen by a revoked oracle's valuation;
- no grant takes a title past the 70% threshold, counting its private lien at its proven limit;
  a frozen title, or one whose private lien owes an overdue proof or an acknowledgement, takes no
  lien;
- a private lien is its title's first active lien, is proved within what the threshold allows,
  and owes a new proof once a lower valuation puts that limit below its proven one;
- a lien lapses only once its maturity and the lapse grace have passed, marked by anyone; a
  lapsed or force-released lien frees its title for transfer;
- a forced release needs three of the five members, and an expired proposal is refused and
  leaves state unchanged;
- a title's liens have distinct priorities, and its active liens are in the registry's order of
  them, after every grant, end, assignment (the lien keeps its place) and subordination (the liens
  from the senior to the junior rotate: each takes the priority of the one before it);
- an active lien's holder is always a current LENDER: an assignment to anyone else, or by anyone
  but the holder, is refused; a subordination needs the senior's holder and the junior's
  acceptance, and a private lien stays first;
- a payoff is recorded by a registrar, disputed only by the lienholder; a review past the release
  deadline marks it overdue (once), and only past the grace period may a registrar other than the
  one that recorded it release the lien;
- a default repossesses an active title only (a registrar can neither set nor lift REPOSSESSED), and
  tells every other active lien's holder; a repossessed title takes no lien and no transfer, as a
  stolen one; it is redeemed (active again) once its lien in default ends by release, lapse, forced
  release or release after payoff;
- a disposition comes only from the lien in default's holder, past the notice period, to another
  owner, at a price, once a private lien in default is revealed; after it the recoveries stay within
  the price (the rest is the owner's surplus), the buyer owns the title, the lien in default and its
  juniors are discharged with the recoveries the waterfall gives (as `recovery` tells them), and the
  liens still on the title are exactly those senior to it, unpaid, each told of the default: no
  title changes hands while a lien it did not pay stays ahead of the buyer unnoticed;
- every accepted state change emits its event.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import eth._utils.headers
import pytest
from eth_account import Account
from hypothesis import HealthCheck, event, example, given, settings, target
from hypothesis import strategies as st
from web3 import Web3

from lienchain import errors
from lienchain.ledger import Ledger, LienStatus, Profile, TitleStatus, normalize_vin
from lienchain.ledger.registry import private
from lienchain.ledger.registry.assignments import AssignmentAcceptance, SubordinationAcceptance
from lienchain.ledger.registry.authorization import (
    NO_COMMITMENT, LienAuthorization, SaleAuthorization, TransferAuthorization,
)
from lienchain.ledger.registry.history import LIEN_EVENTS, TITLE_EVENTS, event_topics
from lienchain.ledger.registry.records import Address, Disposition, Lien, LienId
from lienchain.ledger.registry.signed import Signed
from lienchain.ledger.registry.vin import VIN, TokenId, token_id
from lienchain.ledger.workspace.session import Session

from ..conftest import PASSPHRASE
from .reference_model import (
    CARRIED_RELEASE_EVENT, LAPSE_GRACE, MEMBERS, NOTICE_PERIOD, PRIVATE_AUTHORIZER, PROOF_WINDOW, RELEASE_DEADLINE,
    RELEASE_GRACE, ROLE, THRESHOLD_BPS, VOTING_PERIOD, Model, ModelLien, Refusal,
)

S = TypeVar("S", bound=Signed)

VINS = [normalize_vin(v) for v in ("1M8GDM9AXKP042788", "1HGCM82633A004352")]
V0, V1 = VINS  # every sequence starts with both registered, the first valued by both oracles
ACTORS = ["registrar", "registrar-b", "lender-a", "lender-b", "oracle", "oracle-b", "auditor"]
#: A short lien's term: it lapses SHORT_TERM + LAPSE_GRACE seconds after its grant.
SHORT_TERM = 1800
#: How far the clock may move at once. Sequences are short, so no valuation ages out (they count
#: for 180 days) and the model needs no staleness.
MOVES = [600, 2 * 3600, 86400]
#: The events each accepted operation must emit, whatever else the model says it emits.
EVENT = {"register": ("TitleRegistered",), "grant": ("LienGranted",), "release": ("LienReleased",),
         "transfer": ("TitleTransferred",), "set_status": ("TitleStatusChanged",), "value": ("ValuationSet",),
         "grant_private": ("LienGranted", "LienCommitted"), "acknowledge": ("LienAcknowledged",),
         "prove": ("LienProved",), "lapse": ("LienLapsed",), "revoke": ("ProposalExecuted",),
         "propose_release": ("ProposalCreated",), "approve": ("ProposalApproved",),
         "force_release": ("ProposalExecuted", "LienForceReleased"), "assign": ("LienAssigned",),
         "subordinate": ("LienSubordinated",), "payoff": ("LienPaidOff",), "dispute": ("LienPayoffDisputed",),
         "release_paid_off": ("LienReleasedAfterPayoff",), "review": (), "default": ("LienDefaulted",),
         "dispose": ("TitleTransferred", "TitleDisposed"), "reveal": ("LienRevealed",)}
OWNERS = [Account.create().address for _ in range(3)]
ZERO_ADDRESS = "0x" + "0" * 40
MATURITY = int(time.time()) + 10 * 365 * 86400


class ChainClock:
    """The embedded chain's clock, held by the test: py-evm dates a new block `now`, or one second
    after its parent if that is later."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def next_block(self, head_time: int) -> int:
        return max(head_time + 1, self.now)


@dataclass
class Sandbox:
    """The chain's side: a ledger per account, sessions on demand, a reader, and the clock."""

    profile: Profile
    clock: ChainClock
    ledgers: dict[str, Ledger] = field(init=False)
    addresses: dict[str, str] = field(init=False)
    reader: Ledger = field(init=False)
    _sessions: dict[str, Session] = field(default_factory=dict)
    #: The kinds of operation the registry accepted so far (see `target`).
    accepted: set[str] = field(default_factory=set)
    #: The accounts found to hold LENDER (see `assert_matches`).
    lenders: set[str] = field(default_factory=set)
    #: The latest acceptance each assignee signed, by (assignor, assignee, lien): see `Model.assign`.
    acceptances: dict[tuple[str, str, int], AssignmentAcceptance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ledgers = {name: self.profile.ledger(name) for name in ACTORS}
        self.addresses = {name: ledger.address for name, ledger in self.ledgers.items()}
        self.reader = self.profile.ledger()

    def session(self, name: str) -> Session:
        if name not in self._sessions:
            self._sessions[name] = self.profile.session(name)
        return self._sessions[name]


# Mostly the right role for the operation, sometimes anyone: refusals are tested without drowning
# the sequences that get far enough to exercise consent, release, proofs and votes.
actors = st.sampled_from(ACTORS)
registrars = st.one_of(st.just("registrar"), st.just("registrar"), actors)
# Mostly a second registrar, sometimes anyone (the sender itself, a lender, an oracle).
authorizers = st.one_of(st.just("registrar-b"), st.just("registrar-b"), st.just("registrar"), actors)
lenders = st.one_of(st.sampled_from(["lender-a", "lender-b"]), st.sampled_from(["lender-a", "lender-b"]), actors)
members = st.one_of(st.sampled_from(MEMBERS), st.sampled_from(MEMBERS), actors)
# None stands for "the lienholder itself", so that releases and proofs get accepted often enough
# (for a disposition, the holder of the title's lien in default; for a release after a payoff, the
# registrar that did not record it; for an assignee, the lender that does not hold the lien; for a
# subordination's acceptance, the junior lien's holder).
lienholders = st.one_of(st.none(), st.none(), actors)
vins = st.sampled_from(VINS)
# Which lien (or proposal) an operation names: mostly the first of those it fits (see
# `Model.pick_lien`), sometimes another, or one that does not exist.
refs = st.one_of(st.just(0), st.integers(0, 4))
# A lien's term: None for ten years, else seconds from its grant (0: refused, it must mature later).
terms = st.sampled_from([None, None, SHORT_TERM, SHORT_TERM, 0])
#: How to draw each kind of operation.
OPERATIONS = {
    "register": st.tuples(st.just("register"), registrars, vins, st.sampled_from(OWNERS)),
    # Mostly with the seniors' consents and small enough to fit beside others, so that titles carry
    # several liens.
    "grant": st.tuples(st.just("grant"), lenders, vins, st.one_of(st.integers(1, 300_000), st.integers(1, 2_000_000)),
                       st.one_of(st.just(True), st.booleans()), authorizers, terms),
    # Private liens mostly on the title valued from the start.
    "grant_private": st.tuples(st.just("grant_private"), lenders, st.sampled_from([V0, V0, V0, V1]),
                               st.integers(1, 2_000_000), terms),
    "acknowledge": st.tuples(st.just("acknowledge"), st.one_of(st.just("auditor"), st.just("auditor"), actors), refs),
    "prove": st.tuples(st.just("prove"), st.one_of(lienholders, st.just("auditor")), refs,
                       st.sampled_from([0, 0, 1_000, 100_000])),
    "value": st.tuples(st.just("value"), st.one_of(st.sampled_from(["oracle", "oracle-b"]), actors), vins,
                       st.integers(1, 3_000_000)),
    # Governance revokes an oracle (a vote of three members).
    "revoke": st.tuples(st.just("revoke"), st.just("registrar"), st.sampled_from(["oracle", "oracle-b"])),
    "release": st.tuples(st.just("release"), lienholders, refs),
    "lapse": st.tuples(st.just("lapse"), actors, refs),  # anyone may mark a lien lapsed
    # A member proposes to release a lien and two more approve at once; or the proposal waits for
    # votes, which may come too late.
    "force_release": st.tuples(st.just("force_release"), members, refs),
    "propose_release": st.tuples(st.just("propose_release"), members, refs),
    "approve": st.tuples(st.just("approve"), members, refs),
    # The clock moves by a fixed step, or to a second around the n-th deadline ahead.
    "wait": st.tuples(st.just("wait"), st.none(),
                      st.one_of(st.sampled_from(MOVES), st.tuples(st.integers(0, 3), st.sampled_from([-1, 0, 1])))),
    "transfer": st.tuples(st.just("transfer"), registrars, vins, st.sampled_from(OWNERS), authorizers),
    "set_status": st.tuples(st.just("set_status"), registrars, vins, st.sampled_from(list(TitleStatus))),
    # The holder assigns a lien to the other lender, with its acceptance: a new one, or (False) the
    # latest one it signed for that lien from that holder, which counts once.
    "assign": st.tuples(st.just("assign"), lienholders, refs, lienholders, st.one_of(st.just(True), st.booleans())),
    # The senior's holder ranks its lien behind a junior (the second ref), whose holder accepts.
    "subordinate": st.tuples(st.just("subordinate"), lienholders, refs, refs, lienholders),
    "payoff": st.tuples(st.just("payoff"), registrars, refs),
    "dispute": st.tuples(st.just("dispute"), lienholders, refs),
    # At once, or (True) a second after the release deadline and its grace have run, if they run still.
    "release_paid_off": st.tuples(st.just("release_paid_off"), lienholders, refs, st.booleans()),
    "review": st.tuples(st.just("review"), actors, vins),  # anyone may review a title
    "default": st.tuples(st.just("default"), lienholders, refs),
    # Mostly the repossessed title, to another owner than its own; the price pays the liens from the
    # one in default in full with a surplus, exactly, or a percentage of their total (the first in
    # part, or some in full and the next in part, the rest nothing); or it is 0, refused. At once,
    # or (True) once the notice period has run, to the second, if it runs still.
    "dispose": st.tuples(st.just("dispose"), lienholders, refs, st.sampled_from([1, 1, 2, 0]),
                         st.one_of(st.sampled_from(["surplus", "exact", "zero"]), st.integers(1, 99)), st.booleans()),
    # A private lien made public by its holder (before its disposition), or by the auditor.
    "reveal": st.tuples(st.just("reveal"), st.one_of(lienholders, st.just("auditor")), refs),
}
#: How often sequences draw each kind, relative to the others: private grants and proofs are the
#: slowest operations (their proofs are verified on chain), revocations the least interesting;
#: grants the most frequent, so that titles carry the several liens that subordinations, defaults
#: and dispositions need.
WEIGHTS = {"grant": 16, "register": 1, "grant_private": 1, "acknowledge": 1, "prove": 2, "value": 6, "revoke": 1,
           "release": 3, "lapse": 4, "force_release": 2, "propose_release": 2, "approve": 3, "wait": 8,
           "transfer": 3, "set_status": 2, "assign": 4, "subordinate": 5, "payoff": 4, "dispute": 2,
           "release_paid_off": 3, "review": 2, "default": 5, "dispose": 6, "reveal": 2}
operations = st.sampled_from([kind for kind, n in WEIGHTS.items() for _ in range(n)]).flatmap(OPERATIONS.__getitem__)
#: Which liens each operation's reference prefers (see `refs`), given the time: those it ranks above
#: 0 (False), the highest first.
PREFERRED: dict[str, Callable[[Model, ModelLien], int]] = {
    "release": lambda m, lien: lien.active,
    "lapse": lambda m, lien: lien.active and m.now > lien.maturity + LAPSE_GRACE,
    "force_release": lambda m, lien: lien.active,
    "propose_release": lambda m, lien: lien.active,
    "acknowledge": lambda m, lien: lien.active and lien.amount == 0 and not lien.acknowledged,
    "prove": lambda m, lien: lien.active and lien.amount == 0,
    "assign": lambda m, lien: lien.active,
    "subordinate": lambda m, lien: lien.active and not lien.private and any(
        m.liens[i].priority > lien.priority for i in m.active_ids(lien.vin)),
    "payoff": lambda m, lien: lien.active and lien.payoff is None,
    "dispute": lambda m, lien: lien.active and lien.payoff is not None,
    "release_paid_off": lambda m, lien: lien.active and lien.payoff is not None and (
        m.now > lien.payoff.at + RELEASE_DEADLINE + RELEASE_GRACE),
    # A junior lien first, so that dispositions leave senior liens on their titles.
    "default": lambda m, lien: 1 + (m.active_liens(lien.vin)[0] is not lien) if (
        lien.active and m.titles[lien.vin].status == TitleStatus.ACTIVE) else 0,
    "reveal": lambda m, lien: lien.active and lien.private,
}


def apply(op: tuple, box: Sandbox, model: Model) -> None:  # type: ignore[type-arg]
    """Runs one operation on the chain and in the model, and checks they agree on its outcome
    and its events."""
    kind, actor, *args = op
    reader = box.reader
    if kind == "wait":
        _move_clock(args[0], box, model)
        return
    if kind == "revoke" and args[0] in model.revoked:
        return  # its role is gone already: the client would refuse to propose the no-op
    head = reader.chain.head()
    model.now = box.clock.next_block(reader.chain.time())
    model.events, model.votes, model.touched, model.carried = [], [], set(), set()
    actor = _resolve(kind, actor, args, box, model)
    op = (kind, actor, *args)  # as resolved, for the messages
    expected, run = _prepare(kind, actor, args, box, model)
    try:
        run()
        refusal: Exception | None = None
    except errors.LienchainError as exc:
        refusal = exc
    event(f"{kind} {'accepted' if refusal is None else 'refused: ' + type(refusal).__name__}")
    if expected is None:
        assert refusal is None, f"{op}: the model accepts it, the chain refused it: {refusal!r}"
    else:
        assert type(refusal) is expected, f"{op}: the model expects {expected.__name__}, got {refusal!r}"
        assert reader.chain.head() == head, f"{op}: refused, yet it sent a transaction"
    titles, votes = _events_since(reader, head)
    assert (titles, votes) == (model.events, model.votes), op
    if refusal is None:  # every accepted state change emits its event
        box.accepted.add(kind)
        required = EVENT[kind] + ((CARRIED_RELEASE_EVENT,) if model.carried else ())
        assert set(required) <= {name for _, name in titles} | set(votes), op
        if kind != "revoke":  # one transaction, one block, dated as the clock says; a session's
            # step then records its document's retention in a block of its own, a second later
            assert reader.chain.time() == model.now + (kind == "grant_private"), op
    if refusal is None and kind in ("grant", "grant_private"):  # no grant takes a title past the threshold
        vin = args[0]
        shown, private = reader.appraisal(vin), reader.private_lien(vin)
        counted = shown.secured + (private.proven_limit if private else 0)
        assert not shown.value or counted * 10_000 <= THRESHOLD_BPS * shown.value, op


def _resolve(kind: str, actor: str | None, args: list, box: Sandbox, model: Model) -> str:  # type: ignore[type-arg]
    """Resolves an operation's references (which lien, proposal or title; who a None stands for)
    in `args`, moves the clock if the operation waits first, and returns its actor."""
    if kind in PREFERRED:
        args[0] = model.pick_lien(args[0], PREFERRED[kind])
    elif kind == "approve":
        args[0] = model.pick_proposal(args[0])
    elif kind == "dispose":
        args[0] = model.pick_title(args[0])
    if kind == "subordinate":
        args[1] = model.pick_junior(args[0], args[1])
    if actor is None:
        actor = _party(kind, args[0], model)
    if kind == "assign" and args[1] is None:  # the other lender
        args[1] = "lender-b" if actor == "lender-a" else "lender-a"
    if kind == "subordinate" and args[2] is None:  # the junior lien's holder
        args[2] = _party(kind, args[1], model)
    waits_until = 0
    if kind == "dispose" and args[3]:  # to the second the notice period ends
        t = model.titles[args[0]]
        waits_until = t.defaulted_at + NOTICE_PERIOD if t.enforcing else 0
    if kind == "release_paid_off" and args[1]:  # to a second after the grace period ends
        lien = model.liens.get(args[0])
        payoff = lien.payoff if lien and lien.active else None
        waits_until = payoff.at + RELEASE_DEADLINE + RELEASE_GRACE + 1 if payoff else 0
    if waits_until > model.now:
        box.clock.now = waits_until
        model.now = box.clock.next_block(box.reader.chain.time())
    return actor


def _party(kind: str, ref: int | str, model: Model) -> str:
    """Who a drawn None stands for (see `lienholders`), given the lien or title an operation names."""
    if isinstance(ref, str):  # a title: the holder of its lien in default
        ref = model.titles[ref].enforcing
    lien = model.liens.get(ref)
    if kind == "release_paid_off":  # the registrar that did not record the payoff
        return "registrar" if lien and lien.payoff and lien.payoff.by == "registrar-b" else "registrar-b"
    return lien.lender if lien else "lender-a"


def _prepare(kind: str, actor: str, args: list, box: Sandbox, model: Model) -> tuple[Refusal, Callable[[], object]]:  # type: ignore[type-arg]
    """Returns the model's prediction of an operation (having applied it if accepted), and the
    chain operation to run."""
    ledger, ledgers = box.ledgers[actor], box.ledgers
    if kind == "register":
        vin, owner = args
        return model.register(actor, vin, owner), lambda: ledger.register_title(vin, owner, doc_cid="bafkreititle")
    if kind == "grant":
        vin, amount, consenting, by, term = args
        maturity = MATURITY if term is None else model.now + term
        seniors = model.active_lenders(vin) - {actor}
        expected = model.grant(actor, vin, amount, consenting, by, maturity)
        consents = [
            ledgers[s].sign_consent(vin, lender=ledger.address, amount=amount, currency="USD", deadline=MATURITY)
            for s in sorted(seniors)
        ] if consenting and ROLE[actor] == "LENDER" else []
        auth = _signed(LienAuthorization, ledgers, by, vin, lender=ledger.address, amount=amount,
                       commitment=NO_COMMITMENT, currency="USD", maturity=maturity)
        return expected, lambda: ledger.grant_lien(vin, amount, currency="USD", maturity=maturity, doc_cid="bafkreiloan",
                                                   consents=consents, authorization=auth)
    if kind == "grant_private":
        vin, amount, term = args
        maturity = MATURITY if term is None else model.now + term

        def grant_private() -> None:
            auth = box.session(PRIVATE_AUTHORIZER).authorize_lien(
                vin, lender=ledger.address, amount=amount, currency="USD", maturity=maturity, deadline=MATURITY,
                private_amount=True)
            box.session(actor).grant_private_lien(vin, amount, currency="USD", maturity=maturity, authorization=auth)

        return model.grant_private(actor, vin, amount, maturity), grant_private
    if kind == "acknowledge":
        (lien_id,) = args
        return model.acknowledge(actor, lien_id), lambda: box.session(actor).acknowledge_lien(lien_id)
    if kind == "prove":
        lien_id, reserve = args
        return model.prove(actor, lien_id, reserve), lambda: box.session(actor).prove_lien(lien_id, reserve=reserve)
    if kind == "value":
        vin, amount = args
        return (model.set_valuation(actor, vin, amount),
                lambda: ledger.set_valuation(vin, amount, currency="USD", doc_cid="bafkreivaluation"))
    if kind == "revoke":
        (oracle,) = args
        model.revoke(oracle)
        return None, lambda: _vote_revocation(ledgers, ledgers[oracle].address)
    if kind == "release":
        (lien_id,) = args
        return model.release(actor, lien_id), lambda: ledger.release_lien(lien_id)
    if kind == "lapse":
        (lien_id,) = args
        return model.lapse(lien_id), lambda: ledger.mark_lapsed(lien_id)
    if kind == "propose_release":
        (lien_id,) = args
        return (model.propose_release(actor, lien_id),
                lambda: ledger.propose_force_release(lien_id, evidence_cid="bafkreicourtorder"))
    if kind == "force_release":
        (lien_id,) = args
        expected = model.propose_release(actor, lien_id)
        voters = [m for m in MEMBERS if m != actor][:2]
        if expected is None:
            for voter in voters:  # in the next blocks, each a second later
                model.now += 1
                assert model.approve(voter, model.proposal_count) is None

        def force_release() -> None:
            pid = ledger.propose_force_release(lien_id, evidence_cid="bafkreicourtorder")
            for voter in voters:
                ledgers[voter].approve(pid)

        return expected, force_release
    if kind == "approve":
        (pid,) = args
        return model.approve(actor, pid), lambda: ledger.approve(pid)
    if kind == "transfer":
        vin, to, by = args
        owner = model.titles[vin].owner
        expected = model.transfer(actor, vin, to, by)
        transfer_auth = _signed(TransferAuthorization, ledgers, by, vin, owner=owner, to=to)
        return expected, lambda: ledger.transfer_title(vin, to, km=0, authorization=transfer_auth, doc_cid="bafkreisale")
    if kind == "set_status":
        vin, status = args
        return model.set_status(actor, vin, status), lambda: ledger.set_title_status(vin, status, doc_cid="bafkreistatus")
    return _prepare_lifecycle(kind, actor, args, box, model)


def _prepare_lifecycle(
    kind: str, actor: str, args: list, box: Sandbox, model: Model,  # type: ignore[type-arg]
) -> tuple[Refusal, Callable[[], object]]:
    """As `_prepare`, for assignments, subordinations, payoffs, defaults and dispositions."""
    ledger, ledgers = box.ledgers[actor], box.ledgers
    if kind == "assign":
        lien_id, to, fresh = args
        key = (actor, to, lien_id)
        if fresh or key not in model.acceptances:
            box.acceptances[key] = ledgers[to].accept_assignment([lien_id], assignor=ledger.address, deadline=MATURITY)
        acceptance = box.acceptances[key]
        doc = _assignment_document(box, model, actor, lien_id, to)
        # Only its id is sent: the registry, not the client, is to check the lien.
        lien = Lien(LienId(lien_id), TokenId(0), Address(ledger.address), 0, "USD", 0, 0, 0, "", LienStatus.NONE)
        return (model.assign(actor, lien_id, to, fresh),
                lambda: ledger.assign_liens([(lien, doc)], ledgers[to].address, portfolio=[lien_id],
                                            acceptance=acceptance))
    if kind == "subordinate":
        lien_id, behind_id, signer = args
        d = ledgers[signer].deployment
        accepted = SubordinationAcceptance.sign(ledgers[signer]._signer.account, chain_id=d.chain_id,  # noqa: SLF001
                                                registry=d.registry, lien_id=lien_id, behind_lien_id=behind_id,
                                                deadline=MATURITY)
        return (model.subordinate(actor, lien_id, behind_id, signer),
                lambda: ledger.subordinate_lien(lien_id, behind_id, acceptance=accepted, doc_cid="bafkreiagreement"))
    if kind == "payoff":
        (lien_id,) = args
        return model.record_payoff(actor, lien_id), lambda: ledger.record_payoff(lien_id, doc_cid="bafkreireceipt")
    if kind == "dispute":
        (lien_id,) = args
        return model.dispute_payoff(actor, lien_id), lambda: ledger.dispute_payoff(lien_id, doc_cid="bafkreidispute")
    if kind == "release_paid_off":
        lien_id, _ = args
        return (model.release_paid_off(actor, lien_id),
                lambda: ledger.release_paid_off(lien_id, evidence_cid="bafkreireceipt"))
    if kind == "review":
        (vin,) = args
        return model.review(vin), lambda: ledger.review_title(vin)
    if kind == "default":
        (lien_id,) = args
        return model.declare_default(actor, lien_id), lambda: ledger.declare_default(lien_id, doc_cid="bafkreinotice")
    if kind == "reveal":
        (lien_id,) = args
        return model.reveal(actor, lien_id), lambda: box.session(actor).reveal_lien(lien_id)
    assert kind == "dispose"
    vin, offset, how, _ = args
    buyer = OWNERS[(OWNERS.index(model.titles[vin].owner) + offset) % len(OWNERS)]
    owed = sum(model.waterfall(vin))
    prices = {"surplus": owed + 1_000, "exact": max(owed, 1), "zero": 0}
    price = prices[how] if isinstance(how, str) else max(owed * how // 100, 1)
    args[1:3] = [buyer, price]  # as resolved, for the messages

    def dispose() -> None:
        before = [lien for lien in box.reader.liens(vin) if lien.active]
        # A registrar's authorization of exactly this sale, signed directly (its client would
        # refuse a title not in default): the registry's own order of refusals is modelled.
        e, d = box.reader.enforcement(vin), box.reader.deployment
        authorization = SaleAuthorization.sign(
            ledgers["registrar-b"]._signer.account, chain_id=d.chain_id, registry=d.registry,  # noqa: SLF001
            vin=vin, token_id=token_id(vin), lien_id=int(e.lien_id), defaulted_at=e.defaulted_at,
            buyer=Web3.to_checksum_address(buyer), price=price, deadline=MATURITY)
        in_default = model.liens.get(int(e.lien_id))
        private_own = in_default is not None and in_default.private and in_default.lender == actor
        opening = box.session(actor).open_lien(int(e.lien_id)) if private_own else None
        sold = ledger.dispose_title(vin, buyer, price, km=0, authorization=authorization,
                                    doc_cid="bafkreibillofsale", opening=opening)
        _check_disposition(box, vin, before, sold)

    return model.dispose(actor, vin, buyer, price), dispose


def _assignment_document(box: Sandbox, model: Model, actor: str, lien_id: int, to: str) -> str:
    """The CID of an assignment's document: for a private lien its holder assigns, its opening
    sealed for the assignee (which proves and reveals it from then on), its holder and the auditor."""
    lien = model.liens.get(lien_id)
    if lien is None or not lien.active or not lien.private or lien.lender != actor:
        return "bafkreiassign"
    session = box.session(actor)
    record = private.opening_record(session.open_lien(lien_id), vin=lien.vin, lender=box.addresses[to],
                                    currency="USD", document=None)
    sealed = session.documents.seal(record, readers=sorted({to, actor, "auditor"}))
    session.documents.put(sealed)
    return sealed.cid


def _check_disposition(box: Sandbox, vin: VIN, before: list[Lien], sold: Disposition) -> None:
    """After a disposition: the recoveries stay within the price, the buyer owns the title, and the
    liens still on it are exactly those senior to the lien in default, each unpaid and told of the
    default."""
    reader = box.reader
    recovered = sum(x.recovered for x in sold.discharged)
    assert recovered + sold.surplus == sold.price and recovered <= sold.price
    assert reader.title(vin).owner == sold.buyer
    defaulted = next(lien for lien in before if lien.lien_id == sold.lien_id)
    seniors = [lien.lien_id for lien in before if lien.priority < defaulted.priority]
    assert [lien.lien_id for lien in reader.liens(vin) if lien.active] == seniors
    assert [x.lien_id for x in sold.discharged] == [x.lien_id for x in before if x.priority >= defaulted.priority]
    notices = reader.sync_index().events(token_id=token_id(vin), names=("DefaultNotice",))
    noticed = {int(e.args["lienId"]) for e in notices if int(e.args["defaultedLienId"]) == sold.lien_id}
    assert set(seniors) <= noticed
    assert all(reader.recovery(i) == 0 for i in seniors)
    assert all(reader.recovery(x.lien_id) == x.recovered for x in sold.discharged)
    paid = ["full" if not x.deficiency else "part" if x.recovered else "none" for x in sold.discharged]
    event(f"disposition: {len(seniors)} senior(s) stay, recoveries {' '.join(paid)}")


def _move_clock(move: int | tuple[int, int], box: Sandbox, model: Model) -> None:
    """Moves the clock by `move` seconds, or to `delta` seconds from the n-th deadline ahead, for the
    next block."""
    head_time = box.reader.chain.time()
    if isinstance(move, int):
        box.clock.now = box.clock.next_block(head_time) + move
        event("wait")
        return
    n, delta = move
    model.now = box.clock.next_block(head_time)
    deadlines = model.deadlines()
    if deadlines:
        box.clock.now = max(box.clock.now, deadlines[n % len(deadlines)] + delta)
    event(f"wait until a deadline{'' if deadlines else ' (none ahead)'}")


def _vote_revocation(ledgers: dict[str, Ledger], oracle: str) -> None:
    pid = ledgers["registrar"].propose_role("ORACLE", oracle, grant=False)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


def _signed(kind: type[S], ledgers: dict[str, Ledger], by: str, vin: VIN, **terms: Any) -> S:
    """`by`'s authorization of these terms, signed as any key could sign it (no client check of
    who may), so that the registry's own refusal is what the model is held to."""
    signer = ledgers[by]
    d = signer.deployment
    return kind.sign(signer._signer.account, chain_id=d.chain_id, registry=d.registry, vin=vin,  # noqa: SLF001
                     token_id=token_id(vin), deadline=MATURITY, **terms)


_VIN_OF: dict[int, str] = {token_id(vin): vin for vin in VINS}


def _events_since(reader: Ledger, head: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The titles' events, (VIN, name), and governance's events of the blocks after `head`."""
    if reader.chain.head() == head:
        return [], []
    names = TITLE_EVENTS + LIEN_EVENTS
    titles = [(_VIN_OF[int(e.args["tokenId"])], e.name)
              for e in reader.sync_index().events(names=names, after=(head, 2**62, 0))]
    by_topic = event_topics(reader.governance.abi, ("ProposalCreated", "ProposalApproved", "ProposalExecuted"))
    logs = reader.chain.logs(address=reader.governance.address, from_block=head + 1)
    return titles, [by_topic[bytes(log["topics"][0])] for log in logs if bytes(log["topics"][0]) in by_topic]


def assert_matches(box: Sandbox, model: Model) -> None:
    """Checks the registry's state and governance's proposals against the model's, as of the
    latest block."""
    reader, addresses = box.reader, box.addresses
    head_time = reader.chain.time()
    for vin in VINS:
        expected, actual = model.titles[vin], reader.title(vin)
        assert (actual.owner, actual.status) == (expected.owner, expected.status)
        liens = reader.liens(vin)  # as the event index tells them, in priority order
        assert [lien.lien_id for lien in liens] == model.ordered(vin)
        for lien in liens:
            m = model.liens[lien.lien_id]
            assert (lien.lender, lien.amount, lien.status, lien.priority) == (
                addresses[m.lender], m.amount, m.status, m.priority)
        # A total order: the priorities of a title's liens are distinct, and the registry's order.
        priorities = [lien.priority for lien in liens]
        assert priorities == sorted(set(priorities))
        assert actual.active_liens == len(model.active_liens(vin))
        # Every active lien's holder is a current LENDER (assignments to anyone else are refused).
        for lender in {lien.lender for lien in liens if lien.active} - box.lenders:
            assert reader.has_role("LENDER", lender), lender
            box.lenders.add(lender)  # roles other than ORACLE are never revoked in these sequences
        if expected.enforcing or {(vin, "TitleRedeemed"), (vin, "TitleDisposed")} & set(model.events):
            enforcement = reader.enforcement(vin)
            assert (enforcement.lien_id, enforcement.defaulted_at) == (expected.enforcing, expected.defaulted_at)
        shown = reader.appraisal(vin)
        # No title is frozen by a revoked oracle: its valuation counts no more, whatever it was.
        assert (shown.value, shown.secured, shown.frozen) == (model.value(vin), model.secured(vin), model.frozen(vin))
        if all(model.liens[i].amount for i in expected.liens):
            continue  # never a private lien (the registry's view of one is the slowest read)
        private, p = reader.private_lien(vin), expected.private
        if p is None:
            assert private is None
            continue
        assert private is not None
        due = model.due(vin)
        assert (private.lien_id, private.proven_limit, private.proven_at, private.limit, private.due, private.overdue,
                private.deadline, private.acknowledged) == (
            p.lien_id, p.proven_limit, p.proven_at, model.limit(vin), due, model.overdue(vin, head_time),
            model.deadline(vin) if due else 0, model.liens[p.lien_id].acknowledged)
        assert model.liens[p.lien_id].secret <= private.proven_limit  # never recorded below its amount
    for lien_id in model.touched:  # as the registry holds them
        m, stored = model.liens[lien_id], reader.lien(lien_id)
        assert (stored.lender, stored.amount, stored.maturity, stored.granted_at, stored.status, stored.priority) == (
            addresses[m.lender], m.amount, m.maturity, m.granted_at, m.status, m.priority)
        if m.status == LienStatus.DISCHARGED:  # no other lien recovers anything
            assert reader.recovery(lien_id) == m.recovered
        payoff = reader.payoff(lien_id)
        assert (payoff.paid_off_at, payoff.recorded_by, payoff.overdue) == (
            (m.payoff.at, addresses[m.payoff.by], m.payoff.overdue) if m.payoff else (0, ZERO_ADDRESS, False))
    for pid, proposal in model.proposals.items():
        if proposal.executed and pid not in model.carried:
            continue  # carried before: nothing changes any more
        shown_proposal = reader.proposal(pid)
        # As the client reads it: expired once the latest block reached the expiry (its "now" is
        # the latest block's time while the chain's clock runs ahead of this machine's). Votes are
        # refused a second earlier already: the next block is dated a second after the latest.
        expired = not proposal.executed and head_time >= proposal.expires_at
        assert (shown_proposal.approvals, shown_proposal.executed, shown_proposal.expired) == (
            len(proposal.approvals), proposal.executed, expired), pid


#: The template's votes: the only proposals before a sequence's.
SETTINGS: list[Callable[[Ledger], int]] = [lambda ledger: ledger.propose_lapse_grace(LAPSE_GRACE),
                                           lambda ledger: ledger.propose_proof_window(PROOF_WINDOW),
                                           lambda ledger: ledger.propose_voting_period(VOTING_PERIOD),
                                           lambda ledger: ledger.propose_release_deadline(RELEASE_DEADLINE),
                                           lambda ledger: ledger.propose_release_grace(RELEASE_GRACE),
                                           lambda ledger: ledger.propose_notice_period(NOTICE_PERIOD)]


@pytest.fixture(scope="module")
def template(template_profile: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's template profile with a short lapse grace, proof window, voting period,
    release deadline and grace, and notice period, voted once for the module."""
    path = tmp_path_factory.mktemp("properties") / "profile"
    shutil.copytree(template_profile, path)
    with Profile(path, passphrase=lambda: PASSPHRASE) as profile:
        ledgers = {name: profile.ledger(name) for name in MEMBERS}
        assert sorted(profile.ledger().members()) == sorted(ledger.address for ledger in ledgers.values())
        for propose in SETTINGS:
            pid = propose(ledgers["registrar"])
            ledgers["lender-a"].approve(pid)
            assert ledgers["lender-b"].approve(pid).executed
        assert len(profile.ledger().proposals()) == len(SETTINGS)
    return path


#: Sequences run every time, for the paths random ones reach only now and then: a private lien
#: proved, outgrown by a lower valuation, overdue, proved again, and released...
PRIVATE_LIEN_STORY = [
    ("grant_private", "lender-a", V0, 1_000_000, None),  # within 70% of 2,000,000
    ("grant", "lender-b", V0, 1_000, True, "registrar-b", None),  # the private lien takes the whole 70%
    ("acknowledge", "auditor", 0),
    ("value", "oracle", V0, 1_500_000),  # allows 1,225,000 now: a proof is due
    ("wait", None, (0, 1)),  # a second past its deadline
    ("grant", "lender-b", V0, 1_000, True, "registrar-b", None),  # overdue
    ("prove", None, 0, 100_000),  # within 1,125,000: room for 100,000 more
    ("grant", "lender-b", V0, 100_000, True, "registrar-b", None),  # up to 70% exactly
    ("value", "oracle-b", V0, 600_000),  # allows 635,000 beside the public lien: due again
    ("prove", "auditor", 0, 0),  # the amount no longer fits
    ("prove", "lender-b", 0, 0),  # another lender cannot open it
    ("release", None, 0),
    ("grant_private", "lender-b", V0, 1_000, None),  # not the first active lien
    ("grant_private", "lender-a", V1, 1_000, None),  # no value to prove against
]
#: ... and liens that lapse, to the second, or are released by a vote, one too late, one failing.
LIEN_ENDS_STORY = [
    ("grant", "lender-a", V1, 5_000, False, "registrar-b", SHORT_TERM),  # unvalued: takes any lien
    ("lapse", "oracle", 0),  # not yet
    ("propose_release", "auditor", 0),
    ("grant_private", "lender-b", V0, 700_000, SHORT_TERM),  # not acknowledged
    ("wait", None, (0, 0)),  # to the first lien's lapse moment, when it has not lapsed yet
    ("lapse", "registrar-b", 0),
    ("wait", None, (0, 1)),
    ("lapse", "registrar-b", 0),  # a second later it has, and its title is free
    ("approve", "lender-a", 0),
    ("approve", "lender-b", 0),  # carries the release of a lien that lapsed: the vote fails
    ("wait", None, 86400),
    ("approve", "oracle", 0),  # expired
    ("wait", None, 86400),
    ("grant", "lender-a", V0, 1_000, True, "registrar-b", None),  # no auditor acknowledged the private lien
    ("lapse", "auditor", 0),  # the private lien lapses too
    ("force_release", "registrar", 0),  # of a lien that ended
    ("grant", "lender-b", V0, 10_000, False, "registrar-b", None),
    ("force_release", "oracle", 0),
]
#: ... and a default over three liens: refused during the notice period, to the second, then a sale
#: that pays the lien in default in full and its junior in part, the senior staying on the title.
DISPOSITION_STORY = [
    ("grant", "lender-a", V1, 5_000, False, "registrar-b", None),  # unvalued: takes any lien
    ("grant", "lender-b", V1, 3_000, True, "registrar-b", None),
    ("grant", "lender-a", V1, 4_000, True, "registrar-b", None),
    ("default", "lender-a", 0),  # lender-b's lien (the first junior), not lender-a's
    ("default", None, 0),  # lender-b's: the title is repossessed, lender-a told twice
    ("grant", "lender-a", V1, 1_000, True, "registrar-b", None),  # repossessed: no new lien
    ("set_status", "registrar", V1, TitleStatus.ACTIVE),  # nor a status lifted by a registrar
    ("transfer", "registrar", V1, OWNERS[2], "registrar-b"),  # nor a transfer
    ("payoff", "registrar", 0),  # the senior is paid off, and its holder will not release it
    ("wait", None, (0, -1)),  # a second before the notice period ends
    ("dispose", None, 0, 1, "surplus", False),
    ("wait", None, (0, 0)),  # when it ends
    ("dispose", "lender-a", 0, 1, 75, False),  # not lender-a's to sell
    ("dispose", None, 0, 0, 75, False),  # to its owner
    ("dispose", None, 0, 1, 75, False),  # 5,250 of 7,000: 3,000 to lender-b, 2,250 to lender-a's junior
    ("review", "auditor", V1),
    ("wait", None, (0, 1)),  # past the senior's release deadline
    ("review", "auditor", V1),  # overdue
    ("release_paid_off", "registrar", 0, False),  # the registrar that recorded the payoff
    ("wait", None, (0, 0)),  # when the grace ends
    ("release_paid_off", None, 0, False),  # not yet
    ("wait", None, 1),
    ("release_paid_off", None, 0, False),  # another one releases it, freeing the title
]


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=12, max_size=30))
@example(ops=PRIVATE_LIEN_STORY)
@example(ops=LIEN_ENDS_STORY)
@example(ops=DISPOSITION_STORY)
def test_registry_matches_reference_model(template: Path, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    # The chain's clock starts an hour ahead of this machine's, so that the client's "now" (the
    # later of the two) is the chain's throughout.
    clock = ChainClock(int(time.time()) + 3600)
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(eth._utils.headers, "eth_now", clock):
        shutil.copytree(template, Path(tmp) / "profile")
        with Profile(Path(tmp) / "profile", passphrase=lambda: PASSPHRASE) as profile:
            box = Sandbox(profile, clock)
            model = Model(proposals=len(SETTINGS))
            # Every sequence starts with both titles registered (later registrations test refusals)
            # and the first valued by both oracles.
            for n, vin in enumerate(VINS):
                apply(("register", "registrar", vin, OWNERS[n]), box, model)
            for oracle in ("oracle", "oracle-b"):
                apply(("value", oracle, V0, 2_000_000), box, model)
            for op in ops:
                head = box.reader.chain.head()
                apply(op, box, model)
                if box.reader.chain.head() != head:  # else nothing was sent, and nothing changed
                    assert_matches(box, model)
                _transfer_if_freed(box, model)
            # Steers generation towards sequences that get many kinds of operation through (a
            # disposition needs a grant, a default, a wait and a sale, in that order).
            target(float(len(box.accepted)), label="kinds of operation accepted")


def _transfer_if_freed(box: Sandbox, model: Model) -> None:
    """After a lapse or a forced release that left its title without active liens, transfers the
    title: it is free."""
    ended = [vin for vin, name in model.events if name in ("LienLapsed", CARRIED_RELEASE_EVENT)]
    if not ended:
        return
    vin = VIN(ended[0])
    t = model.titles[vin]
    if model.active_liens(vin) or t.status != TitleStatus.ACTIVE:
        return
    buyer = OWNERS[(OWNERS.index(t.owner) + 1) % len(OWNERS)]
    apply(("transfer", "registrar", vin, buyer, "registrar-b"), box, model)
    assert box.reader.title(vin).owner == buyer
    assert_matches(box, model)

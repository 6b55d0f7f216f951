"""Property-based tests: random operation sequences by random accounts against a reference model.

After every operation the contract's state must equal the model's, and whether the operation
succeeded must be what the model predicts. The invariants follow: no transfer while liened, no
second lien without consent, no lien and no transfer without the authorization of someone other
than the sender who may give it (a registrar, as the default policy admits for owners without
keys), a released lien stays released, only role holders change state; a title's value is the
median of its current oracles' valuations once two are there, a grant never takes it past the
70% threshold, and a frozen title takes no lien; no title stays frozen by a revoked oracle's
valuation; every accepted operation emits its event.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
import time
from dataclasses import dataclass, field
from typing import TypeVar
from pathlib import Path

from eth_account import Account
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lienchain import errors
from lienchain.ledger import Ledger, LienStatus, Profile, TitleStatus, normalize_vin
from lienchain.ledger.registry.authorization import NO_COMMITMENT, LienAuthorization, TransferAuthorization
from lienchain.ledger.registry.signed import Signed
from lienchain.ledger.registry.vin import token_id

S = TypeVar("S", bound=Signed)
VINS = [normalize_vin(v) for v in ("1M8GDM9AXKP042788", "1HGCM82633A004352")]
ACTORS = ["registrar", "registrar-b", "lender-a", "lender-b", "oracle", "oracle-b", "auditor"]
ROLE = {"registrar": "REGISTRAR", "registrar-b": "REGISTRAR", "lender-a": "LENDER", "lender-b": "LENDER",
        "oracle": "ORACLE", "oracle-b": "ORACLE", "auditor": "AUDITOR"}
THRESHOLD_BPS = 7000
MIN_VALUATIONS = 2
#: The event each accepted operation must emit.
EVENT = {"register": "TitleRegistered", "grant": "LienGranted", "release": "LienReleased",
         "transfer": "TitleTransferred", "set_status": "TitleStatusChanged", "value": "ValuationSet"}
OWNERS = [Account.create().address for _ in range(3)]
MATURITY = int(time.time()) + 10 * 365 * 86400


@dataclass
class ModelTitle:
    owner: str
    status: TitleStatus = TitleStatus.ACTIVE
    liens: list[int] = field(default_factory=list)


@dataclass
class ModelLien:
    vin: str
    lender: str
    amount: int
    active: bool = True


class Model:
    """What the registry should hold, in a few dozen lines of Python."""

    def __init__(self) -> None:
        self.titles: dict[str, ModelTitle] = {}
        self.liens: dict[int, ModelLien] = {}
        self.valuations: dict[str, dict[str, int]] = {}  # by VIN, by oracle
        self.revoked: set[str] = set()
        self.counted: set[str] = set()  # titles whose value counted once: never unlimited again

    def role(self, actor: str) -> str:
        return "" if actor in self.revoked else ROLE[actor]

    def value(self, vin: str) -> int:
        """The median of the current oracles' valuations once there are enough; 0 otherwise."""
        values = sorted(v for o, v in self.valuations.get(vin, {}).items() if o not in self.revoked)
        if len(values) < MIN_VALUATIONS:
            return 0
        n = len(values)
        return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) // 2

    def secured(self, vin: str) -> int:
        return sum(self.liens[i].amount for i in self.titles[vin].liens if self.liens[i].active)

    def ltv_bps(self, vin: str, extra: int = 0) -> int:
        value = self.value(vin)
        return -(-(self.secured(vin) + extra) * 10_000 // value) if value else 0

    def frozen(self, vin: str) -> bool:
        return self.value(vin) > 0 and self.ltv_bps(vin) > THRESHOLD_BPS

    def set_valuation(self, actor: str, vin: str, value: int) -> bool:
        if self.role(actor) != "ORACLE" or vin not in self.titles:
            return False
        self.valuations.setdefault(vin, {})[actor] = value
        if self.value(vin):
            self.counted.add(vin)
        return True

    def revoke(self, oracle: str) -> bool:
        if oracle in self.revoked:
            return False
        self.revoked.add(oracle)
        return True

    def active_lenders(self, vin: str) -> set[str]:
        return {self.liens[i].lender for i in self.titles[vin].liens if self.liens[i].active}

    def register(self, actor: str, vin: str, owner: str) -> bool:
        if ROLE[actor] != "REGISTRAR" or vin in self.titles:
            return False
        self.titles[vin] = ModelTitle(owner)
        return True

    @staticmethod
    def authorizes(by: str, actor: str) -> bool:
        """Whether `by`'s authorization admits `actor`'s operation: the owners have no keys here,
        so a registrar's other than the sender's."""
        return ROLE[by] == "REGISTRAR" and by != actor

    def grant(self, actor: str, vin: str, amount: int, consenting: bool, by: str) -> bool:
        t = self.titles.get(vin)
        if ROLE[actor] != "LENDER" or t is None or t.status != TitleStatus.ACTIVE:
            return False
        if not self.authorizes(by, actor):
            return False
        if self.active_lenders(vin) - {actor} and not consenting:
            return False
        if self.value(vin) and (self.frozen(vin) or self.ltv_bps(vin, amount) > THRESHOLD_BPS):
            return False
        if not self.value(vin) and vin in self.counted:  # stale: an oracle left a valued title
            return False
        lien_id = len(self.liens) + 1
        self.liens[lien_id] = ModelLien(vin, actor, amount)
        t.liens.append(lien_id)
        return True

    def release(self, actor: str, lien_id: int) -> bool:
        lien = self.liens.get(lien_id)
        if lien is None or not lien.active or lien.lender != actor:
            return False
        lien.active = False
        return True

    def transfer(self, actor: str, vin: str, to: str, by: str) -> bool:
        t = self.titles.get(vin)
        if ROLE[actor] != "REGISTRAR" or t is None or t.status != TitleStatus.ACTIVE:
            return False
        if not self.authorizes(by, actor):
            return False
        if self.active_lenders(vin) or to == t.owner:
            return False
        t.owner = to
        return True

    def set_status(self, actor: str, vin: str, status: TitleStatus) -> bool:
        t = self.titles.get(vin)
        if ROLE[actor] != "REGISTRAR" or t is None or t.status in (TitleStatus.CANCELLED, status):
            return False
        if status == TitleStatus.CANCELLED:
            return False  # for good: a title is cancelled by a member vote, never by one registrar
        t.status = status
        return True


# Mostly the right role for the operation, sometimes anyone: refusals are tested without drowning
# the sequences that get far enough to exercise consent, release and transfer.
actors = st.sampled_from(ACTORS)
registrars = st.one_of(st.just("registrar"), st.just("registrar"), actors)
# Mostly a second registrar, sometimes anyone (the sender itself, a lender, an oracle).
authorizers = st.one_of(st.just("registrar-b"), st.just("registrar-b"), st.just("registrar"), actors)
lenders = st.one_of(st.sampled_from(["lender-a", "lender-b"]), st.sampled_from(["lender-a", "lender-b"]), actors)
vins = st.sampled_from(VINS)
operations = st.one_of(
    st.tuples(st.just("register"), registrars, vins, st.sampled_from(OWNERS)),
    st.tuples(st.just("grant"), lenders, vins, st.integers(1, 2_000_000), st.booleans(), authorizers),
    st.tuples(st.just("grant"), lenders, vins, st.integers(1, 2_000_000), st.booleans(), authorizers),
    st.tuples(st.just("value"), st.one_of(st.sampled_from(["oracle", "oracle-b"]), actors), vins,
              st.integers(1, 3_000_000)),
    st.tuples(st.just("value"), st.sampled_from(["oracle", "oracle-b"]), vins, st.integers(1, 3_000_000)),
    # Rarely: governance revokes an oracle (a vote of three members).
    st.tuples(st.just("revoke"), st.just("registrar"), st.sampled_from(["oracle", "oracle-b"])),
    # None stands for "the lienholder itself", so that releases get accepted often enough.
    st.tuples(st.just("release"), st.one_of(st.none(), st.none(), actors), st.integers(1, 4)),
    st.tuples(st.just("transfer"), registrars, vins, st.sampled_from(OWNERS), authorizers),
    st.tuples(st.just("set_status"), registrars, vins, st.sampled_from(list(TitleStatus))),
)


def apply(op: tuple, ledgers: dict[str, Ledger], model: Model) -> None:  # type: ignore[type-arg]
    kind, actor, *args = op
    if actor is None:
        lien = model.liens.get(args[0])
        actor = lien.lender if lien else "lender-a"
    ledger = ledgers[actor]
    if kind == "register":
        expected = model.register(actor, *args)
        run = lambda: ledger.register_title(args[0], args[1], doc_cid="bafkreititle")  # noqa: E731
    elif kind == "grant":
        vin, amount, consenting, by = args
        seniors = model.active_lenders(vin) - {actor} if vin in model.titles else set()
        expected = model.grant(actor, vin, amount, consenting, by)
        consents = [
            ledgers[s].sign_consent(vin, lender=ledger.address, amount=amount, currency="USD",
                                    deadline=MATURITY)
            for s in sorted(seniors)
        ] if consenting and ROLE[actor] == "LENDER" else []
        auth = _signed(LienAuthorization, ledgers, by, vin, lender=ledger.address, amount=amount,
                       commitment=NO_COMMITMENT, currency="USD", maturity=MATURITY)
        run = lambda: ledger.grant_lien(vin, amount, currency="USD", maturity=MATURITY, doc_cid="bafkreiloan",  # noqa: E731
                                        consents=consents, authorization=auth)
    elif kind == "value":
        vin, amount = args
        expected = model.set_valuation(actor, vin, amount)
        run = lambda: ledger.set_valuation(vin, amount, currency="USD", doc_cid="bafkreivaluation")  # noqa: E731
    elif kind == "revoke":
        (oracle,) = args
        expected = model.revoke(oracle)
        if not expected:
            return  # its role is gone already: the client would refuse to propose the no-op
        run = lambda: _vote_revocation(ledgers, ledgers[oracle].address)  # noqa: E731
    elif kind == "release":
        expected = model.release(actor, args[0])
        run = lambda: ledger.release_lien(args[0])  # noqa: E731
    elif kind == "transfer":
        vin, to, by = args
        owner = model.titles[vin].owner if vin in model.titles else to
        expected = model.transfer(actor, vin, to, by)
        transfer_auth = _signed(TransferAuthorization, ledgers, by, vin, owner=owner, to=to)
        run = lambda: ledger.transfer_title(vin, to, authorization=transfer_auth, doc_cid="bafkreisale")  # noqa: E731
    else:
        expected = model.set_status(actor, *args)
        run = lambda: ledger.set_title_status(args[0], args[1], doc_cid="bafkreistatus")  # noqa: E731
    try:
        run()
        succeeded = True
    except (errors.ContractRevert, errors.InvalidAuthorizationFile):  # the client refuses a self-signed transfer first
        succeeded = False
    event(f"{kind} {'accepted' if succeeded else 'refused'}")
    assert succeeded == expected, f"{op}: chain {'accepted' if succeeded else 'refused'}, model says otherwise"
    if succeeded and kind in EVENT:  # every accepted state change emits its event, in its own block
        reader = ledgers["registrar"]
        vin = args[0] if kind != "release" else model.liens[args[0]].vin
        head = reader.chain.head()
        assert EVENT[kind] in [e.name for e in reader.history(vin) if e.block == head], op
    if succeeded and kind == "grant" and model.value(args[0]):  # no grant takes a title past the threshold
        assert model.ltv_bps(args[0]) <= THRESHOLD_BPS


def _vote_revocation(ledgers: dict[str, Ledger], oracle: str) -> None:
    pid = ledgers["registrar"].propose_role("ORACLE", oracle, grant=False)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


def _signed(kind: type[S], ledgers: dict[str, Ledger], by: str, vin: str, **terms: object) -> S:
    """`by`'s authorization of these terms, signed as any key could sign it (no client check of
    who may), so that the registry's own refusal is what the model is held to."""
    signer = ledgers[by]
    d = signer.deployment
    return kind.sign(signer._signer.account, chain_id=d.chain_id, registry=d.registry, vin=vin,  # noqa: SLF001
                     token_id=token_id(vin), deadline=MATURITY, **terms)


def assert_matches(reader: Ledger, model: Model, addresses: dict[str, str]) -> None:
    for vin in VINS:
        if vin not in model.titles:
            assert not _registered(reader, vin)
            continue
        expected, actual = model.titles[vin], reader.title(vin)
        assert (actual.owner, actual.status) == (expected.owner, expected.status)
        liens = reader.liens(vin)
        assert [lien.lien_id for lien in liens] == expected.liens
        for lien in liens:
            m = model.liens[lien.lien_id]
            assert (lien.lender, lien.amount, lien.status == LienStatus.ACTIVE) == (addresses[m.lender], m.amount, m.active)
        assert actual.active_liens == sum(model.liens[i].active for i in expected.liens)
        shown = reader.appraisal(vin)
        assert (shown.value, shown.frozen) == (model.value(vin), model.frozen(vin))
        # No title is frozen by a revoked oracle: its valuation counts no more, whatever it was.
        assert not shown.frozen or model.value(vin) > 0


def _registered(reader: Ledger, vin: str) -> bool:
    try:
        reader.title(vin)  # type: ignore[arg-type]
        return True
    except errors.TitleNotFound:
        return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=4, max_size=20))
def test_registry_matches_reference_model(
    copy_profile: Callable[[Path], Profile], ops: list[tuple]  # type: ignore[type-arg]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with copy_profile(Path(tmp)) as profile:
            ledgers = {name: profile.ledger(name) for name in ACTORS}
            addresses = {name: ledgers[name].address for name in ACTORS}
            reader = profile.ledger()
            model = Model()
            # Every sequence starts with the titles registered; later registrations test refusals.
            for n, vin in enumerate(VINS):
                apply(("register", "registrar", vin, OWNERS[n]), ledgers, model)
            for op in ops:
                apply(op, ledgers, model)
                assert_matches(reader, model, addresses)

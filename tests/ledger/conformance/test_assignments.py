"""A lien changes hands (assignment: one lien, or a portfolio under one acceptance) and ranks behind a
junior one (subordination, accepted by the junior's holder); each refusal leaves everything as it was."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, LienStatus, normalize_vin
from lienchain.ledger.registry.assignments import AssignmentAcceptance
from lienchain.ledger.registry.liens import LienTerms
from lienchain.ledger.registry.merkle import LienTree, verify
from lienchain.ledger.registry.vin import check_digit

from .conftest import Backend
from .support import authorize, grant, grant_private, sent, value

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def accept(ledgers: dict[str, Ledger], assignee: str, lien_ids: list[int], assignor: str = "lender-a",
           **kwargs: int) -> AssignmentAcceptance:
    return ledgers[assignee].accept_assignment(lien_ids, assignor=ledgers[assignor].address,
                                               deadline=kwargs.get("deadline", ledgers[assignee].now() + 86400))


def assign(backend: Backend, lien_ids: list[int], to: str, acceptance: AssignmentAcceptance,
           by: str = "lender-a") -> list[int]:
    return [x.lien_id for x in backend.session(by).assign_liens(lien_ids, backend.ledger(to).address,
                                                                  acceptance=acceptance)]


def test_the_merkle_tree_proves_every_lien_and_no_other() -> None:
    for n in (1, 2, 3, 7, 100, 105):
        tree = LienTree(range(1, n + 1))
        assert all(verify(tree.proof(i), tree.root, i) for i in range(1, n + 1))
        assert not verify(tree.proof(1), tree.root, n + 1)
    assert LienTree([5]).proof(5) == []


def test_an_assigned_lien_keeps_its_place_and_its_new_holder_releases_it(
    backend: Backend, titled: dict[str, Ledger]
) -> None:
    first = grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY)
    acceptance = accept(titled, "lender-b", [first.lien_id])
    assert assign(backend, [first.lien_id], "lender-b", acceptance) == [first.lien_id]

    now = titled["reader"].lien(first.lien_id)
    assert now == replace(first, lender=titled["lender-b"].address)  # same priority, grant time, amount
    event = titled["reader"].history(VIN)[-1]
    assert event.name == "LienAssigned" and event.args["from"] == titled["lender-a"].address
    assert event.args["to"] == titled["lender-b"].address
    assert Ledger(backend.chain, backend.deployment).liens(VIN) == titled["reader"].liens(VIN)  # index = chain

    # The new holder consents to junior liens: the old one's consent no longer counts.
    old = titled["lender-a"].sign_consent(VIN, lender=titled["lender-a"].address, amount=500, currency="USD",
                                          deadline=titled["lender-a"].now() + 86400)
    before = sent(titled)
    with pytest.raises(errors.ConsentRejected):
        grant(titled, "lender-a", VIN, 500, maturity=MATURITY, consents=[old])
    assert sent(titled) == before
    with pytest.raises(errors.RegistryNotLienholder):
        titled["lender-a"].release_lien(first.lien_id)
    assert titled["lender-b"].release_lien(first.lien_id).status == LienStatus.RELEASED
    # Done is done: a second run finds nothing left to assign.
    with pytest.raises(errors.NotAssignor):
        assign(backend, [first.lien_id], "lender-b", acceptance)


def test_an_assignment_without_the_assignees_acceptance_is_refused(
    backend: Backend, titled: dict[str, Ledger]
) -> None:
    lien = grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY)
    other = grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY)
    lender_a, lender_b = titled["lender-a"], titled["lender-b"].address
    before = sent(titled)
    # Signed by someone else than the assignee (here the assignor itself, for itself as assignor).
    forged = accept(titled, "lender-a", [lien.lien_id])
    forged = replace(forged, assignee=lender_b)  # the file says lender-b: its signature says otherwise
    with pytest.raises(errors.RegistryNotAccepted) as refused:
        lender_a.assign_liens([(lien, "bafkreiassign")], lender_b, portfolio=[lien.lien_id], acceptance=forged)
    assert refused.value.signer != lender_b
    # Accepted for another portfolio: the client names it; the registry refuses it too.
    acceptance = accept(titled, "lender-b", [other.lien_id])
    with pytest.raises(errors.InvalidAcceptanceFile, match="portfolio"):
        assign(backend, [lien.lien_id], "lender-b", acceptance)
    with pytest.raises(errors.RegistryNotAccepted):
        lender_a.assign_liens([(lien, "bafkreiassign")], lender_b, portfolio=[lien.lien_id, other.lien_id],
                              acceptance=acceptance)
    # To an account that is no LENDER.
    to_oracle = accept(titled, "oracle", [lien.lien_id])
    with pytest.raises(errors.RegistryInvalidAssignee):
        assign(backend, [lien.lien_id], "oracle", to_oracle)
    # By someone who does not hold it.
    stolen = accept(titled, "lender-b", [lien.lien_id], assignor="registrar")
    with pytest.raises(errors.NotAssignor):
        assign(backend, [lien.lien_id], "lender-b", stolen, by="registrar")
    with pytest.raises(errors.RegistryNotLienholder):
        titled["registrar"].assign_liens([(lien, "bafkreiassign")], lender_b, portfolio=[lien.lien_id],
                                         acceptance=stolen)
    # Expired.
    late = accept(titled, "lender-b", [lien.lien_id], deadline=titled["reader"].chain.time() - 1)  # before the last block
    with pytest.raises(errors.InvalidAcceptanceFile, match="expired"):
        assign(backend, [lien.lien_id], "lender-b", late)
    with pytest.raises(errors.RegistryAcceptanceExpired):
        lender_a.assign_liens([(lien, "bafkreiassign")], lender_b, portfolio=[lien.lien_id], acceptance=late)
    assert sent(titled) == before
    assert {x.lender for x in titled["reader"].liens(VIN)} == {lender_a.address}


def test_an_acceptance_counts_once_per_lien(backend: Backend, titled: dict[str, Ledger]) -> None:
    lien = grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY)
    acceptance = accept(titled, "lender-b", [lien.lien_id])
    assign(backend, [lien.lien_id], "lender-b", acceptance)
    back = accept(titled, "lender-a", [lien.lien_id], assignor="lender-b")
    assign(backend, [lien.lien_id], "lender-a", back, by="lender-b")
    before = sent(titled)
    with pytest.raises(errors.RegistryAcceptanceUsed):
        assign(backend, [lien.lien_id], "lender-b", acceptance)
    assert sent(titled) == before and titled["reader"].lien(lien.lien_id).lender == titled["lender-a"].address


def test_a_portfolio_is_assigned_in_batches_under_one_acceptance_and_a_rerun_skips_what_is_done(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    lender = ledgers["lender-a"]
    bodies = [f"1M8GDM9A0KP0427{n:02d}" for n in range(10, 17)]
    vins = [normalize_vin(b[:8] + check_digit(b) + b[9:]) for b in bodies]
    for v in vins:
        ledgers["registrar"].register_title(v, Account.create().address, doc_cid="bafkreititle")
    items = [LienTerms(v, 100 + k, "USD", MATURITY, doc_cid="bafkreiloan",
                       authorization=authorize(ledgers, "lender-a", v, 100 + k, maturity=MATURITY))
             for v in vins for k in range(15)]
    ids = lender.grant_liens(items)
    assert len(ids) == 105
    acceptance = accept(ledgers, "lender-b", ids)
    # An interrupted run: the first 30 went through.
    first = lender.pending_assignment(ids, ledgers["lender-b"].address, acceptance)[:30]
    lender.assign_liens([(x, "bafkreiassign") for x in first], ledgers["lender-b"].address, portfolio=ids,
                        acceptance=acceptance)
    rounds: list[int] = []
    assigned = backend.session("lender-a").assign_liens(ids, ledgers["lender-b"].address, acceptance=acceptance,
                                                        on_batch=rounds.append)
    assert [x.lien_id for x in assigned] == ids[30:] and sum(rounds) == 75
    assert all(ledgers["reader"].lien(i).lender == ledgers["lender-b"].address for i in ids)
    before = sent(ledgers)
    assert backend.session("lender-a").assign_liens(ids, ledgers["lender-b"].address, acceptance=acceptance) == []
    assert sent(ledgers) == before


def test_an_assigned_private_lien_opens_for_its_new_holder(backend: Backend, titled: dict[str, Ledger]) -> None:
    value(titled, VIN, 2_000_000)
    lien = grant_private(backend.session, "lender-a", VIN, 900_000, maturity=MATURITY)
    assign(backend, [lien.lien_id], "lender-b", accept(titled, "lender-b", [lien.lien_id]))
    assert backend.session("lender-b").open_lien(lien.lien_id).value == 900_000
    assert backend.session("auditor").open_lien(lien.lien_id).value == 900_000
    state = backend.session("lender-b").prove_lien(lien.lien_id)
    assert not state.due
    revealed = backend.session("lender-b").reveal_lien(lien.lien_id)
    assert revealed.amount == 900_000 and revealed.lender == titled["lender-b"].address


def three_liens(titled: dict[str, Ledger]) -> list[int]:
    """Liens 1 and 2 of lender-a, 3 of lender-b (with lender-a's consent)."""
    one = grant(titled, "lender-a", VIN, 1_000, maturity=MATURITY)
    two = grant(titled, "lender-a", VIN, 2_000, maturity=MATURITY)
    ok = titled["lender-a"].sign_consent(VIN, lender=titled["lender-b"].address, amount=3_000, currency="USD",
                                         deadline=titled["lender-a"].now() + 86400)
    three = grant(titled, "lender-b", VIN, 3_000, maturity=MATURITY, consents=[ok])
    return [one.lien_id, two.lien_id, three.lien_id]


def test_a_senior_ranks_behind_a_junior_that_accepted_and_those_between_move_up(
    backend: Backend, titled: dict[str, Ledger]
) -> None:
    one, two, three = three_liens(titled)
    acceptance = titled["lender-b"].accept_subordination(one, three, deadline=titled["lender-b"].now() + 86400)
    order = backend.session("lender-a").subordinate_lien(one, three, acceptance=acceptance)
    assert [x.lien_id for x in order] == [two, three, one]
    assert [(x.lien_id, x.priority) for x in titled["reader"].liens(VIN)] == [(two, 1), (three, 2), (one, 3)]
    assert Ledger(backend.chain, backend.deployment).liens(VIN) == titled["reader"].liens(VIN)  # index = chain
    event = titled["reader"].history(VIN)[-1]
    assert event.name == "LienSubordinated"
    assert (event.args["previousOrder"], event.args["order"]) == ([one, two, three], [two, three, one])
    assert event.doc_cid


def test_a_subordination_is_refused_without_the_juniors_acceptance_or_out_of_order(
    backend: Backend, titled: dict[str, Ledger]
) -> None:
    one, two, three = three_liens(titled)
    deadline = titled["reader"].now() + 86400
    lender_a = titled["lender-a"]
    before, liens = sent(titled), titled["reader"].liens(VIN)
    signed_by_senior = lender_a.accept_subordination(one, two, deadline=deadline)  # lender-a holds 2
    with pytest.raises(errors.RegistryNotAccepted):  # ... but 3 is lender-b's
        lender_a.subordinate_lien(one, three, acceptance=replace(signed_by_senior, behind_lien_id=three),
                                  doc_cid="bafkreiagreement")
    with pytest.raises(errors.NotAssignor):  # lender-a cannot accept for lien 3
        lender_a.accept_subordination(one, three, deadline=deadline)
    by_senior = lender_a.accept_subordination(three, one, deadline=deadline)
    with pytest.raises(errors.RegistryNotSenior):  # 3 is junior to 1: it cannot rank "behind" it
        titled["lender-b"].subordinate_lien(three, one, acceptance=by_senior, doc_cid="bafkreiagreement")
    accepted = titled["lender-b"].accept_subordination(one, three, deadline=deadline)
    with pytest.raises(errors.RegistryNotLienholder):  # only the senior's holder subordinates it
        titled["lender-b"].subordinate_lien(one, three, acceptance=accepted, doc_cid="bafkreiagreement")
    with pytest.raises(errors.RegistryDocumentRequired):
        lender_a.subordinate_lien(one, three, acceptance=accepted, doc_cid="")
    assert sent(titled) == before and titled["reader"].liens(VIN) == liens


def test_a_private_lien_stays_first(backend: Backend, titled: dict[str, Ledger]) -> None:
    value(titled, VIN, 2_000_000)
    private = grant_private(backend.session, "lender-a", VIN, 900_000, maturity=MATURITY, acknowledged=True)
    backend.session("lender-a").prove_lien(private.lien_id, reserve=10_000)  # room for a junior
    ok = titled["lender-a"].sign_consent(VIN, lender=titled["lender-b"].address, amount=1_000, currency="USD",
                                         deadline=titled["lender-a"].now() + 86400)
    junior = grant(titled, "lender-b", VIN, 1_000, maturity=MATURITY, consents=[ok])
    acceptance = titled["lender-b"].accept_subordination(private.lien_id, junior.lien_id,
                                                         deadline=titled["reader"].now() + 86400)
    before = sent(titled)
    with pytest.raises(errors.RegistryPrivateLienStaysFirst):
        titled["lender-a"].subordinate_lien(private.lien_id, junior.lien_id, acceptance=acceptance,
                                            doc_cid="bafkreiagreement")
    assert sent(titled) == before
    backend.session("lender-a").reveal_lien(private.lien_id)
    order = titled["lender-a"].subordinate_lien(private.lien_id, junior.lien_id, acceptance=acceptance,
                                                doc_cid="bafkreiagreement")
    assert [x.lien_id for x in order] == [junior.lien_id, private.lien_id]

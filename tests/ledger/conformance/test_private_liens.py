"""Private liens: only a commitment on chain, refused unless both proofs verify, opened only by
the lender and the auditors, and re-proved when what the threshold allows falls."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry import private
from lienchain.ledger.registry.authorization import commitment_hash
from lienchain.ledger.registry.roles import role_id
from lienchain.ledger.workspace.session import Session
from lienchain.zk.pedersen import Opening

from .conftest import Backend
from .support import grant, grant_private, limit_of_last_write, sent, value

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400
AMOUNT = 1_337_421  # 13,374.21: a figure that occurs nowhere else on this chain


@pytest.fixture
def valued(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    value(ledgers, VIN, 2_000_000, currency="USD")  # 70% of it: 1,400,000
    return ledgers


def session(backend: Backend, name: str) -> Session:
    return backend.session(name)


def one_second_proof_window(ledgers: dict[str, Ledger]) -> None:
    """Votes a proof window of one second (three of the five members), so that deadlines pass
    within a test, on the chain's clock."""
    pid = ledgers["registrar"].propose_proof_window(1)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed


def test_a_private_lien_puts_only_a_commitment_on_chain(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    assert lien.private and lien.amount == 0 and lien.active
    state = valued["reader"].private_lien(VIN)
    assert state is not None and (state.lien_id, state.proven_limit, state.due) == (lien.lien_id, 1_400_000, False)
    assert valued["reader"].appraisal(VIN).secured == 0  # the public total knows nothing of it


def test_an_auditor_opens_a_private_lien_and_another_lender_cannot(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    assert session(backend, "auditor").open_lien(lien.lien_id).value == AMOUNT
    assert session(backend, "lender-a").open_lien(lien.lien_id).value == AMOUNT
    with pytest.raises(errors.NotARecipient, match="sealed for its lender and the auditors"):
        session(backend, "lender-b").open_lien(lien.lien_id)


def test_an_amount_over_the_threshold_is_refused_before_anything_is_sent(backend: Backend, valued: dict[str, Ledger]) -> None:
    before = sent(valued)
    with pytest.raises(errors.ProofError, match="1400000 minor units"):
        grant_private(lambda n: session(backend, n), "lender-a", VIN, 1_400_001, currency="USD", maturity=MATURITY)
    assert sent(valued) == before
    assert valued["reader"].private_lien(VIN) is None


def test_a_private_lien_must_be_the_first_and_needs_a_valuation(backend: Backend, ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    with pytest.raises(errors.ProofError, match="has no valuation to prove an amount against"):
        grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    value(ledgers, VIN, 2_000_000, currency="USD")
    grant(ledgers, "lender-b", VIN, 100_000, currency="USD", maturity=MATURITY)
    with pytest.raises(errors.InvalidOperation, match="must be a title's first lien"):
        grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    assert ledgers["reader"].private_lien(VIN) is None


def test_a_lower_valuation_makes_a_proof_due_and_a_new_proof_settles_it(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    value(valued, VIN, 1_950_000, currency="USD")  # allows 1,365,000: still above the amount
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.due and not state.overdue and state.limit == 1_365_000
    events = valued["reader"].history(VIN)
    # The first oracle's lower valuation made it due (the median of the two allows 1,382,500).
    assert [e.name for e in events][-3:] == ["ValuationSet", "LienProofDue", "ValuationSet"]

    with pytest.raises(errors.NotARecipient):  # another lender cannot: it cannot open the amount
        session(backend, "lender-b").prove_lien(lien.lien_id)
    with pytest.raises(errors.RegistryRevealNotAllowed):  # due, but its lender's window is still open
        session(backend, "auditor").reveal_lien(lien.lien_id)
    proved = session(backend, "lender-a").prove_lien(lien.lien_id)
    assert (proved.due, proved.proven_limit) == (False, 1_365_000)


def test_an_overdue_proof_freezes_the_title_until_the_lien_is_proved(backend: Backend, valued: dict[str, Ledger]) -> None:
    one_second_proof_window(valued)
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    value(valued, VIN, 1_950_000, currency="USD")
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.due and not state.overdue
    # The deadline passes on the chain's clock, which moves only with its blocks: wait for the
    # wall clock to pass it, then have a block mined (on either backend).
    while valued["reader"].chain.time() <= state.deadline:
        time.sleep(max(0.0, state.deadline + 1 - time.time()))
        value(valued, VIN, 1_950_000, currency="USD")
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.overdue
    with pytest.raises(errors.TitleFrozen, match=f"private lien {lien.lien_id} owed a new loan-to-value proof"):
        grant(valued, "lender-b", VIN, 1_000, currency="USD", maturity=MATURITY)
    assert valued["reader"].liens(VIN)[-1].lien_id == lien.lien_id  # the refused grant left nothing
    session(backend, "lender-a").prove_lien(lien.lien_id, reserve=1_000)  # room for a junior lien of 1,000
    grant(valued, "lender-b", VIN, 1_000, currency="USD", maturity=MATURITY, consents=[
        valued["lender-a"].sign_consent(VIN, lender=valued["lender-b"].address, amount=1_000, currency="USD",
                                        deadline=MATURITY)
    ])
    state = valued["reader"].private_lien(VIN)
    assert state is not None and not state.due and state.limit == state.proven_limit == 1_364_000


def test_a_lien_that_no_longer_fits_cannot_be_proved_until_it_is_released(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    value(valued, VIN, 1_500_000, currency="USD")  # allows 1,050,000 < the amount
    with pytest.raises(errors.ProofError, match="over what the loan-to-value threshold allows"):
        session(backend, "lender-a").prove_lien(lien.lien_id)
    valued["lender-a"].release_lien(lien.lien_id)
    assert valued["reader"].private_lien(VIN) is None


def test_the_largest_proofs_are_sent_on_their_estimates(backend: Backend, ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    value(ledgers, VIN, 2**40 - 1, currency="USD")  # the largest: a 40-bit limit
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, 2**40 // 2, currency="USD", maturity=MATURITY,
                         acknowledged=False)  # the grant is the last write
    limit_of_last_write(ledgers["reader"])
    value(ledgers, VIN, 2**40 - 2, currency="USD")
    session(backend, "lender-a").prove_lien(lien.lien_id)
    limit_of_last_write(ledgers["reader"])


def test_a_private_lien_counts_at_its_proven_limit_for_every_new_lien(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    # Its own lender cannot add a public lien beside it either: the private one takes the whole 70%.
    with pytest.raises(errors.LtvExceeded, match="to 70.1% of its value"):
        grant(valued, "lender-a", VIN, 2_000, currency="USD", maturity=MATURITY)
    assert [x.lien_id for x in valued["reader"].liens(VIN)] == [lien.lien_id]
    session(backend, "lender-a").prove_lien(lien.lien_id, reserve=50_000)
    with pytest.raises(errors.LtvExceeded):
        grant(valued, "lender-a", VIN, 50_001, currency="USD", maturity=MATURITY)
    grant(valued, "lender-a", VIN, 50_000, currency="USD", maturity=MATURITY)
    state = valued["reader"].private_lien(VIN)
    assert state is not None and (state.proven_limit, state.limit, state.due) == (1_350_000, 1_350_000, False)
    with pytest.raises(errors.ProofError, match="over what the loan-to-value threshold allows"):
        session(backend, "lender-a").prove_lien(lien.lien_id, reserve=20_000)  # 1,330,000 < the amount


def _send_grant(ledger: Ledger, proofs: private.GrantProofs, registrar: Ledger) -> None:
    c = proofs.commitment
    auth = registrar.authorize_lien(VIN, lender=ledger.address, amount=0, currency="USD", maturity=MATURITY,
                                    deadline=MATURITY, commitment=commitment_hash(c.x, c.y))
    fn = ledger.registry.functions.grantPrivateLien(ledger._token(VIN), proofs.as_argument(), b"USD", MATURITY, "bafkreiloan",  # noqa: SLF001
                                                    auth.as_argument())
    ledger._signer.send(fn)  # noqa: SLF001


def test_the_registry_refuses_proofs_made_for_anything_else(valued: dict[str, Ledger]) -> None:
    lender = valued["lender-a"]
    d, token, opening = lender.deployment, lender._token(VIN), Opening.random(AMOUNT)  # noqa: SLF001
    good = private.prove_grant(d, token, lender.address, opening, 2_000_000, 7000)
    other_lender = private.prove_grant(d, token, valued["lender-b"].address, opening, 2_000_000, 7000)
    other_title = private.prove_grant(d, token + 1, lender.address, opening, 2_000_000, 7000)
    old_value = private.prove_grant(d, token, lender.address, opening, 2_100_000, 7000)
    tampered = private.GrantProofs(good.commitment, good.range_proof, good.ltv_proof[:-1] + bytes([good.ltv_proof[-1] ^ 1]))
    swapped = private.GrantProofs(good.commitment, good.ltv_proof, good.range_proof)
    for bad in (other_lender, other_title, old_value, tampered, swapped,
                private.GrantProofs(Opening.random(AMOUNT).commit(), good.range_proof, good.ltv_proof)):
        with pytest.raises(errors.InvalidOperation, match="refused the proof"):
            _send_grant(lender, bad, valued["registrar"])
    assert valued["reader"].private_lien(VIN) is None and valued["reader"].liens(VIN) == []
    with pytest.raises(errors.MissingRole):
        _send_grant(valued["oracle"], good, valued["registrar"])
    _send_grant(lender, good, valued["registrar"])  # and the right one passes
    assert valued["reader"].private_lien(VIN) is not None


def test_a_lower_threshold_makes_a_proof_due_from_the_change(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    pid = valued["registrar"].propose_ltv_threshold(6900)  # allows 1,380,000: still above the amount
    valued["lender-a"].approve(pid)
    assert valued["lender-b"].approve(pid).executed
    changed_at = valued["reader"].chain.time()
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.due and state.limit == 1_380_000
    assert state.deadline == changed_at + 7 * 86400 and not state.overdue
    assert session(backend, "lender-a").prove_lien(lien.lien_id).due is False


def test_the_sealed_opening_is_the_same_size_whatever_the_amount(backend: Backend) -> None:
    sizes = {
        len(private.opening_record(Opening.random(amount), vin=VIN, lender="0x" + "ab" * 20, currency="USD", document=None))
        for amount in (1, 99, 1_337_421, 2**40 - 1)
    }
    assert len(sizes) == 1


def _replay(ledger: Ledger, calldata: bytes) -> None:
    fn, args = ledger.registry.decode_function_input(calldata)
    ledger._signer.send(getattr(ledger.registry.functions, fn.fn_name)(**args))  # noqa: SLF001


def test_an_earlier_proof_replayed_cannot_undo_a_reserve(backend: Backend, valued: dict[str, Ledger]) -> None:
    lender = session(backend, "lender-a")
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, maturity=MATURITY)
    lender.prove_lien(lien.lien_id)  # no reserve: the lien counts at the whole 1,400,000
    w3 = backend.chain.w3
    last = w3.eth.get_block("latest", full_transactions=True)["transactions"][-1]
    first = bytes(last.get("input", last.get("data", b"")))  # eth-tester names it "data"
    lender.prove_lien(lien.lien_id, reserve=50_000)  # room for a junior lien of 50,000
    before = valued["reader"].private_lien(VIN)
    assert before is not None and before.proven_limit == 1_350_000

    with pytest.raises(errors.InvalidOperation, match="refused the proof"):
        _replay(valued["lender-b"], first)  # anyone's replay of the earlier proof
    with pytest.raises(errors.InvalidOperation, match="refused the proof"):
        _replay(valued["lender-a"], first)  # the lender's own too
    assert valued["reader"].private_lien(VIN) == before
    grant(valued, "lender-b", VIN, 50_000, currency="USD", maturity=MATURITY, consents=[
        valued["lender-a"].sign_consent(VIN, lender=valued["lender-b"].address, amount=50_000, currency="USD",
                                        deadline=MATURITY)
    ])


def test_an_auditors_proof_file_cannot_be_sent_to_the_registry_as_a_lien_proof(
    backend: Backend, valued: dict[str, Ledger]
) -> None:
    from lienchain.ledger.workspace import audit

    lender = session(backend, "lender-a")
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, maturity=MATURITY)
    lender.prove_lien(lien.lien_id, reserve=50_000)
    before = valued["reader"].private_lien(VIN)
    document = audit.prove_ltv(session(backend, "auditor"), lien.lien_id, threshold_bps=7000)  # no deduction
    proof = bytes.fromhex(document["proof"][2:])
    fn = valued["lender-b"].registry.functions.proveLien(lien.lien_id, 0, proof)
    with pytest.raises(errors.InvalidOperation, match="refused the proof"):
        valued["lender-b"]._signer.send(fn)  # noqa: SLF001
    assert valued["reader"].private_lien(VIN) == before


def test_a_proof_due_by_age_is_told_by_a_review_and_its_end_by_the_next_valuation(
    backend: Backend, valued: dict[str, Ledger]
) -> None:
    lien = grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    pid = valued["registrar"].propose_staleness_window(2)
    valued["lender-a"].approve(pid)
    assert valued["lender-b"].approve(pid).executed
    valued_at = valued["reader"].valuations(VIN)[0].valued_at
    while valued["reader"].chain.time() <= valued_at + 2:  # the valuation ages out: no transaction on the title
        time.sleep(max(0.0, valued_at + 3 - time.time()))
        valued["registrar"].send_value(Account.create().address, 1)
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.due and state.limit == 0
    assert "LienProofDue" not in [e.name for e in valued["reader"].history(VIN)]

    valued["auditor"].review_title(VIN)  # anyone
    due = valued["reader"].history(VIN)[-1]
    assert (due.name, due.args["lienId"], due.args["limit"]) == ("LienProofDue", lien.lien_id, 0)
    value(valued, VIN, 2_000_000, currency="USD")
    settled = [e for e in valued["reader"].history(VIN) if e.name == "LienProofSettled"]
    assert [(e.args["lienId"], e.args["limit"]) for e in settled] == [(lien.lien_id, 1_400_000)]
    state = valued["reader"].private_lien(VIN)
    assert state is not None and not state.due


def test_a_review_never_moves_the_deadline_of_a_proof_due_by_age(backend: Backend, valued: dict[str, Ledger]) -> None:
    one_second_proof_window(valued)
    grant_private(lambda n: session(backend, n), "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    pid = valued["registrar"].propose_staleness_window(2)
    valued["lender-a"].approve(pid)
    assert valued["lender-b"].approve(pid).executed
    for _ in range(30):  # the valuation ages out, then the proof window passes, on the chain's clock
        before = valued["reader"].private_lien(VIN)
        assert before is not None
        if before.due and valued["reader"].chain.time() > before.deadline:
            break
        time.sleep(1)
        valued["registrar"].send_value(Account.create().address, 1)
    assert before.overdue
    valued["lender-a"].review_title(VIN)  # the lienholder itself reviews: the deadline stays
    after = valued["reader"].private_lien(VIN)
    assert after is not None and after.overdue and after.deadline == before.deadline


# --- the auditors' acknowledgement -----------------------------------------------------------------


def test_an_auditor_acknowledges_a_private_lien_it_opened_once(backend: Backend, valued: dict[str, Ledger]) -> None:
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, maturity=MATURITY, acknowledged=False)
    state = valued["reader"].private_lien(VIN)
    assert state is not None and not state.acknowledged
    before = sent(valued)
    with pytest.raises(errors.MissingRole, match="AUDITOR"):
        valued["lender-b"].acknowledge_lien(lien.lien_id)
    assert sent(valued) == before

    state = session(backend, "auditor").acknowledge_lien(lien.lien_id)
    assert state.acknowledged
    last = valued["reader"].history(VIN)[-1]
    assert (last.name, last.args["lienId"], last.args["auditor"]) == ("LienAcknowledged", lien.lien_id,
                                                                       valued["auditor"].address)
    before = sent(valued)
    with pytest.raises(errors.RegistryLienAcknowledged):
        valued["auditor"].acknowledge_lien(lien.lien_id)
    assert sent(valued) == before


def test_a_private_lien_sealed_for_its_lender_alone_is_never_acknowledged_and_stops_new_liens(
    backend: Backend, valued: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    one_second_proof_window(valued)
    lender = session(backend, "lender-a")
    monkeypatch.setattr(lender, "_auditors", lambda: [])  # a client that seals the amount for its lender alone
    lien = grant_private(lambda n: lender if n == "lender-a" else session(backend, n), "lender-a", VIN, AMOUNT,
                         maturity=MATURITY, acknowledged=False)

    before = sent(valued)
    with pytest.raises(errors.NotARecipient):  # no auditor can open it, so none acknowledges it
        session(backend, "auditor").acknowledge_lien(lien.lien_id)
    assert sent(valued) == before

    # The proof window after the grant passes on the chain's clock (it moves with its blocks).
    due = valued["reader"].lien(lien.lien_id).granted_at + 1
    while valued["reader"].chain.time() <= due:
        time.sleep(max(0.0, due + 1 - time.time()))
        value(valued, VIN, 2_000_000, currency="USD")
    consent = valued["lender-a"].sign_consent(VIN, lender=valued["lender-b"].address, amount=1_000, currency="USD",
                                              deadline=MATURITY)
    before = sent(valued)
    with pytest.raises(errors.RegistryLienUnacknowledged) as refused:
        grant(valued, "lender-b", VIN, 1_000, currency="USD", maturity=MATURITY, consents=[consent])
    assert isinstance(refused.value, errors.TitleFrozen) and refused.value.lien_id == lien.lien_id
    assert sent(valued) == before and [x.lien_id for x in valued["reader"].liens(VIN)] == [lien.lien_id]
    state = valued["reader"].private_lien(VIN)
    assert state is not None and not state.acknowledged


def test_its_holder_reveals_a_private_lien_which_then_counts_at_its_amount(
    backend: Backend, valued: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    opening = session(backend, "lender-a").open_lien(lien.lien_id)
    # Beside the private lien at its proven limit (all 1,400,000 the threshold allows), nothing fits.
    with pytest.raises(errors.LtvExceeded):
        grant(valued, "lender-b", VIN, 62_579, currency="USD", maturity=MATURITY)

    before = sent(valued)
    for name in ("lender-b", "auditor"):  # neither its holder nor, before an overdue proof, an auditor
        with pytest.raises(errors.RegistryRevealNotAllowed):
            valued[name].reveal_lien(lien.lien_id, opening)
    with pytest.raises(errors.ProofError, match="does not open"):  # the client checks first
        valued["lender-a"].reveal_lien(lien.lien_id, Opening(AMOUNT + 1, opening.blinding))
    wrong = Opening(AMOUNT + 1, opening.blinding)  # a client that skipped the check
    monkeypatch.setattr(valued["lender-a"]._private, "commitment", lambda _lien_id: wrong.commit())
    with pytest.raises(errors.RegistryInvalidOpening):
        valued["lender-a"].reveal_lien(lien.lien_id, wrong)
    monkeypatch.undo()
    assert sent(valued) == before
    assert valued["reader"].private_lien(VIN) is not None and valued["reader"].lien(lien.lien_id).private

    revealed = session(backend, "lender-a").reveal_lien(lien.lien_id)
    assert (revealed.private, revealed.amount, revealed.active) == (False, AMOUNT, True)
    assert valued["reader"].private_lien(VIN) is None and valued["reader"].appraisal(VIN).secured == AMOUNT
    last = valued["reader"].history(VIN)[-1]
    assert (last.name, last.args["lienId"], last.args["amount"], last.args["by"]) == (
        "LienRevealed", lien.lien_id, AMOUNT, valued["lender-a"].address)
    assert valued["reader"].liens(VIN)[0].amount == AMOUNT  # the index knows the amount too
    with pytest.raises(errors.LienIsPublic):
        session(backend, "lender-a").prove_lien(lien.lien_id)
    # At its amount, it leaves the rest of the threshold for a junior lien.
    consent = valued["lender-a"].sign_consent(VIN, lender=valued["lender-b"].address, amount=62_579, currency="USD",
                                              deadline=MATURITY)
    junior = grant(valued, "lender-b", VIN, 62_579, currency="USD", maturity=MATURITY, consents=[consent])
    assert junior.active and valued["reader"].appraisal(VIN).ltv_bps == 7000


def test_an_auditor_reveals_an_overdue_private_lien_and_the_public_rules_then_freeze_its_title(
    backend: Backend, valued: dict[str, Ledger]
) -> None:
    one_second_proof_window(valued)
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    value(valued, VIN, 1_900_000, currency="USD")  # allows 1,330,000: the amount no longer fits
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.due
    while valued["reader"].chain.time() <= state.deadline:  # the deadline passes on the chain's clock
        time.sleep(max(0.0, state.deadline + 1 - time.time()))
        value(valued, VIN, 1_900_000, currency="USD")
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.overdue and not valued["reader"].appraisal(VIN).frozen

    before = sent(valued)
    opening = session(backend, "auditor").open_lien(lien.lien_id)
    with pytest.raises(errors.RegistryRevealNotAllowed):  # overdue or not, another lender may not
        valued["lender-b"].reveal_lien(lien.lien_id, opening)
    assert sent(valued) == before

    revealed = session(backend, "auditor").reveal_lien(lien.lien_id)
    assert (revealed.private, revealed.amount) == (False, AMOUNT)
    names = [e.name for e in valued["reader"].history(VIN)]
    assert names[-2:] == ["LienRevealed", "LtvAlert"]  # 1,337,421 of 1,900,000: 70.39%
    a = valued["reader"].appraisal(VIN)
    assert a.frozen and a.secured == AMOUNT and valued["reader"].private_lien(VIN) is None
    with pytest.raises(errors.RegistryTitleFrozen):
        grant(valued, "lender-b", VIN, 1_000, currency="USD", maturity=MATURITY)


def test_an_auditor_may_not_reveal_a_lien_whose_title_has_no_value_to_prove_it_against(
    backend: Backend, valued: dict[str, Ledger]
) -> None:
    one_second_proof_window(valued)
    lien = grant_private(backend.session, "lender-a", VIN, AMOUNT, currency="USD", maturity=MATURITY)
    proven_at = valued["reader"].private_lien(VIN).proven_at  # type: ignore[union-attr]
    while valued["reader"].chain.time() <= proven_at + 1:  # the proof is older than the window
        time.sleep(max(0.0, proven_at + 2 - time.time()))
        value(valued, VIN, 2_000_000, currency="USD")
    # One oracle gives its role up: one fresh valuation is left, fewer than the two a value needs,
    # so the proof is due at once, past a deadline counted from the proof, and cannot be made.
    oracle = valued["oracle-b"]
    oracle._signer.send(oracle.registry.functions.renounceRole(role_id("ORACLE"), oracle.address))  # noqa: SLF001
    valued["auditor"].review_title(VIN)  # marks the due proof
    state = valued["reader"].private_lien(VIN)
    assert state is not None and state.overdue and valued["reader"].appraisal(VIN).value == 0
    with pytest.raises(errors.ProofError):
        session(backend, "lender-a").prove_lien(lien.lien_id)
    time.sleep(2)  # a window after the mark: still no value, so still no reveal
    valued["auditor"].review_title(VIN)
    before = sent(valued)
    with pytest.raises(errors.RegistryRevealNotAllowed):
        session(backend, "auditor").reveal_lien(lien.lien_id)
    assert sent(valued) == before and valued["reader"].lien(lien.lien_id).private

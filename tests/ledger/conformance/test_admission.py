"""An admission proposal counts only if its call admits exactly the card it shows."""

from __future__ import annotations

import pytest
from eth_account import Account

from lienchain.errors import InvalidCard
from lienchain.ledger import Ledger
from lienchain.networks import MemberCard
from lienchain.networks.consortium import admission_description, check_admission, parse_admission

from ...cards import make_card

def _card() -> MemberCard:
    return make_card("bank-c", "10.0.0.5")[0]


def test_an_admission_whose_call_matches_its_card_is_recognised(ledgers: dict[str, Ledger]) -> None:
    card, registrar = _card(), ledgers["registrar"]
    pid = registrar.propose_admission(card.account, card.sealer, ["LENDER"], admission_description(card, ("LENDER",)))
    proposal = registrar.proposal(pid)
    parsed = parse_admission(proposal, registrar)
    assert parsed is not None and parsed[0] == card and parsed[1] == ("LENDER",)
    check_admission(proposal, registrar)


@pytest.mark.parametrize("swap", ["sealer", "roles"])
def test_an_admission_showing_one_card_over_another_call_is_refused(ledgers: dict[str, Ledger], swap: str) -> None:
    card, registrar = _card(), ledgers["registrar"]
    sealer = Account.create().address if swap == "sealer" else card.sealer
    roles = ["LENDER", "AUDITOR"] if swap == "roles" else ["LENDER"]
    pid = registrar.propose_admission(card.account, sealer, roles, admission_description(card, ("LENDER",)))
    proposal = registrar.proposal(pid)
    assert parse_admission(proposal, registrar) is None
    with pytest.raises(InvalidCard, match="does not admit exactly"):
        check_admission(proposal, registrar)
    assert ledgers["reader"].proposal(pid).approvals == 1  # nothing voted on its behalf

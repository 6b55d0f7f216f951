"""Proposals expire in chain time: a vote after the voting period is refused.

On the embedded chain only, whose clock a test can move (py-evm's, through `eth_now`): a geth
node's blocks carry its host's time, and the voting period is at least a day. What does not need
the clock to move (the expiry each proposal records, the voting period's vote) runs on every
backend in conformance/test_governance.py.
"""

from __future__ import annotations

import time

import eth._utils.headers
import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin

DAY = 86400


def move_clock(monkeypatch: pytest.MonkeyPatch, ledgers: dict[str, Ledger], seconds: int) -> None:
    """Moves the embedded chain's clock `seconds` ahead and has a block mined at the new time."""
    monkeypatch.setattr(eth._utils.headers, "eth_now", lambda: int(time.time()) + seconds)
    ledgers["registrar"].register_title(normalize_vin("1M8GDM9AXKP042788"), Account.create().address, doc_cid="bafkreititle")


def test_an_expired_proposal_can_be_neither_approved_nor_carried(
    ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    ledgers["lender-a"].approve(pid)  # 2 of 5: the next approval would carry it
    move_clock(monkeypatch, ledgers, 14 * DAY + 60)
    p = reader.proposal(pid)
    assert (p.expired, p.state) == (True, "expired")
    nonce = reader.chain.nonce(ledgers["lender-b"].address)
    with pytest.raises(errors.GovernanceProposalExpired) as refused:
        ledgers["lender-b"].approve(pid)
    assert refused.value.fields == {"proposalId": pid, "deadline": p.expires_at}
    assert reader.chain.nonce(ledgers["lender-b"].address) == nonce
    assert not reader.has_role("ORACLE", newcomer)
    assert (reader.proposal(pid).approvals, reader.proposal(pid).executed) == (2, False)


def test_a_proposal_can_be_carried_until_it_expires(ledgers: dict[str, Ledger], monkeypatch: pytest.MonkeyPatch) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    ledgers["lender-a"].approve(pid)
    move_clock(monkeypatch, ledgers, 14 * DAY - 600)
    assert ledgers["lender-b"].approve(pid).executed
    assert reader.has_role("ORACLE", newcomer)

"""No title's history can make an operation impossible: writes loop over a title's active liens and
its current oracles only, both bounded, so a lender who grants and releases liens on purpose, or
oracles coming and going, cannot push a grant, a release or a transfer past its gas limit."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, LienTerms, normalize_vin
from lienchain.ledger.chain.transactions import Call
from lienchain.ledger.registry.ledger import GAS

from .conftest import Backend
from .support import gas_of_last_write, grant, sent, terms, transfer

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400


def vote_oracle(backend: Backend, ledgers: dict[str, Ledger], name: str) -> Ledger:
    account = backend.create_account(name)
    pid = ledgers["registrar"].propose_role("ORACLE", account.address)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed
    return backend.ledger(name)


def test_a_title_with_200_released_liens_and_10_oracles_still_grants_releases_and_transfers(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address)
    lender = ledgers["lender-a"]
    for _ in range(20):  # a lender inflating the title's history on purpose: 10 liens at a time
        ids = lender.grant_liens([terms(ledgers, "lender-a", VIN, 1, "USD", MATURITY) for _ in range(10)])
        lender._signer.send_many(  # noqa: SLF001
            [Call(lender.registry.functions.releaseLien(i), GAS["releaseLien"]) for i in ids], receipts=False)
    oracles = [ledgers["oracle"]] + [vote_oracle(backend, ledgers, f"oracle-{n}") for n in range(2, 11)]
    for n, oracle in enumerate(oracles):
        oracle.set_valuation(VIN, 2_000_000 + n, currency="USD")
        assert gas_of_last_write(ledgers["reader"]) * 1.5 <= GAS["setValuation"]
    assert (len(ledgers["reader"].liens(VIN)), ledgers["reader"].appraisal(VIN).fresh_oracles) == (200, 10)

    lien = grant(ledgers, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    assert gas_of_last_write(ledgers["reader"]) * 1.5 <= GAS["grantLien"]
    lender.release_lien(lien.lien_id)
    assert gas_of_last_write(ledgers["reader"]) * 1.5 <= GAS["releaseLien"]
    transfer(ledgers, VIN, Account.create().address)
    assert gas_of_last_write(ledgers["reader"]) * 1.5 <= GAS["transferTitle"]


def test_a_title_carries_at_most_16_active_liens(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address)
    lender = ledgers["lender-a"]
    ids = lender.grant_liens([terms(ledgers, "lender-a", VIN, 1, "USD", MATURITY) for _ in range(16)])  # its own: no consent
    before = sent(ledgers)
    with pytest.raises(errors.RegistryTooManyLiens) as refused:
        grant(ledgers, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    assert refused.value.max == 16 and sent(ledgers) == before
    lender.release_lien(ids[3])
    grant(ledgers, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    active = [x.lien_id for x in ledgers["reader"].liens(VIN) if x.active]
    assert active == [*ids[:3], *ids[4:], ids[-1] + 1]  # priority order kept

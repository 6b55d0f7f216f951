"""No title's history can make an operation impossible: writes loop over a title's active liens and
its current oracles only, both bounded, and the client sends each write with the gas the chain
estimates for it (and a margin), so a lender who grants and releases liens on purpose, or oracles
coming and going, cannot push a grant, a release or a transfer past its gas limit."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.chain.transactions import Call

from .conftest import Backend
from .support import authorize, grant, limit_of_last_write, sent, terms, transfer, value

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
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    lender = ledgers["lender-a"]
    for _ in range(20):  # a lender inflating the title's history on purpose: 10 liens at a time
        ids = lender.grant_liens([terms(ledgers, "lender-a", VIN, 1, "USD", MATURITY) for _ in range(10)])
        lender._signer.send_many(  # noqa: SLF001
            [Call(lender.registry.functions.releaseLien(i)) for i in ids], receipts=False)
    oracles = [ledgers["oracle"]] + [vote_oracle(backend, ledgers, f"oracle-{n}") for n in range(2, 11)]
    for n, oracle in enumerate(oracles):
        oracle.set_valuation(VIN, 2_000_000 + n, currency="USD", doc_cid="bafkreivaluation")
        limit_of_last_write(ledgers["reader"])
    assert (len(ledgers["reader"].liens(VIN)), ledgers["reader"].appraisal(VIN).fresh_oracles) == (200, 10)

    lien = grant(ledgers, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    limit_of_last_write(ledgers["reader"])
    lender.release_lien(lien.lien_id)
    limit_of_last_write(ledgers["reader"])
    transfer(ledgers, VIN, Account.create().address)
    limit_of_last_write(ledgers["reader"])


def test_a_write_whose_cost_grew_with_the_title_runs_on_its_estimate_where_a_young_titles_limit_runs_out(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    young, old = VIN, normalize_vin("1HGCM82633A004352")
    lender, reader = ledgers["lender-a"], ledgers["reader"]
    for vin in (young, old):
        ledgers["registrar"].register_title(vin, Account.create().address, doc_cid="bafkreititle")
        value(ledgers, vin, 2_000_000, currency="USD")
    lender.grant_liens([terms(ledgers, "lender-a", young, 1, "USD", MATURITY)])
    grant(ledgers, "lender-a", young, 1, currency="USD", maturity=MATURITY)
    _, young_grant = limit_of_last_write(reader)  # what a grant needs on a title with one lien
    lender.grant_liens([terms(ledgers, "lender-a", old, 1, "USD", MATURITY) for _ in range(15)])
    auth = authorize(ledgers, "lender-a", old, 1, maturity=MATURITY)
    grant_call = lender.registry.functions.grantLien(lender._token(old), 1, b"USD", MATURITY, "bafkreiloan", [],  # noqa: SLF001
                                                     auth.as_argument())

    # A fixed limit fitted to the young title runs out on the old one: the grant loops over 15 liens.
    before = sent(ledgers)
    # Out of gas in the registry itself fails the transaction; in its library's call, that call
    # reverts without reason: either way nothing is sent.
    with pytest.raises((errors.TransactionFailed, errors.ContractRevert)):
        lender._signer.send(grant_call, gas=young_grant)  # noqa: SLF001
    assert sent(ledgers) == before and len(reader.liens(old)) == 15

    grant(ledgers, "lender-a", old, 1, currency="USD", maturity=MATURITY)
    limit, used = limit_of_last_write(reader)
    assert limit > used > young_grant and len(reader.liens(old)) == 16


def test_a_title_carries_at_most_16_active_liens(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
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

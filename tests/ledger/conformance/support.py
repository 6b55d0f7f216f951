"""What the conformance tests share: what a refusal must leave unchanged, the gas a write used and
the limit it was sent with, and authorized grants and transfers (a registrar authorizes, as the
default policy admits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lienchain.ledger import Ledger
from lienchain.ledger.chain.base import Transaction, gas_limit
from lienchain.ledger.registry.authorization import LienAuthorization
from lienchain.ledger.registry.liens import LienTerms
from lienchain.ledger.registry.records import Appraisal, Lien, Title
from lienchain.ledger.workspace.session import Session


def sent(ledgers: dict[str, Ledger]) -> dict[str, int]:
    """Returns how many transactions each signing account has sent (its next nonce, pending ones
    counted): a refused operation sends nothing, so it leaves every count unchanged. (The head
    block does not tell, on a chain that seals whether or not anyone sends.)"""
    return {name: ledger.chain.nonce(ledger.address) for name, ledger in ledgers.items() if name != "reader"}


def gas_of_last_write(ledger: Ledger) -> int:
    """Returns the gas used by the latest block, which holds the last write when each write waits
    for its receipt and the chain seals only blocks with transactions (the embedded chain, and the
    suite's geth node, which seals on demand)."""
    return ledger.chain.block("latest").gas_used


def limit_of_last_write(ledger: Ledger) -> tuple[int, int]:
    """Checks that the last write (the latest block's last transaction) was sent on its estimate:
    with a gas limit above the gas it used, and exactly the margin over what the chain estimates
    for it on the state it ran on (the block before). Returns (its gas limit, the gas it used)."""
    block = ledger.chain.block("latest")
    tx = ledger.w3.eth.get_transaction(block.transactions[-1])
    used = int(ledger.w3.eth.get_transaction_receipt(block.transactions[-1])["gasUsed"])
    write = Transaction(str(tx["from"]), str(tx["to"]), "0x" + bytes(tx["input"]).hex(), value=int(tx["value"]))
    estimate = ledger.chain.estimate_gas(write, block.number - 1)
    limit = int(tx["gas"])
    assert used <= estimate < limit == gas_limit(estimate, block.gas_limit), (used, estimate, limit)
    return limit, used


def authorize(ledgers: dict[str, Ledger], lender: str, vin: str, amount: int, *, currency: str = "USD",
              maturity: int, by: str = "registrar") -> LienAuthorization:
    """Returns `by`'s authorization (a registrar's, under the default policy) of a lien of
    `lender` (an account name of `ledgers`, or an address)."""
    address = ledgers[lender].address if lender in ledgers else lender
    return ledgers[by].authorize_lien(vin, lender=address, amount=amount, currency=currency, maturity=maturity,
                                      deadline=ledgers[by].now() + 86400)


def grant(ledgers: dict[str, Ledger], lender: str, vin: str, amount: int, *, currency: str = "USD", maturity: int,
          by: str = "registrar", **kwargs: Any) -> Lien:
    """Grants `lender` a lien, authorized by `by` (see `authorize`)."""
    auth = authorize(ledgers, lender, vin, amount, currency=currency, maturity=maturity, by=by)
    kwargs.setdefault("doc_cid", "bafkreiloan")
    return ledgers[lender].grant_lien(vin, amount, currency=currency, maturity=maturity, authorization=auth, **kwargs)


def terms(ledgers: dict[str, Ledger], lender: str, vin: str, amount: int, currency: str, maturity: int,
          **kwargs: Any) -> LienTerms:
    """The terms of a lien of `lender` for `Ledger.grant_liens`, authorized by the registrar."""
    auth = authorize(ledgers, lender, vin, amount, currency=currency, maturity=maturity)
    kwargs.setdefault("doc_cid", "bafkreiloan")
    return LienTerms(vin, amount, currency, maturity, authorization=auth, **kwargs)


def transfer(ledgers: dict[str, Ledger], vin: str, to: str, *, by: str = "registrar-b", **kwargs: Any) -> Title:
    """Records a transfer by the registrar, authorized by `by` (a second registrar by default),
    with the odometer reading `km` (the title's last one by default)."""
    auth = ledgers[by].authorize_transfer(vin, to, deadline=ledgers[by].now() + 86400)
    kwargs.setdefault("doc_cid", "bafkreisale")
    kwargs.setdefault("km", ledgers["reader"].title(vin).odometer_km)
    return ledgers["registrar"].transfer_title(vin, to, authorization=auth, **kwargs)


def grant_private(sessions: Callable[[str], Session], lender: str, vin: str, amount: int, *, currency: str = "USD",
                  maturity: int, by: str = "registrar", acknowledged: bool = True) -> Lien:
    """Grants `lender` a private lien through sessions, authorized by `by` (who seals the opening
    for the lender), then, unless told not to, has the auditor open and acknowledge it (as an
    auditor does after each private grant)."""
    lender_session = sessions(lender)
    auth = sessions(by).authorize_lien(vin, lender=lender_session.ledger.address, amount=amount, currency=currency,
                                       maturity=maturity, deadline=lender_session.ledger.now() + 86400,
                                       private_amount=True)
    lien = lender_session.grant_private_lien(vin, amount, currency=currency, maturity=maturity, authorization=auth)
    if acknowledged:
        sessions("auditor").acknowledge_lien(lien.lien_id)
    return lien


def value(ledgers: dict[str, Ledger], vin: str, amount: int, *, currency: str = "USD", **kwargs: Any) -> Appraisal:
    """Has both founding oracles value a title at `amount` (a value needs two fresh valuations by
    default), and returns the appraisal after the second."""
    kwargs.setdefault("doc_cid", "bafkreivaluation")
    ledgers["oracle"].set_valuation(vin, amount, currency=currency, **kwargs)
    return ledgers["oracle-b"].set_valuation(vin, amount, currency=currency, **kwargs)

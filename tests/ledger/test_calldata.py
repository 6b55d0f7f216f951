"""The fast calldata encoder gives exactly the bytes web3's encoder gives."""

from __future__ import annotations

from eth_account import Account

from lienchain.ledger import Ledger
from lienchain.ledger.registry.consent import currency_code
from lienchain.ledger.chain.transactions import calldata


def test_calldata_matches_web3_for_every_write_lienchain_sends(ledgers: dict[str, Ledger]) -> None:
    registry, governance = ledgers["reader"].registry, ledgers["reader"].governance
    owner = Account.create().address
    consent = (7, 2_000_000_000, bytes(range(65)))  # a consent's or an authorization's struct
    calls = [
        registry.functions.registerTitle("1M8GDM9AXKP042788", owner, "bafkreititle"),
        registry.functions.grantLien(2**200 + 5, 1_850_000, currency_code("EUR"), 1_900_000_000, "", [], consent),
        registry.functions.grantLien(1, 600_000, currency_code("USD"), 1_900_000_000, "bafkreiloan", [consent, consent],
                                    consent),
        registry.functions.releaseLien(3),
        registry.functions.transferTitle(2**255, owner, 84_000, "bafkreisale", consent),
        governance.functions.approve(12),
    ]
    for fn in calls:
        assert calldata(fn) == fn._encode_transaction_data(), fn.signature

"""Signed consents of senior lienholders to a junior lien (EIP-712 `LienConsent`).

A consent binds the title, the new lender, the amount and currency, a nonce and a deadline, under
the registry's EIP-712 domain (its chain id and address), so it cannot be reused for another lien,
lender, amount, registry or chain; the registry marks it used once a lien is granted with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from eth_account.signers.local import LocalAccount

from ...errors import InvalidConsentFile, LedgerError
from .signed import Signed, currency_code

KIND = "lienchain/lien-consent/v1"


@dataclass(frozen=True)
class Consent(Signed):
    """One senior lienholder's signed consent to one new lien."""

    KIND: ClassVar[str] = KIND
    TYPE_NAME: ClassVar[str] = "LienConsent"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tokenId", "uint256", "token_id"), ("lender", "address", "lender"), ("amount", "uint256", "amount"),
        ("currency", "bytes3", "currency"), ("nonce", "uint256", "nonce"), ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = "the lienholder"
    ERROR: ClassVar[type[LedgerError]] = InvalidConsentFile

    vin: str
    token_id: int
    lender: str
    amount: int
    currency: str

    def check_terms(self, *, chain_id: int, registry: str, token_id: int, lender: str, amount: int, currency: str) -> None:
        """Checks that the consent is for exactly this lien, before a grant relies on it.

        Raises:
            InvalidConsentFile: Naming the first term that differs.
        """
        self.check(chain_id=(self.chain_id, chain_id), registry=(self.registry.lower(), registry.lower()),
                   title=(self.token_id, token_id), lender=(self.lender.lower(), lender.lower()),
                   amount=(self.amount, amount), currency=(self.currency.upper(), currency.upper()))


def sign_consent(
    account: LocalAccount,
    *,
    chain_id: int,
    registry: str,
    vin: str,
    token_id: int,
    lender: str,
    amount: int,
    currency: str,
    deadline: int,
    nonce: int | None = None,
) -> Consent:
    """Signs a consent to a new lien of `amount` `currency` for `lender` on a title.

    Args:
        account: The senior lienholder's account.
        chain_id: The chain the registry lives on.
        registry: The registry's address.
        vin: The title's VIN (carried for people; the signature binds the token id).
        token_id: The title's token id.
        lender: The lender who will hold the new lien.
        amount: The amount in minor units.
        currency: The ISO 4217 code.
        deadline: The unix time after which the consent is void.
        nonce: Distinguishes consents with equal terms; random by default.

    Returns:
        The signed consent.
    """
    currency_code(currency)
    return Consent.sign(account, nonce=nonce, chain_id=chain_id, registry=registry, vin=vin, token_id=token_id,
                        lender=lender, amount=amount, currency=currency.upper(), deadline=deadline)


__all__ = ["Consent", "sign_consent", "currency_code"]

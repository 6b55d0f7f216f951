"""Authorizations of a lien or a transfer by a title's owner or a registrar (EIP-712
`LienAuthorization`, `TransferAuthorization`).

No lender liens a title and no registrar moves one on its own key: every grant needs the title
owner's authorization of its terms (or, where the consortium's policy admits it for owners without
keys, a registrar's other than the lender), and every transfer the owner's or a second
registrar's. Like a consent, an authorization binds a nonce and a deadline under the registry's
EIP-712 domain, and the registry spends it once.

A private lien's authorization binds the Pedersen commitment to its amount instead of the amount:
whoever authorizes it makes the commitment for the amount agreed, and seals its opening for the
lender inside the authorization file (`opening`), so the lender can prove exactly that amount and
no other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ...errors import InvalidAuthorizationFile, LedgerError
from .signed import Signed

LIEN_KIND = "lienchain/lien-authorization/v1"
TRANSFER_KIND = "lienchain/transfer-authorization/v1"
SALE_KIND = "lienchain/sale-authorization/v1"
#: A public lien's commitment field.
NO_COMMITMENT = "0x" + "00" * 32

_ISSUER = "the title's owner or a registrar"


@dataclass(frozen=True)
class LienAuthorization(Signed):
    """A title owner's or a registrar's signed authorization of one new lien."""

    KIND: ClassVar[str] = LIEN_KIND
    TYPE_NAME: ClassVar[str] = "LienAuthorization"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tokenId", "uint256", "token_id"), ("lender", "address", "lender"), ("amount", "uint256", "amount"),
        ("commitment", "bytes32", "commitment"), ("currency", "bytes3", "currency"),
        ("maturity", "uint64", "maturity"), ("nonce", "uint256", "nonce"), ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = _ISSUER
    ERROR: ClassVar[type[LedgerError]] = InvalidAuthorizationFile

    vin: str
    token_id: int
    lender: str
    #: Minor units; 0 for a private lien.
    amount: int
    #: A private lien's keccak256(abi.encode(x, y)) of its commitment (hex); `NO_COMMITMENT` for a public one.
    commitment: str
    currency: str
    maturity: int
    #: A private lien's opening, sealed for the lender (hex of the envelope); empty for a public one.
    opening: str = ""

    @property
    def private(self) -> bool:
        return self.commitment != NO_COMMITMENT

    def check_terms(self, *, chain_id: int, registry: str, token_id: int, lender: str, amount: int, currency: str,
                    maturity: int) -> None:
        """Checks that the authorization is for exactly this lien, before a grant relies on it
        (a private lien's amount is checked against the sealed opening by whoever opens it).

        Raises:
            InvalidAuthorizationFile: Naming the first term that differs.
        """
        self.check(chain_id=(self.chain_id, chain_id), registry=(self.registry.lower(), registry.lower()),
                   title=(self.token_id, token_id), lender=(self.lender.lower(), lender.lower()),
                   amount=(self.amount, 0 if self.private else amount),
                   currency=(self.currency.upper(), currency.upper()), maturity=(self.maturity, maturity))


@dataclass(frozen=True)
class TransferAuthorization(Signed):
    """A title owner's or a second registrar's signed authorization of one transfer."""

    KIND: ClassVar[str] = TRANSFER_KIND
    TYPE_NAME: ClassVar[str] = "TransferAuthorization"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tokenId", "uint256", "token_id"), ("from", "address", "owner"), ("to", "address", "to"),
        ("nonce", "uint256", "nonce"), ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = "the title's owner or a second registrar"
    ERROR: ClassVar[type[LedgerError]] = InvalidAuthorizationFile

    vin: str
    token_id: int
    #: The owner the title leaves.
    owner: str
    to: str

    def check_terms(self, *, chain_id: int, registry: str, token_id: int, owner: str, to: str) -> None:
        """Checks that the authorization is for exactly this transfer.

        Raises:
            InvalidAuthorizationFile: Naming the first term that differs.
        """
        self.check(chain_id=(self.chain_id, chain_id), registry=(self.registry.lower(), registry.lower()),
                   title=(self.token_id, token_id), owner=(self.owner.lower(), owner.lower()),
                   new_owner=(self.to.lower(), to.lower()))


@dataclass(frozen=True)
class SaleAuthorization(Signed):
    """A title owner's or a registrar's signed authorization of one disposition: this default,
    this buyer, this price."""

    KIND: ClassVar[str] = SALE_KIND
    TYPE_NAME: ClassVar[str] = "SaleAuthorization"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tokenId", "uint256", "token_id"), ("lienId", "uint256", "lien_id"), ("defaultedAt", "uint64", "defaulted_at"),
        ("buyer", "address", "buyer"), ("price", "uint256", "price"), ("nonce", "uint256", "nonce"),
        ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = "the title's owner or a registrar"
    ERROR: ClassVar[type[LedgerError]] = InvalidAuthorizationFile

    vin: str
    token_id: int
    #: The lien in default, and when it was declared: the authorization is for that default only.
    lien_id: int
    defaulted_at: int
    buyer: str
    price: int

    def check_terms(self, *, chain_id: int, registry: str, token_id: int, lien_id: int, defaulted_at: int, buyer: str,
                    price: int) -> None:
        """Checks that the authorization is for exactly this sale.

        Raises:
            InvalidAuthorizationFile: Naming the first term that differs.
        """
        self.check(chain_id=(self.chain_id, chain_id), registry=(self.registry.lower(), registry.lower()),
                   title=(self.token_id, token_id), lien_in_default=(self.lien_id, lien_id),
                   default_of=(self.defaulted_at, defaulted_at), buyer=(self.buyer.lower(), buyer.lower()),
                   price=(self.price, price))


def commitment_hash(x: int, y: int) -> str:
    """Returns what a private lien's authorization binds: keccak256(abi.encode(x, y)), in hex."""
    return "0x" + bytes(keccak(encode(["uint256", "uint256"], [x, y]))).hex()


__all__ = ["LIEN_KIND", "NO_COMMITMENT", "SALE_KIND", "TRANSFER_KIND", "LienAuthorization", "SaleAuthorization",
           "TransferAuthorization", "commitment_hash"]

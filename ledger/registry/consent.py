"""Signed consents of senior lienholders to a junior lien (EIP-712 `LienConsent`).

A consent binds the title, the new lender, the amount and currency, a nonce and a deadline, under
the registry's EIP-712 domain (its chain id and address), so it cannot be reused for another lien,
lender, amount, registry or chain; the registry marks it used once a lien is granted with it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ...errors import InvalidConsentFile, InvalidCurrency
from ...files import write_atomic

KIND = "lienchain/lien-consent/v1"
DOMAIN_NAME = "lienchain TitleRegistry"
DOMAIN_VERSION = "1"

_TYPES = {
    "LienConsent": [
        {"name": "tokenId", "type": "uint256"},
        {"name": "lender", "type": "address"},
        {"name": "amount", "type": "uint256"},
        {"name": "currency", "type": "bytes3"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint64"},
    ]
}


@dataclass(frozen=True)
class Consent:
    """One senior lienholder's signed consent to one new lien."""

    chain_id: int
    registry: str
    vin: str
    token_id: int
    lender: str
    amount: int
    currency: str
    nonce: int
    deadline: int
    signer: str
    signature: str

    def digest(self) -> bytes:
        """Returns the EIP-712 digest the signer signed."""
        m = _signable(self)
        return bytes(keccak(b"\x19" + m.version + m.header + m.body))

    def as_argument(self) -> tuple[int, int, bytes]:
        """Returns the consent as the registry's `Consent` struct (nonce, deadline, signature)."""
        return (self.nonce, self.deadline, bytes.fromhex(self.signature.removeprefix("0x")))

    def recovered_signer(self) -> str:
        """Returns the address that actually signed the consent."""
        return str(Account.recover_message(_signable(self), signature=self.as_argument()[2]))

    def save(self, path: Path) -> None:
        """Writes the consent file (public data: the signer hands it to the new lender).

        Raises:
            OutputError: If the file cannot be written.
        """
        write_atomic(path, (json.dumps({"kind": KIND, **asdict(self)}, indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def load(cls, path: Path) -> Consent:
        """Reads a consent file and checks that its signature is its signer's.

        Raises:
            InvalidConsentFile: If the file is missing, not a consent, malformed, or forged.
        """
        try:
            data: dict[str, Any] = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise InvalidConsentFile(f"no consent file at {path}: check the path") from None
        except (OSError, ValueError) as exc:
            raise InvalidConsentFile(f"cannot read {path} as a consent ({exc}): ask the lienholder for a new one") from None
        try:
            if not isinstance(data, dict) or data.get("kind") != KIND:
                raise ValueError(f"it is not a {KIND} document")
            types = {"chain_id": int, "token_id": int, "amount": int, "nonce": int, "deadline": int}
            values = {f.name: data[f.name] for f in fields(cls)}
            for name, value in values.items():
                if not isinstance(value, types.get(name, str)) or isinstance(value, bool):
                    raise ValueError(f"field {name!r} has the wrong type")
            consent = cls(**values)
            _currency_bytes(consent.currency)
            signer = consent.recovered_signer()
        except KeyError as exc:
            raise InvalidConsentFile(f"{path} lacks the field {exc}: ask the lienholder for a new consent") from None
        except Exception as exc:  # eth-account raises several types for a malformed signature
            raise InvalidConsentFile(f"{path} is not a valid lien consent ({exc}): ask the lienholder for a new one") from None
        if signer.lower() != consent.signer.lower():
            raise InvalidConsentFile(f"the consent in {path} was not signed by {consent.signer}: ask for a new one")
        return consent

    def check_terms(self, *, chain_id: int, registry: str, token_id: int, lender: str, amount: int, currency: str) -> None:
        """Checks that the consent is for exactly this lien, before a grant relies on it.

        Raises:
            InvalidConsentFile: Naming the first term that differs.
        """
        expected = {"chain id": (self.chain_id, chain_id), "registry": (self.registry.lower(), registry.lower()),
                    "title": (self.token_id, token_id), "lender": (self.lender.lower(), lender.lower()),
                    "amount": (self.amount, amount), "currency": (self.currency.upper(), currency.upper())}
        for term, (signed, wanted) in expected.items():
            if signed != wanted:
                raise InvalidConsentFile(
                    f"the consent of {self.signer} is for {term} {signed}, not {wanted}: ask them for a consent "
                    "to exactly this lien"
                )


def _currency_bytes(currency: str) -> bytes:
    code = currency.upper().encode("ascii", "replace")
    if len(code) != 3 or not code.isalpha():
        raise InvalidCurrency(currency)
    return code


def _signable(c: Consent) -> Any:
    return encode_typed_data(
        domain_data={
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": c.chain_id,
            "verifyingContract": c.registry,
        },
        message_types=_TYPES,
        message_data={
            "tokenId": c.token_id,
            "lender": c.lender,
            "amount": c.amount,
            "currency": _currency_bytes(c.currency),
            "nonce": c.nonce,
            "deadline": c.deadline,
        },
    )


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
    _currency_bytes(currency)
    unsigned = Consent(
        chain_id=chain_id,
        registry=registry,
        vin=vin,
        token_id=token_id,
        lender=lender,
        amount=amount,
        currency=currency.upper(),
        nonce=secrets.randbits(128) if nonce is None else nonce,
        deadline=deadline,
        signer=str(account.address),
        signature="",
    )
    signed = account.sign_message(_signable(unsigned))
    return Consent(**{**asdict(unsigned), "signature": "0x" + bytes(signed.signature).hex()})


def currency_code(currency: str) -> bytes:
    """Returns a currency as the registry's `bytes3`.

    Raises:
        InvalidCurrency: If it is not a three-letter code.
    """
    return _currency_bytes(currency)


__all__ = ["Consent", "sign_consent", "currency_code"]

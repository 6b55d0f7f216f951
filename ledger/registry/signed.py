"""Signed approvals of the registry's EIP-712 types, and the files that carry them.

A senior lienholder's consent to a junior lien (`LienConsent`), an owner's or a registrar's
authorization of a lien (`LienAuthorization`) or of a transfer (`TransferAuthorization`): each is
signed under the registry's EIP-712 domain (its chain id and address), so it cannot be reused on
another registry or chain, and binds a nonce and a deadline; the registry spends each once. Each
travels as a JSON file of public data, checked on reading: its kind, its fields' types, and that
its signature is its signer's.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, Self

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ...errors import InvalidCurrency, LedgerError
from ...files import write_atomic

DOMAIN_NAME = "lienchain TitleRegistry"
DOMAIN_VERSION = "1"


@dataclass(frozen=True)
class Signed:
    """One signed approval: the fields its type binds, who signed and the signature. Subclasses
    name their EIP-712 type, their file kind, and the error a bad file raises."""

    #: The file's "kind" field.
    KIND: ClassVar[str]
    #: The EIP-712 primary type and its fields, in order: (name, type, dataclass field).
    TYPE_NAME: ClassVar[str]
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]]
    #: Who issues it, for messages ("the lienholder").
    ISSUER: ClassVar[str]
    ERROR: ClassVar[type[LedgerError]]

    chain_id: int
    registry: str
    nonce: int
    deadline: int
    signer: str
    signature: str
    # Subclasses add the fields of their terms.

    def digest(self) -> bytes:
        """Returns the EIP-712 digest the signer signed."""
        m = self._signable()
        return bytes(keccak(b"\x19" + m.version + m.header + m.body))

    def as_argument(self) -> tuple[int, int, bytes]:
        """Returns the approval as the registry's struct (nonce, deadline, signature)."""
        return (self.nonce, self.deadline, bytes.fromhex(self.signature.removeprefix("0x")))

    def recovered_signer(self) -> str:
        """Returns the address that actually signed it."""
        return str(Account.recover_message(self._signable(), signature=self.as_argument()[2]))

    def save(self, path: Path) -> None:
        """Writes the file (public data: the signer hands it to whoever sends it).

        Raises:
            OutputError: If the file cannot be written.
        """
        write_atomic(path, (json.dumps({"kind": self.KIND, **asdict(self)}, indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def sign(cls, account: LocalAccount, *, nonce: int | None = None, **values: Any) -> Self:
        """Signs an approval of these values with `account`.

        Args:
            account: The signer's account.
            nonce: Distinguishes approvals with equal terms; random by default.
            values: Every other field but `signer` and `signature`.

        Returns:
            The signed approval.
        """
        unsigned = cls(**values, nonce=secrets.randbits(128) if nonce is None else nonce,
                       signer=str(account.address), signature="")
        signed = account.sign_message(unsigned._signable())
        return cls(**{**asdict(unsigned), "signature": "0x" + bytes(signed.signature).hex()})

    @classmethod
    def load(cls, path: Path) -> Self:
        """Reads a file and checks that its signature is its signer's.

        Raises:
            ERROR: If the file is missing, not of this kind, malformed, or forged.
        """
        what, who = cls.KIND.split("/")[1].replace("-", " "), cls.ISSUER
        try:
            data: dict[str, Any] = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise cls.ERROR(f"no {what} file at {path}: check the path") from None
        except (OSError, ValueError) as exc:
            raise cls.ERROR(f"cannot read {path} as a {what} ({exc}): ask {who} for a new one") from None
        try:
            if not isinstance(data, dict) or data.get("kind") != cls.KIND:
                raise ValueError(f"it is not a {cls.KIND} document")
            values = {f.name: data[f.name] for f in fields(cls)}
            for f in fields(cls):
                wanted = int if f.type == "int" else str
                if not isinstance(values[f.name], wanted) or isinstance(values[f.name], bool):
                    raise ValueError(f"field {f.name!r} has the wrong type")
            approval = cls(**values)
            signer = approval.recovered_signer()  # also checks each field against its EIP-712 type
        except KeyError as exc:
            raise cls.ERROR(f"{path} lacks the field {exc}: ask {who} for a new {what}") from None
        except Exception as exc:  # eth-account raises several types for a malformed signature
            raise cls.ERROR(f"{path} is not a valid {what} ({exc}): ask {who} for a new one") from None
        if signer.lower() != approval.signer.lower():
            raise cls.ERROR(f"the {what} in {path} was not signed by {approval.signer}: ask for a new one")
        return approval

    def check(self, **expected: tuple[object, object]) -> None:
        """Checks that the approval is for exactly these terms, before an operation relies on it.

        Args:
            expected: By term's name for people, (signed, wanted).

        Raises:
            ERROR: Naming the first term that differs.
        """
        what = self.KIND.split("/")[1].replace("-", " ")
        for term, (signed, wanted) in expected.items():
            if signed != wanted:
                raise self.ERROR(
                    f"the {what} of {self.signer} is for {term.replace('_', ' ')} {signed}, not {wanted}: "
                    f"ask for one for exactly this operation"
                )

    def _signable(self) -> Any:
        values = asdict(self)
        message = {name: _typed(kind, values[attr]) for name, kind, attr in self.TYPE_FIELDS}
        return encode_typed_data(
            domain_data={"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": self.chain_id,
                         "verifyingContract": self.registry},
            message_types={self.TYPE_NAME: [{"name": name, "type": kind} for name, kind, _ in self.TYPE_FIELDS]},
            message_data=message,
        )


def _typed(kind: str, value: object) -> object:
    """A field's value as eth-account encodes its EIP-712 type: bytes for bytesN."""
    if kind == "bytes3":
        # As given: whoever signs checked it (`currency_code`); so a test can sign what a careless
        # client might send, and see the registry refuse it.
        code = str(value).encode("latin-1")
        if len(code) != 3:
            raise ValueError(f"{value!r} is not three characters")
        return code
    if kind == "bytes32":
        data = bytes.fromhex(str(value).removeprefix("0x"))
        if len(data) != 32:
            raise ValueError(f"{value!r} is not 32 bytes")
        return data
    return value


def currency_code(currency: str) -> bytes:
    """Returns a currency as the registry's `bytes3`.

    Raises:
        InvalidCurrency: If it is not a three-letter code.
    """
    code = currency.upper().encode("ascii", "replace")
    if len(code) != 3 or not code.isalpha():
        raise InvalidCurrency(currency)
    return code


__all__ = ["DOMAIN_NAME", "DOMAIN_VERSION", "Signed", "currency_code"]

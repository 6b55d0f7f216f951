"""Member cards: the public facts an organisation hands the others to be part of a network.

`lienchain node init` writes one on the member's own machine: its name and requested roles, its
account, sealer and document public key, and where its nodes can be reached (enode and IPFS peer
id at the announced host and ports, and its key service's port). The card is signed with the member's account key, so a card
changed in transit (a swapped sealer, a redirected enode) no longer verifies. A card holds no secret.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ..errors import InvalidCard
from ..ledger.registry.roles import ROLES
from .geth import enode_url

CARD_FORMAT = "lienchain/member-card/v1"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NODE_ID = re.compile(r"^[0-9a-f]{128}$")
_PEER_ID = re.compile(r"^(12D3Koo|Qm)[1-9A-HJ-NP-Za-km-z]{40,60}$")
_FIELDS = ("format", "network", "name", "roles", "account", "sealer", "document_key", "host", "p2p_port",
           "swarm_port", "key_port", "node_id", "peer_id")


def check_name(name: str, what: str = "member") -> str:
    """Returns a valid member or network name.

    Raises:
        InvalidCard: If it is not lower-case letters, digits and '-' (at most 32).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidCard(f"{what} name {name!r} is invalid: use lower-case letters, digits and '-' (at most 32)")
    return name


def check_host(host: Any) -> str:
    """Returns a valid announced host: an IPv4 address (geth's enode and Kubo's /ip4 need one).

    Raises:
        InvalidCard: If it is not one.
    """
    try:
        return str(ipaddress.IPv4Address(host))
    except (ipaddress.AddressValueError, ValueError, TypeError):
        raise InvalidCard(f"host {host!r} is not an IPv4 address: give the address the other members reach you at") from None


def check_roles(roles: Any) -> tuple[str, ...]:
    """Returns valid registry role names, upper-cased.

    Raises:
        InvalidCard: If one is unknown or repeated.
    """
    wanted = tuple(str(r).strip().upper() for r in roles)
    unknown = [r for r in wanted if r not in ROLES]
    if unknown:
        raise InvalidCard(f"role {unknown[0]!r} is unknown: choose from {', '.join(ROLES)}")
    if len(set(wanted)) != len(wanted):
        raise InvalidCard("a role is listed twice: list each role once")
    return wanted


@dataclass(frozen=True)
class MemberCard:
    """One member's public card, as signed by its account key."""

    network: str
    name: str
    roles: tuple[str, ...]
    account: str
    sealer: str
    document_key: str  # X25519 public key, hex
    host: str  # the address the member's peer-to-peer and swarm ports are reached at
    p2p_port: int
    swarm_port: int
    key_port: int  # the key service's port (HTTP), where readers ask for custodial documents' keys
    node_id: str  # devp2p node id, hex
    peer_id: str  # Kubo peer id
    signature: str = ""

    @property
    def enode(self) -> str:
        """Returns the enode URL of the member's geth node."""
        return enode_url(self.node_id, self.host, self.p2p_port)

    @property
    def swarm_address(self) -> str:
        """Returns the multiaddr of the member's Kubo node (without /p2p)."""
        return f"/ip4/{self.host}/tcp/{self.swarm_port}"

    @property
    def key_url(self) -> str:
        """Returns the base URL of the member's key service."""
        return f"http://{self.host}:{self.key_port}"

    def body(self) -> dict[str, Any]:
        """Returns the signed fields, as JSON-ready data."""
        data = asdict(self)
        del data["signature"]
        return {"format": CARD_FORMAT, **data, "roles": list(self.roles)}

    def message(self) -> bytes:
        """Returns the bytes the signature covers: the body as canonical JSON."""
        return canonical(self.body())

    def signed(self, account: LocalAccount) -> MemberCard:
        """Returns the card signed with the member's account key.

        Raises:
            InvalidCard: If the key is not the card's account.
        """
        if account.address.lower() != self.account.lower():
            raise InvalidCard(f"the card of {self.name} names account {self.account}, not the signing key's")
        signature = account.sign_message(encode_defunct(primitive=self.message())).signature.to_0x_hex()
        return replace(self, signature=signature)

    def verify(self) -> MemberCard:
        """Checks that the card's account signed exactly these fields; returns the card.

        Raises:
            InvalidCard: If the signature is missing or does not recover the card's account.
        """
        try:
            signer = Account.recover_message(encode_defunct(primitive=self.message()), signature=self.signature)
        except (ValueError, TypeError):
            signer = None
        if signer is None or signer.lower() != self.account.lower():
            raise InvalidCard(
                f"the card of {self.name} is not signed by its account {self.account}: it was changed after "
                f"its member signed it; ask {self.name} for its card again"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """Returns the card with its signature, as JSON-ready data."""
        return {**self.body(), "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "the card") -> MemberCard:
        """Parses a card strictly (every field present and well-formed) and checks its signature.

        Raises:
            InvalidCard: If a field is missing, extra or malformed, or the signature does not verify.
        """
        if not isinstance(data, dict):
            raise InvalidCard(f"{source} is not a member card (a JSON object): ask its member for it again")
        missing = [f for f in (*_FIELDS, "signature") if f not in data]
        extra = sorted(set(data) - {*_FIELDS, "signature"})
        if missing or extra:
            raise InvalidCard(f"{source} is not a member card ({'missing ' + missing[0] if missing else 'unknown field ' + extra[0]})")
        if data["format"] != CARD_FORMAT:
            raise InvalidCard(f"{source} is of format {data['format']!r}, expected {CARD_FORMAT!r}")
        try:
            card = cls(
                network=check_name(data["network"], "network"),
                name=check_name(data["name"]),
                roles=check_roles(data["roles"]) if isinstance(data["roles"], list) else _bad("roles"),
                account=_address(data["account"], "account"),
                sealer=_address(data["sealer"], "sealer"),
                document_key=_match(_HEX64, data["document_key"], "document_key"),
                host=check_host(data["host"]),
                p2p_port=_port(data["p2p_port"], "p2p_port"),
                swarm_port=_port(data["swarm_port"], "swarm_port"),
                key_port=_port(data["key_port"], "key_port"),
                node_id=_match(_NODE_ID, data["node_id"], "node_id"),
                peer_id=_match(_PEER_ID, data["peer_id"], "peer_id"),
                signature=str(data["signature"]),
            )
        except InvalidCard as exc:
            raise InvalidCard(f"{source}: {exc}") from None
        if card.to_dict() != data:  # e.g. an address's letters changed case: not what was signed
            raise InvalidCard(f"{source} was changed after it was signed: ask {card.name} for its card again")
        return card.verify()

    @classmethod
    def load(cls, path: Path) -> MemberCard:
        """Reads and checks a card file.

        Raises:
            InvalidCard: If it is unreadable, malformed, or its signature does not verify.
        """
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise InvalidCard(f"{path} is not a readable member card ({exc}): ask its member for it again") from None
        return cls.from_dict(data, source=str(path))


def canonical(value: Any) -> bytes:
    """Returns JSON with sorted keys and no spaces: the one byte form that is signed and hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _bad(name: str) -> Any:
    raise InvalidCard(f"field {name} is malformed")


def _match(pattern: re.Pattern[str], value: Any, name: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        _bad(name)
    return str(value)


def _address(value: Any, name: str) -> str:
    if not isinstance(value, str) or not Web3.is_address(value):
        _bad(name)
    return str(Web3.to_checksum_address(value))


def _port(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        _bad(name)
    return int(value)

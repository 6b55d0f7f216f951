"""Network manifests: what every member of a network agrees on before its chain starts.

`lienchain network create` turns the members' cards into a manifest: the chain id, the genesis
(the cards' sealers sign blocks; their accounts are funded with worthless gas money), the cards
themselves (whose requested roles are the founding roles), and the private swarm's key sealed for
each member's document key, never in the clear. Every member compares the manifest's hash out of
band before joining. A manifest exported later (`network manifest`) adds the members admitted by
vote since, with the swarm key sealed for them too, and names those removed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ..errors import InvalidCard, InvalidManifest, NotARecipient, SealError
from ..files import write_atomic
from ..ledger.workspace.profile import FUNDING
from ..storage import load_public_key, seal, unseal
from . import geth, kubo
from .card import MemberCard, canonical, check_name

MANIFEST_FORMAT = "lienchain/network-manifest/v1"
_FIELDS = ("format", "network", "chain_id", "period", "gas_limit", "genesis", "founders", "admitted", "removed",
           "swarm_keys")


@dataclass(frozen=True)
class Admission:
    """A member admitted by vote after the network was formed."""

    card: MemberCard
    roles: tuple[str, ...]
    proposal: int


@dataclass(frozen=True)
class Manifest:
    """A network's manifest (see the module docstring)."""

    network: str
    chain_id: int
    period: int
    gas_limit: int
    genesis: dict[str, Any]
    founders: tuple[MemberCard, ...]
    swarm_keys: dict[str, dict[str, Any]]  # member name -> the swarm key sealed for its document key
    admitted: tuple[Admission, ...] = ()
    removed: tuple[str, ...] = field(default=())

    @classmethod
    def create(cls, network: str, cards: Sequence[MemberCard], *, period: int = 1,
               gas_limit: int = geth.DEFAULT_GAS_LIMIT) -> Manifest:
        """Builds a new network's manifest from its founders' cards (each checked).

        Raises:
            InvalidCard: If a card does not verify.
            InvalidManifest: If the cards clash (a name, account, sealer or address twice) or name
                another network, or the period or gas limit is out of range.
        """
        check_name(network, "network")
        if not cards:
            raise InvalidManifest("a network needs at least one member card: give one for each founder")
        if not 1 <= period <= 3600:
            raise InvalidManifest(f"the block period {period} s is out of range: give 1 to 3600 seconds")
        if not 5_000_000 <= gas_limit < 2**63:
            raise InvalidManifest(f"the block gas limit {gas_limit} is out of range: give at least 5000000")
        for card in cards:
            card.verify()
        check_cards(network, cards)
        chain_id = 1_000_000 + secrets.randbelow(2**31 - 1_000_000)
        swarm_key = kubo.new_swarm_key()
        manifest = cls(
            network=network, chain_id=chain_id, period=period, gas_limit=gas_limit,
            genesis=_genesis(chain_id, cards, period, gas_limit), founders=tuple(cards), swarm_keys={},
        )
        return manifest.with_swarm_key(swarm_key)

    # --- membership ---------------------------------------------------------------------------

    @property
    def members(self) -> list[MemberCard]:
        """Returns the current members' cards: the founders and the admitted, less the removed."""
        cards = [*self.founders, *(a.card for a in self.admitted)]
        return [c for c in cards if c.name not in self.removed]

    def roles_of(self, name: str) -> tuple[str, ...]:
        """Returns the roles a member was founded or admitted with."""
        for a in self.admitted:
            if a.card.name == name:
                return a.roles
        return self.card(name).roles

    @property
    def founding_roles(self) -> list[tuple[str, str]]:
        """Returns (account, role) for every role the founders' cards request."""
        return [(c.account, r) for c in self.founders for r in c.roles]

    def card(self, name: str) -> MemberCard:
        """Returns a member's card, founder or admitted.

        Raises:
            InvalidManifest: If the manifest has no member of that name.
        """
        for c in [*self.founders, *(a.card for a in self.admitted)]:
            if c.name == name:
                return c
        raise InvalidManifest(f"the manifest of {self.network} has no member {name!r}")

    # --- the swarm key ------------------------------------------------------------------------

    def with_swarm_key(self, swarm_key: bytes) -> Manifest:
        """Returns the manifest with the swarm key sealed for every current member's document key."""
        sealed = {c.name: json.loads(seal(swarm_key, [load_public_key(c.document_key)])) for c in self.members}
        return replace(self, swarm_keys=sealed)

    def open_swarm_key(self, name: str, key: X25519PrivateKey) -> bytes:
        """Opens the swarm key sealed for a member.

        Raises:
            InvalidManifest: If none is sealed for it, or its document key does not open it.
        """
        envelope = self.swarm_keys.get(name)
        if envelope is None:
            raise InvalidManifest(f"the manifest seals no swarm key for {name}: ask a member to export it again")
        try:
            secret = unseal(canonical(envelope), key)
        except (SealError, NotARecipient) as exc:
            raise InvalidManifest(f"the swarm key sealed for {name} does not open with its key ({exc})") from None
        if not secret.startswith(b"/key/swarm/psk/1.0.0/\n"):
            raise InvalidManifest(f"the swarm key sealed for {name} is not a swarm key")
        return secret

    # --- files --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Returns the manifest as JSON-ready data."""
        return {
            "format": MANIFEST_FORMAT, "network": self.network, "chain_id": self.chain_id, "period": self.period,
            "gas_limit": self.gas_limit, "genesis": self.genesis,
            "founders": [c.to_dict() for c in self.founders],
            "admitted": [{"card": a.card.to_dict(), "roles": list(a.roles), "proposal": a.proposal}
                         for a in self.admitted],
            "removed": list(self.removed), "swarm_keys": self.swarm_keys,
        }

    def hash(self) -> str:
        """Returns the manifest's SHA-256 (of its canonical JSON), for members to compare."""
        return hashlib.sha256(canonical(self.to_dict())).hexdigest()

    def save(self, path: Path) -> None:
        """Writes the manifest as canonical JSON."""
        write_atomic(Path(path), canonical(self.to_dict()) + b"\n")

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "the manifest") -> Manifest:
        """Parses a manifest strictly and checks it: every card's signature, and the genesis
        against the founders' cards.

        Raises:
            InvalidManifest: If it is malformed or any part of it does not check.
        """
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise InvalidManifest(f"{source} is not a network manifest ({MANIFEST_FORMAT})")
        missing = [f for f in _FIELDS if f not in data]
        extra = sorted(set(data) - set(_FIELDS))
        if missing or extra:
            raise InvalidManifest(f"{source} is not a valid manifest ({'missing ' + missing[0] if missing else 'unknown field ' + extra[0]})")
        try:
            manifest = cls(
                network=check_name(data["network"], "network"),
                chain_id=_int(data["chain_id"], "chain_id"),
                period=_int(data["period"], "period"),
                gas_limit=_int(data["gas_limit"], "gas_limit"),
                genesis=dict(data["genesis"]),
                founders=tuple(MemberCard.from_dict(c, source=f"a founder's card in {source}") for c in data["founders"]),
                admitted=tuple(
                    Admission(MemberCard.from_dict(a["card"], source=f"an admitted member's card in {source}"),
                              tuple(a["roles"]), _int(a["proposal"], "proposal"))
                    for a in data["admitted"]
                ),
                removed=tuple(str(n) for n in data["removed"]),
                swarm_keys={str(k): dict(v) for k, v in dict(data["swarm_keys"]).items()},
            )
        except InvalidCard as exc:
            raise InvalidManifest(str(exc)) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidManifest(f"{source} is not a valid manifest ({exc})") from None
        check_cards(manifest.network, [*manifest.founders, *(a.card for a in manifest.admitted)])
        expected = _genesis(manifest.chain_id, manifest.founders, manifest.period, manifest.gas_limit)
        if manifest.genesis != expected:
            raise InvalidManifest(
                f"the genesis in {source} does not match its chain id, period, gas limit and founders' cards: "
                "it was changed; get the manifest again and compare its hash with the other members"
            )
        return manifest

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Reads and checks a manifest file (see `from_dict`).

        Raises:
            InvalidManifest: If it is unreadable, malformed or does not check.
        """
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise InvalidManifest(f"{path} is not a readable manifest ({exc}): get it again") from None
        return cls.from_dict(data, source=str(path))


def _genesis(chain_id: int, cards: Sequence[MemberCard], period: int, gas_limit: int) -> dict[str, Any]:
    return geth.genesis(chain_id=chain_id, sealers=[c.sealer for c in cards], period=period, gas_limit=gas_limit,
                        alloc={c.account: FUNDING for c in cards})


def check_cards(network: str, cards: Sequence[MemberCard]) -> None:
    """Checks that cards are of `network` and share no name, account, sealer, node or address.

    Raises:
        InvalidManifest: If two clash, or a sealer is a member's account or the zero address.
    """
    for c in cards:
        if c.network != network:
            raise InvalidManifest(f"the card of {c.name} is for network {c.network!r}, not {network!r}: ask for its card of {network}")
    for what, key in (
        ("name", lambda c: c.name), ("account", lambda c: c.account), ("sealer", lambda c: c.sealer),
        ("node id", lambda c: c.node_id), ("peer id", lambda c: c.peer_id),
        ("peer-to-peer address", lambda c: (c.host, c.p2p_port)), ("swarm address", lambda c: (c.host, c.swarm_port)),
        ("key service address", lambda c: (c.host, c.key_port)),
    ):
        seen: dict[Any, str] = {}
        for c in cards:
            k = key(c)
            if k in seen:
                raise InvalidManifest(f"{seen[k]} and {c.name} have the same {what}: each member needs its own")
            seen[k] = c.name
    zero = [c.name for c in cards if int(c.sealer, 16) == 0]
    if zero:
        raise InvalidManifest(f"the card of {zero[0]} names no sealer (the zero address): ask for a card made on its node")
    accounts = {c.account for c in cards}
    clash = [c.name for c in cards if c.sealer in accounts]
    if clash:
        raise InvalidManifest(f"the sealer of {clash[0]} is also a member's account: a sealer key must hold no account")


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidManifest(f"field {name} of the manifest is not a non-negative integer")
    return int(value)

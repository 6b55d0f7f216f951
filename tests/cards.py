"""Member cards made in a test, signed by a fresh account, without running `node init` (no Kubo)."""

from __future__ import annotations

import secrets

from eth_account import Account

from lienchain.networks import MemberCard
from lienchain.networks.geth import NodeKey
from lienchain.storage import document_key, public_key_hex

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def make_card(name: str, host: str, roles: tuple[str, ...] = ("LENDER",)) -> tuple[MemberCard, bytes]:
    """Returns a signed card of network "trust" and its account's private key."""
    account, sealer = Account.create(), Account.create()
    card = MemberCard(
        network="trust", name=name, roles=roles, account=account.address, sealer=sealer.address,
        document_key=public_key_hex(document_key(bytes(account.key)).public_key()), host=host, p2p_port=30303,
        swarm_port=4001, key_port=4711, node_id=NodeKey.generate().node_id,
        peer_id="12D3KooW" + "".join(secrets.choice(_B58) for _ in range(44)),
    ).signed(account)
    return card, bytes(account.key)

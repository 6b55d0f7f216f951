"""The Merkle tree of a portfolio of liens, as the registry checks it (`assignLiens`).

An assignee accepts a whole portfolio with one signature over the tree's root; each assignment then
carries its lien's proof. The tree is OpenZeppelin's: leaves `keccak256(keccak256(abi.encode(lienId)))`
(hashed twice, so that no inner node passes for a leaf), pairs hashed in sorted order
(`Hashes.commutativeKeccak256`), so a proof is the list of siblings alone. The leaves are sorted, and
a level's odd last node rises unpaired; a tree of one lien is its leaf, with an empty proof.
"""

from __future__ import annotations

from collections.abc import Iterable

from eth_abi.abi import encode
from eth_utils.crypto import keccak

__all__ = ["LienTree", "leaf", "verify"]


def leaf(lien_id: int) -> bytes:
    """Returns a lien's leaf."""
    return bytes(keccak(keccak(encode(["uint256"], [lien_id]))))


def _pair(a: bytes, b: bytes) -> bytes:
    return bytes(keccak(a + b if a < b else b + a))


class LienTree:
    """The tree over a set of lien ids."""

    def __init__(self, lien_ids: Iterable[int]) -> None:
        """Builds the tree.

        Raises:
            ValueError: If there is no lien, or a lien twice.
        """
        ids = list(lien_ids)
        if not ids:
            raise ValueError("a portfolio holds at least one lien")
        if len(set(ids)) != len(ids):
            raise ValueError("a portfolio names each lien once")
        level = sorted(leaf(i) for i in ids)
        at = {h: k for k, h in enumerate(level)}
        self._position = {i: at[leaf(i)] for i in ids}
        self._levels = [level]
        while len(level) > 1:
            level = [_pair(*level[k:k + 2]) if k + 1 < len(level) else level[k] for k in range(0, len(level), 2)]
            self._levels.append(level)

    @property
    def root(self) -> bytes:
        """Returns the root."""
        return self._levels[-1][0]

    def proof(self, lien_id: int) -> list[bytes]:
        """Returns a lien's proof: its siblings from the leaf up.

        Raises:
            KeyError: If the lien is not in the tree.
        """
        k = self._position[lien_id]
        siblings = []
        for level in self._levels[:-1]:
            if k ^ 1 < len(level):
                siblings.append(level[k ^ 1])
            k //= 2
        return siblings


def verify(proof: Iterable[bytes], root: bytes, lien_id: int) -> bool:
    """Checks a proof as the registry does (OpenZeppelin's `MerkleProof.verify`)."""
    node = leaf(lien_id)
    for sibling in proof:
        node = _pair(node, sibling)
    return node == root

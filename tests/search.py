"""Looking for an amount in what a chain holds (transaction input, logs, storage)."""

from __future__ import annotations


def occurs(amount: int, blobs: list[bytes]) -> bool:
    """Whether `amount` appears in any blob as a 32-byte word or as decimal text (minor or major units)."""
    word = amount.to_bytes(32, "big")
    text = [str(amount).encode(), f"{amount / 100:.2f}".encode()]
    return any(word in b or any(t in b for t in text) for b in blobs)

"""The Fiat-Shamir transcript every lienchain proof runs through.

The state starts as keccak256 of a fixed tag and the protocol's versioned domain separator
(`b"lienchain/ltv/v3"`), and absorbs each public input as

    state = keccak256(state || uint8(len(label)) || label || uint32(len(data)) || data)

so the Solidity verifier can replay it with `abi.encodePacked`. A challenge is
keccak256(state || "challenge" || label) reduced modulo the group order, and is absorbed in turn.
Every statement starts by absorbing its context (chain id, contract address, and the lien or
lender it speaks of), so a proof made for one context fails in any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.crypto import keccak

from .curve import ORDER, Point

_TAG = b"lienchain-transcript"


@dataclass(frozen=True)
class Context:
    """Where a proof applies: its chain, the contract that checks it, and what it is about."""

    chain_id: int
    contract: str  # 0x-address
    subject: bytes  # e.g. b"lien:" + id, or b"lender:" + address bytes

    def encode(self) -> bytes:
        """Returns the context as the transcript absorbs it."""
        return self.chain_id.to_bytes(32, "big") + bytes.fromhex(self.contract.removeprefix("0x")) + self.subject


class Transcript:
    """A running Fiat-Shamir transcript."""

    def __init__(self, protocol: bytes, context: Context) -> None:
        """Starts a transcript for `protocol` (a versioned domain separator) in `context`."""
        self._state = keccak(_TAG + len(protocol).to_bytes(1, "big") + protocol)
        self.append(b"context", context.encode())

    def append(self, label: bytes, data: bytes) -> None:
        """Absorbs labelled bytes."""
        self._state = keccak(self._state + len(label).to_bytes(1, "big") + label + len(data).to_bytes(4, "big") + data)

    def append_point(self, label: bytes, point: Point) -> None:
        """Absorbs a point (its 64-byte encoding)."""
        self.append(label, point.to_bytes())

    def append_scalar(self, label: bytes, value: int) -> None:
        """Absorbs an integer as 32 bytes big-endian."""
        self.append(label, value.to_bytes(32, "big"))

    def challenge(self, label: bytes) -> int:
        """Returns a challenge scalar, and absorbs it."""
        c = int.from_bytes(keccak(self._state + b"challenge" + label), "big") % ORDER
        self.append_scalar(label, c)
        return c

"""Canonical bytes and JSON for proofs: one encoding per proof, decoded with every check.

Bytes (as the Solidity verifier will read them): a point is 64 bytes (x, y big-endian), a scalar
32 bytes big-endian below the group order.

- opening proof: A || z_value || z_blinding (128 bytes);
- range-based proof (range, loan-to-value, exposure): for each bit, least significant first,
  C_i || A0 || A1 || c0 || z0 || z1 (288 bytes a bit).

JSON carries the same bytes as 0x-hex under "proof", so a JSON proof and a byte proof are one proof.
"""

from __future__ import annotations

from ..errors import InvalidProof
from .curve import Point, scalar
from .opening import OpeningProof
from .range import BitProof, RangeProof

_BIT = 3 * 64 + 3 * 32


def _scalar(data: bytes) -> int:
    return scalar(int.from_bytes(data, "big"))


def opening_to_bytes(proof: OpeningProof) -> bytes:
    """Returns the opening proof's canonical bytes."""
    return proof.a.to_bytes() + proof.z_value.to_bytes(32, "big") + proof.z_blinding.to_bytes(32, "big")


def opening_from_bytes(data: bytes) -> OpeningProof:
    """Decodes an opening proof.

    Raises:
        InvalidProof: If it is not 128 bytes of a valid point and two scalars below the order.
    """
    if len(data) != 128:
        raise InvalidProof(f"an opening proof is 128 bytes, not {len(data)}")
    return OpeningProof(Point.from_bytes(data[:64]), _scalar(data[64:96]), _scalar(data[96:]))


def range_to_bytes(proof: RangeProof) -> bytes:
    """Returns a range-based proof's canonical bytes."""
    return b"".join(
        b.commitment.to_bytes() + b.a0.to_bytes() + b.a1.to_bytes()
        + b.c0.to_bytes(32, "big") + b.z0.to_bytes(32, "big") + b.z1.to_bytes(32, "big")
        for b in proof.bits
    )


def range_from_bytes(data: bytes, bits: int) -> RangeProof:
    """Decodes a range-based proof of `bits` bits.

    Raises:
        InvalidProof: If its length is not `bits` * 288, or a point or scalar is invalid.
    """
    if len(data) != bits * _BIT:
        raise InvalidProof(f"a {bits}-bit proof is {bits * _BIT} bytes, not {len(data)}")
    out = []
    for i in range(bits):
        chunk = data[i * _BIT : (i + 1) * _BIT]
        out.append(BitProof(
            Point.from_bytes(chunk[:64]), Point.from_bytes(chunk[64:128]), Point.from_bytes(chunk[128:192]),
            _scalar(chunk[192:224]), _scalar(chunk[224:256]), _scalar(chunk[256:]),
        ))
    return RangeProof(tuple(out))


def to_json(kind: str, proof_bytes: bytes) -> dict[str, str]:
    """Returns the JSON form of a proof's bytes."""
    return {"kind": kind, "proof": "0x" + proof_bytes.hex()}


def from_json(data: object, kind: str) -> bytes:
    """Returns a proof's bytes from its JSON form.

    Raises:
        InvalidProof: If it is not a JSON proof of that kind.
    """
    if not isinstance(data, dict) or data.get("kind") != kind or not isinstance(data.get("proof"), str):
        raise InvalidProof(f"not a JSON {kind} proof: expected {{\"kind\": \"{kind}\", \"proof\": \"0x...\"}}")
    text = str(data["proof"])
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidProof("the proof is not hex") from None

"""The second Pedersen generator H, derived from a public seed so that no one knows log_G(H).

Derivation (try-and-increment, simple to repeat in Solidity or by hand):

    for counter = 0, 1, 2, ...:
        x = keccak256(SEED || counter as 4 bytes big-endian) mod p
        if x^3 + 3 is a square mod p:
            y = its square root with y even
            H = (x, y); stop

`p` is BN254's base field modulus. The x-coordinate is the output of a hash, so finding log_G(H)
is the discrete-logarithm problem on BN254; anyone can recompute H from the seed (a test does).
"""

from __future__ import annotations

from eth_utils.crypto import keccak

from .curve import FIELD, FixedBase, Point

#: The public seed of H; its version changes only with a new generator.
SEED = b"lienchain/pedersen/H/v1"


def hash_to_point(seed: bytes) -> tuple[Point, int]:
    """Returns the point try-and-increment derives from `seed`, and the counter that found it."""
    counter = 0
    while True:
        x = int.from_bytes(keccak(seed + counter.to_bytes(4, "big")), "big") % FIELD
        rhs = (x * x * x + 3) % FIELD
        y = pow(rhs, (FIELD + 1) // 4, FIELD)  # FIELD = 3 mod 4: the square root, if there is one
        if y * y % FIELD == rhs:
            return Point.checked(x, y if y % 2 == 0 else FIELD - y), counter
        counter += 1


H, H_COUNTER = hash_to_point(SEED)
#: H, multiplied through its table (built on first use).
H_FIXED = FixedBase(H)

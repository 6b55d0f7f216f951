"""Pedersen commitments to amounts: C = v*G + r*H, hiding v (r is random) and binding it (no one
knows log_G(H), see generators.py). Both multiplications go through the fixed-base tables of
G and H."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from .curve import G_FIXED, ORDER, Point, multi
from .generators import H_FIXED


@dataclass(frozen=True)
class Opening:
    """What opens a commitment: the amount and the blinding factor."""

    value: int
    blinding: int

    @classmethod
    def random(cls, value: int, rng: random.Random | None = None) -> Opening:
        """Returns an opening of `value` with a fresh blinding factor from a CSPRNG."""
        r = (rng or secrets.SystemRandom()).randrange(1, ORDER)
        return cls(value, r)

    def commit(self) -> Point:
        """Returns the commitment v*G + r*H."""
        return multi([(self.value, G_FIXED), (self.blinding, H_FIXED)])


def commit(value: int, blinding: int) -> Point:
    """Returns v*G + r*H."""
    return Opening(value, blinding).commit()

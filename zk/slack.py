"""Statements on a limit, proved through their slack: "the committed amount is at most a public limit L".

With C the commitment to the amount a (for an exposure, the sum of the liens' commitments), the
prover shows that D = L*G - C = (L - a)*G + (-r)*H opens to a value s in [0, 2**b) with
b = max(1, bit length of L): a range proof of the slack L - a on a commitment anyone derives from
public data. Each statement (ltv.py, exposure.py) says what L and C are, what its transcript binds
and why b bits suffice; this module holds what they share: sizing, proving and checking the slack.
"""

from __future__ import annotations

import random
from typing import Protocol

from .curve import ORDER, Point
from .pedersen import Opening
from .range import RangeProof, prove_bits, verify_bits
from .transcript import Transcript


class LimitStatement(Protocol):
    """A statement proved through its slack: its limit L, and D = L*G - C."""

    @property
    def limit(self) -> int:
        """The largest amount the claim allows."""
        ...

    @property
    def bits(self) -> int:
        """The number of bits the slack is range-proved on (`slack_bits` of the limit)."""
        ...

    def slack_commitment(self) -> list[tuple[int, Point]]:
        """Returns D = L*G - C as a linear combination of points."""
        ...


def slack_bits(limit: int) -> int:
    """Returns the number of bits a slack below `limit` is range-proved on: max(1, bit length)."""
    return max(1, limit.bit_length())


def prove_slack(
    t: Transcript, statement: LimitStatement, committed: Opening, *, rng: random.Random | None = None
) -> RangeProof:
    """Proves that the statement's D opens to a value in [0, 2**bits), continuing transcript `t`
    (which has absorbed the statement).

    Args:
        t: The statement's transcript.
        statement: The statement.
        committed: The opening of C: the amount and its blinding (summed, for several commitments).
        rng: The randomness [default: a CSPRNG].

    Raises:
        ProofError: If the amount exceeds the limit.
    """
    slack = Opening(statement.limit - committed.value, (-committed.blinding) % ORDER)
    return prove_bits(t, slack, statement.bits, rng=rng)


def verify_slack(t: Transcript, statement: LimitStatement, proof: RangeProof) -> None:
    """Checks a proof from `prove_slack`, continuing transcript `t` (which has absorbed the statement).

    Raises:
        InvalidProof: If it does not verify.
    """
    verify_bits(t, statement.slack_commitment(), statement.bits, proof)

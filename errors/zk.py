"""Errors of zero-knowledge proofs."""

from __future__ import annotations

from .base import LienchainError

__all__ = [
    "ProofError", "NoFreshValuation", "InvalidProof",
]


class ProofError(LienchainError):
    """Raised when a proof cannot be built, parsed or checked."""


class NoFreshValuation(ProofError):
    """Raised when a private amount would be proved against a title that has no fresh valuation."""

    def __init__(self, subject: str, *, stale: bool) -> None:
        self.subject = subject
        self.stale = stale
        state = "only stale valuations" if stale else "no valuation"
        super().__init__(f"{subject} has {state} to prove an amount against: an oracle must value it first")


class InvalidProof(ProofError):
    """Raised when a proof does not verify against its statement."""

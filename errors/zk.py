"""Errors of zero-knowledge proofs."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from .base import LienchainError

__all__ = [
    "ProofError", "NoFreshValuation", "InvalidProof", "LienIsPublic", "MalformedOpening",
]


class ProofError(LienchainError):
    """Raised when a proof cannot be built, parsed or checked."""


@dataclass(eq=False)
class NoFreshValuation(ProofError):
    """Raised when a private amount would be proved against a title that has no fresh valuation."""

    subject: str
    _: KW_ONLY
    state: str  # the appraisal's: "unvalued", "under-valued" or "stale"
    needed: int = 1  # how many fresh valuations a value needs

    def __str__(self) -> str:
        if self.state == "stale":
            return f"{self.subject} has only stale valuations to prove an amount against: oracles must value it again"
        if self.state == "under-valued":
            return (f"{self.subject} is under-valued: its value counts once {self.needed} oracles have valued it, "
                    "so there is nothing to prove an amount against yet")
        return f"{self.subject} has no valuation to prove an amount against: oracles must value it first"


class InvalidProof(ProofError):
    """Raised when a proof does not verify against its statement."""


@dataclass(eq=False)
class LienIsPublic(ProofError):
    """Raised when a private lien's amount is asked of a public lien, whose amount is on chain."""

    lien_id: int
    template = "lien {lien_id} is public: its amount is on chain"


@dataclass(eq=False)
class MalformedOpening(ProofError, ValueError):
    """Raised when a private lien's opening record, once unsealed, is no opening lienchain can read.

    The message never quotes the record: what failed to parse may be the secret amount or blinding.
    """

    source: str  # where the record came from: "lien 7's document", "the authorization of 0x..."
    remedy: str  # what to do
    template = "{source} holds no readable opening of a private amount: {remedy}"

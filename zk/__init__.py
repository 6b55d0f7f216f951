"""Zero-knowledge proofs on BN254 for auditors: Pedersen commitments to amounts, range proofs, and
the loan-to-value and exposure statements built on them, all through one Fiat-Shamir transcript
bound to a chain, a contract and a subject.

Each proof module offers `prove(statement, witness, *, rng) -> Proof` and `verify(statement, proof)`,
which raises `InvalidProof`. Randomness comes from `secrets` unless a generator is injected.

The names below are imported on first use (see `lienchain._lazy`), so that importing one proof
module does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .curve import ORDER, G, Point
    from .generators import H
    from .pedersen import Opening, commit
    from .transcript import Context, Transcript

_EXPORTS = {
    "ORDER": ".curve",
    "Context": ".transcript",
    "G": ".curve",
    "H": ".generators",
    "Opening": ".pedersen",
    "Point": ".curve",
    "Transcript": ".transcript",
    "commit": ".pedersen",
}

__all__ = ["ORDER", "Context", "G", "H", "Opening", "Point", "Transcript", "commit"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

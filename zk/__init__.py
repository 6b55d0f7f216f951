"""Zero-knowledge proofs on BN254 for auditors: Pedersen commitments to amounts, range proofs, and
the loan-to-value and exposure statements built on them, all through one Fiat-Shamir transcript
bound to a chain, a contract and a subject.

Each proof module offers `prove(statement, witness, *, rng) -> Proof` and `verify(statement, proof)`,
which raises `InvalidProof`. Randomness comes from `secrets` unless a generator is injected.
"""

from .curve import ORDER, G, Point
from .generators import H
from .pedersen import Opening, commit
from .transcript import Context, Transcript

__all__ = ["ORDER", "Context", "G", "H", "Opening", "Point", "Transcript", "commit"]

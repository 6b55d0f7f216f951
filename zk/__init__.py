"""Zero-knowledge proofs on BN254 for auditors: Pedersen commitments to amounts, proofs of opening
and of range, all through one Fiat-Shamir transcript bound to a chain, a contract and a subject.

Each proof module offers `prove(statement, witness, *, rng) -> Proof` and `verify(statement, proof)`,
which raises `InvalidProof`. Randomness comes from `secrets` unless a generator is injected.
(Issue 6: the loan-to-value and exposure statements, the encodings and the on-chain verifier build on these.)
"""

from .curve import ORDER, G, Point
from .generators import H
from .pedersen import Opening, commit
from .transcript import Context, Transcript

__all__ = ["ORDER", "Context", "G", "H", "Opening", "Point", "Transcript", "commit"]

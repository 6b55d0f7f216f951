"""Zero-knowledge proofs on BN254 for auditors (issue 6)."""

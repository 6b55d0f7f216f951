"""The Solidity contracts: sources in src/, committed artifacts in artifacts/, and their build."""

from .build import CONTRACTS, Artifact, compile_contracts, load_artifact, write_artifacts

__all__ = ["CONTRACTS", "Artifact", "compile_contracts", "load_artifact", "write_artifacts"]

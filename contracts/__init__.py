"""The Solidity contracts: sources in src/, committed artifacts in artifacts/, and their build."""

from .build import CONTRACTS, REGISTRY_MODULES, Artifact, compile_contracts, load_artifact, registry_abi, write_artifacts

__all__ = [
    "CONTRACTS", "REGISTRY_MODULES", "Artifact", "compile_contracts", "load_artifact", "registry_abi", "write_artifacts",
]

"""Compile the Solidity sources into the committed artifacts.

The compiler is the npm package `solc` (the official compiler built to WebAssembly, pinned in
package.json) behind `solc-shim.js`, driven by py-solc-x through `--standard-json`. Contracts are
compiled for London, the rules the consortium's Clique chain runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import write_atomic

CONTRACTS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CONTRACTS_DIR / "src"
ARTIFACTS_DIR = CONTRACTS_DIR / "artifacts"
REPO_DIR = CONTRACTS_DIR.parent
SHIM = CONTRACTS_DIR / "solc-shim.js"

#: The contracts lienchain deploys; each gets an artifact file of its own.
CONTRACTS = ("Governance", "TitleRegistry", "ZkVerifier")

SETTINGS: dict[str, Any] = {
    "evmVersion": "london",
    "optimizer": {"enabled": True, "runs": 200},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: its ABI and creation bytecode."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler: str

    def to_json(self) -> str:
        """Returns the artifact as the canonical JSON committed under contracts/artifacts."""
        return json.dumps(
            {
                "contractName": self.name,
                "compiler": self.compiler,
                "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
                "abi": self.abi,
                "bytecode": self.bytecode,
                "deployedBytecode": self.deployed_bytecode,
            },
            indent=1,
            sort_keys=True,
        ) + "\n"

    @property
    def sha256(self) -> str:
        """Returns the hash of the artifact's canonical JSON, recorded in deployment records."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()


def load_artifact(name: str) -> Artifact:
    """Loads a committed artifact.

    Args:
        name: The contract's name, one of CONTRACTS.

    Returns:
        The artifact.

    Raises:
        ConfigError: If the artifact is missing (run `lienchain contracts build`).
    """
    path = ARTIFACTS_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no compiled artifact {path}: run `lienchain contracts build`") from None
    return Artifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        compiler=data["compiler"],
    )


def _sources() -> dict[str, dict[str, str]]:
    # Source unit names are relative to contracts/, so artifacts do not depend on the checkout's path.
    return {
        str(path.relative_to(CONTRACTS_DIR)): {"content": path.read_text()}
        for path in sorted(SOURCES_DIR.rglob("*.sol"))
    }


def compile_contracts() -> dict[str, Artifact]:
    """Compiles the sources with the pinned compiler.

    Returns:
        The artifacts by contract name.

    Raises:
        ConfigError: If node or the npm packages are missing, or the sources do not compile.
    """
    import solcx  # imported here: only `contracts build` and its test need the compiler

    if shutil.which("node") is None:
        raise ConfigError("node is not on PATH: install Node.js to compile the contracts")
    if not (REPO_DIR / "node_modules" / "solc").is_dir():
        raise ConfigError(f"the npm packages are not installed: run `npm ci` in {REPO_DIR}")
    try:
        output = solcx.compile_standard(
            {"language": "Solidity", "sources": _sources(), "settings": SETTINGS},
            solc_binary=SHIM,
            base_path=str(CONTRACTS_DIR),
            allow_paths=[str(REPO_DIR / "node_modules")],
        )
    except solcx.exceptions.SolcError as exc:
        raise ConfigError(f"the contracts do not compile: {exc.message.splitlines()[0]}") from None
    version = solcx.wrapper.get_version_str_from_solc_binary(SHIM)
    artifacts = {}
    for unit, contracts in output["contracts"].items():
        for name, out in contracts.items():
            if name in CONTRACTS and unit.startswith("src/") and "/" not in unit[4:]:
                artifacts[name] = Artifact(
                    name=name,
                    abi=out["abi"],
                    bytecode="0x" + out["evm"]["bytecode"]["object"],
                    deployed_bytecode="0x" + out["evm"]["deployedBytecode"]["object"],
                    compiler=f"solc {version}",
                )
    return artifacts


def write_artifacts(artifacts: dict[str, Artifact]) -> list[Path]:
    """Writes artifacts under contracts/artifacts, each atomically.

    Args:
        artifacts: The artifacts by name.

    Returns:
        The paths written.
    """
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    written = []
    for name, artifact in sorted(artifacts.items()):
        path = ARTIFACTS_DIR / f"{name}.json"
        write_atomic(path, artifact.to_json().encode())
        written.append(path)
    return written

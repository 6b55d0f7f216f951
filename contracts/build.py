"""Compile the Solidity sources into the committed artifacts.

The compiler is the npm package `solc` (the official compiler built to WebAssembly, pinned in
package.json) behind `solc-shim.js`, driven by py-solc-x through `--standard-json`. Contracts are
compiled for London, the rules the consortium's Clique chain runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ArtifactNotFound, ConfigError
from ..files import write_atomic

CONTRACTS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CONTRACTS_DIR / "src"
ARTIFACTS_DIR = CONTRACTS_DIR / "artifacts"
REPO_DIR = CONTRACTS_DIR.parent
SHIM = CONTRACTS_DIR / "solc-shim.js"

#: The contracts lienchain deploys, the libraries they link (under src/libraries) and the registry's
#: modules (under src/modules); each gets an artifact file of its own.
CONTRACTS = ("Governance", "TitleRegistry", "ZkVerifier", "DocumentRegistry", "Titles", "Authorizations",
             "TitleMetadata", "RegistrySettings", "Dispositions", "TitleLifecycle")
#: The registry's modules: contracts the registry creates in its constructor and whose functions its
#: fallback runs by DELEGATECALL, so that they are functions of the registry's address (see
#: `registry_abi`).
REGISTRY_MODULES = ("TitleLifecycle",)

SETTINGS: dict[str, Any] = {
    "evmVersion": "london",
    "optimizer": {"enabled": True, "runs": 200},
    "outputSelection": {"*": {"*": [
        "abi", "evm.bytecode.object", "evm.bytecode.linkReferences",
        "evm.deployedBytecode.object", "evm.deployedBytecode.linkReferences",
        "evm.deployedBytecode.immutableReferences", "storageLayout",
    ]}},
}


#: Where a bytecode holds the address of each library it calls, as solc reports it: source unit ->
#: library -> byte ranges, each {"start": offset, "length": 20}.
LinkReferences = dict[str, dict[str, list[dict[str, int]]]]


@dataclass(frozen=True)
class Artifact:
    """A compiled contract or library: its ABI and creation bytecode.

    A contract that calls an external library holds, in its bytecode, a placeholder
    (`__$...$__`) where the library's address goes once it is deployed (see `link`).
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler: str
    link_references: LinkReferences = field(default_factory=dict)
    deployed_link_references: LinkReferences = field(default_factory=dict)
    #: Where the runtime code holds each immutable, by its AST id: byte ranges, as for libraries.
    deployed_immutable_references: dict[str, list[dict[str, int]]] = field(default_factory=dict)
    #: solc's storage layout of the contract's own state variables (not written to the artifact
    #: file: tests compare it from a fresh build).
    storage_layout: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def libraries(self) -> list[str]:
        """Returns the names of the libraries the contract links, sorted."""
        return sorted({lib for libs in self.link_references.values() for lib in libs})

    def link(self, addresses: Mapping[str, str]) -> str:
        """Returns the creation bytecode with each library's address in place of its placeholder.

        Args:
            addresses: The deployed address of each library in `libraries`, by name.

        Raises:
            ConfigError: If a library's address is missing.
        """
        return _link(self.name, self.bytecode, self.link_references, addresses)

    def link_deployed(self, addresses: Mapping[str, str]) -> str:
        """Returns the runtime bytecode with each library's address in place (see `link`)."""
        return _link(self.name, self.deployed_bytecode, self.deployed_link_references, addresses)

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
                "linkReferences": self.link_references,
                "deployedLinkReferences": self.deployed_link_references,
                "deployedImmutableReferences": self.deployed_immutable_references,
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
        ArtifactNotFound: If the artifact is missing (it was not built).
    """
    path = ARTIFACTS_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactNotFound(str(path)) from None
    return Artifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        compiler=data["compiler"],
        link_references=data.get("linkReferences", {}),
        deployed_link_references=data.get("deployedLinkReferences", {}),
        deployed_immutable_references=data.get("deployedImmutableReferences", {}),
    )


def registry_abi() -> list[dict[str, Any]]:
    """Returns the ABI of the registry's address: the registry's own and its modules' functions,
    events and errors, each once.

    Raises:
        ArtifactNotFound: If an artifact is missing.
        ConfigError: If a function of a module has a selector of the registry's (the registry's
            would shadow it) or of another module's.
    """
    merged: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for name in ("TitleRegistry", *REGISTRY_MODULES):
        for item in load_artifact(name).abi:
            kind = str(item.get("type"))
            if kind in ("constructor", "fallback", "receive"):
                if name == "TitleRegistry":
                    merged.append(item)
                continue
            key = (kind, f"{item['name']}({','.join(_canonical(i) for i in item['inputs'])})")
            if key in seen:
                if kind == "function":
                    raise ConfigError(f"{key[1]} is a function of both {seen[key]} and {name}")
                continue  # an event or error both declare (from ITitleRegistry) is the same one
            seen[key] = name
            merged.append(item)
    return merged


def _canonical(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


def _link(name: str, code: str, references: LinkReferences, addresses: Mapping[str, str]) -> str:
    linked = code.removeprefix("0x")
    for libs in references.values():
        for lib, spots in libs.items():
            if lib not in addresses:
                raise ConfigError(f"{name} calls the library {lib}: deploy it and give its address")
            address = addresses[lib].removeprefix("0x").lower()
            for spot in spots:
                start = 2 * spot["start"]
                linked = linked[:start] + address + linked[start + 2 * spot["length"]:]
    return "0x" + linked


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
        lines = exc.message.splitlines()
        where = next((line.strip().removeprefix("--> ") for line in lines[1:3] if "-->" in line), "")
        raise ConfigError(f"the contracts do not compile: {lines[0]}" + (f" ({where})" if where else "")) from None
    version = solcx.wrapper.get_version_str_from_solc_binary(SHIM)
    artifacts = {}
    for unit, contracts in output["contracts"].items():
        for name, out in contracts.items():
            if name in CONTRACTS and unit in (f"src/{name}.sol", f"src/libraries/{name}.sol",
                                              f"src/modules/{name}.sol"):
                artifacts[name] = Artifact(
                    name=name,
                    abi=out["abi"],
                    bytecode="0x" + out["evm"]["bytecode"]["object"],
                    deployed_bytecode="0x" + out["evm"]["deployedBytecode"]["object"],
                    compiler=f"solc {version}",
                    link_references=out["evm"]["bytecode"]["linkReferences"],
                    deployed_link_references=out["evm"]["deployedBytecode"]["linkReferences"],
                    deployed_immutable_references=out["evm"]["deployedBytecode"].get("immutableReferences", {}),
                    storage_layout=out.get("storageLayout", {}),
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

"""The committed artifacts are exactly what the sources compile to, for London."""

from __future__ import annotations

import pytest

from lienchain.contracts import CONTRACTS, compile_contracts, load_artifact

PUSH0, PUSH1, PUSH32 = 0x5F, 0x60, 0x7F


def opcodes(code: bytes) -> set[int]:
    seen, i = set(), 0
    while i < len(code):
        op = code[i]
        seen.add(op)
        i += 1 + (op - PUSH1 + 1 if PUSH1 <= op <= PUSH32 else 0)
    return seen


@pytest.fixture(scope="module")
def compiled():
    return compile_contracts()


@pytest.mark.parametrize("name", CONTRACTS)
def test_committed_artifact_matches_the_sources(compiled, name: str) -> None:
    assert compiled[name].to_json() == load_artifact(name).to_json(), (
        f"contracts/artifacts/{name}.json is stale: run `lienchain contracts build` and commit the result"
    )


def runtime_code(name: str) -> bytes:
    """The artifact's runtime code, with a stand-in address for each library it links."""
    artifact = load_artifact(name)
    return bytes.fromhex(artifact.link_deployed(dict.fromkeys(artifact.libraries, "0x" + "00" * 20))[2:])


@pytest.mark.parametrize("name", CONTRACTS)
def test_runtime_code_runs_on_london(name: str) -> None:
    code = runtime_code(name)
    # The metadata trailer is data, not code: cut it off by its encoded length.
    code = code[: len(code) - 2 - int.from_bytes(code[-2:], "big")]
    assert PUSH0 not in opcodes(code)
    assert len(code) <= 24_576  # EIP-170

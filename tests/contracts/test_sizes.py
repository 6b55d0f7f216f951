"""Every deployed contract and library stays well within the EIP-170 code size limit.

The registry grows with each new rule: 75% of the limit leaves room for the next ones, and a
contract that crosses it is split (rules move into a library under contracts/src/libraries)
before it gets near the limit itself.
"""

from __future__ import annotations

import pytest

from lienchain.contracts import CONTRACTS, load_artifact

EIP170_LIMIT = 24_576
#: The share of the limit a deployed contract may use.
CEILING = 0.75


def deployed_size(name: str) -> int:
    # A library's placeholder in the code takes 40 hex digits, as its address will.
    return len(load_artifact(name).deployed_bytecode.removeprefix("0x")) // 2


def test_sizes_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print()
        for name in CONTRACTS:
            size = deployed_size(name)
            print(f"{name:>14}: {size:6,} bytes, {size / EIP170_LIMIT:6.1%} of EIP-170")


@pytest.mark.parametrize("name", CONTRACTS)
def test_deployed_code_is_at_most_three_quarters_of_eip170(name: str) -> None:
    size = deployed_size(name)
    assert size <= CEILING * EIP170_LIMIT, (
        f"{name} is {size:,} bytes, {size / EIP170_LIMIT:.1%} of EIP-170 (at most {CEILING:.0%}): "
        "move rules into a library under contracts/src/libraries"
    )

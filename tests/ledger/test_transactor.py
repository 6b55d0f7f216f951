"""The transactor names the operation a refusal it cannot decode stopped: a panic, a bare revert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lienchain.contracts.build import load_artifact
from lienchain.errors import ContractRevert
from lienchain.ledger.chain.embedded import EmbeddedChain
from lienchain.ledger.chain.transactions import Call, Transactor
from lienchain.ledger.registry.reverts import RevertDecoder

from .conftest import SENDER, SENDER_FUNDS
from .evm_snippets import BARE_REVERTER_CONTRACT, PANIC_CONTRACT

#: Any function will do: the contract panics whatever it is called with.
POKE_ABI = [{"type": "function", "name": "poke", "stateMutability": "nonpayable", "inputs": [], "outputs": []}]


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[EmbeddedChain]:
    with EmbeddedChain.create(tmp_path / "chain", chain_id=4242, alloc={SENDER.address: SENDER_FUNDS}) as c:
        yield c


def _poke(chain: EmbeddedChain, code: bytes) -> Any:
    tx = {"type": 2, "chainId": chain.chain_id, "nonce": chain.nonce(SENDER.address), "data": code, "value": 0,
          "gas": 200_000, "maxFeePerGas": 2 * chain.block("latest").base_fee + 10**9, "maxPriorityFeePerGas": 10**9}
    receipt = chain.w3.eth.wait_for_transaction_receipt(
        chain.w3.eth.send_raw_transaction(SENDER.sign_transaction(tx).raw_transaction), timeout=30)
    return chain.w3.eth.contract(address=receipt["contractAddress"], abi=POKE_ABI).functions.poke()


def test_a_panic_names_the_operation_it_stopped_and_sends_nothing(chain: EmbeddedChain) -> None:
    poke = _poke(chain, PANIC_CONTRACT)
    transactor = Transactor(chain, SENDER, decoder=RevertDecoder([load_artifact("TitleRegistry").abi]))
    nonce = chain.nonce(SENDER.address)

    with pytest.raises(ContractRevert, match=r"^the contract refused poke: .*arithmetic overflow or underflow \(Panic 0x11\)$"):
        transactor.send_many([Call(poke, 100_000)])
    with pytest.raises(ContractRevert, match=r"^the contract refused poke: "):
        transactor.call(poke)
    assert chain.nonce(SENDER.address) == nonce


def test_a_revert_without_data_names_the_operation_it_stopped(chain: EmbeddedChain) -> None:
    poke = _poke(chain, BARE_REVERTER_CONTRACT)
    transactor = Transactor(chain, SENDER, decoder=RevertDecoder([load_artifact("TitleRegistry").abi]))
    nonce = chain.nonce(SENDER.address)
    for attempt in (lambda: transactor.send_many([Call(poke, 100_000)]), lambda: transactor.call(poke)):
        with pytest.raises(ContractRevert, match=r"^the contract refused poke without a reason"):
            attempt()
    assert chain.nonce(SENDER.address) == nonce

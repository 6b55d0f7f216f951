"""The reads both chains answer alike, through web3's Ethereum API.

The embedded chain's in-process provider answers as geth does (reverts as code 3 with the revert
data, a call without `from` from the zero address, at gas price 0), so identity, blocks, accounts,
calls, gas estimates and logs are one implementation over a `Web3`; writes and receipts are each chain's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, cast

from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.types import FilterParams, LogReceipt, TxParams

from ...errors import InsufficientFunds, TransactionFailed
from .base import Block, BlockId, Chain, Reverted, StaleNonce, Transaction


def revert_data(data: object) -> bytes | None:
    """Returns revert data given as hex (a selector at least), or None."""
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        return bytes(HexBytes(data))
    return None


def refusal(error: Any, sender: str, *, sent: int | None = None) -> Exception:
    """Turns a JSON-RPC error answering a call or a sent transaction into the exception it stands for.

    Args:
        error: The answer's `error` member (code, message, data).
        sender: The sending account, to name in the message.
        sent: How many transactions of the send went out before this one, if it was a send.
    """
    data = revert_data(error.get("data") if isinstance(error, dict) else None)
    if data is not None:  # a revert, with the contract's custom error
        return Reverted(data)
    message = str(error.get("message")) if isinstance(error, dict) else str(error)
    if any(m in message for m in ("afford", "insufficient funds", "enough balance")):  # py-evm's, geth's
        return InsufficientFunds(f"{sender} cannot pay for the gas: fund it from another account of the profile")
    if "revert" in message:  # a revert without data: the transactor names the operation it stopped
        return Reverted(b"", message)
    after = f" (after {sent} sent)" if sent else ""
    # geth's, py-evm's; and geth's for a nonce another process of the account holds in the pool
    if any(m in message for m in ("nonce too low", "Invalid transaction nonce", "replacement transaction underpriced")):
        return StaleNonce(f"the chain refused the transaction{after}: {message}", sent=sent or 0)
    return TransactionFailed(f"the chain refused the transaction{after}: {message}")


def _params(transaction: Transaction) -> TxParams:
    params: dict[str, Any] = {"from": transaction.sender, "to": transaction.to, "data": transaction.data}
    if transaction.gas is not None:
        params["gas"] = transaction.gas
    if transaction.value:
        params["value"] = transaction.value
    return cast(TxParams, params)


@contextlib.contextmanager
def _refusals(what: str) -> Iterator[None]:
    """Turns web3's answer to a call or estimate that failed into `Reverted` or `TransactionFailed`."""
    try:
        yield
    except ContractLogicError as exc:
        data = revert_data(exc.data)
        if data is None:  # a plain `revert()` or a require without message
            raise Reverted(b"", exc.message or "no reason given") from None
        raise Reverted(data) from None
    except Web3RPCError as exc:  # out of gas, invalid opcode: an RPC error without revert data
        raise TransactionFailed(f"the {what} failed: {exc}") from None


class Web3Reads(Chain):
    """A chain whose reads go through `self._w3`, web3's connection to it."""

    _w3: Web3

    @property
    def w3(self) -> Web3:
        return self._w3

    def head(self) -> int:
        return int(self._w3.eth.block_number)

    def block(self, number: BlockId = "latest") -> Block:
        b = self._w3.eth.get_block(number)
        return Block(
            number=int(b["number"]),
            hash="0x" + bytes(b["hash"]).hex(),
            timestamp=int(b["timestamp"]),
            gas_used=int(b["gasUsed"]),
            gas_limit=int(b["gasLimit"]),
            base_fee=int(b.get("baseFeePerGas", 0)),
            transactions=tuple("0x" + bytes(cast(bytes, t)).hex() for t in b["transactions"]),
        )

    def nonce(self, address: str) -> int:
        return int(self._w3.eth.get_transaction_count(Web3.to_checksum_address(address), "pending"))

    def balance(self, address: str, block: BlockId = "latest") -> int:
        return int(self._w3.eth.get_balance(Web3.to_checksum_address(address), block))

    def call(self, transaction: Transaction, block: BlockId = "latest") -> bytes:
        with _refusals("call"):
            return bytes(self._w3.eth.call(_params(transaction), block))

    def estimate_gas(self, transaction: Transaction, block: BlockId = "latest") -> int:
        with _refusals("estimate"):
            return int(self._w3.eth.estimate_gas(_params(transaction), block))

    def logs(
        self, *, address: str | Sequence[str], from_block: int, to_block: BlockId = "latest",
        topics: Sequence[str | Sequence[str] | None] = (),
    ) -> list[LogReceipt]:
        where = address if isinstance(address, str) else list(address)
        params: dict[str, Any] = {"address": where, "fromBlock": from_block, "toBlock": to_block}
        if topics:
            params["topics"] = [t if t is None or isinstance(t, str) else list(t) for t in topics]
        return list(self._w3.eth.get_logs(cast(FilterParams, params)))

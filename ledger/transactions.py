"""Signing and sending transactions for one account: local keys, local nonces, typed reverts.

Transactions are signed locally with eth-account (coincurve underneath), so no key ever reaches a
node. Every write is first run as an `eth_call` from the same account: a refusal surfaces as the
contract's custom error, decoded into a typed exception, and costs no transaction on chain.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ContextManager, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.types import TxReceipt

from ..errors import ContractRevert, TransactionFailed
from .reverts import RevertDecoder

_PRIORITY_FEE = Web3.to_wei(1, "gwei")
_BASE_FEE_TTL = 10.0  # seconds; fees on a private chain move slowly, a stale figure only overpays


@dataclass(frozen=True)
class Call:
    """One contract function call to send, with the gas it may use."""

    fn: ContractFunction
    gas: int


def revert_data(exc: ContractLogicError) -> bytes | None:
    """Returns the raw revert data of a web3 contract error, if the node returned any."""
    data = exc.data
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        return bytes(HexBytes(data))
    return None


class Transactor:
    """Sends the transactions of one account."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        chain_id: int,
        decoder: RevertDecoder,
        batch: Callable[[], ContextManager[None]] | None = None,
        receipt_timeout: float = 120.0,
    ) -> None:
        """Binds an account to a connection.

        Args:
            w3: The connection.
            account: The local account that signs.
            chain_id: The chain id every transaction is signed for (EIP-155).
            decoder: Decodes reverts into typed exceptions.
            batch: A context manager factory under which the chain takes several transactions
                into one block (the embedded chain's `batch`); None sends them one by one.
            receipt_timeout: Seconds to wait for a receipt.
        """
        self.w3 = w3
        self.account = account
        self.chain_id = chain_id
        self._decoder = decoder
        self._batch = batch or contextlib.nullcontext
        self._receipt_timeout = receipt_timeout
        self._nonce: int | None = None
        self._base_fee = 0
        self._base_fee_at = 0.0

    @property
    def address(self) -> str:
        """Returns the account's checksum address."""
        return str(self.account.address)

    def call(self, fn: ContractFunction, *, titles: Mapping[int, str] | None = None) -> Any:
        """Runs a view function, decoding a revert into its typed exception.

        Raises:
            ContractRevert: A subclass naming the contract's custom error.
        """
        try:
            return fn.call({"from": self.address})
        except ContractLogicError as exc:
            raise self._typed(exc, titles) from None

    def send(
        self,
        fn: ContractFunction,
        *,
        gas: int,
        titles: Mapping[int, str] | None = None,
        before_send: Callable[[], object] | None = None,
    ) -> TxReceipt:
        """Checks a write with `eth_call`, then signs, sends and waits for its receipt.

        Args:
            fn: The bound contract function.
            gas: The gas limit (explicit, so no estimation round trip is made).
            titles: Known token ids and VINs, so that error messages name the VIN.
            before_send: Called once the check passed, just before sending: the place to store
                the document the transaction anchors, so that a refusal stores nothing.

        Returns:
            The successful receipt.

        Raises:
            ContractRevert: If the contract refuses the call (nothing is sent).
            TransactionFailed: If the transaction was mined but failed anyway.
        """
        self.call(fn, titles=titles)
        if before_send is not None:
            before_send()
        return self.send_many([Call(fn, gas)], preflight=False, titles=titles)[0]

    def send_many(
        self, calls: Sequence[Call], *, preflight: bool = True, titles: Mapping[int, str] | None = None
    ) -> list[TxReceipt]:
        """Sends several writes in a row with consecutive nonces and waits for all receipts.

        On the embedded chain they are mined into one block. With `preflight`, each call is
        checked against the current state first (not against the effects of the others).

        Returns:
            The receipts, in order.

        Raises:
            ContractRevert: If a preflight check is refused (nothing is sent).
            TransactionFailed: If a transaction was mined but failed.
        """
        if preflight:
            for c in calls:
                self.call(c.fn, titles=titles)
        hashes: list[HexBytes] = []
        with self._batch():
            for c in calls:
                hashes.append(self._sign_and_send(c))
        receipts = [self.w3.eth.wait_for_transaction_receipt(h, timeout=self._receipt_timeout) for h in hashes]
        for c, receipt in zip(calls, receipts):
            if receipt["status"] != 1:
                raise self._explain_failure(c, receipt, titles)
        return receipts

    @contextlib.contextmanager
    def _nonce_guard(self) -> Iterator[int]:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
        try:
            yield self._nonce
        except Exception:
            self._nonce = None  # re-read from the node: it knows which of ours it took
            raise
        self._nonce += 1

    def _fees(self) -> tuple[int, int]:
        now = time.monotonic()
        if now - self._base_fee_at > _BASE_FEE_TTL:
            block = self.w3.eth.get_block("latest")
            self._base_fee = int(block.get("baseFeePerGas", 0))
            self._base_fee_at = now
        return 2 * self._base_fee + _PRIORITY_FEE, _PRIORITY_FEE

    def _sign_and_send(self, c: Call) -> HexBytes:
        max_fee, tip = self._fees()
        with self._nonce_guard() as nonce:
            tx = c.fn.build_transaction(
                {
                    "from": self.address,
                    "nonce": nonce,
                    "gas": c.gas,
                    "maxFeePerGas": max_fee,
                    "maxPriorityFeePerGas": tip,
                    "chainId": self.chain_id,
                    "type": 2,
                }
            )
            signed = self.account.sign_transaction(cast(Any, tx))
            try:
                return self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except Web3RPCError as exc:
                raise TransactionFailed(f"the node refused the transaction: {exc.message}") from None

    def _typed(self, exc: ContractLogicError, titles: Mapping[int, str] | None) -> ContractRevert:
        data = revert_data(exc)
        if data is None:
            return ContractRevert(f"the contract refused the operation: {exc.message or 'no reason given'}")
        return self._decoder.decode(data, titles=titles)

    def _explain_failure(
        self, c: Call, receipt: TxReceipt, titles: Mapping[int, str] | None
    ) -> Exception:
        # Replay on the state before the block: usually reproduces the custom error.
        try:
            c.fn.call({"from": self.address}, block_identifier=receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            return self._typed(exc, titles)
        used = receipt["gasUsed"]
        hint = " (it ran out of gas)" if used >= c.gas else ""
        return TransactionFailed(
            f"transaction {receipt['transactionHash'].hex()} failed in block {receipt['blockNumber']}{hint}"
        )

"""Signing and sending transactions for one account: local keys, local nonces, typed reverts.

Transactions are signed locally with eth-account (coincurve underneath), so no key ever reaches a
node, and go to a `Chain` (see base.py), which estimates the gas of each (with a margin: see
`gas_limit`) and sends nothing if the contract would refuse any of them. The refusal surfaces as the contract's custom error, decoded into a typed exception.
"""

from __future__ import annotations

import contextlib
import functools
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_account.signers.local import LocalAccount
from eth_utils.abi import abi_to_signature, get_abi_input_types, get_abi_output_types
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.contract.utils import format_contract_call_return_data_curried
from web3.types import TxReceipt

from ...errors import ContractRevert, TransactionFailed
from ..registry.reverts import RevertDecoder
from .base import BlockId, Chain, Reverted, StaleNonce, Transaction

_PRIORITY_FEE = Web3.to_wei(1, "gwei")
_BASE_FEE_TTL = 10.0  # seconds; fees on a private chain move slowly, a stale figure only overpays

__all__ = ["Call", "StaleNonce", "Transactor", "calldata", "fees_for", "latest_base_fee"]

#: Sends in a row that find their nonce taken by another process of the same account before one goes out.
_NONCE_ATTEMPTS = 4


def latest_base_fee(w3: Web3) -> int:
    """Returns the base fee of the latest block (0 before London)."""
    return int(w3.eth.get_block("latest").get("baseFeePerGas", 0))


def fees_for(base_fee: int) -> tuple[int, int]:
    """Returns (maxFeePerGas, maxPriorityFeePerGas) for a base fee: room for it to double."""
    return 2 * base_fee + _PRIORITY_FEE, _PRIORITY_FEE


@dataclass(frozen=True)
class Call:
    """One contract function call to send; the chain estimates its gas unless `gas` is given.

    `gas_bound`: see `Transaction.gas_bound` (the most the call can need whatever the calls before
    it in the same send did; set where those can make it dearer).
    """

    fn: ContractFunction
    gas: int | None = None
    gas_bound: int | None = None


@functools.lru_cache(maxsize=64)
def _layout(signature: str, abi_json: str) -> tuple[bytes, tuple[str, ...]]:
    """Returns a function's selector and argument types."""
    return keccak(text=signature)[:4], tuple(get_abi_input_types(json.loads(abi_json)))


def calldata(fn: ContractFunction) -> str:
    """Returns the ABI-encoded call of a bound contract function, as hex.

    Encodes with eth_abi directly, several times faster than web3's normalizing path, which
    matters for batches of thousands. The arguments lienchain passes are already in eth_abi's
    forms (checksum addresses, bytes, str); anything else falls back to web3's encoder.
    """
    selector, types = _layout(fn.signature, json.dumps(fn.abi, sort_keys=True))
    try:
        return "0x" + (selector + abi_encode(types, fn.args)).hex()
    except (TypeError, ValueError, EncodingError):
        return str(fn._encode_transaction_data())  # noqa: SLF001 - web3 is pinned


class Transactor:
    """Signs and sends the transactions of one account to a chain, and runs its calls."""

    def __init__(
        self,
        chain: Chain,
        account: LocalAccount,
        *,
        decoder: RevertDecoder,
        receipt_timeout: float = 120.0,
    ) -> None:
        """Binds an account to a chain.

        Args:
            chain: The chain; every transaction is signed for its chain id (EIP-155).
            account: The local account that signs.
            decoder: Decodes reverts into typed exceptions.
            receipt_timeout: Seconds to wait for a receipt.
        """
        self.chain = chain
        self.account = account
        self.chain_id = chain.chain_id
        self._decoder = decoder
        self._receipt_timeout = receipt_timeout
        self._nonce: int | None = None
        self._base_fee = 0
        self._base_fee_at = 0.0
        #: Seconds spent per phase of sending ("encode", "dry run", "sign", "send", "wait for
        #: receipts"), summed over this transactor's life: where the time of a batch goes.
        self.timings: dict[str, float] = {}

    @property
    def address(self) -> str:
        """Returns the account's checksum address."""
        return str(self.account.address)

    def call(
        self, fn: ContractFunction, *, titles: Mapping[int, str] | None = None, block: BlockId = "latest",
        sender: str | None = None,
    ) -> Any:
        """Runs a view function (on the state of `block`), decoding a revert into its typed exception.

        Args:
            fn: The bound contract function.
            titles: Known token ids and VINs, so that error messages name the VIN.
            block: The block whose state it runs on.
            sender: The account the call runs as [default: this transactor's]: a write run as
                another contract would make it, to learn beforehand whether it would be refused.

        Returns:
            What the function returns, decoded as web3's `ContractFunction.call` does.

        Raises:
            ContractRevert: A subclass naming the contract's custom error.
        """
        try:
            out = self.chain.call(Transaction(sender or self.address, str(fn.address), calldata(fn)), block)
        except Reverted as exc:
            raise self._typed(exc, titles, fn.fn_name) from None
        return format_contract_call_return_data_curried(
            self.chain.w3, fn.decode_tuples, fn.abi, abi_to_signature(fn.abi),
            fn._return_data_normalizers, get_abi_output_types(fn.abi), out,  # noqa: SLF001 - web3 is pinned
        )

    def send(
        self,
        fn: ContractFunction,
        *,
        gas: int | None = None,
        titles: Mapping[int, str] | None = None,
        on_accepted: Callable[[], object] | None = None,
    ) -> TxReceipt:
        """Signs and sends a write and waits for its receipt; a refusal sends nothing.

        Args:
            fn: The bound contract function.
            gas: The gas limit; None (the default) to have the chain estimate it, in the round trip
                that also checks the call would not be refused.
            titles: Known token ids and VINs, so that error messages name the VIN.
            on_accepted: Called once the contract accepted the call and before it is final: the
                place to store the document the transaction anchors, so that a refusal stores
                nothing. If it raises, the transaction is not sent (or not committed).

        Returns:
            The successful receipt.

        Raises:
            ContractRevert: If the contract refuses the call.
            TransactionFailed: If the chain refuses the transaction, or it was mined but failed.
        """
        return self.send_many([Call(fn, gas)], titles=titles, on_accepted=on_accepted)[0]

    def send_many(
        self,
        calls: Sequence[Call],
        *,
        titles: Mapping[int, str] | None = None,
        on_accepted: Callable[[], object] | None = None,
        receipts: bool = True,
    ) -> list[TxReceipt]:
        """Sends several writes in a row with consecutive nonces and waits until all are mined.

        If the contract would refuse one, none is sent (see `Chain.send`: on the embedded chain
        they go into one block, all or nothing; a node checks each against the current state).

        Args:
            calls: The writes.
            titles: Known token ids and VINs, so that error messages name the VIN.
            on_accepted: As for `send`.
            receipts: Return the receipts; without, only check that none failed (which the
                embedded chain knows without reading them).

        Returns:
            The receipts, in order (none if not asked for).

        Raises:
            ContractRevert: If the contract refuses a call: before anything is sent, or (on a node)
                once mined, where the state or the clock moved after the dry run.
            TransactionFailed: If the chain refuses a transaction, or one was mined but failed
                for no reason a replay shows.
        """
        with self.timed("encode"):
            transactions = [
                Transaction(self.address, str(c.fn.address), calldata(c.fn), c.gas, gas_bound=c.gas_bound) for c in calls
            ]
        hashes = self._send(transactions, titles, on_accepted, _operation(calls))
        with self.timed("wait for receipts"):
            if receipts:
                mined = self.chain.receipts(hashes, timeout=self._receipt_timeout)
                failed = {i: r for i, r in enumerate(mined) if r["status"] != 1}
            else:
                mined, failed = [], dict(self.chain.confirm(hashes, timeout=self._receipt_timeout))
        for i, receipt in sorted(failed.items()):
            raise self._explain_failure(calls[i], receipt, titles)
        return mined

    def submit(self, c: Call, *, titles: Mapping[int, str] | None = None) -> HexBytes:
        """Checks and sends one write without waiting for it to be mined.

        Returns:
            The transaction hash.

        Raises:
            ContractRevert: If the contract refuses the call (nothing is sent).
            TransactionFailed: If the chain refuses the transaction.
        """
        transaction = Transaction(self.address, str(c.fn.address), calldata(c.fn), c.gas)
        return HexBytes(self._send([transaction], titles, None, _operation([c]))[0])

    @contextlib.contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Adds the time spent inside to `timings[phase]`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started

    def send_value(self, to: str, value: int) -> TxReceipt:
        """Sends ether (gas money on a private chain) to an address and waits for the receipt.

        Raises:
            InsufficientFunds, TransactionFailed: If the chain refuses the transaction.
        """
        hashes = self._send([Transaction(self.address, to, "0x", None, value)], None, None, "a payment")
        (receipt,) = self.chain.receipts(hashes, timeout=self._receipt_timeout)
        return receipt

    def _send(
        self,
        transactions: list[Transaction],
        titles: Mapping[int, str] | None,
        on_accepted: Callable[[], object] | None,
        operation: str,
    ) -> list[bytes]:
        """Sends through the chain with the next nonces, decoding a refusal into its typed exception."""
        try:
            attempts = 1
            while True:
                try:
                    return self._send_once(transactions, on_accepted)
                except StaleNonce as exc:
                    # Another transactor of the same account (another process, such as the
                    # member's steward, another ledger object) sent in between: with the chain's
                    # count read again, try again if nothing went out, a moment later.
                    if exc.sent or attempts == _NONCE_ATTEMPTS:
                        raise
                    attempts += 1
                    time.sleep(0.05 + secrets.randbelow(200) / 1000)
        except Reverted as exc:
            raise self._typed(exc, titles, operation) from None

    def _send_once(self, transactions: list[Transaction], on_accepted: Callable[[], object] | None) -> list[bytes]:
        max_fee, tip = self._fees()
        if self._nonce is None:
            self._nonce = self.chain.nonce(self.address)
        first = self._nonce

        def sign(start: int, chunk: Sequence[Transaction]) -> list[bytes]:
            with self.timed("sign"):
                return [self._sign(t, first + start + i, max_fee, tip) for i, t in enumerate(chunk)]

        try:
            hashes = self.chain.send(transactions, sign, on_accepted=on_accepted, timed=self.timed)
        except Reverted:
            raise  # refused before anything went out: the count stays right
        except BaseException:
            self._nonce = None  # re-read from the chain: it knows which of ours it took
            raise
        self._nonce = first + len(transactions)
        return hashes

    def _fees(self) -> tuple[int, int]:
        now = time.monotonic()
        if now - self._base_fee_at > _BASE_FEE_TTL:
            self._base_fee = self.chain.block("latest").base_fee
            self._base_fee_at = now
        return fees_for(self._base_fee)

    def _sign(self, t: Transaction, nonce: int, max_fee: int, tip: int) -> bytes:
        """Signs an EIP-1559 transaction locally. Built by hand: web3's build_transaction costs three
        times the ABI encoding it wraps."""
        tx = {"to": t.to, "data": t.data, "value": t.value, "nonce": nonce, "gas": t.gas, "maxFeePerGas": max_fee,
              "maxPriorityFeePerGas": tip, "chainId": self.chain_id, "type": 2}
        return bytes(self.account.sign_transaction(cast(Any, tx)).raw_transaction)

    def _typed(self, exc: Reverted, titles: Mapping[int, str] | None, operation: str) -> ContractRevert:
        if len(exc.data) < 4:  # a bare revert: no custom error to decode
            return ContractRevert(f"the contract refused {operation} without a reason ({exc})")
        return self._decoder.decode(exc.data, titles=titles, operation=operation)

    def _explain_failure(self, c: Call, receipt: TxReceipt, titles: Mapping[int, str] | None) -> Exception:
        """Returns the error of a write that was mined but failed (a node only: the embedded chain
        refuses a failing write when it is sent): the contract's typed refusal where a replay shows
        it, else `TransactionFailed`.

        The write passed its dry run, so the state or the clock moved before it was mined: another
        member's write came first, or the block it joined is later than a deadline that the head
        block, which the dry run ran on, was not. The replay is an `eth_call` at the block the write
        was mined in: it runs with that block's number and timestamp, which a replay at the block
        before would not (that one carries the earlier time, so an expiry would pass there again),
        and on the state after the block. The write failed, so that state is the one it found but
        for its sender's nonce and fee, which a call ignores, and for the writes mined after it in
        the same block: what the replay tells is then why the write would be refused now, which is
        what its sender needs to know before trying again.
        """
        operation = _operation([c])
        try:
            self.chain.call(Transaction(self.address, str(c.fn.address), calldata(c.fn)), receipt["blockNumber"])
        except Reverted as exc:
            if len(exc.data) >= 4:  # a custom error (or a panic, a require message) to decode
                return self._decoder.decode(exc.data, titles=titles, operation=operation)
        except TransactionFailed:
            pass  # the replay failed otherwise (out of gas, state no longer kept): nothing to decode
        # The limit the chain chose is in the transaction, not in its receipt.
        limit = int(self.chain.w3.eth.get_transaction(receipt["transactionHash"])["gas"])
        hint = " (it ran out of gas)" if receipt["gasUsed"] >= limit else ""
        return TransactionFailed(
            f"transaction {receipt['transactionHash'].hex()} ({operation}) failed in block "
            f"{receipt['blockNumber']}{hint}"
        )


def _operation(calls: Sequence[Call]) -> str:
    """Names the contract functions of a send, for a refusal no custom error explains."""
    names = list(dict.fromkeys(c.fn.fn_name for c in calls))
    return names[0] if len(names) == 1 else "one of " + ", ".join(names)

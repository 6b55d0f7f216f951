"""Signing and sending transactions for one account: local keys, local nonces, typed reverts.

Transactions are signed locally with eth-account (coincurve underneath), so no key ever reaches a
node. A write the contract would refuse never becomes a transaction: on a node, each write is
first run as an `eth_call` from the same account; the embedded chain refuses a failing transaction
when it is sent, which spares that dry run. Either way the refusal surfaces as the contract's
custom error, decoded into a typed exception, and nothing changes on chain.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ContextManager, Protocol, cast

from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_account.signers.local import LocalAccount
from eth_utils.abi import get_abi_input_types
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError
from web3._utils.method_formatters import receipt_formatter
from web3.datastructures import AttributeDict
from web3.types import BlockIdentifier, RPCEndpoint, TxReceipt

from ...errors import ContractRevert, InsufficientFunds, TransactionFailed
from ..registry.reverts import RevertDecoder

_PRIORITY_FEE = Web3.to_wei(1, "gwei")
_BATCH = 500  # transactions signed, and JSON-RPC requests sent, per batch to a node
_BASE_FEE_TTL = 10.0  # seconds; fees on a private chain move slowly, a stale figure only overpays


def latest_base_fee(w3: Web3) -> int:
    """Returns the base fee of the latest block (0 before London)."""
    return int(w3.eth.get_block("latest").get("baseFeePerGas", 0))


def fees_for(base_fee: int) -> tuple[int, int]:
    """Returns (maxFeePerGas, maxPriorityFeePerGas) for a base fee: room for it to double."""
    return 2 * base_fee + _PRIORITY_FEE, _PRIORITY_FEE


class Engine(Protocol):
    """What a chain engine offers beyond JSON-RPC (the embedded chain does; a node does not)."""

    refuses_failing_transactions: bool

    def batch(self) -> ContextManager[None]:
        """Collects the transactions sent inside into one block, all or nothing."""


@dataclass(frozen=True)
class Call:
    """One contract function call to send, with the gas it may use."""

    fn: ContractFunction
    gas: int


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


class StaleNonce(TransactionFailed):
    """The node has seen a later nonce of the account than this transactor counted."""


def _hex_data(data: object) -> bytes | None:
    """Returns revert data given as hex (a selector at least), or None."""
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
        engine: Engine | None = None,
        receipt_timeout: float = 120.0,
    ) -> None:
        """Binds an account to a connection.

        Args:
            w3: The connection.
            account: The local account that signs.
            chain_id: The chain id every transaction is signed for (EIP-155).
            decoder: Decodes reverts into typed exceptions.
            engine: The embedded chain, when that is what `w3` talks to: its batches put several
                transactions in one block, and it refuses failing transactions itself.
            receipt_timeout: Seconds to wait for a receipt.
        """
        self.w3 = w3
        self.account = account
        self.chain_id = chain_id
        self._decoder = decoder
        self._batch: Callable[[], ContextManager[None]] = engine.batch if engine else contextlib.nullcontext
        self._dry_run = not (engine and engine.refuses_failing_transactions)
        self._receipt_timeout = receipt_timeout
        self._nonce: int | None = None
        self._base_fee = 0
        self._base_fee_at = 0.0
        #: Seconds spent per phase of sending ("sign", "dry run", "send", "wait for receipts"),
        #: summed over this transactor's life: where the time of a batch goes.
        self.timings: dict[str, float] = {}

    @property
    def address(self) -> str:
        """Returns the account's checksum address."""
        return str(self.account.address)

    def call(self, fn: ContractFunction, *, titles: Mapping[int, str] | None = None, block: BlockIdentifier = "latest") -> Any:
        """Runs a view function (on the state of `block`), decoding a revert into its typed exception.

        Raises:
            ContractRevert: A subclass naming the contract's custom error.
        """
        try:
            return fn.call({"from": self.address}, block_identifier=block)
        except ContractLogicError as exc:
            raise self._typed(exc, titles) from None

    def send(
        self,
        fn: ContractFunction,
        *,
        gas: int,
        titles: Mapping[int, str] | None = None,
        on_accepted: Callable[[], object] | None = None,
    ) -> TxReceipt:
        """Signs and sends a write and waits for its receipt; a refusal sends nothing.

        Args:
            fn: The bound contract function.
            gas: The gas limit (explicit, so no estimation round trip is made).
            titles: Known token ids and VINs, so that error messages name the VIN.
            on_accepted: Called once the contract accepted the call and before it is final: the
                place to store the document the transaction anchors, so that a refusal stores
                nothing. If it raises, the transaction is not sent (on a node) or not committed
                (on the embedded chain).

        Returns:
            The successful receipt.

        Raises:
            ContractRevert: If the contract refuses the call.
            TransactionFailed: If the node refuses the transaction, or it was mined but failed.
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
        """Sends several writes in a row with consecutive nonces and waits for all receipts.

        On the embedded chain they go into one block, all or nothing: if one is refused, none is
        committed. On a node each is checked first against the current state (not against the
        effects of the others), and nothing is sent if one check fails.

        Args:
            calls: The writes.
            titles: Known token ids and VINs, so that error messages name the VIN.
            on_accepted: As for `send`.
            receipts: Return the receipts. Without, the embedded chain skips fetching them: its
                batch returning is proof that every transaction was mined successfully.

        Returns:
            The receipts, in order (none if not asked for, on the embedded chain).

        Raises:
            ContractRevert: If the contract refuses a call.
            TransactionFailed: If the node refuses a transaction, or one was mined but failed.
        """
        hashes: list[HexBytes] = []
        if self._dry_run:  # a node: check every call first, and send only if all pass
            hashes = self._send_through_node(calls, titles, on_accepted)
        else:  # the embedded chain: it refuses a failing call itself, and commits all or nothing
            with self._batch():
                hashes = [self._sign_and_send(c, titles) for c in calls]
                if on_accepted is not None:
                    on_accepted()
        if not receipts and not self._dry_run:
            return []
        with self.timed("wait for receipts"):
            mined = self._receipts(hashes)
        for c, receipt in zip(calls, mined):
            if receipt["status"] != 1:
                raise self._explain_failure(c, receipt, titles)
        return mined

    def _send_through_node(
        self, calls: Sequence[Call], titles: Mapping[int, str] | None, on_accepted: Callable[[], object] | None
    ) -> list[HexBytes]:
        """Dry-runs, signs and sends writes to a node, a few JSON-RPC batches instead of a request each."""
        with self.timed("encode"):
            data = [calldata(c.fn) for c in calls]
        with self.timed("dry run"):
            answers = self._rpc_batch([
                ("eth_call", [{"from": self.address, "to": c.fn.address, "data": d, "gas": hex(c.gas)}, "latest"])
                for c, d in zip(calls, data)
            ])
            for answer in answers:
                if "error" in answer:
                    raise self._refusal(answer["error"], titles)
        if on_accepted is not None:
            on_accepted()
        # Signed and sent a batch at a time, so the node is busy with the first while the rest are signed.
        max_fee, tip = self._fees()
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.account.address, "pending")
        first = self._nonce
        hashes: list[HexBytes] = []
        for start in range(0, len(calls), _BATCH):
            with self.timed("sign"):
                raws = [
                    self._sign(c.fn.address, d, first + start + i, c.gas, max_fee, tip)
                    for i, (c, d) in enumerate(zip(calls[start : start + _BATCH], data[start : start + _BATCH]))
                ]
            with self.timed("send"):
                try:
                    answers = self._rpc_batch([("eth_sendRawTransaction", ["0x" + bytes(r).hex()]) for r in raws])
                except Exception:
                    self._nonce = None  # re-read from the node: it knows which of ours it took
                    raise
                for i, answer in enumerate(answers):
                    if "error" in answer:
                        self._nonce = None
                        raise self._refusal(answer["error"], titles, sent=start + i)
                hashes.extend(HexBytes(a["result"]) for a in answers)
        self._nonce = first + len(calls)
        return hashes

    def _rpc_batch(self, requests: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Sends JSON-RPC requests in batches of at most `_BATCH` (geth serves 1,000 by default)."""
        answers: list[dict[str, Any]] = []
        for i in range(0, len(requests), _BATCH):
            chunk = [(cast(RPCEndpoint, m), p) for m, p in requests[i : i + _BATCH]]
            reply = self.w3.provider.make_batch_request(chunk)  # type: ignore[attr-defined]
            if not isinstance(reply, list):  # the whole batch was refused
                raise TransactionFailed(f"the node refused a batch of requests: {reply.get('error')}")
            answers.extend(sorted(reply, key=lambda r: int(r["id"])))
        return answers

    def _receipts(self, hashes: list[HexBytes]) -> list[TxReceipt]:
        """Waits until the last transaction is mined, then fetches the receipts block by block.

        The nonces are consecutive, so once the last is mined every earlier one is too, in the
        blocks from the first's to the last's. (geth answers `eth_getBlockReceipts` for a whole
        block as fast as `eth_getTransactionReceipt` for one of its transactions. The embedded
        chain has mined them all already, and answers each request at once.)
        """
        if not self._dry_run:
            return [self.w3.eth.get_transaction_receipt(h) for h in hashes]
        if not hashes:
            return []
        last = self._wait(hashes[-1], poll=0.05)
        first = self._wait(hashes[0]) if len(hashes) > 1 else last
        blocks = range(first["blockNumber"], last["blockNumber"] + 1)
        found = {
            r["transactionHash"]: r
            for answer in self._rpc_batch([("eth_getBlockReceipts", [hex(b)]) for b in blocks])
            for r in answer.get("result") or []
        }
        mined: list[TxReceipt] = []
        for h in hashes:
            raw = found.get("0x" + bytes(h).hex())
            if raw is not None:
                mined.append(cast(TxReceipt, AttributeDict.recursive(receipt_formatter(raw))))
            else:  # a short reorg took it out again: it is back in the pool, and will be mined
                mined.append(self._wait(h))
        return mined

    def _refusal(self, error: Any, titles: Mapping[int, str] | None, *, sent: int | None = None) -> Exception:
        """Turns a node's JSON-RPC error into the typed exception it stands for."""
        data = _hex_data(error.get("data") if isinstance(error, dict) else None)
        if data is not None:  # a revert, with the contract's custom error
            return self._decoder.decode(data, titles=titles)
        message = str(error.get("message")) if isinstance(error, dict) else str(error)
        if "afford" in message or "insufficient funds" in message:
            return InsufficientFunds(f"{self.address} cannot pay for the gas: fund it from another account of the profile")
        if "revert" in message:
            return ContractRevert(f"the contract refused the operation: {message}")
        after = f" (after {sent} sent)" if sent else ""
        if "nonce too low" in message or "Invalid transaction nonce" in message:
            return StaleNonce(f"the node refused the transaction{after}: {message}")
        return TransactionFailed(f"the node refused the transaction{after}: {message}")

    def submit(self, c: Call, *, titles: Mapping[int, str] | None = None) -> HexBytes:
        """Checks and sends one write without waiting for it to be mined.

        Returns:
            The transaction hash.

        Raises:
            ContractRevert: If the contract refuses the call (nothing is sent).
            TransactionFailed: If the node refuses the transaction.
        """
        if self._dry_run:
            with self.timed("dry run"):
                self.call(c.fn, titles=titles)
        return self._sign_and_send(c, titles)

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
            InsufficientFunds, TransactionFailed: If the node refuses the transaction.
        """
        max_fee, tip = self._fees()
        with self._nonce_guard() as nonce:
            tx_hash = self._submit(self._sign(to, "0x", nonce, 21_000, max_fee, tip, value=value), None)
        return self._wait(tx_hash)

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
            self._base_fee = latest_base_fee(self.w3)
            self._base_fee_at = now
        return fees_for(self._base_fee)

    def _sign_and_send(self, c: Call, titles: Mapping[int, str] | None) -> HexBytes:
        try:
            return self._sign_and_send_once(c, titles)
        except StaleNonce:
            # Another transactor of the same account (another process, another ledger object)
            # sent in between: the guard dropped our count, so this reads the node's.
            return self._sign_and_send_once(c, titles)

    def _sign_and_send_once(self, c: Call, titles: Mapping[int, str] | None) -> HexBytes:
        max_fee, tip = self._fees()
        with self._nonce_guard() as nonce:
            with self.timed("sign"):
                raw = self._sign(c.fn.address, calldata(c.fn), nonce, c.gas, max_fee, tip)
            with self.timed("send"):
                return self._submit(raw, titles)

    def _sign(self, to: str, data: str, nonce: int, gas: int, max_fee: int, tip: int, *, value: int = 0) -> bytes:
        """Signs an EIP-1559 transaction locally. Built by hand: web3's build_transaction costs three
        times the ABI encoding it wraps."""
        tx = {"to": to, "data": data, "value": value, "nonce": nonce, "gas": gas, "maxFeePerGas": max_fee,
              "maxPriorityFeePerGas": tip, "chainId": self.chain_id, "type": 2}
        return bytes(self.account.sign_transaction(cast(Any, tx)).raw_transaction)

    def _wait(self, tx_hash: HexBytes, *, poll: float = 0.1) -> TxReceipt:
        """Waits for a transaction's receipt.

        Raises:
            TransactionFailed: If it is not mined within the receipt timeout.
        """
        try:
            return self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self._receipt_timeout, poll_latency=poll)
        except TimeExhausted:
            raise TransactionFailed(
                f"transaction {tx_hash.hex()} was not mined within {self._receipt_timeout:.0f} s: the chain may have "
                "stopped sealing (check `lienchain network status`); it may still be mined later"
            ) from None

    def _submit(self, raw: bytes, titles: Mapping[int, str] | None) -> HexBytes:
        try:
            return self.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            error = (exc.rpc_response or {}).get("error")
            raise self._refusal(error if isinstance(error, dict) else {"message": str(exc)}, titles) from None

    def _typed(self, exc: ContractLogicError, titles: Mapping[int, str] | None) -> ContractRevert:
        data = _hex_data(exc.data)
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

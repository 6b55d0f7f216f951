"""A member's geth node over JSON-RPC, as a `Chain`.

A node that stops answering surfaces as one typed error (`NodeUnreachable`) naming the endpoint,
whichever call noticed it; a node of another chain is refused when the connection opens.

Writes go out in JSON-RPC batches: every write is first estimated (`eth_estimateGas`, from its
sender; a write given a gas limit is dry-run with `eth_call` instead), in the same batch as the
latest block's header, whose gas limit caps the margin: a write the contract would refuse is
never sent, and one round trip serves as dry run and estimate. Each write is estimated on the state
before the send, so one that earlier writes of the send make dearer goes with its `gas_bound`. The
signed transactions follow in batches of 500, the node working on the first while the next are signed. Receipts are collected
a block at a time (`eth_getBlockReceipts`) once the last transaction is mined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

import requests
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3._utils.method_formatters import receipt_formatter
from web3.datastructures import AttributeDict
from web3.exceptions import TimeExhausted, Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint, RPCResponse, TxReceipt

from ...errors import ChainIdMismatch, NodeUnreachable, TransactionFailed, TransactionNotMined
from .base import Sign, Timer, Transaction, gas_limit, untimed
from .web3reads import Web3Reads, refusal

_BATCH = 500  # transactions signed, and JSON-RPC requests sent, per batch (geth serves 1,000 by default)


class NodeProvider(HTTPProvider):
    """web3's HTTP provider, with a node that does not answer reported as `NodeUnreachable`."""

    def __init__(self, url: str, *, member: str | None = None, network: str | None = None,
                 timeout: float = 30.0) -> None:
        """Args:
        url: The node's JSON-RPC URL.
        member, network: Whose node it is, and of which network, for the error if it does not answer.
        timeout: Seconds to wait for each answer.
        """
        super().__init__(url, request_kwargs={"timeout": timeout})
        self._member = member
        self._network = network

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._unreachable(exc) from None

    def make_batch_request(self, batch_requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        try:
            return super().make_batch_request(batch_requests)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> NodeUnreachable:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "does not answer"
        return NodeUnreachable(f"the node at {self.endpoint_uri} {kind}", member=self._member, network=self._network)


def connect(url: str, *, chain_id: int, member: str | None = None, network: str | None = None,
            timeout: float = 30.0) -> Web3:
    """Connects to a geth node of a Clique chain and checks that it serves the expected chain.

    Args:
        url: The node's JSON-RPC URL.
        chain_id: The chain id the profile expects.
        member, network: Whose node it is, and of which network, for the error if it does not answer.
        timeout: Seconds to wait for each answer.

    Raises:
        NodeUnreachable: If the node does not answer.
        ChainIdMismatch: If it serves another chain.
    """
    w3 = Web3(NodeProvider(url, member=member, network=network, timeout=timeout))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)  # Clique's 97-byte extra-data
    actual = w3.eth.chain_id
    if actual != chain_id:
        raise ChainIdMismatch(chain_id, actual)
    return w3


def answers(url: str, *, timeout: float = 3.0) -> bool:
    """Tells whether a node answers on `url`."""
    try:
        Web3(NodeProvider(url, timeout=timeout)).eth.chain_id  # noqa: B018 - the call is the check
    except NodeUnreachable:
        return False
    return True


class RpcChain(Web3Reads):
    """A geth node of a Clique chain, over JSON-RPC. Use `connect` to get one."""

    def __init__(self, w3: Web3, chain_id: int) -> None:
        """Wraps a connection whose chain id was checked (use `connect`).

        Args:
            w3: The connection (a `NodeProvider`, with Clique's extra-data middleware).
            chain_id: The chain id the node serves.
        """
        self._w3 = w3
        self._chain_id = chain_id

    @classmethod
    def connect(cls, url: str, *, chain_id: int, member: str | None = None, network: str | None = None,
                timeout: float = 30.0) -> RpcChain:
        """Connects to a node and checks that it serves the expected chain.

        Args:
            url: The node's JSON-RPC URL.
            chain_id: The chain id expected.
            member, network: Whose node it is, and of which network, for the error if it does not answer.
            timeout: Seconds to wait for each answer.

        Raises:
            NodeUnreachable: If the node does not answer.
            ChainIdMismatch: If it serves another chain.
        """
        return cls(connect(url, chain_id=chain_id, member=member, network=network, timeout=timeout), chain_id)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    def send(
        self,
        transactions: Sequence[Transaction],
        sign: Sign,
        *,
        on_accepted: Callable[[], object] | None = None,
        timed: Timer = untimed,
    ) -> list[bytes]:
        with timed("dry run"):  # nothing is sent unless every write passes
            dry_runs = [
                ("eth_estimateGas", [_call_params(t), "latest"]) if t.gas is None
                else ("eth_call", [_call_params(t), "latest"])
                for t in transactions
            ]
            latest, *answers = self._batch([("eth_getBlockByNumber", ["latest", False]), *dry_runs])
            for answer in answers:
                if "error" in answer:
                    raise refusal(answer["error"], transactions[0].sender if transactions else "")
            cap = int(latest["result"]["gasLimit"], 16)
            transactions = [
                replace(t, gas=min(cap, max(gas_limit(int(answer["result"], 16), cap), t.gas_bound or 0)))
                if t.gas is None else t
                for t, answer in zip(transactions, answers, strict=True)
            ]
        if on_accepted is not None:
            on_accepted()
        hashes: list[bytes] = []
        for start in range(0, len(transactions), _BATCH):
            chunk = transactions[start : start + _BATCH]
            raws = sign(start, chunk)
            with timed("send"):
                answers = self._batch([("eth_sendRawTransaction", ["0x" + bytes(r).hex()]) for r in raws])
            for i, answer in enumerate(answers):
                if "error" in answer:
                    raise refusal(answer["error"], chunk[0].sender, sent=start + i)
            hashes.extend(bytes(HexBytes(a["result"])) for a in answers)
        return hashes

    def receipts(self, hashes: Sequence[bytes], *, timeout: float) -> list[TxReceipt]:
        """Waits until the last transaction is mined, then fetches the receipts block by block.

        One sender's nonces are consecutive, so once its last is mined every earlier one is too, in
        the blocks from the first's to the last's; geth answers `eth_getBlockReceipts` for a whole
        block as fast as `eth_getTransactionReceipt` for one of its transactions.
        """
        if not hashes:
            return []
        last = self._wait(hashes[-1], timeout, poll=0.05)
        first = self._wait(hashes[0], timeout) if len(hashes) > 1 else last
        blocks = range(first["blockNumber"], last["blockNumber"] + 1)
        found = {
            r["transactionHash"]: r
            for answer in self._batch([("eth_getBlockReceipts", [hex(b)]) for b in blocks])
            for r in answer.get("result") or []
        }
        mined: list[TxReceipt] = []
        for h in hashes:
            raw = found.get("0x" + bytes(h).hex())
            if raw is not None:
                mined.append(cast(TxReceipt, AttributeDict.recursive(receipt_formatter(raw))))
            else:  # a short reorg took it out again: it is back in the pool, and will be mined
                mined.append(self._wait(h, timeout))
        return mined

    def confirm(self, hashes: Sequence[bytes], *, timeout: float) -> Mapping[int, TxReceipt]:
        # A node may mine a transaction that fails after its dry run passed (the state moved
        # in between): only the receipts tell.
        return {i: r for i, r in enumerate(self.receipts(hashes, timeout=timeout)) if r["status"] != 1}

    def close(self) -> None:
        """Nothing to release: each request is its own HTTP exchange."""

    def _wait(self, tx_hash: bytes, timeout: float, *, poll: float = 0.1) -> TxReceipt:
        try:
            return self._w3.eth.wait_for_transaction_receipt(HexBytes(tx_hash), timeout=timeout, poll_latency=poll)
        except TimeExhausted:
            raise TransactionNotMined(f"transaction 0x{bytes(tx_hash).hex()}", timeout) from None

    def _batch(self, requests: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Sends JSON-RPC requests in batches of at most `_BATCH`; returns the answers in order."""
        answers: list[dict[str, Any]] = []
        for i in range(0, len(requests), _BATCH):
            chunk = [(cast(RPCEndpoint, m), p) for m, p in requests[i : i + _BATCH]]
            try:
                reply = self._w3.provider.make_batch_request(chunk)  # type: ignore[attr-defined]
            except Web3RPCError as exc:
                raise TransactionFailed(f"the node refused a batch of requests: {exc}") from None
            if not isinstance(reply, list):  # the whole batch was refused
                raise TransactionFailed(f"the node refused a batch of requests: {reply.get('error')}")
            answers.extend(sorted(reply, key=lambda r: int(r["id"])))
        return answers


def _call_params(t: Transaction) -> dict[str, Any]:
    params: dict[str, Any] = {"from": t.sender, "to": t.to, "data": t.data}
    if t.gas is not None:
        params["gas"] = hex(t.gas)
    if t.value:
        params["value"] = hex(t.value)
    return params

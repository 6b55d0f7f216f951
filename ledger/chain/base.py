"""A chain the ledger talks to: one small interface, whatever runs the EVM behind it.

Two implementations: the embedded chain (`embedded.EmbeddedChain`, py-evm in this process) and a
member's node over JSON-RPC (`rpc.RpcChain`, geth). The ledger signs (keys never leave it), counts
nonces, sets fees and decodes reverts into typed errors (`transactions.Transactor`); everything that
reads or writes the chain goes through a `Chain`. What only one kind of chain needs stays inside
its implementation: a node estimates every write before sending it (the estimate is its dry run)
and collects receipts a block at a time; the embedded chain puts a send into one block, all or nothing, and refuses a failing
transaction itself. A write names no gas limit: the chain estimates it against the state it will
run on, and the estimate doubles as the dry run (see `gas_limit` for the margin). Both pass one
conformance suite (tests/ledger/test_chain_conformance.py), and the
ledger's own suite runs on both (tests/ledger/conformance/).

Modelled on eth-tester's `BaseChainBackend`: every operation abstract, grouped by concern.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ContextManager

from web3 import Web3
from web3.types import BlockIdentifier, LogReceipt, TxReceipt

from ...errors import ContractRevert, TransactionFailed

#: The margin a write's gas limit keeps over its estimate (see `gas_limit`).
GAS_MARGIN = 1.25
GAS_HEADROOM = 20_000


def gas_limit(estimate: int, cap: int) -> int:
    """Returns the gas limit a write is sent with: its estimate, plus a quarter, plus 20,000 gas.

    The estimate is exact for the state it ran on (geth's `eth_estimateGas` searches for the least
    limit with which the write succeeds; the embedded chain measures it on the state of the block
    the write joins, after the batch's earlier writes), so the margin is not for the estimate's
    error: it is for the state the write finds when it is mined, which other members' writes may
    have changed in between. A title's loops grow by one step per valuer or active lien (about
    13,000 gas each) and a storage slot written for the first time costs 20,000 more: a quarter
    covers a few steps on the writes that loop (hundreds of thousands of gas), the constant one
    new slot on the small ones. Unused gas is not charged, so the margin costs nothing but room in
    the block.

    Args:
        estimate: The gas the write needs on the state it was estimated on.
        cap: The most a transaction may carry: the block's gas limit (on the embedded chain, what
            is left of the block the batch fills).

    Returns:
        The limit: at least the estimate, at most `cap` unless the estimate itself exceeds it.
    """
    return max(estimate, min(cap, int(estimate * GAS_MARGIN) + GAS_HEADROOM))


#: A block: by number, or "latest" (the head), "pending" (the head and what waits to be mined).
BlockId = BlockIdentifier


@dataclass(frozen=True)
class Transaction:
    """A write (or a call) as its sender means it: the signer adds nonce, fees and chain id.

    Attributes:
        sender: The sending account's checksum address.
        to: The checksum address called (or paid).
        data: The calldata, as 0x-prefixed hex.
        gas: The gas limit. None for a write: the chain estimates it when it is sent (see
            `gas_limit`); None for a call: it may use what the chain allows.
        value: Wei sent along.
        gas_bound: For a write estimated on a node: the most it can need whatever the earlier
            writes of its send do to the state, set where they can make it dearer (a grant after
            another grant on the same title in one batch). A node estimates every write of a send
            on the state before all of them, as it has no way to run one after the others without
            mining them (no debug or simulation API is open on a member's endpoint), so it sends
            such a write with at least this; the embedded chain estimates each write after the
            earlier ones and needs no bound. None: no earlier write of the send makes it dearer.
    """

    sender: str
    to: str
    data: str = "0x"
    gas: int | None = None
    value: int = 0
    gas_bound: int | None = None


@dataclass(frozen=True)
class Block:
    """What the ledger reads of a block header."""

    number: int
    hash: str  # 0x-prefixed hex
    timestamp: int  # seconds since the epoch
    gas_used: int
    gas_limit: int
    base_fee: int  # wei per gas
    transactions: tuple[str, ...]  # their hashes, 0x-prefixed hex, in block order


#: Signs the transactions of one send from position `start` on, with consecutive nonces from the
#: first of the send's: `sign(start, transactions)` returns their raw signed bytes, in order. A
#: chain calls it once per slice, in order, so it can send the first while the rest are signed.
Sign = Callable[[int, Sequence[Transaction]], list[bytes]]

#: Times a phase of work: `with timed("send"): ...` adds the seconds inside to that phase.
Timer = Callable[[str], ContextManager[None]]


@contextlib.contextmanager
def untimed(_phase: str) -> Iterator[None]:
    """A `Timer` that keeps no time."""
    yield


class Reverted(ContractRevert):
    """A call or transaction was refused by the contract; `data` holds its custom error (selector
    and ABI-encoded arguments), for the caller to decode into the typed exception it stands for.
    Without data (a bare revert, a `require` without message), the message is the node's words."""

    def __init__(self, data: bytes, message: str = "") -> None:
        super().__init__(message or f"the contract refused the operation (error data 0x{data.hex()[:8]})")
        self.data = data


class StaleNonce(TransactionFailed):
    """The chain has seen a later nonce of the account than the signer counted.

    Attributes:
        sent: How many transactions of the send went out before this one (0: none did).
    """

    def __init__(self, message: str, *, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


class Chain(ABC):
    """A chain the ledger talks to.

    Errors: a contract's refusal is `Reverted`; a transaction the chain will not take is
    `StaleNonce`, `InsufficientFunds` or `TransactionFailed`; a node that does not answer is
    `NodeUnreachable`.
    """

    # --- identity and time --------------------------------------------------------------------

    @property
    @abstractmethod
    def chain_id(self) -> int:
        """Returns the EIP-155 chain id, which every signed transaction must name.

        Returns:
            The chain id (a node's was checked against the expected one when it was connected).
        """

    @abstractmethod
    def head(self) -> int:
        """Returns the number of the latest block.

        Returns:
            The block number (0: only the genesis block).

        Raises:
            NodeUnreachable: If a node does not answer.
        """

    @abstractmethod
    def block(self, number: BlockId = "latest") -> Block:
        """Reads a block's header.

        Args:
            number: A block number or "latest".

        Returns:
            The block.

        Raises:
            BlockNotFound: If the chain has no such block (web3's, as both chains raise it).
        """

    def time(self) -> int:
        """Returns the chain's time: the latest block's timestamp (what `block.timestamp` was in it).

        The chain's clock moves only when a block is mined: a node sealing on demand, or the
        embedded chain, stays at the last block's time until the next transaction. Neither chain
        can be made to jump ahead: a test that needs time to pass waits for it.

        Returns:
            Seconds since the epoch.
        """
        return self.block("latest").timestamp

    # --- accounts -----------------------------------------------------------------------------

    @abstractmethod
    def nonce(self, address: str) -> int:
        """Returns the next nonce of an account, counting its transactions not mined yet.

        Args:
            address: The account's address.

        Returns:
            How many transactions the account has sent (mined or waiting): the nonce of its next.
        """

    @abstractmethod
    def balance(self, address: str, block: BlockId = "latest") -> int:
        """Returns an account's balance, as of `block`.

        Args:
            address: The account's address.
            block: The block whose state is read.

        Returns:
            The balance in wei.
        """

    # --- reads --------------------------------------------------------------------------------

    @abstractmethod
    def call(self, transaction: Transaction, block: BlockId = "latest") -> bytes:
        """Runs a call on the state of `block` and throws its effects away (`eth_call`).

        A call without gas price runs at gas price 0, so an account without funds can read.

        Args:
            transaction: The call; `gas` None for as much as the chain allows.
            block: The block whose state it runs on.

        Returns:
            What the call returned (ABI-encoded).

        Raises:
            Reverted: If the contract reverted, with its revert data.
            TransactionFailed: If the call failed otherwise (out of gas, invalid opcode).
        """

    @abstractmethod
    def estimate_gas(self, transaction: Transaction, block: BlockId = "latest") -> int:
        """Returns the gas a write needs on the state of `block` (`eth_estimateGas`), without margin.

        Runs at gas price 0, as a call does, so the sender's balance does not bound it.

        Args:
            transaction: The write; its `gas`, if given, bounds the search.
            block: The block whose state it runs on.

        Returns:
            A gas limit with which the write succeeds on that state.

        Raises:
            Reverted: If the contract would refuse the write, with its revert data.
            TransactionFailed: If it fails otherwise (it needs more gas than a block holds).
        """

    # --- writes -------------------------------------------------------------------------------

    @abstractmethod
    def send(
        self,
        transactions: Sequence[Transaction],
        sign: Sign,
        *,
        on_accepted: Callable[[], object] | None = None,
        timed: Timer = untimed,
    ) -> list[bytes]:
        """Signs (through `sign`) and sends writes of one account with consecutive nonces.

        A write without gas limit is estimated (`estimate_gas`) and signed with `gas_limit` of the
        estimate; the estimate is also its dry run. A write the contract would refuse is never
        sent, and then none of them is: a node first estimates (or, with a gas limit given,
        dry-runs) each against the current state, not against the effects of the others, so the
        writes of one send must not depend on each other; the embedded chain estimates each on the
        state of the block they share, after the earlier ones, and discards the block if one is
        refused.

        Args:
            transactions: The writes, all from one sender.
            sign: Signs them (see `Sign`), with their gas limits filled in; not called for any if
                a node refuses one beforehand.
            on_accepted: Called once every write is known to be accepted and before any is final
                (a node: after the dry runs, before sending; the embedded chain: before mining).
                If it raises, nothing is sent (or committed) and the exception propagates.
            timed: Times the phases ("dry run" or "estimate", "sign", "send").

        Returns:
            The transaction hashes, in order.

        Raises:
            Reverted: If the contract refuses one (nothing is sent).
            StaleNonce: If the chain has seen a later nonce of the sender (`sent` tells how many went out).
            InsufficientFunds: If the sender cannot pay for the gas.
            TransactionFailed: If the chain refuses a transaction otherwise (one needs more gas
                than a block holds).
        """

    @abstractmethod
    def receipts(self, hashes: Sequence[bytes], *, timeout: float) -> list[TxReceipt]:
        """Waits until transactions are mined and returns their receipts, in order.

        Args:
            hashes: Transaction hashes, as `send` returned them.
            timeout: Seconds to wait for the last one.

        Raises:
            TransactionFailed: If one is not mined within `timeout`.
        """

    @abstractmethod
    def confirm(self, hashes: Sequence[bytes], *, timeout: float) -> Mapping[int, TxReceipt]:
        """Waits until transactions are mined and returns the receipts of those that failed.

        Cheaper than `receipts` where a chain knows without reading them: the embedded chain
        mined every transaction it took, and took none that fails.

        Args:
            hashes: Transaction hashes, as `send` returned them.
            timeout: Seconds to wait for the last one.

        Returns:
            The failed transactions' receipts (status 0), by position in `hashes`.

        Raises:
            TransactionFailed: If one is not mined within `timeout`.
        """

    # --- logs ---------------------------------------------------------------------------------

    @abstractmethod
    def logs(
        self, *, address: str | Sequence[str], from_block: int, to_block: BlockId = "latest",
        topics: Sequence[str | Sequence[str] | None] = (),
    ) -> list[LogReceipt]:
        """Returns the logs of one contract (or several) in a range of blocks, in chain order (`eth_getLogs`).

        Args:
            address: The contract's address, or the addresses of several.
            from_block: The first block (included).
            to_block: The last block (included), or "latest".
            topics: Topic filters by position: a topic, a list of alternatives, or None for any.

        Returns:
            The logs, decoded as web3 decodes `eth_getLogs` (for contract events' `process_log`).
        """

    # --- the connection -----------------------------------------------------------------------

    @property
    @abstractmethod
    def w3(self) -> Web3:
        """Returns a web3 connection to this chain: for ABI-bound contract objects (encoding and
        decoding) and for tools outside this seam (deploying and verifying contracts)."""

    @abstractmethod
    def close(self) -> None:
        """Releases what the chain holds (the embedded chain's lock; nothing for a node)."""

"""A chain the ledger talks to: one small interface, whatever runs the EVM behind it.

Two implementations: the embedded chain (`embedded.EmbeddedChain`, py-evm in this process) and a
member's node over JSON-RPC (`rpc.RpcChain`, geth). The ledger signs (keys never leave it), counts
nonces, sets fees and decodes reverts into typed errors (`transactions.Transactor`); everything that
reads or writes the chain goes through a `Chain`. What only one kind of chain needs stays inside
its implementation: a node dry-runs every write before sending it and collects receipts a block at
a time; the embedded chain puts a send into one block, all or nothing, and refuses a failing
transaction itself. Both pass one conformance suite (tests/ledger/test_chain_conformance.py), and the
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

#: A block: by number, or "latest" (the head), "pending" (the head and what waits to be mined).
BlockId = BlockIdentifier


@dataclass(frozen=True)
class Transaction:
    """A write (or a call) as its sender means it: the signer adds nonce, fees and chain id.

    Attributes:
        sender: The sending account's checksum address.
        to: The checksum address called (or paid).
        data: The calldata, as 0x-prefixed hex.
        gas: The gas limit; None for a call, which may then use what the chain allows.
        value: Wei sent along.
    """

    sender: str
    to: str
    data: str = "0x"
    gas: int | None = None
    value: int = 0


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

        A write the contract would refuse is never sent, and then none of them is: a node first
        dry-runs each against the current state (not against the effects of the others); the
        embedded chain runs them all in one block, which it discards if one is refused.

        Args:
            transactions: The writes, all from one sender.
            sign: Signs them (see `Sign`); not called for any if the chain refuses one beforehand.
            on_accepted: Called once every write is known to be accepted and before any is final
                (a node: after the dry runs, before sending; the embedded chain: before mining).
                If it raises, nothing is sent (or committed) and the exception propagates.
            timed: Times the phases ("dry run", "sign", "send").

        Returns:
            The transaction hashes, in order.

        Raises:
            Reverted: If the contract refuses one (nothing is sent).
            StaleNonce: If the chain has seen a later nonce of the sender (`sent` tells how many went out).
            InsufficientFunds: If the sender cannot pay for the gas.
            TransactionFailed: If the chain refuses a transaction otherwise.
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
        self, *, address: str, from_block: int, to_block: BlockId = "latest",
        topics: Sequence[str | Sequence[str] | None] = (),
    ) -> list[LogReceipt]:
        """Returns the logs of one contract in a range of blocks, in chain order (`eth_getLogs`).

        Args:
            address: The contract's address.
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

"""The embedded default chain: an in-process London EVM whose state and blocks live on disk.

py-evm keeps the chain (state trie, headers, blocks, receipts, transaction index) in a SQLite
key-value file (`SQLiteKV`); eth-tester and web3's `EthereumTesterProvider` put the usual `Web3`
API in front of it. Nothing is replayed on open: the chain resumes from its canonical head.

Each mined block is one SQLite transaction: a process that dies mid-block or mid-batch leaves the
chain at its previous head. An exclusive lock on the directory keeps a second process out while
the chain is open (readers too: the simplest design that cannot serve a torn state).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import eth._utils.headers as _headers  # py-evm's clock for new headers (pinned), read at each call
from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    TransactionBuilderAPI,
    VirtualMachineAPI,
)
from eth.chains.base import MiningChain
from eth.constants import GENESIS_DIFFICULTY, ZERO_ADDRESS, ZERO_HASH32
from eth.consensus.applier import ConsensusApplier
from eth.consensus.noproof import NoProofConsensus
from eth.db.atomic import AtomicDB
from eth.exceptions import Revert as EVMRevert
from eth_utils.exceptions import ValidationError
from eth.exceptions import TransactionNotFound as EVMTransactionNotFound
from eth.vm.forks.london import LondonVM
from eth.vm.forks.london.transactions import LondonTransactionBuilder
from eth.vm.execution_context import ExecutionContext
from eth.vm.spoof import SpoofTransaction
from eth_tester import EthereumTester
from eth_tester.backends.pyevm import PyEVMBackend
from eth_tester.backends.pyevm.main import _get_block_by_number  # pinned eth-tester version
from eth_tester.backends.pyevm.serializers import serialize_transaction, serialize_transaction_receipt
from eth_tester.exceptions import TransactionFailed, TransactionNotFound
from eth_typing import Address, Hash32
from eth_utils.address import is_address, to_canonical_address
from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.eth_tester.defaults import API_ENDPOINTS, static_return
from web3.types import RPCEndpoint, RPCResponse, TxReceipt

from ...errors import ChainExists, ChainNotFound, InsufficientFunds, WrongChainId
from ...errors import TransactionFailed as WriteFailed
from .base import Reverted, Sign, StaleNonce, Timer, Transaction, gas_limit, untimed
from .kvstore import SQLiteKV
from .web3reads import Web3Reads, refusal

DB_FILE = "chain.sqlite"  # its lock file is chain.sqlite.lock, beside it
DEFAULT_LOCK_TIMEOUT = 30.0
_CHAIN_ID_KEY = b"lienchain:chain-id"  # py-evm keys are hashes or "v1:..." schema keys: no clash
_GENESIS_NONCE = b"\x00\x00\x00\x00\x00\x00\x00*"  # eth-tester's pre-merge genesis nonce (42)

# The consortium's Clique chain runs London rules; NoProofConsensus accepts blocks without a seal.
_VM_CONFIGURATION = ConsensusApplier(NoProofConsensus).amend_vm_configuration(((0, LondonVM),))


class _LondonChain(MiningChain):
    """A London mining chain that keeps its gas limit constant; `chain_id` is set per chain."""

    vm_configuration = _VM_CONFIGURATION
    chain_id = 0

    def create_header_from_parent(self, parent_header: BlockHeaderAPI, **header_params: Any) -> BlockHeaderAPI:
        # Like Clique sealers at their default target: the gas limit stays where genesis put it.
        header_params.setdefault("gas_limit", parent_header.gas_limit)
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self) -> type[TransactionBuilderAPI]:
        return self.get_vm().get_transaction_builder()


def _chain_class(chain_id: int) -> type[_LondonChain]:
    return type(f"LondonChain{chain_id}", (_LondonChain,), {"chain_id": chain_id})


class _Reverted(Exception):
    """A call, gas estimate or transaction reverted with `data`; the provider answers it the way
    geth answers a reverted call: code 3 with the revert data."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.data = data


class _Failed(Exception):
    """A transaction failed without revert data (out of gas, invalid opcode)."""


def _feeless(transaction: dict[str, Any]) -> dict[str, Any]:
    # geth runs a call or estimate that names no fee at gas price 0 (base fee 0 in the EVM), so an
    # unfunded account can call views; eth-tester would charge 1 gwei and refuse it.
    if any(k in transaction for k in ("gas_price", "max_fee_per_gas", "max_priority_fee_per_gas")):
        return transaction
    return {**transaction, "max_fee_per_gas": 0, "max_priority_fee_per_gas": 0}


class _PersistentBackend(PyEVMBackend):  # type: ignore[misc]  # eth-tester ships no types
    """eth-tester's py-evm backend over a persisted chain, committing each block it mines.

    Sent transactions are applied at once to the pending block's state, held in memory by one VM,
    and the block's state root and transaction and receipt tries are computed once, when it is
    mined: py-evm's `MiningChain.apply_transaction` persists the state and rebuilds both tries on
    every transaction, which makes a batch of n transactions cost O(n^2). So until a batch is
    mined, only nonces and balances of the "pending" state see its transactions.
    """

    def __init__(self, chain: _LondonChain, store: SQLiteKV) -> None:
        # Not super().__init__: it would build a fresh in-memory chain with funded test accounts.
        self.chain = chain
        self.account_keys: tuple[Any, ...] = ()
        self.holding = False  # inside a batch: transactions wait in the pending block
        self.pending: list[tuple[SignedTransactionAPI, ReceiptAPI]] = []
        self._store = store
        self._mined: tuple[BlockAPI, tuple[ReceiptAPI, ...]] | None = None  # last block looked up
        self._vm: VirtualMachineAPI | None = None  # the pending block's VM, its state in memory
        self._base: BlockHeaderAPI | None = None  # the pending block's header before any transaction
        self.clock_ahead = 0  # seconds a sandbox moved the clock of its throwaway chain (see `advance_clock`)

    def discard_pending(self) -> None:
        """Drops the pending block and every write since the last commit."""
        self.pending = []
        self._mined = None
        self._vm = self._base = None
        self._store.rollback()
        self.chain.header = self.chain.create_header_from_parent(self.chain.get_canonical_head())

    def mine_blocks(self, num_blocks: int = 1, coinbase: bytes = ZERO_ADDRESS) -> tuple[bytes, ...]:
        hashes = []
        for _ in range(num_blocks):
            try:
                if self.pending and self._vm is not None:
                    vm = self._vm
                    vm.state.persist()
                    transactions, receipts = zip(*self.pending)
                    header = self.chain.header.copy(state_root=vm.state.state_root)
                    filled = vm.set_block_transactions_and_withdrawals(vm.get_block(), header, transactions, receipts)
                    self.chain.header = filled.header
                block = self.chain.mine_block(coinbase=coinbase)
                self._store.commit()
            except BaseException:
                self.discard_pending()
                raise
            self.pending = []
            self._vm = self._base = None
            hashes.append(block.hash)
        return tuple(hashes)

    def send_raw_transaction(self, raw_transaction: bytes) -> bytes:
        transaction = self.chain.get_transaction_builder().decode(raw_transaction)
        # py-evm does not check the signed chain id against the chain's; geth refuses a mismatch.
        if transaction.chain_id != self.chain.chain_id:
            raise WrongChainId(self.chain.chain_id, transaction.chain_id)
        vm = self._pending_vm()
        header = self.chain.header
        try:
            receipt, computation = vm.apply_transaction(header, transaction)  # validates first
        except ValidationError as exc:  # bad nonce, no gas money: the chain cannot take it at all
            # If the contract would refuse it anyway, that is the more useful reason to give.
            with contextlib.suppress(ValidationError):  # a call cannot pay the value either
                self.call({"from": transaction.sender, "to": transaction.to, "data": transaction.data,
                           "value": transaction.value})
            raise _Failed(str(exc)) from None
        if computation.is_error:
            # Refused at submission instead of mined with status 0: its nonce stays free, and the
            # sender learns why at once. This spares the client a dry run before every
            # transaction, which would double the EVM's work. The VM's state now holds the
            # failed transaction's fee and nonce: rebuild it from the transactions kept.
            self._replay_pending()
            if isinstance(computation.error, EVMRevert):
                raise _Reverted(bytes(computation.error.args[0]) if computation.error.args else b"")
            raise _Failed(str(computation.error) or type(computation.error).__name__)
        self.chain.header = vm.add_receipt_to_header(header, receipt)
        self.pending.append((transaction, receipt))
        return transaction.hash

    def _pending_vm(self) -> VirtualMachineAPI:
        """Returns the VM of the pending block, which holds the transactions sent into it so far."""
        if not self.pending or self._vm is None:
            # The empty pending block was built when the last block was mined or the chain opened,
            # possibly long ago: rebuild it so block.timestamp is the time of the first transaction.
            parent = self.chain.get_block_header_by_hash(self.chain.header.parent_hash)
            ahead = {"timestamp": max(_headers.eth_now() + self.clock_ahead, parent.timestamp + 1)} if self.clock_ahead else {}
            self.chain.header = self._base = self.chain.create_header_from_parent(parent, **ahead)
            self._vm = self.chain.get_vm(self._base)
        return self._vm

    def gas_needed(self, sender: str, to: str, data: bytes, value: int) -> tuple[int, int]:
        """Measures a write on the pending block's state, after the transactions already in it (an
        open batch's earlier writes), as `eth_estimateGas` would on the block the write joins.

        The write runs once, with all the gas left in the block, at gas price 0 (as geth runs an
        estimate, so the balance does not bound it), and its effects are thrown away. What it used
        before refunds, with room for the 1/64 of the gas left that each call withholds (EIP-150),
        is the estimate: `estimate_gas` runs it once more to check that this suffices; a send
        spares that run, as the write then runs with the estimate and a margin over it, and runs
        again with all the gas left if even that falls short (see `EmbeddedChain.send`).

        Returns:
            The estimate, and the gas left in the pending block (the most a transaction may carry).

        Raises:
            _Reverted: If the contract refuses the write, with its revert data.
            _Failed: If it fails otherwise (it needs more gas than the block has left).
        """
        vm = self._pending_vm()
        state, header = vm.state, self.chain.header
        available = int(header.gas_limit - header.gas_used)
        origin = to_canonical_address(sender)
        builder = cast(type[LondonTransactionBuilder], vm.get_transaction_builder())  # the chain runs London
        unsigned = builder.new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain.chain_id, nonce=state.get_nonce(origin), max_priority_fee_per_gas=0, max_fee_per_gas=0,
            gas=available, to=to_canonical_address(to), value=value, data=data, access_list=(),
        )
        context = state.execution_context
        state.execution_context = ExecutionContext(  # the block as it is, but with base fee 0
            coinbase=context.coinbase, timestamp=context.timestamp, block_number=context.block_number,
            difficulty=context.difficulty, mix_hash=context.mix_hash, gas_limit=context.gas_limit,
            prev_hashes=context.prev_hashes, chain_id=context.chain_id, base_fee_per_gas=0,
        )
        # As the VM does before each transaction: the storage as the block's earlier transactions
        # left it becomes the "original" values that EIP-2200 prices a write against (a write to a
        # slot an earlier transaction changed would otherwise be priced as a second write, cheap).
        state.lock_changes()
        snapshot = state.snapshot()
        try:
            computation = state.apply_transaction(cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=origin)))
        except ValidationError as exc:  # it cannot pay the value it sends
            raise _Failed(str(exc)) from None
        finally:
            state.revert(snapshot)
            state.execution_context = context
        if computation.is_error:
            if isinstance(computation.error, EVMRevert):
                raise _Reverted(bytes(computation.error.args[0]) if computation.error.args else b"")
            raise _Failed(str(computation.error) or type(computation.error).__name__)
        used = available - int(computation.get_gas_remaining())
        return min(available, used * 64 // 63 + 2_300), available

    def get_nonce(self, account: bytes, block_number: Any = "latest") -> int:
        if block_number == "pending" and self._vm is not None:  # the unmined batch's own state
            return int(self._vm.state.get_nonce(Address(account)))
        return int(super().get_nonce(account, block_number))

    def get_balance(self, account: bytes, block_number: Any = "latest") -> int:
        if block_number == "pending" and self._vm is not None:
            return int(self._vm.state.get_balance(Address(account)))
        return int(super().get_balance(account, block_number))

    def _replay_pending(self) -> None:
        assert self._base is not None
        self._vm = self.chain.get_vm(self._base)
        header = self._base
        for transaction, _ in self.pending:
            receipt, _ = self._vm.apply_transaction(header, transaction)
            header = self._vm.add_receipt_to_header(header, receipt)
        self.chain.header = header

    def get_transaction_by_hash(self, transaction_hash: bytes) -> dict[str, Any]:
        block, _, transaction, index = self._find(transaction_hash)
        return dict(serialize_transaction(block, transaction, index, self._is_pending(block)))

    def get_transaction_receipt(self, transaction_hash: bytes) -> dict[str, Any]:
        block, receipts, transaction, index = self._find(transaction_hash)
        pending = self._is_pending(block)
        return dict(serialize_transaction_receipt(block, receipts, transaction, index, pending, self.chain.get_vm()))

    def call(self, transaction: dict[str, Any], block_number: Any = "latest") -> bytes:
        # eth-tester's own `call` turns revert data into the text of a repr; keep the bytes.
        computation = self._run({"gas": self._max_available_gas(), **_feeless(transaction)}, block_number)
        if not computation.is_error:
            return bytes(computation.output)
        if isinstance(computation.error, EVMRevert):
            raise _Reverted(bytes(computation.error.args[0]) if computation.error.args else b"")
        raise TransactionFailed(str(computation.error))  # out of gas, invalid opcode: as eth-tester

    def _run(self, transaction: dict[str, Any], block_number: Any) -> Any:
        """Runs a transaction on a block's state and throws the state away; returns the computation."""
        unsigned = self._get_normalized_and_unsigned_evm_transaction(transaction, block_number)
        header = _get_block_by_number(self.chain, block_number).header
        if "gas_price" not in transaction and transaction["max_fee_per_gas"] == 0:
            header = header.copy(base_fee_per_gas=0)  # as geth does for a call at gas price 0
        state = self.chain.get_vm(at_header=header).state
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=transaction["from"])))
        finally:
            state.revert(snapshot)

    def estimate_gas(self, transaction: dict[str, Any], block_number: Any = "latest") -> int:
        # py-evm searches for the least gas that suffices by running the transaction about 20
        # times (a minute for a proof verification); run it once with all the gas there is, then
        # once with what it used and room for the 1/64 that calls withhold: that suffices too.
        if "gas" not in transaction:
            limit = int(self._max_available_gas())
            first = self._run({**_feeless(transaction), "gas": limit}, block_number)
            if not first.is_error:
                guess = min(limit, (limit - int(first.get_gas_remaining())) * 64 // 63 + 2_300)
                if not self._run({**_feeless(transaction), "gas": guess}, block_number).is_error:
                    return guess
        try:
            return int(super().estimate_gas(_feeless(transaction), block_number))
        except TransactionFailed as exc:
            cause = exc.__cause__  # eth-tester wraps py-evm's Revert, which holds the data
            if isinstance(cause, EVMRevert):
                raise _Reverted(bytes(cause.args[0]) if cause.args else b"") from None
            raise

    def take_snapshot(self) -> Any:
        raise NotImplementedError("a persisted chain cannot be rewound")

    def revert_to_snapshot(self, snapshot: Any) -> None:
        raise NotImplementedError("a persisted chain cannot be rewound")

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a persisted chain cannot be reset")

    def _is_pending(self, block: BlockAPI) -> bool:
        return bool(block.number == self.chain.header.block_number)

    def _find(self, transaction_hash: bytes) -> tuple[BlockAPI, tuple[ReceiptAPI, ...], SignedTransactionAPI, int]:
        for index, (transaction, _) in enumerate(self.pending):
            if transaction.hash == transaction_hash:
                return self.chain.get_block(), tuple(r for _, r in self.pending), transaction, index
        # eth-tester scans every block from the head down; py-evm indexes canonical transactions.
        try:
            number, index = self.chain.chaindb.get_transaction_index(Hash32(transaction_hash))
        except EVMTransactionNotFound:
            raise TransactionNotFound(f"No transaction found for transaction hash: {encode_hex(transaction_hash)}") from None
        # Receipts of one block are asked for in a row (after a batch, by get_logs): load it once.
        if self._mined is None or self._mined[0].number != number:
            block = self.chain.get_canonical_block_by_number(number)
            self._mined = (block, tuple(block.get_receipts(self.chain.chaindb)))
        block, receipts = self._mined
        return block, receipts, block.transactions[index], index


class _Provider(EthereumTesterProvider):
    """web3's eth-tester provider, answering reverts as geth does: code 3 with the revert data.

    web3 then raises `ContractLogicError` (or its subclass `ContractCustomError`) whose `data`
    holds the selector and arguments of the contract's custom error.
    """

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except _Reverted as exc:
            error = {"code": 3, "message": "execution reverted", "data": encode_hex(exc.data)}
        except _Failed as exc:
            error = {"code": -32000, "message": f"transaction failed: {exc}"}
        return {"jsonrpc": "2.0", "id": self._current_request_id, "error": error}  # type: ignore[typeddict-item]


class _Tester(EthereumTester):  # type: ignore[misc]  # eth-tester ships no types
    """eth-tester that leaves sent transactions in the pending block while a batch is open."""

    backend: _PersistentBackend

    def mine_block(self, coinbase: str = "0x" + "00" * 20) -> Any:
        if self.backend.holding:  # auto-mine after each send; the batch mines them all on exit
            return None
        return super().mine_block(coinbase)


class EmbeddedChain(Web3Reads):
    """A persisted in-process chain, held open (and locked) by this process until `close`.

    `send` puts its transactions into one block, all or nothing. A transaction that would fail is
    refused when it is sent, with the contract's revert data, instead of being mined with status 0:
    this spares the dry run a node needs, which would double the EVM's work. Transactions sent
    through `w3` outside `batch` are each mined into their own block and committed at once.
    Use `create` or `open` to get one.
    """

    def advance_clock(self, seconds: int) -> None:
        """Moves this chain's clock ahead: every block from the next on is dated `seconds` later
        than the wall clock. For a sandbox's throwaway chain only (the demo shows a default's
        notice period passing in chain days); a member's chain keeps real time, and a profile
        never calls this. The move lasts until the chain is closed.

        Raises:
            ValueError: If `seconds` is negative: a chain's clock never runs back.
        """
        if seconds < 0:
            raise ValueError("a chain's clock never runs back")
        self._backend.clock_ahead += seconds

    def __init__(self, path: Path, store: SQLiteKV, chain: _LondonChain) -> None:
        """Wraps an opened store and chain (use `create` or `open`)."""
        self.path = path
        self._store = store
        self._chain = chain
        self._backend = _PersistentBackend(chain, store)
        self._tester = _Tester(backend=self._backend, auto_mine_transactions=True)
        self._w3 = Web3(_Provider(self._tester, api_endpoints=_endpoints(chain.chain_id)))

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        chain_id: int,
        alloc: Mapping[str, int],
        gas_limit: int = 30_000_000,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> EmbeddedChain:
        """Creates a chain in a directory, with a genesis block that funds the given accounts.

        Args:
            path: The directory (created if missing).
            chain_id: The EIP-155 chain id: reported by eth_chainId, required in signatures.
            alloc: Genesis balance in wei of each address; no other account holds ether.
            gas_limit: The gas limit of every block.
            lock_timeout: Seconds to wait for another process to release the directory.

        Returns:
            The chain, open, at block 0 (genesis; base fee 1 gwei).

        Raises:
            ChainExists: If the directory already holds a chain.
            ChainBusy: If another process holds the directory past `lock_timeout`.
            ValueError: If the chain id or an address is invalid.
        """
        if chain_id <= 0:
            raise ValueError(f"chain id must be positive, not {chain_id}")
        bad = [a for a in alloc if not is_address(a)]
        if bad:
            raise ValueError(f"invalid genesis address(es): {', '.join(bad)}")
        genesis_params: dict[str, Any] = {
            "coinbase": ZERO_ADDRESS,
            "difficulty": GENESIS_DIFFICULTY,
            "extra_data": b"",
            "gas_limit": gas_limit,
            "mix_hash": ZERO_HASH32,
            "nonce": _GENESIS_NONCE,
            "timestamp": int(time.time()),
        }
        genesis_state: dict[Any, Any] = {
            to_canonical_address(a): {"balance": int(v), "nonce": 0, "code": b"", "storage": {}}
            for a, v in alloc.items()
        }

        def build(store: SQLiteKV) -> _LondonChain:
            # A file without the chain-id key is a create that died before its only commit: reuse it.
            if store.exists(_CHAIN_ID_KEY):
                raise ChainExists(str(path))
            chain = _chain_class(chain_id).from_genesis(AtomicDB(store), genesis_params, genesis_state)
            store[_CHAIN_ID_KEY] = str(chain_id).encode()
            store.commit()  # genesis and chain id land together, or not at all
            return cast(_LondonChain, chain)

        Path(path).mkdir(parents=True, exist_ok=True)
        return cls._locked(Path(path), lock_timeout, build)

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> EmbeddedChain:
        """Opens an existing chain, waiting for any other process that holds it.

        Opening reads the canonical head only: its cost does not grow with the chain.

        Args:
            path: The chain's directory.
            lock_timeout: Seconds to wait for another process to release the directory.

        Returns:
            The chain, open, with an empty pending block on top of the head.

        Raises:
            ChainNotFound: If the directory holds no chain.
            ChainBusy: If another process holds the directory past `lock_timeout`.
        """

        def build(store: SQLiteKV) -> _LondonChain:
            try:
                chain_id = int(store[_CHAIN_ID_KEY])
            except KeyError:
                raise ChainNotFound(str(path)) from None
            return _chain_class(chain_id)(AtomicDB(store))  # MiningChain resumes from the head

        if not (Path(path) / DB_FILE).is_file():
            raise ChainNotFound(str(path))
        return cls._locked(Path(path), lock_timeout, build)

    @classmethod
    def _locked(cls, path: Path, lock_timeout: float, build: Callable[[SQLiteKV], _LondonChain]) -> EmbeddedChain:
        store = SQLiteKV(path / DB_FILE, lock_timeout=lock_timeout)
        try:
            return cls(path, store, build(store))
        except BaseException:
            store.close()
            raise

    @property
    def chain_id(self) -> int:
        """Returns the chain id."""
        return self._chain.chain_id

    def head(self) -> int:
        """Returns the number of the latest mined block (0 for genesis only), without a lookup."""
        return int(self._chain.header.block_number) - 1  # the pending block sits on the head

    @property
    def db_reads(self) -> int:
        """Returns how many key lookups reached the database file since opening (a cost measure)."""
        return self._store.reads

    @property
    def closed(self) -> bool:
        """Returns whether `close` was called."""
        return self._store.closed

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Collects the transactions sent inside into one block, mined and committed on exit.

        Receipts exist once the block is mined: wait for them after the `with` block. A nested
        `batch` joins the outer one. If the body raises, every transaction sent inside is
        discarded (the pending block and all uncommitted writes) and the exception propagates.

        Raises:
            Exception: Whatever the body raises, after discarding; or an error from mining.
        """
        if self._backend.holding:
            yield
            return
        self._backend.holding = True
        try:
            yield
        except BaseException:
            self._backend.holding = False
            self._backend.discard_pending()
            raise
        self._backend.holding = False
        if self._backend.pending:  # an empty batch mines nothing
            self._tester.mine_block()

    def send(
        self,
        transactions: Sequence[Transaction],
        sign: Sign,
        *,
        on_accepted: Callable[[], object] | None = None,
        timed: Timer = untimed,
    ) -> list[bytes]:
        """Runs the transactions in one block, mined and committed once all passed (see `Chain.send`).

        Each is estimated (if it has no gas limit) on the block's state after the earlier ones, so a
        write may depend on an earlier write of the same send (a grant on a title registered just
        before), then signed and executed; a refusal names the transaction that caused it, and
        nothing of the block is kept. Inside an open `batch`, they join it instead.
        """
        with self.batch():
            hashes: list[bytes] = []
            for i, t in enumerate(transactions):
                available = 0
                if t.gas is None:
                    with timed("estimate"):
                        estimate, available = self._estimate(t)
                        t = replace(t, gas=gas_limit(estimate, available))
                try:
                    hashes.append(self._send_raw(sign(i, [t])[0], t.sender, timed))
                except (WriteFailed, Reverted) as exc:
                    if (isinstance(exc, (StaleNonce, InsufficientFunds)) or (isinstance(exc, Reverted) and exc.data)
                            or not t.gas or t.gas >= available):
                        raise
                    # The estimate and its margin fell short (deeply nested calls, each keeping
                    # 1/64 of its gas; out of gas in a library's call reverts without data): the
                    # write ran with all the block's gas when measured, so it passes with that.
                    # Unused gas is not charged.
                    hashes.append(self._send_raw(sign(i, [replace(t, gas=available)])[0], t.sender, timed))
            if on_accepted is not None:
                on_accepted()
        return hashes

    def _estimate(self, t: Transaction) -> tuple[int, int]:
        try:
            return self._backend.gas_needed(t.sender, t.to, bytes(HexBytes(t.data)), t.value)
        except (_Reverted, _Failed) as exc:  # answered as the provider answers it: one refusal for both paths
            error = ({"code": 3, "message": "execution reverted", "data": encode_hex(exc.data)}
                     if isinstance(exc, _Reverted) else {"code": -32000, "message": f"transaction failed: {exc}"})
            raise refusal(error, t.sender) from None

    def _send_raw(self, raw: bytes, sender: str, timed: Timer) -> bytes:
        with timed("send"):
            try:
                return bytes(self._w3.eth.send_raw_transaction(raw))
            except Web3RPCError as exc:
                error = (exc.rpc_response or {}).get("error")
                # The batch discards the block on the way out: none of the send went out.
                raise refusal(error if isinstance(error, dict) else {"message": str(exc)}, sender) from None

    def receipts(self, hashes: Sequence[bytes], *, timeout: float) -> list[TxReceipt]:
        """Returns the receipts of mined transactions: `send` returns once its block is mined."""
        return [self._w3.eth.get_transaction_receipt(HexBytes(h)) for h in hashes]

    def confirm(self, hashes: Sequence[bytes], *, timeout: float) -> Mapping[int, TxReceipt]:
        """Returns no failure without reading a receipt: every transaction this chain took is mined
        by the time `send` returns, and it takes none that fails."""
        return {}

    def close(self) -> None:
        """Discards any unmined transactions, closes the database and releases the lock."""
        self._backend.holding = False
        self._store.close()

    def __enter__(self) -> EmbeddedChain:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _endpoints(chain_id: int) -> dict[str, dict[str, Any]]:
    # web3's eth-tester endpoints report a fixed chain id and network id: report ours, as geth does.
    eth = API_ENDPOINTS["eth"]
    return {
        **API_ENDPOINTS,
        "eth": {
            **eth,
            "chainId": static_return(chain_id),
            "call": _default_from(eth["call"]),
            "estimateGas": _default_from(eth["estimateGas"]),
        },
        "net": {**API_ENDPOINTS["net"], "version": static_return(str(chain_id))},
    }


def _default_from(endpoint: Any) -> Any:
    # geth runs a call without `from` as the zero address; eth-tester refuses it, and web3 fills
    # `from` only from node-held accounts, which this chain has none of.
    # web3 passes a block number as hex, which eth-tester's call formats for it but its estimate
    # does not: it takes an int.
    def with_from(tester: EthereumTester, params: Any) -> Any:
        if params and params[0].get("from") is None:
            params = [{**params[0], "from": "0x" + "00" * 20}, *params[1:]]
        if len(params) > 1 and isinstance(params[1], str) and params[1].startswith("0x"):
            params = [params[0], int(params[1], 16), *params[2:]]
        return endpoint(tester, params)

    return with_from

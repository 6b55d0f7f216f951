"""Real reorgs for the tests: every block of a chain after a fork point replaced by another branch.

The embedded chain adopts a branch as a node adopts one from a peer: the branch is built on a copy
of the chain taken at the fork point (a chain of its own, written through the ledger like any
other), and its blocks are then imported into the chain with py-evm's `import_block`, which makes
them canonical once the branch outweighs the blocks it replaces (total difficulty).

A geth node is rewound with `debug_setHead` (what geth itself does after a power loss, back to the
last block whose state it kept) and its sealer then seals the branch.

Either way the transactions of the replaced blocks that the branch did not take are mined again
after it, in their order, as a node's transaction pool re-sends what a reorg dropped; those whose
nonce the branch used are dropped, as a node drops them. Then the branch grows past the old head.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from web3.types import RPCEndpoint

from lienchain.ledger.chain.base import Chain
from lienchain.ledger.chain.embedded import DB_FILE, EmbeddedChain
from lienchain.networks.ipc import ipc_call


def copy_embedded(chain: EmbeddedChain, to: Path) -> None:
    """Copies an embedded chain, as it is now, into the directory `to` (the fork point of a branch).

    The chain may be open: every block it mined is committed, and SQLite's backup reads a
    consistent snapshot beside the open connection.
    """
    to.mkdir(parents=True)
    source, target = sqlite3.connect(chain.path / DB_FILE), sqlite3.connect(to / DB_FILE)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def adopt_embedded(chain: EmbeddedChain, branch: EmbeddedChain, fork: int) -> None:
    """Replaces the blocks of `chain` after `fork` with those of `branch`, a chain copied from it at `fork`.

    The replaced blocks' transactions that the branch lacks are mined on it first, then empty
    blocks until it outweighs `chain`; then its blocks after `fork` are imported into `chain`.
    """
    own, other = chain._chain, branch._chain  # noqa: SLF001 - a test reaching into py-evm
    taken = {bytes(tx.hash) for n in range(fork + 1, branch.head() + 1) for tx in other.get_canonical_block_by_number(n).transactions}
    for n in range(fork + 1, chain.head() + 1):
        for tx in own.get_canonical_block_by_number(n).transactions:
            if bytes(tx.hash) not in taken:
                _resend(lambda raw: branch.w3.eth.send_raw_transaction(raw), tx.encode())
    while other.chaindb.get_score(other.get_canonical_head().hash) <= own.chaindb.get_score(own.get_canonical_head().hash):
        branch.w3.provider.make_request(RPCEndpoint("evm_mine"), [1])
    for n in range(fork + 1, branch.head() + 1):
        own.import_block(other.get_canonical_block_by_number(n))
    chain._store.commit()  # noqa: SLF001
    chain._backend.discard_pending()  # noqa: SLF001 - the pending block now sits on the new head


def reorg_geth(chain: Chain, ipc: Path, fork: int, build: Callable[[], object], pad: Callable[[], object]) -> None:
    """Replaces a geth node's blocks after `fork`: rewinds it there, runs `build`, mines the replaced
    blocks' transactions again, then calls `pad` (which must seal a block) until the head passes the old one."""
    old_head = chain.head()
    raws = [ipc_call(ipc, "eth_getRawTransactionByHash", [h])
            for n in range(fork + 1, old_head + 1) for h in chain.block(n).transactions]
    ipc_call(ipc, "debug_setHead", [hex(fork)])
    deadline = time.monotonic() + 10
    while chain.head() != fork:
        assert time.monotonic() < deadline, f"geth did not rewind to block {fork}"
        time.sleep(0.05)
    build()
    for raw in raws:
        sent = _resend(lambda r: ipc_call(ipc, "eth_sendRawTransaction", ["0x" + r.hex()]), bytes.fromhex(raw[2:]))
        if sent is not None:
            chain.receipts([bytes.fromhex(str(sent)[2:])], timeout=30)
    while chain.head() <= old_head:
        pad()


def _resend(send: Callable[[bytes], object], raw: bytes) -> object | None:
    """Sends a signed transaction again; None if the chain refuses it (its nonce was used)."""
    try:
        return send(raw)
    except Exception as exc:  # noqa: BLE001 - py-evm and geth word "nonce too low" each their own way
        if "nonce" not in str(exc).lower():
            raise
        return None

"""What the parts of the `Ledger` share: one connection to one deployment, seen by one account.

The `Ledger` facade builds one `LedgerContext` in its constructor and hands it to each of its parts
(titles, liens, private liens, valuations, governance, history). A ledger signing as another account
(`Ledger.as_account`) gets a copy with another signer; the VIN cache and the event index stay
shared between them, so a copy opens no second index file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3
from web3.contract import Contract

from ...errors import NoSigningAccount
from ..chain.base import Chain
from ..chain.transactions import Transactor
from .deployment import Deployment
from .index import EventIndex
from .vin import VIN, TokenId, token_id

__all__ = ["Hook", "IndexFile", "LedgerContext"]

#: Called once the registry accepted a write, before it is final (where its document is stored).
Hook = Callable[[], object] | None


class IndexFile:
    """The local event index of a deployment, opened on first use."""

    def __init__(self, path: Path, chain: Chain, registry: Contract, *, start_block: int,
                 documents: Contract | None = None) -> None:
        """Remembers where the index lives; nothing is opened or read yet.

        Args:
            path: The SQLite file.
            chain: The deployment's chain.
            registry: The deployment's registry contract.
            start_block: The deployment's block.
            documents: The deployment's document registry, indexed too.
        """
        self._path = path
        self._chain = chain
        self._registry = registry
        self._documents = documents
        self._start = start_block
        self._index: EventIndex | None = None

    def sync(self) -> EventIndex:
        """Opens the index (once) and brings it up to the chain's head.

        Returns:
            The index, synced.
        """
        if self._index is None:
            self._index = EventIndex(self._path, self._chain, self._registry, start_block=self._start,
                                     documents=self._documents)
        self._index.sync()
        return self._index

    def close(self) -> None:
        """Closes the index file, if it is open."""
        if self._index is not None:
            self._index.close()
            self._index = None


@dataclass(frozen=True)
class LedgerContext:
    """One connection to a deployment's contracts, its transactors and what the parts cache."""

    chain: Chain  # all I/O goes through it
    w3: Web3  # the chain's, for contract objects (ABI encoding and decoding) only
    deployment: Deployment
    registry: Contract
    governance: Contract
    reader: Transactor  # runs view calls; signs nothing
    tx: Transactor | None  # the signing account's, if the ledger has one
    vins: dict[int, str]  # token id -> VIN, so that error messages name the VIN
    index: IndexFile | None  # the event index, if the ledger keeps one
    documents: Contract | None = None  # the DocumentRegistry, if the deployment has one

    def signer(self) -> Transactor:
        """Returns the signing account's transactor.

        Raises:
            NoSigningAccount: If the ledger has no signing account.
        """
        if self.tx is None:
            raise NoSigningAccount()
        return self.tx

    def token(self, vin: str) -> TokenId:
        """Returns a VIN's token id, remembering the VIN for error messages."""
        tid = token_id(VIN(vin))
        self.vins[tid] = vin
        return tid

    def latest_time(self) -> int:
        """Returns the latest block's timestamp (Unix time)."""
        return self.chain.time()

    def now(self) -> int:
        """Returns the earliest time the next block can carry: the later of the chain's time (its
        latest block's) and this machine's clock (see `Ledger.now`)."""
        return max(self.chain.time(), int(time.time()))

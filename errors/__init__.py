"""The one exception tree of lienchain.

Every error lienchain raises on purpose derives from `LienchainError`, with one subtree per layer.
Messages are built from structured fields and say what went wrong; which command or flag mends it
is the CLI's to say (cli/advice.py, by exception class), printed after the message on one line.

One module per subtree, every name exported here (`from lienchain.errors import TitleFrozen`):

- `base`: the root, `LienchainError`;
- `config`: `ConfigError` (profiles, accounts, keystores) and invalid input values;
- `ledger`: `LedgerError`: the chain connection, embedded chains, transactions, deployments;
- `revert`: `ContractRevert` and the kinds of refusal callers catch (`TitleFrozen`, ...);
- `contract`: one class per contract custom error, and `CUSTOM_ERRORS`;
- `storage`, `zk`, `networks`: `StorageError`, `ProofError`, `NetworkError`.

Importing it imports nothing but these modules and the standard library (no web3).
"""

from __future__ import annotations

from . import base, config, contract, ledger, networks, revert, storage, zk
from .base import *  # noqa: F403
from .config import *  # noqa: F403
from .contract import *  # noqa: F403
from .ledger import *  # noqa: F403
from .networks import *  # noqa: F403
from .revert import *  # noqa: F403
from .storage import *  # noqa: F403
from .zk import *  # noqa: F403

__all__ = [
    *base.__all__, *config.__all__, *ledger.__all__, *revert.__all__, *contract.__all__, *storage.__all__,
    *zk.__all__, *networks.__all__,
]

"""Lazy re-exports for package `__init__`s (PEP 562).

A package's `__init__` names its public entry points in `__all__` and maps each to the submodule
that defines it; the submodule is imported when the name is first used. `from lienchain.ledger
import Ledger` works as before, but importing one light submodule (`lienchain.ledger.registry.vin`)
no longer imports every other, and with them web3 and py-evm: a `--help` must not pay for those.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any


def load_export(package: str, exports: Mapping[str, str], name: str) -> Any:
    """Imports and returns a package's lazily exported name, caching it on the package.

    Args:
        package: The package's `__name__`.
        exports: Each exported name -> the module defining it, relative to the package
            (".registry.ledger"), with ":attribute" when it is exported under another name.
        name: The attribute asked for.

    Raises:
        AttributeError: If the package exports no such name (so `hasattr` and the import of a
            submodule of that name behave as for any module).
    """
    try:
        where = exports[name]
    except KeyError:
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
    module, _, attribute = where.partition(":")
    value = getattr(importlib.import_module(module, package), attribute or name)
    setattr(sys.modules[package], name, value)  # later lookups find it without coming here
    return value


def export_names(package: str, exports: Mapping[str, str]) -> list[str]:
    """Returns what `dir()` of a package with lazy exports lists: its attributes and its exports."""
    return sorted({*vars(sys.modules[package]), *exports})

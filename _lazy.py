"""Lazy re-exports for package `__init__`s (PEP 562).

A package's `__init__` names its public entry points in `__all__` and maps each to the submodule
that defines it; the submodule is imported when the name is first used. `from lienchain.ledger
import Ledger` works as before, but importing one light submodule (`lienchain.ledger.registry.vin`)
no longer imports every other, and with them web3 and py-evm: a `--help` must not pay for those.

The `__init__` ends with `__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
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


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Returns a package's module-level `__getattr__` and `__dir__` (PEP 562) for its lazy exports.

    Args:
        package: The package's `__name__`.
        exports: As for `load_export`.
    """

    def __getattr__(name: str) -> Any:
        return load_export(package, exports, name)

    def __dir__() -> list[str]:
        return export_names(package, exports)

    return __getattr__, __dir__

"""Each package's public names resolve on first use to the objects its modules define (lienchain._lazy)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = ["lienchain.ledger", "lienchain.storage", "lienchain.zk", "lienchain.networks"]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves_to_its_modules_object(name: str) -> None:
    package = importlib.import_module(name)
    exports = package._EXPORTS
    assert sorted(package.__all__) == sorted(exports)
    for export in package.__all__:
        module, _, attribute = exports[export].partition(":")
        assert getattr(package, export) is getattr(importlib.import_module(module, name), attribute or export)
    assert set(package.__all__) <= set(dir(package))


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import() -> None:
    import lienchain.zk

    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        lienchain.zk.nonexistent  # noqa: B018
    from lienchain.zk import ltv  # a submodule, not an export

    assert ltv.__name__ == "lienchain.zk.ltv"


def test_importing_a_light_module_imports_no_other_part_of_its_package() -> None:
    code = ("import sys; from lienchain.ledger import normalize_vin; from lienchain.storage import parse_cid; "
            "print(sorted(m for m in ('web3', 'eth', 'lienchain.ledger.workspace.profile', 'cryptography') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

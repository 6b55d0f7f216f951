"""The geth and Kubo binaries the node tests run, built with Go on first use like any command does.

Without them (no Go to build them with) those tests are skipped, unless LIENCHAIN_REQUIRE_NODES=1
(CI sets it), where a missing binary fails them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from lienchain.errors import BinaryNotFound
from lienchain.networks import Binary, install


def require(binary: Binary) -> Path:
    """Returns the pinned binary, building it first if it is missing (a few minutes, once)."""
    try:
        return install(binary, progress=lambda line: print(line, file=sys.__stderr__, flush=True))
    except BinaryNotFound as exc:
        if os.environ.get("LIENCHAIN_REQUIRE_NODES") == "1":
            pytest.fail(f"LIENCHAIN_REQUIRE_NODES=1 but {exc}")
        pytest.skip(str(exc))

"""The library type-checks under mypy --strict (STYLE.md: full annotations, checked by mypy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_package_type_checks_strictly(tmp_path: Path) -> None:
    # The repository root is the `lienchain` package; mypy names packages after their folders,
    # so it is shown the checkout under that name.
    (tmp_path / "lienchain").symlink_to(ROOT, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir",
         str(tmp_path / ".mypy_cache"), "-p", "lienchain"],
        cwd=tmp_path, env={**os.environ, "MYPYPATH": str(tmp_path)}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""The geth and Kubo binaries a network runs: found on PATH or in the cache, or built with Go.

Neither project publishes binaries where this tooling may download from, so both are built from the
Go module proxy and cached under `$LIENCHAIN_BIN_CACHE` (default `~/.cache/lienchain/bin`), one
folder per version, so a second run reuses them. geth v1.13.15 is the last release that runs Clique
(it needs `-ldflags=-checklinkname=0` on a recent Go). Kubo's module has `exclude` directives, which
`go install pkg@version` refuses, so its source is downloaded with `go mod download` and built with
`go build`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BinaryNotFound, BinaryNotInstalled, GoNotFound, WrongBinaryVersion
from .process import child_env


@dataclass(frozen=True)
class Binary:
    """A program a network needs, at the version it was tested with."""

    name: str  # the executable's name
    project: str  # the cache folder's prefix: "geth", "kubo"
    version: str
    module: str  # the Go module that holds it
    package: str  # the package path of its main, inside the module
    version_pattern: str  # finds the version in the output of `<name> version`

    @property
    def cache_dir(self) -> Path:
        """Returns where the built binary is cached."""
        root = os.environ.get("LIENCHAIN_BIN_CACHE")
        base = Path(root) if root else Path.home() / ".cache" / "lienchain" / "bin"
        return base / f"{self.project}-v{self.version}"


GETH = Binary("geth", "geth", "1.13.15", "github.com/ethereum/go-ethereum", "cmd/geth", r"Version: (\d+\.\d+\.\d+)")
IPFS = Binary("ipfs", "kubo", "0.42.0", "github.com/ipfs/kubo", "cmd/ipfs", r"ipfs version (\d+\.\d+\.\d+)")
BINARIES = {"geth": GETH, "ipfs": IPFS}


def version_of(path: Path, binary: Binary) -> str | None:
    """Returns the version a binary reports, or None if it does not run."""
    try:
        out = subprocess.run(  # noqa: S603 - a path we were given or found, run without a shell
            [str(path), "version"], capture_output=True, text=True, timeout=30, env=child_env(), check=False
        ).stdout
    except OSError:
        return None
    match = re.search(binary.version_pattern, out)
    return match.group(1) if match else None


def locate(binary: Binary, given: Path | None = None) -> Path:
    """Finds a binary of the right version: the one given, else the cache, else PATH.

    Raises:
        BinaryNotFound: If none is found, or the one given is of another version.
    """
    if given is not None:
        found = version_of(given, binary)
        if found != binary.version:
            raise WrongBinaryVersion(str(given), binary.name, found, binary.version)
        return given
    candidates = [binary.cache_dir / binary.name]
    on_path = shutil.which(binary.name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists() and version_of(candidate, binary) == binary.version:
            return candidate
    raise BinaryNotInstalled(binary.name, binary.version)


def install(binary: Binary, *, given: Path | None = None, progress: Callable[[str], None] = lambda _: None) -> Path:
    """Returns a binary of the right version, building and caching it with Go if there is none.

    Raises:
        BinaryNotFound: If Go is missing or the build fails.
    """
    try:
        return locate(binary, given)
    except BinaryNotFound:
        if given is not None:
            raise
    go = shutil.which("go")
    if go is None:
        raise GoNotFound(binary.name)
    target = binary.cache_dir
    target.mkdir(parents=True, exist_ok=True)
    progress(f"building {binary.project} {binary.version} with Go (a few minutes, once)")
    with tempfile.TemporaryDirectory(prefix=f"lienchain-{binary.name}-") as tmp:
        env = child_env({"CGO_ENABLED": "1", "GOFLAGS": "-mod=mod"})
        downloaded = _go(
            [go, "mod", "download", "-json", f"{binary.module}@v{binary.version}"], env=env, cwd=Path(tmp)
        )
        source = Path(tmp) / "src"
        shutil.copytree(json.loads(downloaded)["Dir"], source)
        for path in [source, *source.rglob("*")]:  # the module cache is read-only
            path.chmod(path.stat().st_mode | 0o200)
        output = target / f".{binary.name}.partial"
        _go(
            [go, "build", "-trimpath", "-ldflags=-checklinkname=0", "-o", str(output), f"./{binary.package}"],
            env=env, cwd=source,
        )
        os.replace(output, target / binary.name)  # a half-built binary never takes the real name
    return locate(binary)


def _go(argv: list[str], *, env: dict[str, str], cwd: Path) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise BinaryNotFound(f"`{' '.join(argv[:3])}` took over 30 minutes: retry, or pass the binary's path") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BinaryNotFound(f"`{' '.join(argv[:3])}` failed: {last}")
    return done.stdout

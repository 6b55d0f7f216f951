"""Writing files so that a crash or a refusal never leaves half of one behind."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Writes `data` to a temporary file beside `path`, syncs it, and renames it into place.

    Args:
        path: The file to write.
        data: Its new content.
        mode: The permissions of a new file (0o600 for anything private).

    Raises:
        OutputError: If the file cannot be written (no such directory, no permission, disk full).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(str(path), exc.strerror or str(exc)) from None

"""Background node processes: started detached, tracked by pid files, logged to files, stopped.

A node outlives the command that started it (it runs in its own session), so a later command finds it
again through its pid file. The pid file also records the process's start time, so a pid reused by an
unrelated process after a crash is never mistaken for (or signalled as) the node.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import NodeFailed
from ..files import write_atomic


def _start_time(pid: int) -> int | None:
    """Returns the kernel's start time of a process (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited; only its exit status is left to collect
        return None
    return int(fields[19])


@dataclass(frozen=True)
class Process:
    """A node process as its pid file records it."""

    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        """Returns the pid of the running process, or None if it is not running."""
        try:
            record = json.loads(self.pid_file.read_text())
            pid, started = int(record["pid"]), int(record["started"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return pid if _start_time(pid) == started else None

    def running(self) -> bool:
        """Tells whether the process is running."""
        return self.pid() is not None

    def start(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> int:
        """Starts the process in its own session, appending its output to the log file.

        Does nothing if it is already running.

        Returns:
            Its pid.
        """
        pid = self.pid()
        if pid is not None:
            return pid
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} lienchain starts {self.name}\n".encode())
            log.flush()
            child = subprocess.Popen(  # noqa: S603 - argv is built by lienchain, never by a shell
                list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=cwd, env=dict(env) if env is not None else None, start_new_session=True,
            )
        started = _start_time(child.pid)
        if started is None:
            child.wait()
            raise NodeFailed(f"{self.name} exited at once (status {child.returncode}): see {self.log_file}")
        write_atomic(self.pid_file, json.dumps({"pid": child.pid, "started": started}).encode())
        _reap_later(child)
        return child.pid

    def stop(self, *, timeout: float = 20.0, kill: bool = False) -> bool:
        """Stops the process: SIGTERM (or SIGKILL with `kill`), then SIGKILL after `timeout` seconds.

        Returns:
            True if a running process was stopped, False if it was not running.
        """
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):  # it may exit on its own in between
            os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
            if not wait_for(lambda: not self.running(), timeout):
                os.kill(pid, signal.SIGKILL)
                wait_for(lambda: not self.running(), 5.0)
        self.pid_file.unlink(missing_ok=True)
        return True

    def tail(self, lines: int = 50) -> list[str]:
        """Returns the last lines of the log."""
        try:
            with open(self.log_file, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 200 * lines))
                text = log.read().decode(errors="replace")
        except FileNotFoundError:
            return []
        return text.splitlines()[-lines:]


_children: list[subprocess.Popen[bytes]] = []


def _reap_later(child: subprocess.Popen[bytes]) -> None:
    """Keeps a started child so that, if it exits while this process lives, it is reaped (no zombie)."""
    _children.append(child)
    for c in list(_children):
        if c.poll() is not None:
            _children.remove(c)


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Polls `condition` until it holds or `timeout` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
        for c in list(_children):  # reap exited children so `running` sees them gone
            if c.poll() is not None:
                _children.remove(c)

"""Background node processes: started detached, tracked by pid files, logged to files, stopped.

A node outlives the command that started it (it runs in its own session), so a later command finds it
again through its pid file. The pid file also records the process's start time, so a pid reused by an
unrelated process after a crash is never mistaken for (or signalled as) the node.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import NodeFailed
from ..files import write_atomic


#: What a node or a build may see of lienchain's environment: the basics and the Go toolchain's
#: settings. Nothing else passes, so no passphrase (LIENCHAIN_PASSWORD) reaches a child process.
_ENV_NAMES = {"PATH", "HOME", "TMPDIR", "LANG", "TZ", "USER", "LOGNAME", "CC", "CXX", "PYTHONPATH",
              "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"}
_ENV_PREFIXES = ("LC_", "GO", "CGO_", "XDG_")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Returns the minimal environment of a child process: see `_ENV_NAMES`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k in _ENV_NAMES or k.startswith(_ENV_PREFIXES)}
    return {**env, **(extra or {})}


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

        Does nothing if it is already running. The child gets `env`, or else `child_env()`: never
        the caller's whole environment.

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
                cwd=cwd, env=dict(env) if env is not None else child_env(), start_new_session=True,
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


@contextlib.contextmanager
def secret_pipes(*names: str) -> Iterator[list[Path]]:
    """Makes named pipes (mode 0600, in a private temporary directory) to hand secrets to a child.

    A child reads a secret from a pipe as from a file, but the secret never touches the disk.
    Feed them with `hand_over` once the child runs; they are removed on exit.
    """
    with tempfile.TemporaryDirectory(prefix="lienchain-pipe-") as private:
        paths = [Path(private) / name for name in names]
        for path in paths:
            os.mkfifo(path, 0o600)
        yield paths


def hand_over(proc: Process, secrets: dict[Path, bytes], timeout: float) -> bool:
    """Writes each secret into its named pipe once the process opens it for reading.

    Returns:
        True when every secret was read; False if the process exited or `timeout` passed first.
    """
    deadline = time.monotonic() + timeout
    pending = dict(secrets)
    while pending:
        for path in list(pending):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                continue
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(pending.pop(path))
        if pending and (not proc.running() or time.monotonic() > deadline):
            return False
        time.sleep(0.05)
    return True


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


def await_ready(proc: Process, ready: Callable[[], bool], timeout: float) -> None:
    """Waits until `ready()` holds while the process runs.

    Raises:
        NodeFailed: If it exits first or `timeout` seconds pass, quoting its log's last error.
    """
    if not wait_for(lambda: ready() or not proc.running(), timeout, interval=0.2) or not proc.running():
        raise NodeFailed(f"{proc.name} did not come up: {last_error(proc)}")


def last_error(proc: Process) -> str:
    """Returns the last error line of the process's log, and where the log is."""
    lines = [line for line in proc.tail(40) if "fatal" in line.lower() or "error" in line.lower()]
    return (lines[-1].strip() if lines else "no error logged") + f" (see {proc.log_file})"


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tells whether a TCP port can be bound at `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the nodes bind (Go sets SO_REUSEADDR): a port a stopped node left in TIME_WAIT is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def run_tool(argv: Sequence[str], what: str) -> None:
    """Runs a short command (such as `geth init`) with the minimal environment.

    Raises:
        NodeFailed: If it fails, quoting its last line of output.
    """
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, env=child_env(), check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise NodeFailed(f"{what} failed: {last}")

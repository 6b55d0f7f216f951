"""JSON-RPC over a geth node's IPC socket: the only way lienchain reaches `admin`, `clique` and `miner`.

A member's node serves `eth`, `net` and `web3` over loopback HTTP; everything that steers the node
(starting the sealer, casting Clique votes, reading its peers) goes through the Unix socket in its
data directory, which only the member's own user can open.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any


def ipc_call(path: Path, method: str, params: list[Any] | None = None, *, timeout: float = 5.0) -> Any:
    """Calls one method on the node behind an IPC socket and returns its result.

    Args:
        path: The node's `geth.ipc`.
        method: The JSON-RPC method, e.g. "clique_getSigners".
        params: Its parameters.
        timeout: Seconds to wait for the answer.

    Returns:
        The decoded result.

    Raises:
        OSError: If the socket cannot be reached or closes before answering.
        ValueError: If the node answers with an error.
    """
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall(request)
        decoder = json.JSONDecoder()
        buffer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError(f"the node closed {path} before answering {method}")
            buffer += chunk
            try:
                reply, _ = decoder.raw_decode(buffer.decode())
                break
            except ValueError:
                continue  # an answer larger than one read
    if "error" in reply:
        raise ValueError(f"{method} failed: {reply['error'].get('message', reply['error'])}")
    return reply.get("result")

"""Errors of consortium networks: directories, members, nodes, cards and manifests."""

from __future__ import annotations

from .base import LienchainError

__all__ = [
    "NetworkError", "NetworkNotFound", "NetworkExists", "UnknownMember", "BinaryNotFound", "NodeUnreachable",
    "NodeFailed", "PortInUse", "InvalidCard", "InvalidManifest",
]


class NetworkError(LienchainError):
    """Raised when a consortium network or one of its nodes cannot be set up or reached."""


class NetworkNotFound(NetworkError, FileNotFoundError):
    """Raised when no network directory of that name exists."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(f"no network {name!r} at {path}")
        self.name = name

    def __str__(self) -> str:  # OSError would otherwise format its own way
        return str(self.args[0])


class NetworkExists(NetworkError, FileExistsError):
    """Raised when `network init` would overwrite an existing network."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(f"network {name!r} already exists at {path}: choose another name, or remove it first")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownMember(NetworkError, KeyError):
    """Raised when a member name is not one of the network's members."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no member {name!r} in this network: choose one of {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class BinaryNotFound(NetworkError):
    """Raised when geth or Kubo of the required version is neither cached, on PATH, nor buildable."""


class NodeUnreachable(NetworkError):
    """Raised when a member's geth or Kubo node does not answer on its endpoint."""


class NodeFailed(NetworkError):
    """Raised when a node process exits or does not become ready in time."""


class PortInUse(NetworkError):
    """Raised when a port a node needs is taken by another process."""


class InvalidCard(NetworkError, ValueError):
    """Raised when a member card is malformed, or its signature does not verify (it was changed)."""


class InvalidManifest(NetworkError, ValueError):
    """Raised when a network manifest is malformed, was changed, or does not fit the member's node."""

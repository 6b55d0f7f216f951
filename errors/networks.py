"""Errors of consortium networks: directories, members, nodes, cards and manifests."""

from __future__ import annotations

from dataclasses import dataclass

from .base import LienchainError

__all__ = [
    "NetworkError", "NetworkNotFound", "NetworkExists", "UnknownMember", "BinaryNotFound", "NodeUnreachable",
    "NodeFailed", "PortInUse", "InvalidCard", "InvalidManifest",
]


class NetworkError(LienchainError):
    """Raised when a consortium network or one of its nodes cannot be set up or reached."""


@dataclass(eq=False)
class NetworkNotFound(NetworkError, FileNotFoundError):
    """Raised when no network directory of that name exists."""

    name: str
    path: str
    template = "no network {name!r} at {path}"


@dataclass(eq=False)
class NetworkExists(NetworkError, FileExistsError):
    """Raised when `network init` would overwrite an existing network."""

    name: str
    path: str
    template = "network {name!r} already exists at {path}: choose another name, or remove it first"


@dataclass(eq=False)
class UnknownMember(NetworkError, KeyError):
    """Raised when a member name is not one of the network's members."""

    name: str
    known: list[str]

    def __str__(self) -> str:
        return f"no member {self.name!r} in this network: choose one of {', '.join(self.known)}"


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

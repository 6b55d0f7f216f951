"""Errors of consortium networks: directories, members, nodes, cards and manifests."""

from __future__ import annotations

from dataclasses import dataclass

from .base import LienchainError
from .config import ConfigError

__all__ = [
    "NetworkError", "NetworkNotFound", "NetworkExists", "UnknownMember", "NotJoined", "DeployerNotMember",
    "BinaryNotFound", "BinaryNotInstalled", "WrongBinaryVersion", "GoNotFound", "NodeUnreachable", "NodeFailed",
    "NetworkNotFormed", "PortInUse", "InvalidCard", "AdmissionMismatch", "InvalidManifest", "StaleManifest",
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


# A member's directory before it can act: a configuration error, as a profile's would be.


@dataclass(eq=False)
class NotJoined(ConfigError):
    """Raised when a member's directory is asked for the manifest of a network it has not joined."""

    member: str
    network: str
    template = "{member} has not joined {network} yet"


@dataclass(eq=False)
class DeployerNotMember(ConfigError):
    """Raised when a network's contracts would be deployed by an account other than the directory's member."""

    path: str
    member: str
    template = "{path} holds the keys of {member} only"


class BinaryNotFound(NetworkError):
    """Raised when geth or Kubo of the required version is neither cached, on PATH, nor buildable."""


@dataclass(eq=False)
class BinaryNotInstalled(BinaryNotFound):
    """Raised when geth or Kubo of the required version is neither cached nor on PATH."""

    name: str
    version: str
    template = "{name} {version} is not installed"


@dataclass(eq=False)
class WrongBinaryVersion(BinaryNotFound):
    """Raised when the binary given for geth or Kubo is of another version, or does not run."""

    path: str
    name: str
    found: str | None
    version: str

    def __str__(self) -> str:
        return f"{self.path} is {self.name} {self.found or '(not runnable)'}, lienchain needs {self.version}"


@dataclass(eq=False)
class GoNotFound(BinaryNotFound):
    """Raised when geth or Kubo would be built but Go is not installed."""

    name: str
    template = "building {name} needs Go (https://go.dev/dl/), which is not installed"


class NodeUnreachable(NetworkError):
    """Raised when a member's geth or Kubo node does not answer on its endpoint."""

    def __init__(self, message: str, *, member: str | None = None, network: str | None = None) -> None:
        """Args:
        message: What does not answer.
        member: The member whose node it is, where known.
        network: The network it serves, where known; with no member, any of the network's nodes.
        """
        super().__init__(message)
        self.member = member
        self.network = network


class NodeFailed(NetworkError):
    """Raised when a node process exits or does not become ready in time."""


@dataclass(eq=False)
class NetworkNotFormed(NodeFailed):
    """Raised when a network's nodes, all started, do not peer and seal blocks in time."""

    network: str
    timeout: float
    lagging: list[str]

    def __str__(self) -> str:
        return (
            f"the network {self.network} did not form within {self.timeout:.0f} s "
            f"(not peered: {', '.join(self.lagging) or 'none'}; or no new block)"
        )


class PortInUse(NetworkError):
    """Raised when a port a node needs is taken by another process."""


class InvalidCard(NetworkError, ValueError):
    """Raised when a member card is malformed, or its signature does not verify (it was changed)."""


@dataclass(eq=False)
class AdmissionMismatch(InvalidCard):
    """Raised when a proposal shows a member card but its call does not admit exactly that card."""

    proposal_id: int
    template = (
        "proposal {proposal_id} shows a member card, but its call does not admit exactly that card's account, "
        "sealer and roles: do not approve it"
    )


class InvalidManifest(NetworkError, ValueError):
    """Raised when a network manifest is malformed, was changed, or does not fit the member's node."""


@dataclass(eq=False)
class StaleManifest(InvalidManifest):
    """Raised when a manifest's members differ from those the chain has admitted and removed since."""

    network: str
    differ: list[str]

    def __str__(self) -> str:
        return (
            f"the manifest's members differ from those the chain admitted ({', '.join(self.differ)}): "
            "do not join with it"
        )

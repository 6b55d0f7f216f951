"""Connections to a member's geth node over JSON-RPC.

A node that stops answering surfaces as one typed error (`NodeUnreachable`) naming the endpoint,
whichever call noticed it; a node of another chain is refused when the connection opens.
"""

from __future__ import annotations

from typing import Any

import requests
from web3 import HTTPProvider, Web3
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint, RPCResponse

from ...errors import ChainIdMismatch, NodeUnreachable


class NodeProvider(HTTPProvider):
    """web3's HTTP provider, with a node that does not answer reported as `NodeUnreachable`."""

    def __init__(self, url: str, *, hint: str = "", timeout: float = 30.0) -> None:
        """Args:
        url: The node's JSON-RPC URL.
        hint: What to do if it does not answer (appended to the error).
        timeout: Seconds to wait for each answer.
        """
        super().__init__(url, request_kwargs={"timeout": timeout})
        self._hint = hint

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._unreachable(exc) from None

    def make_batch_request(self, batch_requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        try:
            return super().make_batch_request(batch_requests)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> NodeUnreachable:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "does not answer"
        return NodeUnreachable(f"the node at {self.endpoint_uri} {kind}" + (f": {self._hint}" if self._hint else ""))


def connect(url: str, *, chain_id: int, hint: str = "", timeout: float = 30.0) -> Web3:
    """Connects to a geth node of a Clique chain and checks that it serves the expected chain.

    Args:
        url: The node's JSON-RPC URL.
        chain_id: The chain id the profile expects.
        hint: What to do if the node does not answer.
        timeout: Seconds to wait for each answer.

    Raises:
        NodeUnreachable: If the node does not answer.
        ChainIdMismatch: If it serves another chain.
    """
    w3 = Web3(NodeProvider(url, hint=hint, timeout=timeout))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)  # Clique's 97-byte extra-data
    actual = w3.eth.chain_id
    if actual != chain_id:
        raise ChainIdMismatch(chain_id, actual)
    return w3


def answers(url: str, *, timeout: float = 3.0) -> bool:
    """Tells whether a node answers on `url`."""
    try:
        Web3(NodeProvider(url, timeout=timeout)).eth.chain_id  # noqa: B018 - the call is the check
    except NodeUnreachable:
        return False
    return True

"""What a proposal's call does: its calldata decoded against the contracts lienchain deploys.

Voters judge a proposal by its call, not by its proposer's description. A call decodes when its
target is one of the deployment's contracts (the registry or governance), its selector is one of
that contract's functions, and its arguments are that function's, encoded exactly as the ABI
encodes them (so what is shown is all the call carries); a governance batch decodes when each of
its calls does. Anything else is undecodable, and members vote for it only on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi.abi import decode, encode
from web3.contract import Contract

from .records import Address, Brand, ProposalCall, TitleStatus, plain
from .reverts import AbiEntry
from .roles import role_name

__all__ = ["CallDecoder"]


class CallDecoder:
    """Decodes calls to the contracts of one deployment."""

    def __init__(self, contracts: Mapping[str, Contract]) -> None:
        """Collects the functions of each contract, by its deployed address.

        Args:
            contracts: The deployment's contracts a proposal may call, by name ("TitleRegistry",
                "Governance"), each bound to its address.
        """
        self._contracts: dict[str, tuple[str, dict[bytes, AbiEntry]]] = {}
        for name, contract in contracts.items():
            abi: list[Any] = list(contract.abi)  # web3 types each item as a union of ABI kinds
            functions = [AbiEntry.of(item) for item in abi if item.get("type") == "function"]
            self._contracts[contract.address.lower()] = (name, {f.selector: f for f in functions})

    def decode(self, target: str, data: str) -> ProposalCall | None:
        """Decodes a call.

        Args:
            target: The address called.
            data: The calldata, hex.

        Returns:
            The call with its arguments by name (roles by name, addresses in checksum form, bytes
            as hex); a batch with its calls; None if the call is undecodable.
        """
        contract = self._contracts.get(target.lower())
        raw = bytes.fromhex(data.removeprefix("0x"))
        if contract is None or len(raw) < 4:
            return None
        name, functions = contract
        function = functions.get(raw[:4])
        if function is None:
            return None
        try:
            values = decode(list(function.types), raw[4:])
        except Exception:  # noqa: BLE001 - whatever eth_abi refuses is undecodable, never a crash
            return None
        if encode(list(function.types), values) != raw[4:]:  # trailing or non-canonical bytes
            return None
        args = dict(zip(function.names, values))
        if name == "Governance" and function.name == "batch":
            if len(args["targets"]) != len(args["data"]):
                return None
            calls = [self.decode(str(t), "0x" + bytes(d).hex()) for t, d in zip(args["targets"], args["data"])]
            if any(c is None for c in calls):
                return None
            return ProposalCall(name, Address(plain(target)), function.name, {}, tuple(c for c in calls if c))
        return ProposalCall(name, Address(plain(target)), function.name, {k: _shown(k, v) for k, v in args.items()})


def _shown(name: str, value: Any) -> Any:
    """An argument as voters read it: a role, a title status or a brand by its name, other values
    as JSON-ready data."""
    if name == "role" and isinstance(value, bytes):
        return role_name(value)
    if name == "status" and isinstance(value, int) and value in {s.value for s in TitleStatus}:
        return TitleStatus(value).label
    if name == "brand" and isinstance(value, int) and value in {b.value for b in Brand}:
        return Brand(value).label
    if isinstance(value, (list, tuple)):
        return [_shown("", v) for v in value]
    return plain(value)

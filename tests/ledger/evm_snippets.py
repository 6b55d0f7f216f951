"""Tiny hand-assembled contracts for testing chains directly (London opcodes only: no PUSH0)."""

from __future__ import annotations

# A contract that stores its calldata word in slot 0 and logs it as LOG1's topic; called with no
# calldata, it returns slot 0.
#   0 CALLDATASIZE ISZERO PUSH1 0x12 JUMPI            ; no calldata -> read
#   5 PUSH1 0 CALLDATALOAD DUP1 PUSH1 0 SSTORE        ; slot0 = word
#  12 PUSH1 0 PUSH1 0 LOG1 STOP                       ; log1(topic = word)
#  18 JUMPDEST PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN
_RUNTIME = bytes.fromhex("3615601257" "600035" "80" "600055" "60006000a1" "00" "5b600054600052" "60206000f3")
# Init code: CODECOPY the runtime (which follows these 12 bytes) to memory 0 and RETURN it.
STORE_CONTRACT = bytes.fromhex(f"60{len(_RUNTIME):02x}600c600039" f"60{len(_RUNTIME):02x}6000f3") + _RUNTIME


def reverter(selector: bytes, argument: int) -> bytes:
    """The creation code of a contract that always reverts with `selector` and one one-byte argument."""
    #   PUSH4 selector PUSH1 0xe0 SHL PUSH1 0 MSTORE; PUSH1 argument PUSH1 4 MSTORE; PUSH1 0x24 PUSH1 0 REVERT
    runtime = bytes.fromhex(f"63{selector.hex()}60e01b600052" f"60{argument:02x}600452" "60246000fd")
    return bytes.fromhex(f"60{len(runtime):02x}600c600039" f"60{len(runtime):02x}6000f3") + runtime


# A contract that always reverts with the custom error selector 0xdeadbeef and argument 7.
REVERTER_CONTRACT = reverter(bytes.fromhex("deadbeef"), 7)
#: What the reverter reverts with: its custom error's selector and argument.
REVERTER_DATA = bytes.fromhex("deadbeef") + (7).to_bytes(32, "big")
#: A contract that always panics with an arithmetic overflow, as checked arithmetic does.
PANIC_CONTRACT = reverter(bytes.fromhex("4e487b71"), 0x11)
#: A contract that always reverts with no data (PUSH1 0 PUSH1 0 REVERT), as a `require` without a message does.
_BARE_RUNTIME = bytes.fromhex("60006000fd")
BARE_REVERTER_CONTRACT = bytes.fromhex(f"60{len(_BARE_RUNTIME):02x}600c600039" f"60{len(_BARE_RUNTIME):02x}6000f3") + _BARE_RUNTIME

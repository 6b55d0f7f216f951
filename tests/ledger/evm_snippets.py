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
# A contract that always reverts with the custom error selector 0xdeadbeef and argument 7.
_REVERTER_RUNTIME = bytes.fromhex("63deadbeef60e01b600052" "6007600452" "60246000fd")
REVERTER_CONTRACT = bytes.fromhex(f"60{len(_REVERTER_RUNTIME):02x}600c600039" f"60{len(_REVERTER_RUNTIME):02x}6000f3") + _REVERTER_RUNTIME
#: What the reverter reverts with: its custom error's selector and argument.
REVERTER_DATA = bytes.fromhex("deadbeef") + (7).to_bytes(32, "big")

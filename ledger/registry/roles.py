"""The registry's roles: their names and the `bytes32` ids the contract knows them by."""

from __future__ import annotations

from functools import cache

from ...errors import InvalidRole

#: The roles an account can hold in the registry, by name.
ROLES = ("REGISTRAR", "LENDER", "ORACLE", "AUDITOR")
#: The id of the registry's administrator role (held by the governance contract alone).
DEFAULT_ADMIN_ROLE = b"\x00" * 32


@cache
def _names() -> dict[bytes, str]:
    """Returns each role's name by its id. Built on first use, not at import: the command line's
    help lists the role names, and must not import eth-utils for their ids."""
    from eth_utils.crypto import keccak

    return {keccak(text=f"{r}_ROLE"): r for r in ROLES} | {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN"}


def role_id(role: str) -> bytes:
    """Returns the registry's id of a role: `keccak256("LENDER_ROLE")` for "LENDER".

    Args:
        role: REGISTRAR, LENDER, ORACLE or AUDITOR (case-insensitive, `_ROLE` optional).

    Raises:
        InvalidRole: If the role is not one of the registry's.
    """
    from eth_utils.crypto import keccak  # see `_names`

    name = role_name(role)
    return keccak(text=f"{name}_ROLE")


def role_name(role: str | bytes) -> str:
    """Returns a role's canonical name ("LENDER") from a name in any case or a role id.

    An unknown role id comes back as its hex; an unknown name raises.

    Raises:
        InvalidRole: If a role name is not one of the registry's.
    """
    if isinstance(role, bytes):
        return _names().get(role, "0x" + role.hex())
    name = role.upper().removesuffix("_ROLE")
    if name not in ROLES:
        raise InvalidRole(role, ROLES)
    return name

"""Vehicle identification numbers: normalization, validation and token ids.

A VIN is 17 characters of 0-9 and A-Z without I, O and Q (ISO 3779). North America and China
(GB 16735) put a check digit in position 9 and a model year code in position 10, which is never U, Z
or 0 (49 CFR 565.15); Europe requires neither, so `lenient=True` admits a VIN whose check digit does
not match or whose position 10 is not a year code, but still refuses a bad length or alphabet.
"""

from __future__ import annotations

from typing import NewType

from ...errors import InvalidVIN, LenientOnlyVIN

VIN = NewType("VIN", str)
TokenId = NewType("TokenId", int)

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))),
    **dict(zip("JKLMN", range(1, 6))),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_NOT_MODEL_YEARS = "UZ0"  # besides I, O and Q, which no position holds


def check_digit(vin: str) -> str:
    """Computes the check digit (position 9) of a 17-character VIN of valid characters.

    Args:
        vin: The upper-case VIN; its own 9th character does not matter.

    Returns:
        "0"-"9" or "X".
    """
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(text: str, *, lenient: bool = False) -> VIN:
    """Validates a VIN and returns it in its one canonical form (upper case, no spaces around).

    Args:
        text: The VIN as a user typed it.
        lenient: Admit a VIN whose check digit does not match, or whose position 10 is not a
            model year code (European VINs).

    Returns:
        The normalized VIN.

    Raises:
        InvalidVIN: If the length or the characters are wrong.
        LenientOnlyVIN: If (unless lenient) the check digit or the model year is wrong.
    """
    if not text.isascii():  # before upper(), which turns some non-ASCII letters into ASCII ones
        raise InvalidVIN(text, "a VIN has only the characters 0-9 and A-Z")
    vin = text.strip().upper()
    if len(vin) != 17:
        raise InvalidVIN(text, f"a VIN has 17 characters, this one has {len(vin)}")
    bad = sorted({c for c in vin if c not in _TRANSLITERATION})
    if bad:
        raise InvalidVIN(text, f"characters {''.join(bad)!r} never occur in a VIN (no I, O or Q)")
    if not lenient and vin[9] in _NOT_MODEL_YEARS:
        raise LenientOnlyVIN(
            text, f"position 10 (the model year) is {vin[9]!r}, which is never a year code (U, Z and 0 are not)"
        )
    expected = check_digit(vin)
    if not lenient and vin[8] != expected:
        raise LenientOnlyVIN(text, f"check digit (position 9) is {vin[8]!r} but should be {expected!r}")
    return VIN(vin)


def token_id(vin: VIN) -> TokenId:
    """Returns the title's ERC-721 token id: `uint256(keccak256(normalized VIN))`.

    Args:
        vin: A normalized VIN.

    Returns:
        The token id.
    """
    # Imported here, not at the top: normalizing a VIN, as every command does first, needs no keccak.
    from eth_utils.crypto import keccak

    return TokenId(int.from_bytes(keccak(text=vin), "big"))

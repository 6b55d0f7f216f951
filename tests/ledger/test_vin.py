from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lienchain.errors import InvalidVIN
from lienchain.ledger.registry.vin import check_digit, normalize_vin, token_id

VALID = ["1M8GDM9AXKP042788", "1HGCM82633A004352", "5YJSA1E27HF000337", "11111111111111111"]
ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
MODEL_YEARS = "123456789ABCDEFGHJKLMNPRSTVWXY"  # position 10: never U, Z or 0 (49 CFR 565.15)


@pytest.mark.parametrize("vin", VALID)
def test_normalize_vin_accepts_valid_north_american_vins(vin: str) -> None:
    assert normalize_vin(vin) == vin


def test_normalize_vin_upper_cases_and_strips() -> None:
    assert normalize_vin("  1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"


def test_normalize_vin_refuses_wrong_check_digit_unless_lenient() -> None:
    european = "WVWZZZ1JZXW000001"  # no check digit: position 9 is a filler
    with pytest.raises(InvalidVIN, match="check digit"):
        normalize_vin(european)
    assert normalize_vin(european, lenient=True) == european


@pytest.mark.parametrize(
    ("vin", "reason"),
    [("1M8GDM9AXKP04278", "17 characters"), ("1M8GDM9AXKP0427888", "17 characters"),
     ("1M8GDM9AXKP04278O", "never occur"), ("IM8GDM9AXKP042788", "never occur"), ("1M8GDM9AXKP0427Q8", "never occur")],
)
def test_normalize_vin_refuses_bad_length_or_letters_even_when_lenient(vin: str, reason: str) -> None:
    with pytest.raises(InvalidVIN, match=reason):
        normalize_vin(vin, lenient=True)


@pytest.mark.parametrize("year", ["U", "Z", "0"])
def test_a_model_year_of_u_z_or_0_is_refused_unless_lenient(year: str) -> None:
    body = "1M8GDM9AX" + year + "P042788"
    vin = body[:8] + check_digit(body) + body[9:]
    with pytest.raises(InvalidVIN, match="position 10"):
        normalize_vin(vin)
    assert normalize_vin(vin, lenient=True) == vin


@given(st.text(alphabet=ALPHABET, min_size=16, max_size=16), st.sampled_from(MODEL_YEARS))
def test_any_vin_with_its_computed_check_digit_is_accepted(rest: str, year: str) -> None:
    body = rest[:9] + year + rest[9:]
    vin = body[:8] + check_digit(body) + body[9:]
    assert normalize_vin(vin) == vin
    wrong = vin[:8] + ("X" if vin[8] != "X" else "0") + vin[9:]
    with pytest.raises(InvalidVIN):
        normalize_vin(wrong)


def test_token_id_is_keccak_of_the_normalized_vin() -> None:
    from eth_utils import keccak

    assert token_id(normalize_vin("1m8gdm9axkp042788")) == int.from_bytes(keccak(b"1M8GDM9AXKP042788"), "big")

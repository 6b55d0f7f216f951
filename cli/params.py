"""Parameter types: money amounts, dates, and names of roles and title statuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from ..ledger.registry.roles import ROLES

#: Amounts are typed in major units with up to this many decimals and kept on chain in minor units.
MINOR_DIGITS = 2


class Amount(click.ParamType[int, Any]):
    """A positive money amount such as 25000 or 18999.99, converted to minor units (cents)."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Returns the amount in minor units; a malformed amount is a usage error (exit 2)."""
        if isinstance(value, int):
            return value
        try:
            amount = Decimal(str(value).replace(",", "").replace("_", ""))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount: write it like 25000 or 18999.99", param, ctx)
        if not amount.is_finite() or amount <= 0:
            self.fail(f"{value!r} is not a positive amount", param, ctx)
        minor = amount.scaleb(MINOR_DIGITS)
        if minor != minor.to_integral_value() or minor >= 2**256:
            self.fail(f"{value!r} must have at most {MINOR_DIGITS} decimals and fit in 256 bits", param, ctx)
        return int(minor)


class Percent(click.ParamType[int, Any]):
    """A percentage such as 70%, 70 or 62.5%, converted to basis points (7000, 6250)."""

    name = "percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Returns basis points; anything but 0.01% to 100% in steps of 0.01% is a usage error."""
        if isinstance(value, int):
            return value
        try:
            bps = Decimal(str(value).strip().removesuffix("%")) * 100
        except InvalidOperation:
            self.fail(f"{value!r} is not a percentage: write it as 70% or 62.5%", param, ctx)
        if bps != bps.to_integral_value() or not 1 <= bps <= 10_000:
            self.fail(f"{value!r} is out of range: give 0.01% to 100%, in steps of 0.01%", param, ctx)
        return int(bps)


class Date(click.ParamType[int, Any]):
    """A calendar date YYYY-MM-DD, converted to the unix time of its midnight UTC."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Returns the unix time of the date's midnight UTC; a malformed date is a usage error."""
        if isinstance(value, int):
            return value
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD", param, ctx)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def format_amount(minor: int, currency: str) -> str:
    """Renders minor units as an amount with its currency, e.g. `25,000.00 USD`."""
    return f"{Decimal(minor).scaleb(-MINOR_DIGITS):,.{MINOR_DIGITS}f} {currency}"


def format_time(unix: int) -> str:
    """Renders a unix time as an ISO date and time in UTC."""
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


AMOUNT = Amount()
DATE = Date()
PERCENT = Percent()
ROLE = click.Choice(list(ROLES), case_sensitive=False)
TITLE_STATUS = click.Choice(["active", "stolen", "salvage", "cancelled"], case_sensitive=False)
#: --lenient, for commands that take a VIN.
LENIENT = click.option("--lenient", is_flag=True, help="Accept a VIN without a valid check digit (European VINs).")
#: --doc, for commands that anchor a document.
DOC = click.option("--doc", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                   help="The document to seal and anchor [default: a generated record of the step].")
#: --currency, for commands that take an amount.
CURRENCY = click.option("--currency", help="ISO 4217 code [default: the profile's currency].")
#: LIEN_ID, for commands that act on one lien.
LIEN_ID = click.argument("lien_id", type=click.IntRange(min=1))
#: PROPOSAL_ID, for commands that act on one governance proposal.
PROPOSAL_ID = click.argument("proposal_id", type=click.IntRange(min=1))

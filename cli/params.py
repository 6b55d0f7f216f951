"""Parameter types: money amounts, dates, odometer readings, and names of roles, title statuses and brands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation, Overflow
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..ledger.registry.records import Brand
from ..ledger.registry.roles import ROLES

F = TypeVar("F", bound=Callable[..., Any])

#: Amounts are typed in major units with up to this many decimals and kept on chain in minor units.
MINOR_DIGITS = 2
#: Amounts and values on chain are below 2**40 minor units (about 11 billion in a two-decimal currency).
AMOUNT_LIMIT = 2**40


class _Parsed(click.ParamType[int, Any]):
    """A parameter typed as text and kept as an int; an int (a default) is taken as it is."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Returns the value as an int; text that does not parse is a usage error (exit 2)."""
        if isinstance(value, int):
            return value
        try:
            return self.parse(str(value))
        except ValueError as exc:
            self.fail(f"{value!r} {exc}", param, ctx)

    def parse(self, text: str) -> int:
        """Returns the int `text` stands for.

        Raises:
            ValueError: Saying what is wrong with the text, in words that follow it.
        """
        raise NotImplementedError


class Amount(_Parsed):
    """A positive money amount such as 25000 or 18999.99, converted to minor units (cents)."""

    name = "amount"

    def parse(self, text: str) -> int:
        """Returns the amount in minor units: above zero and below 2**40, the registry's bound."""
        too_large = f"is too large: amounts are below {Decimal(AMOUNT_LIMIT).scaleb(-MINOR_DIGITS):,}"
        try:
            amount = Decimal(text.replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise ValueError("is not an amount: write it like 25000 or 18999.99") from None
        if not amount.is_finite() or amount <= 0:
            raise ValueError("is not a positive amount")
        try:
            minor = amount.scaleb(MINOR_DIGITS)
        except Overflow:  # an exponent at the edge of Decimal's range: 1e999999
            raise ValueError(too_large) from None
        if minor >= AMOUNT_LIMIT:
            raise ValueError(too_large)
        if minor != minor.to_integral_value():
            raise ValueError(f"has more than {MINOR_DIGITS} decimals")
        return int(minor)


class Percent(_Parsed):
    """A percentage such as 70%, 70 or 62.5%, converted to basis points (7000, 6250)."""

    name = "percent"

    def parse(self, text: str) -> int:
        """Returns basis points; anything but 0.01% to 100% in steps of 0.01% is refused."""
        try:
            bps = Decimal(text.strip().removesuffix("%")) * 100
        except (InvalidOperation, Overflow):
            raise ValueError("is not a percentage: write it as 70% or 62.5%") from None
        if bps != bps.to_integral_value() or not 1 <= bps <= 10_000:
            raise ValueError("is out of range: give 0.01% to 100%, in steps of 0.01%")
        return int(bps)


class Date(_Parsed):
    """A calendar date YYYY-MM-DD, converted to the unix time of its midnight UTC."""

    name = "date"

    def parse(self, text: str) -> int:
        """Returns the unix time of the date's midnight UTC."""
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("is not a date: write it as YYYY-MM-DD") from None
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


class Duration(_Parsed):
    """A length of time such as 90d, 5y, 12h, 30m or 45s (a bare number is days), in seconds."""

    name = "duration"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}

    def parse(self, text: str) -> int:
        """Returns the seconds: at least one, and a whole number of the unit."""
        text = text.strip().lower()
        unit = text[-1:] if text[-1:] in self._UNITS else "d"
        number = text[:-1] if text[-1:] in self._UNITS else text
        if not number.isdigit() or int(number) == 0:
            raise ValueError("is not a duration: write it as 90d, 5y, 12h, 30m or 45s")
        return int(number) * self._UNITS[unit]


def format_amount(minor: int, currency: str) -> str:
    """Renders minor units as an amount with its currency, e.g. `25,000.00 USD`."""
    return f"{Decimal(minor).scaleb(-MINOR_DIGITS):,.{MINOR_DIGITS}f} {currency}"


def format_time(unix: int) -> str:
    """Renders a unix time as an ISO date and time in UTC."""
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


class BrandName(_Parsed):
    """A title brand by name: SALVAGE, FLOOD, REBUILT, JUNK or ODOMETER-NOT-ACTUAL (any case)."""

    name = "brand"

    def parse(self, text: str) -> int:
        """Returns the brand (an int enum)."""
        try:
            return Brand.parse(text)
        except ValueError:
            raise ValueError(f"is no brand: give one of {', '.join(b.label for b in Brand)}") from None


AMOUNT = Amount()
BRAND = BrandName()
#: An odometer reading in kilometres, as the registry keeps it (uint32).
KM = click.IntRange(0, 2**32 - 1)
DATE = Date()
DURATION = Duration()
PERCENT = Percent()
ROLE = click.Choice(list(ROLES), case_sensitive=False)
TITLE_STATUS = click.Choice(["active", "stolen", "cancelled"], case_sensitive=False)
#: --lenient, for commands that take a VIN.
LENIENT = click.option("--lenient", is_flag=True, help="Accept a VIN without a valid check digit (European VINs).")
#: --doc, for commands that anchor a document.
def _retention(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    from ..ledger.registry.retention import Retention

    return Retention.parse(value) if value else None


RETENTION = click.option(
    "--retention", type=click.Choice(["essential", "transient"], case_sensitive=False), callback=_retention,
    help="Keep the document as essential (years after its business ends; sealed for its readers) or transient "
         "(about 90 days; its key kept by your member's key service, every read logged) [default: transient for "
         "appraisals, essential otherwise].")
DOC = click.option("--doc", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                   help="The document to seal and anchor [default: a generated record of the step].")
#: --valid-days, for commands that sign a consent or an authorization (counted in chain time).
VALID_DAYS = click.option("--valid-days", type=click.IntRange(1, 365), default=7, show_default=True,
                          help="Days until it expires.")


def out_file(what: str) -> Callable[[F], F]:
    """--out FILE, for commands that write a signed file (a consent, an authorization)."""
    return click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
                        help=f"Where to write the {what} file.")


#: --currency, for commands that take an amount.
CURRENCY = click.option("--currency", help="ISO 4217 code [default: the profile's currency].")
#: LIEN_ID, for commands that act on one lien.
LIEN_ID = click.argument("lien_id", type=click.IntRange(min=1))
#: PROPOSAL_ID, for commands that act on one governance proposal.
PROPOSAL_ID = click.argument("proposal_id", type=click.IntRange(min=1))

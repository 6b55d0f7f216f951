"""`lienchain valuation set|show`: oracles' valuations and the loan-to-value they set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..ledger.registry.records import Appraisal, PrivateLienState, Valuation
from ..ledger.registry.vin import normalize_vin
from .options import App, common_options, pass_app
from .params import AMOUNT, CURRENCY, DATE, DOC, LENIENT, RETENTION, format_amount, format_time

if TYPE_CHECKING:
    from ..ledger.registry.retention import Retention


def appraisal_lines(a: Appraisal) -> list[str]:
    """Renders a title's value and loan-to-value for people."""
    from ..ledger.registry.reverts import percent  # here: the module needs eth-abi, --help does not

    if a.state == "unvalued":
        return ["value     none: no oracle has valued this title, so no loan-to-value limit applies yet"]
    if a.state == "under-valued":
        return [f"value     under-valued: {a.fresh_oracles + a.stale_oracles} of the {a.min_valuations} oracles' "
                "valuations a value needs; no loan-to-value limit applies until it counts"]
    if a.state == "stale":
        return [f"value     stale: {a.fresh_oracles} fresh valuation(s) of current oracles ({a.stale_oracles} older "
                f"than the staleness window), and a value needs {a.min_valuations}; no new lien until oracles value "
                "it again"]
    return [
        f"value     {format_amount(a.value, a.currency)} (median of {a.fresh_oracles} oracle(s)"
        + (f", {a.stale_oracles} stale" if a.stale_oracles else "") + ")",
        f"ltv       {percent(a.ltv_bps)} of the {percent(a.threshold_bps)} threshold "
        f"({format_amount(a.secured, a.currency)} secured)" + ("  FROZEN: takes no new lien" if a.frozen else ""),
    ]


def private_lines(s: PrivateLienState | None, currency: str) -> list[str]:
    """Renders a title's private lien and its proof state for people."""
    if s is None:
        return []
    line = (f"private   lien {s.lien_id}: amount proved at most {format_amount(s.proven_limit, currency)} "
            f"on {format_time(s.proven_at)}; the threshold allows {format_amount(s.limit, currency)} now "
            "(the ltv above counts public liens only)")
    if not s.acknowledged:
        line += "; no auditor has acknowledged opening its amount yet (`lienchain lien acknowledge`)"
    if s.overdue:
        return [line, f"          FROZEN: a new proof was due by {format_time(s.deadline)} (`lienchain lien prove {s.lien_id}`)"]
    if s.due:
        return [line, f"          a new proof is due by {format_time(s.deadline)} (`lienchain lien prove {s.lien_id}`)"]
    return [line]


def _valuation_line(app: App, v: Valuation) -> str:
    return (f"{format_amount(v.value, v.currency):>18}  by {app.label(v.oracle)}  on {format_time(v.valued_at)}"
            f"{'  (stale)' if v.stale else ''}  doc {v.doc_cid or '-'}")


@click.group("valuation")
def valuation() -> None:
    """Post and read oracles' valuations of titles."""


@valuation.command("set")
@click.argument("vin")
@click.option("--value", type=AMOUNT, required=True, help="The vehicle's value, e.g. 21500 or 21499.99.")
@CURRENCY
@click.option("--date", "valued_at", type=DATE, help="The appraisal's date, YYYY-MM-DD [default: now].")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def set_cmd(app: App, vin: str, value: int, currency: str | None, valued_at: int | None, doc: Path | None,
            retention: Retention | None, lenient: bool) -> None:
    """Post your valuation of a title (as an ORACLE); the registry then re-checks its loan-to-value.

    \b
    Example:
      lienchain --as oracle valuation set 1M8GDM9AXKP042788 --value 21500 --doc appraisal.pdf
    """
    v = normalize_vin(vin, lenient=lenient)
    a = app.session().set_valuation(v, value, currency=app.currency(currency),
                                     valued_at=valued_at, document=doc.read_bytes() if doc else None,
                                     retention=retention)
    app.emit({"vin": v, **a.to_dict()}, [f"valued {v} by {app.account}", *appraisal_lines(a)])


@valuation.command("show")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def show_cmd(app: App, vin: str, lenient: bool) -> None:
    """Show a title's value, loan-to-value, and each oracle's latest valuation.

    \b
    Example:
      lienchain valuation show 1M8GDM9AXKP042788
    """
    v = normalize_vin(vin, lenient=lenient)
    ledger = app.ledger()
    a, valuations = ledger.appraisal(v), ledger.valuations(v)
    app.emit({"vin": v, "appraisal": a.to_dict(), "valuations": [x.to_dict() for x in valuations]},
             [*appraisal_lines(a), *(_valuation_line(app, x) for x in valuations)])

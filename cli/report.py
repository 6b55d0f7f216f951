"""`lienchain report`: a lender's or an auditor's portfolio view."""

from __future__ import annotations

import click

from .options import App, common_options, pass_app
from .params import format_amount, format_time


@click.command("report")
@click.option("--lender", help="Only this lender's portfolio (address or account name) [default: every lender's].")
@common_options
@pass_app
def report(app: App, lender: str | None) -> None:
    """Show each lender's portfolio: liens by state, exposure, late releases and proofs, disposal times.

    Per lender: its liens by state, its exposure (active public liens by currency), its titles
    frozen or repossessed, the releases it owes past their deadline (and those it made late) and
    its overdue proofs, and its dispositions' cycle times from default to sale, in days of chain
    time (median and 90th percentile).

    \b
    Examples:
      lienchain report
      lienchain --as auditor report --lender lender-a --json
    """
    from ..ledger.workspace.report import build_report  # here: --help needs no ledger

    ledger = app.ledger()
    address = app.profile().accounts.resolve(lender) if lender else None
    r = build_report(ledger.sync_index(), now=ledger.now(), lender=address)
    lines = [f"portfolio as of {format_time(r.at)}"]
    names = app.profile().accounts
    header = f"{'lender':<42} {'active':>6} {'released':>8} {'lapsed':>6} {'disch.':>6}  {'exposure':>18} {'private':>7}"
    lines.append(header)
    for x in r.lenders:
        exposure = ", ".join(format_amount(a, c) for c, a in x.exposure.items()) or "-"
        who = names.name_of(x.lender) or x.lender
        lines.append(f"{who:<42} {x.liens.get('active', 0):>6} {x.liens.get('released', 0):>8} "
                     f"{x.liens.get('lapsed', 0):>6} {x.liens.get('discharged', 0):>6}  {exposure:>18} {x.private_liens:>7}")
        for what, items in (("frozen titles", x.frozen_titles), ("repossessed titles", x.repossessed_titles),
                            ("overdue releases (liens)", x.overdue_releases), ("overdue proofs (liens)", x.overdue_proofs)):
            if items:
                lines.append(f"    {what}: {', '.join(map(str, items))}")
        if x.late_releases:
            lines.append(f"    released late: {x.late_releases}")
        if x.dispositions.count:
            lines.append(f"    dispositions: {x.dispositions.count}, default to sale median "
                         f"{x.dispositions.median_days} days, p90 {x.dispositions.p90_days} days")
    if not r.lenders:
        lines.append("no liens")
    d = r.dispositions
    lines.append(f"dispositions: {d.count}" + (f", default to sale median {d.median_days} days, p90 {d.p90_days} days"
                                              if d.count else ""))
    app.emit(r.to_dict(), lines)

"""`lienchain watch`: the registry's events as they happen, one line each, resumable."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import NodeUnreachable
from ..ledger.registry.records import Brand, Event, TitleStatus
from .options import App, common_options, pass_app
from .params import format_amount, format_time

_POLL = 0.25  # seconds between polls with --follow
_RETRY = (0.5, 1.0, 2.0, 5.0)  # seconds between attempts while the node is away


def _line(app: App, e: Event, vin: str | None) -> str:
    from ..ledger.registry.reverts import percent  # here: the module needs eth-abi, --help does not

    a = e.args
    what = {
        "TitleRegistered": lambda: f"owner {app.label(str(a['owner']))}",
        "TitleTransferred": lambda: f"to {app.label(str(a['to']))}",
        "TitleStatusChanged": lambda: f"status {TitleStatus(int(a['status'])).label}",
        "TitleBranded": lambda: f"branded {Brand(int(a['brand'])).label} by {app.label(str(a['by']))}",
        "BrandRemoved": lambda: f"brand {Brand(int(a['brand'])).label} removed by vote",
        "OdometerRecorded": lambda: f"odometer {int(a['km']):,} km recorded by {app.label(str(a['by']))}",
        "LienGranted": lambda: f"lien {a['lienId']} "
                               + (format_amount(int(a['amount']), str(a['currency'])) if int(a['amount']) else "private")
                               + f" to {app.label(str(a['lender']))} (priority {a['priority']})",
        "LienReleased": lambda: f"lien {a['lienId']} released by {app.label(str(a['lender']))}",
        "LienCommitted": lambda: f"lien {a['lienId']} is private: amount proved at most {a['provenLimit']} minor units",
        "LienProved": lambda: f"lien {a['lienId']} proved again: at most {a['provenLimit']} minor units",
        "LienProofSettled": lambda: f"lien {a['lienId']} owes no proof any more: the threshold allows {a['limit']} minor units",
        "LienProofDue": lambda: f"PROOF DUE for private lien {a['lienId']} by {format_time(int(a['deadline']))}: "
                                f"the threshold now allows {a['limit']} minor units",
        "LienAcknowledged": lambda: f"lien {a['lienId']}'s amount opened and acknowledged by {app.label(str(a['auditor']))}",
        "LienRevealed": lambda: f"lien {a['lienId']} revealed by {app.label(str(a['by']))}: "
                                f"{a['amount']} minor units, public from now on",
        "LienAssigned": lambda: f"lien {a['lienId']} assigned by {app.label(str(a['from']))} "
                                f"to {app.label(str(a['to']))}",
        "LienSubordinated": lambda: f"lien {a['lienId']} now ranks behind lien {a['behindLienId']}: order "
                                    + " > ".join(str(i) for i in a["order"]),
        "LienPaidOff": lambda: f"lien {a['lienId']} paid off (recorded by {app.label(str(a['by']))}): release due by "
                               f"{format_time(int(a['releaseDue']))}",
        "LienPayoffDisputed": lambda: f"lien {a['lienId']}: its holder {app.label(str(a['lender']))} disputes the payoff",
        "LienReleaseOverdue": lambda: f"RELEASE OVERDUE lien {a['lienId']}: {app.label(str(a['lender']))} was to release "
                                      f"it by {format_time(int(a['releaseDue']))}",
        "LienReleasedAfterPayoff": lambda: f"lien {a['lienId']} released on its payoff by registrar "
                                           f"{app.label(str(a['registrar']))}",
        "LienDefaulted": lambda: f"DEFAULT lien {a['lienId']} by {app.label(str(a['lender']))}: title repossessed, "
                                 f"may be sold after {format_time(int(a['noticeEndsAt']))}",
        "DefaultNotice": lambda: f"NOTICE to {app.label(str(a['lender']))} (lien {a['lienId']}): lien "
                                 f"{a['defaultedLienId']} on the title is in default",
        "LienDischarged": lambda: f"lien {a['lienId']} discharged: recovered {a['recovered']}, deficiency "
                                  f"{a['deficiency']} minor units",
        "TitleDisposed": lambda: f"SOLD to {app.label(str(a['buyer']))} for {a['price']} minor units (lien "
                                 f"{a['lienId']} in default), surplus {a['surplus']}",
        "LienDefaultWithdrawn": lambda: f"lien {a['lienId']}'s default withdrawn by {app.label(str(a['lender']))}: "
                                        "title active again",
        "TitleRedeemed": lambda: f"redeemed: lien {a['lienId']} in default ended, title active again",
        "AuthorizationUsed": lambda: f"authorization by {app.label(str(a['signer']))} used",
        "ValuationSet": lambda: f"valued {format_amount(int(a['value']), str(a['currency']))} by {app.label(str(a['oracle']))}",
        "LtvAlert": lambda: f"ALERT loan-to-value {percent(int(a['ltvBps']))} over {percent(int(a['thresholdBps']))}: frozen",
        "LtvRecovered": lambda: f"recovered: loan-to-value {percent(int(a['ltvBps']))} within {percent(int(a['thresholdBps']))}",
        "LtvThresholdChanged": lambda: f"loan-to-value threshold now {percent(int(a['thresholdBps']))}",
    }.get(e.name, lambda: json.dumps(a, sort_keys=True))()
    return f"block {e.block:<8} {format_time(e.time)}  {e.name:<19} {vin or '-':<17}  {what}"


@contextmanager
def _unsplittable() -> Iterator[None]:
    """Holds SIGINT and SIGTERM back while a line is printed and its cursor saved, so a watch
    stopped by either has done both or neither (a SIGKILL can still fall in between: then the
    one event being printed is printed again by the next watch, and none is missed)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@click.command("watch")
@click.option("--alerts", is_flag=True,
              help="Only loan-to-value alerts and recoveries, threshold changes, and private liens' due and new proofs.")
@click.option("--from-block", type=click.IntRange(0), help="Start at this block instead of where the last watch stopped.")
@click.option("--follow", "-f", is_flag=True, help="Keep watching for new events (stop with Ctrl-C).")
@common_options
@pass_app
def watch(app: App, alerts: bool, from_block: int | None, follow: bool) -> None:
    """Print the registry's events, one line each (JSON lines with --json), from where the last
    watch of this profile stopped; with --follow, keep printing them as they happen, waiting for
    the node if it goes away.

    \b
    Examples:
      lienchain watch --alerts --follow
      lienchain watch --from-block 0 --json
    """
    from ..ledger.workspace.watch import ALERTS, Watch

    cursor = app.profile().path / f"watch-{'alerts' if alerts else 'all'}.json"
    w = Watch(app.ledger(), cursor, names=ALERTS if alerts else None, from_block=from_block)
    vins: dict[int, str | None] = {}
    failures = 0
    while True:
        try:
            events = w.poll()
            failures = 0
        except NodeUnreachable as exc:
            if not follow:
                raise
            if failures == 0:
                click.echo(f"waiting for the node: {exc}", err=True)
            time.sleep(_RETRY[min(failures, len(_RETRY) - 1)])
            failures += 1
            continue
        for e in events:
            token = e.args.get("tokenId")
            vin = None
            if token is not None:
                if int(token) not in vins:
                    vins[int(token)] = w.vin_of(int(token))
                vin = vins[int(token)]
            with _unsplittable():
                click.echo(json.dumps({**e.to_dict(), "vin": vin}, sort_keys=True) if app.json else _line(app, e, vin))
                w.done(e)
        if not follow:
            return
        time.sleep(_POLL)

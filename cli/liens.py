"""`lienchain lien authorize|grant|consent|acknowledge|prove|open|reveal|release|lapse|accept|assign|
accept-subordination|subordinate|list`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from ..errors import InvalidPortfolioFile
from ..ledger.registry.records import Lien
from ..ledger.registry.vin import normalize_vin
from .options import App, common_options, pass_app
from .params import AMOUNT, CURRENCY, DATE, DOC, LENIENT, LIEN_ID, RETENTION, VALID_DAYS, format_amount, format_time, out_file

if TYPE_CHECKING:
    from ..ledger.registry.retention import Retention

_DEFAULT_TERM_YEARS = 5


def lien_line(app: App, lien: Lien) -> str:
    """Renders a lien on one line."""
    amount = f"private {lien.currency}" if lien.private else format_amount(lien.amount, lien.currency)
    return (
        f"lien {lien.lien_id:<4} priority {lien.priority}  {lien.status.label:<8}  "
        f"{amount:>18}  lender {app.label(lien.lender)}  "
        f"matures {format_time(lien.maturity)[:10]}  doc {lien.doc_cid or '-'}"
    )


def _default_maturity() -> int:
    today = dt.date.today()
    day = dt.datetime(today.year + _DEFAULT_TERM_YEARS, today.month, min(today.day, 28), tzinfo=dt.timezone.utc)
    return int(day.timestamp())


@click.group("lien")
def lien() -> None:
    """Grant, consent to, assign, subordinate, release and list liens."""


@lien.command("grant")
@click.argument("vin")
@click.option("--amount", type=AMOUNT, required=True, help="The amount secured, e.g. 25000 or 18999.99.")
@CURRENCY
@click.option("--maturity", type=DATE, help=f"Maturity date YYYY-MM-DD [default: in {_DEFAULT_TERM_YEARS} years].")
@click.option("--consent", "consents", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A senior lienholder's consent file (repeat for each senior lienholder).")
@click.option("--authorization", "authorization", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The title owner's or a registrar's authorization of this lien (see `lien authorize`).")
@click.option("--private", "is_private", is_flag=True,
              help="Keep the amount off chain: only its commitment and proofs go on (first lien only).")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def grant(
    app: App, vin: str, amount: int, currency: str | None, maturity: int | None,
    consents: tuple[Path, ...], authorization: Path, is_private: bool, doc: Path | None, retention: Retention | None, lenient: bool,
) -> None:
    """Take a lien on a title (as a LENDER), with the authorization of the title's owner (or,
    where the consortium's policy admits it, of a registrar). A title that already has active
    liens needs the signed consent of each of their holders too.

    With --private the amount stays off chain: the registry gets a commitment to it and proofs
    that it is within the loan-to-value threshold of the title's value; the amount is sealed for
    the lender and the auditors. A private lien is a title's first lien, on a valued title.

    \b
    Examples:
      lienchain --as lender-b lien grant 1M8GDM9AXKP042788 --amount 8000 --authorization auth.json \\
          --consent consent-a.json
      lienchain --as lender-a lien grant 1M8GDM9AXKP042788 --amount 13000 --private --authorization auth.json
    """
    # here: they need eth-account, --help does not
    from ..ledger.registry.authorization import LienAuthorization
    from ..ledger.registry.consent import Consent

    v = normalize_vin(vin, lenient=lenient)
    if is_private and consents:
        raise click.UsageError("a private lien is a title's first lien: it takes no consent")
    if is_private and retention is not None and retention.label == "transient":
        raise click.UsageError("a private lien's document carries its amount's opening, which its lender and the "
                               "auditors need for as long as the lien: it is essential")
    document = doc.read_bytes() if doc else None
    session = app.session()  # first: whether this account may sign here at all
    signed = LienAuthorization.load(authorization)
    if is_private:
        granted = session.grant_private_lien(
            v, amount, currency=app.currency(currency), maturity=maturity or _default_maturity(), document=document,
            authorization=signed,
        )
        app.emit(granted.to_dict(), f"granted {lien_line(app, granted)} (amount sealed for the lender and the auditors)")
        return
    loaded = [Consent.load(p) for p in consents]
    granted = session.grant_lien(
        v, amount, currency=app.currency(currency), maturity=maturity or _default_maturity(),
        document=document, consents=loaded, authorization=signed, retention=retention,
    )
    app.emit(granted.to_dict(), f"granted {lien_line(app, granted)}")


@lien.command("prove")
@LIEN_ID
@click.option("--reserve", type=AMOUNT, default=0,
              help="Leave this much of the allowed limit for new liens on the title (a smaller proven limit).")
@common_options
@pass_app
def prove(app: App, lien_id: int, reserve: int) -> None:
    """Prove a private lien within the loan-to-value threshold again (its lender or an auditor):
    after a lower valuation or threshold made a proof due, or with --reserve to make room for a
    junior lien (a private lien counts at the limit it was last proved within).

    \b
    Examples:
      lienchain --as lender-a lien prove 3
      lienchain --as lender-a lien prove 3 --reserve 2000
    """
    session = app.session()
    state = session.prove_lien(lien_id, reserve=reserve)
    currency = session.ledger.lien(lien_id).currency
    app.emit(state.to_dict(), f"lien {lien_id} proved within {format_amount(state.proven_limit, currency)}: no proof due")


@lien.command("open")
@LIEN_ID
@common_options
@pass_app
def open_lien(app: App, lien_id: int) -> None:
    """Show a private lien's amount (its lender and the auditors only), checked against its
    commitment on chain.

    \b
    Example:
      lienchain --as auditor lien open 3
    """
    session = app.session()
    opening = session.open_lien(lien_id)
    lien_ = session.ledger.lien(lien_id)
    app.emit({"lien_id": lien_id, "amount": str(opening.value), "currency": lien_.currency},
             f"lien {lien_id}: {format_amount(opening.value, lien_.currency)} (opens its commitment on chain)")


@lien.command("authorize")
@click.argument("vin")
@click.option("--to", "to", required=True, help="The lender who will take the lien (address or account name).")
@click.option("--amount", type=AMOUNT, required=True, help="The lien's amount, e.g. 8000.")
@CURRENCY
@click.option("--maturity", type=DATE, help=f"Maturity date YYYY-MM-DD [default: in {_DEFAULT_TERM_YEARS} years].")
@click.option("--private", "is_private", is_flag=True,
              help="A private lien: bind the amount's commitment, and seal its opening for the lender.")
@VALID_DAYS
@out_file("authorization")
@LENIENT
@common_options
@pass_app
def authorize(
    app: App, vin: str, to: str, amount: int, currency: str | None, maturity: int | None, is_private: bool,
    valid_days: int, out: Path, lenient: bool,
) -> None:
    """Authorize, as the title's owner (or a registrar, where the consortium's policy admits it),
    one new lien of exactly these terms; the lender grants it with the file.

    \b
    Example:
      lienchain --as registrar lien authorize 1M8GDM9AXKP042788 --to lender-a --amount 13000 --out auth.json
    """
    v = normalize_vin(vin, lenient=lenient)
    session = app.session()
    signed = session.authorize_lien(
        v, lender=to, amount=amount, currency=app.currency(currency), maturity=maturity or _default_maturity(),
        deadline=session.ledger.now() + valid_days * 86400, private_amount=is_private,  # checked in chain time
    )
    signed.save(out)
    what = f"a private lien of {format_amount(amount, signed.currency)} (sealed for the lender)" if is_private else (
        f"a lien of {format_amount(amount, signed.currency)}")
    app.emit(
        {"authorization": str(out), "signer": signed.signer, "lender": signed.lender, "amount": str(amount),
         "currency": signed.currency, "maturity": signed.maturity, "private": is_private, "deadline": signed.deadline},
        f"{app.label(signed.signer)} authorizes {what} on {v} for {app.label(signed.lender)} "
        f"until {format_time(signed.deadline)}: wrote {out}",
    )


@lien.command("acknowledge")
@LIEN_ID
@common_options
@pass_app
def acknowledge(app: App, lien_id: int) -> None:
    """Open a private lien's amount and acknowledge on chain that it opens the commitment (as an
    AUDITOR): a private lien no auditor acknowledged within the proof window after its grant stops
    its title from taking new liens.

    \b
    Example:
      lienchain --as auditor lien acknowledge 3
    """
    state = app.session().acknowledge_lien(lien_id)
    app.emit(state.to_dict(), f"lien {lien_id}: amount opened against its commitment, acknowledged by {app.account}")


@lien.command("reveal")
@LIEN_ID
@common_options
@pass_app
def reveal(app: App, lien_id: int) -> None:
    """Reveal a private lien's amount on chain, checked against its commitment: the lien is public
    from then on. Its lender may at any time; an auditor once the lien's loan-to-value proof is
    overdue, which ends the overdue proof's hold on the title (the title follows the public
    loan-to-value rules: frozen if the amount is over the threshold).

    \b
    Example:
      lienchain --as auditor lien reveal 3
    """
    revealed = app.session().reveal_lien(lien_id)
    app.emit(revealed.to_dict(), f"revealed {lien_line(app, revealed)}: public from now on")


@lien.command("consent")
@click.argument("vin")
@click.option("--to", "to", required=True, help="The lender who will take the new lien (address or account name).")
@click.option("--amount", type=AMOUNT, required=True, help="The new lien's amount, e.g. 8000.")
@CURRENCY
@VALID_DAYS
@out_file("consent")
@LENIENT
@common_options
@pass_app
def consent(
    app: App, vin: str, to: str, amount: int, currency: str | None, valid_days: int, out: Path, lenient: bool
) -> None:
    """Sign, as a senior lienholder, a consent to one new lien on a title.

    \b
    Example:
      lienchain --as lender-a lien consent 1M8GDM9AXKP042788 --to lender-b --amount 8000 --out consent-a.json
    """
    v = normalize_vin(vin, lenient=lenient)
    session = app.session()
    signed = session.sign_consent(
        v, lender=to, amount=amount, currency=app.currency(currency),
        deadline=session.ledger.now() + valid_days * 86400,  # the registry checks it in chain time
    )
    signed.save(out)
    app.emit(
        {"consent": str(out), "signer": signed.signer, "lender": signed.lender, "amount": str(amount),
         "currency": signed.currency, "deadline": signed.deadline},
        f"{app.label(signed.signer)} consents to a lien of {format_amount(amount, signed.currency)} on {v} "
        f"for {app.label(signed.lender)} until {format_time(signed.deadline)}: wrote {out}",
    )


@lien.command("release")
@LIEN_ID
@click.option("--paid-off", is_flag=True,
              help="As a REGISTRAR: release a paid-off lien its holder did not release by the deadline and its grace period.")
@DOC
@RETENTION
@common_options
@pass_app
def release(app: App, lien_id: int, paid_off: bool, doc: Path | None, retention: Retention | None) -> None:
    """Release a lien (as its lienholder); or, with --paid-off, as a registrar other than the one
    that recorded its payoff, once its holder let the release deadline and its grace period pass.

    \b
    Examples:
      lienchain --as lender-a lien release 1
      lienchain --as registrar-b lien release 1 --paid-off --doc receipt.pdf
    """
    if not paid_off:
        if doc is not None or retention is not None:
            raise click.UsageError("--doc and --retention go with --paid-off: a lienholder's release anchors no document")
        released = app.ledger(signing=True).release_lien(lien_id)
    else:
        released = app.session().release_paid_off(lien_id, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(released.to_dict(), f"released {lien_line(app, released)}")


@lien.command("default")
@LIEN_ID
@DOC
@RETENTION
@common_options
@pass_app
def default(app: App, lien_id: int, doc: Path | None, retention: Retention | None) -> None:
    """Declare your lien in default (as its lienholder): its title is repossessed (no transfer, no
    new lien) and every other lienholder of the title is told. The owner may redeem it until you
    dispose of it (`title dispose`), which the notice period after the default must pass first.

    \b
    Example:
      lienchain --as lender-a lien default 1 --doc notice-of-default.pdf
    """
    e = app.session().declare_default(lien_id, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(e.to_dict(), f"lien {lien_id} in default: its title is repossessed; you may dispose of it after "
                          f"{format_time(e.notice_ends_at)}")


@lien.command("withdraw-default")
@LIEN_ID
@DOC
@RETENTION
@common_options
@pass_app
def withdraw_default(app: App, lien_id: int, doc: Path | None, retention: Retention | None) -> None:
    """Withdraw your lien's default (as its holder: the borrower cured it): the title is active
    again and the lien stays.

    \b
    Example:
      lienchain --as lender-a lien withdraw-default 1 --doc cure.pdf
    """
    app.session().withdraw_default(lien_id, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit({"lien_id": lien_id, "withdrawn": True}, f"lien {lien_id}: default withdrawn, its title is active again")


@lien.command("payoff")
@LIEN_ID
@DOC
@RETENTION
@common_options
@pass_app
def payoff(app: App, lien_id: int, doc: Path | None, retention: Retention | None) -> None:
    """Record that a lien was paid off (as the title's owner, or a registrar for an owner without a
    key): its holder must then release it within the release deadline, or dispute the payoff.

    \b
    Example:
      lienchain --as registrar lien payoff 1 --doc receipt.pdf
    """
    recorded = app.session().record_payoff(lien_id, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(recorded.to_dict(), f"lien {lien_id} paid off: its holder must release it by "
                                 f"{format_time(recorded.release_due)}")


@lien.command("dispute-payoff")
@LIEN_ID
@DOC
@RETENTION
@common_options
@pass_app
def dispute_payoff(app: App, lien_id: int, doc: Path | None, retention: Retention | None) -> None:
    """Dispute, as the lienholder, a payoff recorded for your lien: it no longer counts (the owner
    may then ask the members to release the lien by vote).

    \b
    Example:
      lienchain --as lender-a lien dispute-payoff 1 --doc statement.pdf
    """
    app.session().dispute_payoff(lien_id, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit({"lien_id": lien_id, "disputed": True}, f"lien {lien_id}: payoff disputed, no release is due")


@lien.command("lapse")
@LIEN_ID
@common_options
@pass_app
def lapse(app: App, lien_id: int) -> None:
    """Mark a lien lapsed: past its maturity and the lapse grace period, any account may.

    \b
    Example:
      lienchain --as registrar lien lapse 1
    """
    lapsed = app.ledger(signing=True).mark_lapsed(lien_id)
    app.emit(lapsed.to_dict(), f"lapsed {lien_line(app, lapsed)}")


def _portfolio(lien_id: int | None, file: Path | None) -> list[int]:
    """The liens a command names: one LIEN_ID, or a --file of them (one id per line, or a CSV whose
    first column is `lien_id`, with or without that header)."""
    if (lien_id is None) == (file is None):
        raise click.UsageError("give either one LIEN_ID or --file FILE of lien ids")
    if lien_id is not None:
        return [lien_id]
    assert file is not None
    try:
        rows = list(csv.reader(file.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidPortfolioFile(f"cannot read {file} ({exc}): give a CSV file of lien ids") from None
    ids: list[int] = []
    for number, row in enumerate(rows, 1):
        cell = row[0].strip() if row else ""
        if not cell or (not ids and number == 1 and cell.lower() in ("lien_id", "lien")):
            continue
        if not cell.isdigit() or int(cell) < 1:
            raise InvalidPortfolioFile(f"{file} line {number}: {cell!r} is no lien id: put one lien id per line")
        ids.append(int(cell))
    if not ids:
        raise InvalidPortfolioFile(f"{file} names no lien: put one lien id per line")
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise InvalidPortfolioFile(f"{file} names lien(s) {', '.join(map(str, twice))} more than once")
    return ids


_PORTFOLIO = click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                          help="A CSV file of lien ids (first column, header `lien_id` optional) instead of LIEN_ID.")


@lien.command("accept")
@click.argument("lien_id", type=click.IntRange(min=1), required=False)
@_PORTFOLIO
@click.option("--from", "assignor", required=True, help="The lender that assigns them (address or account name).")
@VALID_DAYS
@out_file("acceptance")
@common_options
@pass_app
def accept(app: App, lien_id: int | None, file: Path | None, assignor: str, valid_days: int, out: Path) -> None:
    """Accept, as the assignee (a LENDER), one lien or a whole portfolio of liens from another
    lender: one signature covers every lien of the file; the assignor assigns them with it.

    \b
    Examples:
      lienchain --as lender-b lien accept 3 --from lender-a --out acceptance.json
      lienchain --as lender-b lien accept --file liens.csv --from lender-a --out acceptance.json
    """
    ids = _portfolio(lien_id, file)
    session = app.session()
    signed = session.accept_assignment(ids, assignor=assignor, deadline=session.ledger.now() + valid_days * 86400)
    signed.save(out)
    app.emit(
        {"acceptance": str(out), "signer": signed.signer, "assignor": signed.assignor, "liens": len(ids),
         "root": signed.liens, "deadline": signed.deadline},
        f"{app.label(signed.signer)} accepts {len(ids)} lien(s) from {app.label(signed.assignor)} "
        f"until {format_time(signed.deadline)}: wrote {out}",
    )


@lien.command("assign")
@click.argument("lien_id", type=click.IntRange(min=1), required=False)
@_PORTFOLIO
@click.option("--to", "to", required=True, help="The lender that takes them (address or account name).")
@click.option("--acceptance", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The assignee's acceptance of exactly these liens (see `lien accept`).")
@DOC
@common_options
@pass_app
def assign(app: App, lien_id: int | None, file: Path | None, to: str, acceptance: Path, doc: Path | None) -> None:
    """Assign (sell) liens you hold to another LENDER that accepted them: each keeps its priority
    and grant time; the new holder releases it, consents to junior liens and is paid. Every lien is
    checked before any is written; liens the assignee holds already (an earlier, interrupted run's)
    are skipped, so a run can be repeated. A private lien's amount is sealed for the new holder.

    \b
    Examples:
      lienchain --as lender-a lien assign 3 --to lender-b --acceptance acceptance.json
      lienchain --as lender-a lien assign --file liens.csv --to lender-b --acceptance acceptance.json --doc sale.pdf
    """
    from ..ledger.registry.assignments import AssignmentAcceptance  # here: it needs eth-account, --help does not

    ids = _portfolio(lien_id, file)
    document = doc.read_bytes() if doc else None
    session = app.session()
    signed = AssignmentAcceptance.load(acceptance)
    with contextlib.ExitStack() as stack:
        bars: list[Any] = []

        def advance(count: int) -> None:  # the bar appears once the first batch is in: a refusal prints one line
            if not bars:
                bars.append(stack.enter_context(click.progressbar(
                    length=len(ids), label=f"assigning {len(ids)} lien(s)", file=sys.stderr, show_pos=True)))
            bars[0].update(count)

        done = session.assign_liens(ids, to, acceptance=signed, document=document, on_batch=advance)
    skipped = len(ids) - len(done)
    app.emit(
        {"assigned": [x.lien_id for x in done], "skipped": skipped, "to": signed.assignee},
        f"assigned {len(done)} lien(s) to {app.label(signed.assignee)}"
        + (f"; {skipped} already held by it" if skipped else ""),
    )


@lien.command("accept-subordination")
@LIEN_ID
@click.option("--behind", "behind", required=True, type=click.IntRange(min=1),
              help="Your junior lien, which LIEN_ID is to rank behind.")
@VALID_DAYS
@out_file("acceptance")
@common_options
@pass_app
def accept_subordination(app: App, lien_id: int, behind: int, valid_days: int, out: Path) -> None:
    """Accept, as the holder of a junior lien, that a senior lien LIEN_ID ranks right behind it; its
    holder subordinates it with the file.

    \b
    Example:
      lienchain --as lender-b lien accept-subordination 1 --behind 3 --out subordination.json
    """
    session = app.session()
    signed = session.accept_subordination(lien_id, behind, deadline=session.ledger.now() + valid_days * 86400)
    signed.save(out)
    app.emit(
        {"acceptance": str(out), "signer": signed.signer, "lien_id": lien_id, "behind": behind,
         "deadline": signed.deadline},
        f"{app.label(signed.signer)} accepts lien {lien_id} ranking behind lien {behind} until "
        f"{format_time(signed.deadline)}: wrote {out}",
    )


@lien.command("subordinate")
@LIEN_ID
@click.option("--behind", "behind", required=True, type=click.IntRange(min=1),
              help="The junior lien to rank behind.")
@click.option("--acceptance", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The junior lien holder's acceptance (see `lien accept-subordination`).")
@DOC
@RETENTION
@common_options
@pass_app
def subordinate(app: App, lien_id: int, behind: int, acceptance: Path, doc: Path | None, retention: Retention | None) -> None:
    """Subordinate your lien to a junior one on the same title, whose holder accepted it: yours
    then ranks right behind it, and the liens between move up one place.

    \b
    Example:
      lienchain --as lender-a lien subordinate 1 --behind 3 --acceptance subordination.json --doc agreement.pdf
    """
    from ..ledger.registry.assignments import SubordinationAcceptance

    document = doc.read_bytes() if doc else None
    session = app.session()
    order = session.subordinate_lien(lien_id, behind, acceptance=SubordinationAcceptance.load(acceptance),
                                     document=document, retention=retention)
    app.emit([x.to_dict() for x in order],
             [f"lien {lien_id} now ranks behind lien {behind}:"] + [lien_line(app, x) for x in order])


@lien.command("list")
@click.argument("vin")
@click.option("--active", "only_active", is_flag=True, help="Show active liens only.")
@LENIENT
@common_options
@pass_app
def list_liens(app: App, vin: str, only_active: bool, lenient: bool) -> None:
    """List a title's liens in priority order.

    \b
    Example:
      lienchain lien list 1M8GDM9AXKP042788
    """
    liens = [x for x in app.ledger().liens(normalize_vin(vin, lenient=lenient)) if x.active or not only_active]
    app.emit([x.to_dict() for x in liens], [lien_line(app, x) for x in liens] or ["no liens"])

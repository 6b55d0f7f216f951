"""`lienchain lien authorize|grant|consent|acknowledge|release|list`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..ledger.registry.records import Lien
from ..ledger.registry.vin import normalize_vin
from .options import App, common_options, pass_app
from .params import AMOUNT, CURRENCY, DATE, DOC, LENIENT, LIEN_ID, VALID_DAYS, format_amount, format_time, out_file

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
    """Grant, consent to, release and list liens."""


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
@LENIENT
@common_options
@pass_app
def grant(
    app: App, vin: str, amount: int, currency: str | None, maturity: int | None,
    consents: tuple[Path, ...], authorization: Path, is_private: bool, doc: Path | None, lenient: bool,
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
        document=document, consents=loaded, authorization=signed,
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
@common_options
@pass_app
def release(app: App, lien_id: int) -> None:
    """Release a lien (as its lienholder).

    \b
    Example:
      lienchain --as lender-a lien release 1
    """
    released = app.ledger(signing=True).release_lien(lien_id)
    app.emit(released.to_dict(), f"released {lien_line(app, released)}")


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

"""`lienchain title register|show|history|authorize|transfer|set-status|brand|odometer`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..ledger.registry.records import Brand, Title, TitleStatus
from ..ledger.registry.vin import normalize_vin
from .options import App, common_options, pass_app
from .params import AMOUNT, BRAND, DOC, KM, LENIENT, RETENTION, TITLE_STATUS, VALID_DAYS, format_amount, format_time, out_file
from .valuations import appraisal_lines, private_lines

if TYPE_CHECKING:
    from ..ledger.registry.retention import Retention



def title_lines(app: App, t: Title) -> list[str]:
    """Renders a title for people."""
    return [
        f"title     {t.vin}",
        f"token id  {t.token_id:#x}",
        f"owner     {app.label(t.owner)}",
        f"status    {t.status.label}",
        f"brands    {', '.join(b.label for b in t.brands) or 'none'}",
        "odometer  " + (f"{t.odometer_km:,} km on {format_time(t.odometer_at)}" if t.odometer_at else "no reading"),
        f"liens     {t.active_liens} active",
        f"document  {t.doc_cid or '-'}",
        f"since     {format_time(t.registered_at)}",
    ]


@click.group("title")
def title() -> None:
    """Register, show, transfer and trace vehicle titles."""


@title.command("register")
@click.argument("vin")
@click.option("--owner", required=True, help="The owner: an address or a profile account name.")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def register(app: App, vin: str, owner: str, doc: Path | None, retention: Retention | None, lenient: bool) -> None:
    """Register a vehicle title (as a REGISTRAR).

    \b
    Example:
      lienchain --as registrar title register 1M8GDM9AXKP042788 --owner 0xAbC... --doc title.pdf
    """
    v = normalize_vin(vin, lenient=lenient)
    t = app.session().register_title(v, owner, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(t.to_dict(), [f"registered {t.vin} to {app.label(t.owner)} by {app.account}", *title_lines(app, t)[1:]])


@title.command("show")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def show(app: App, vin: str, lenient: bool) -> None:
    """Show a title: owner, status, brands, odometer, active liens, document, value and loan-to-value.

    \b
    Example:
      lienchain title show 1M8GDM9AXKP042788
    """
    ledger = app.ledger()
    v = normalize_vin(vin, lenient=lenient)
    t, a, s = ledger.title(v), ledger.appraisal(v), ledger.private_lien(v)
    e = ledger.enforcement(v) if t.status == TitleStatus.REPOSSESSED else None
    default = [f"in default: lien {e.lien_id} since {format_time(e.defaulted_at)}; "
               f"its holder may dispose of the title after {format_time(e.notice_ends_at)}"] if e else []
    app.emit({**t.to_dict(), "appraisal": a.to_dict(), "private_lien": s.to_dict() if s else None,
              "enforcement": e.to_dict() if e else None},
             [*title_lines(app, t), *default, *appraisal_lines(a), *private_lines(s, a.currency)])


@title.command("authorize-sale")
@click.argument("vin")
@click.option("--to", "buyer", required=True, help="The buyer (address or account name).")
@click.option("--price", type=AMOUNT, required=True, help="The sale price, e.g. 9000.")
@VALID_DAYS
@out_file("sale authorization")
@LENIENT
@common_options
@pass_app
def authorize_sale(app: App, vin: str, buyer: str, price: int, valid_days: int, out: Path, lenient: bool) -> None:
    """Authorize, as a repossessed title's owner (a surrender) or a registrar (having checked the
    repossession), one sale of it by the holder of its lien in default: this buyer, this price,
    this default only.

    \b
    Example:
      lienchain --as registrar title authorize-sale 1M8GDM9AXKP042788 --to 0xB0B... --price 9000 --out sale.json
    """
    v = normalize_vin(vin, lenient=lenient)
    session = app.session()
    signed = session.authorize_sale(v, buyer, price, deadline=session.ledger.now() + valid_days * 86400)
    signed.save(out)
    app.emit({"authorization": str(out), "signer": signed.signer, "vin": v, "buyer": signed.buyer,
              "price": str(price), "lien_id": signed.lien_id, "deadline": signed.deadline},
             f"{app.label(signed.signer)} authorizes the sale of {v} to {app.label(signed.buyer)} for {price} minor "
             f"units (lien {signed.lien_id} in default) until {format_time(signed.deadline)}: wrote {out}")


@title.command("dispose")
@click.argument("vin")
@click.option("--to", "buyer", required=True, help="The buyer (address or account name).")
@click.option("--price", type=AMOUNT, required=True, help="The sale price, e.g. 9000.")
@click.option("--km", type=KM, required=True, help="The odometer reading at the sale, in kilometres.")
@click.option("--authorization", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The owner's or a registrar's authorization of this sale (see `title authorize-sale`).")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def dispose(
    app: App, vin: str, buyer: str, price: int, km: int, authorization: Path, doc: Path | None, retention: Retention | None, lenient: bool
) -> None:
    """Sell a repossessed title (as the holder of its lien in default), once the notice period
    after the default is over: the registry pays your lien and the junior ones from the price by
    priority, discharges them, and moves the title to the buyer; liens senior to yours stay on it,
    and what is left is the owner's surplus. No lienholder sells on its key alone: the sale needs
    the owner's authorization (a surrender) or a registrar's, who checked the repossession, of
    exactly this buyer and price. A private lien in default is revealed in the sale's transaction.

    \b
    Example:
      lienchain --as registrar title authorize-sale 1M8GDM9AXKP042788 --to 0xB0B... --price 9000 --out sale.json
      lienchain --as lender-a title dispose 1M8GDM9AXKP042788 --to 0xB0B... --price 9000 --km 182000 \\
          --authorization sale.json --doc bill-of-sale.pdf
    """
    from ..ledger.registry.authorization import SaleAuthorization  # here: --help needs no eth-account

    v = normalize_vin(vin, lenient=lenient)
    signed = SaleAuthorization.load(authorization)
    d = app.session().dispose_title(v, buyer, price, km=km, authorization=signed,
                                    document=doc.read_bytes() if doc else None, retention=retention)
    currency = app.ledger().lien(d.lien_id).currency
    lines = [f"sold {v} to {app.label(d.buyer)} for {format_amount(d.price, currency)}:"]
    lines += [f"  lien {x.lien_id:<4} {app.label(x.lender)}  recovered {format_amount(x.recovered, currency)}  "
              f"deficiency {format_amount(x.deficiency, currency)}  discharged" for x in d.discharged]
    lines.append(f"  surplus to the owner {app.label(d.seller)}: {format_amount(d.surplus, currency)}")
    app.emit(d.to_dict(), lines)


@title.command("history")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def history(app: App, vin: str, lenient: bool) -> None:
    """List every step of a title and its liens, with block numbers and document CIDs, the
    documents attached to them, and the erasure of any of their documents.

    \b
    Example:
      lienchain title history 1M8GDM9AXKP042788
    """
    from ..ledger.registry.retention import Retention  # here: --help needs no web3

    events = app.ledger().history(normalize_vin(vin, lenient=lenient))
    lines = []
    for e in events:
        who = e.args.get("lender") or e.args.get("owner") or e.args.get("to") or e.args.get("by")
        detail = f"lien {e.args['lienId']}" if e.args.get("lienId") else ""
        if e.name == "LienRevealed":
            detail += f": {e.args['amount']} minor units"
        elif e.name == "LienAssigned":
            detail += f" from {app.label(str(e.args['from']))}"
        elif e.name == "LienSubordinated":
            detail += f" behind lien {e.args['behindLienId']}: order " + " > ".join(str(i) for i in e.args["order"])
        elif e.name == "TitleStatusChanged":
            detail = f"{TitleStatus(e.args['previous']).label} -> {TitleStatus(e.args['status']).label}"
        elif e.name == "TitleRedeemed":
            detail = f"repossessed -> active: lien {e.args['lienId']} in default ended"
        elif e.name == "TitleDisposed":
            detail = (f"lien {e.args['lienId']}: sold to {app.label(str(e.args['buyer']))} for {e.args['price']} "
                      f"minor units, surplus {e.args['surplus']}")
        elif e.name == "LienDischarged":
            detail += f": recovered {e.args['recovered']}, deficiency {e.args['deficiency']}"
        elif e.name in ("TitleBranded", "BrandRemoved"):
            detail = Brand(e.args["brand"]).label
        elif e.name == "OdometerRecorded":
            detail = f"{int(e.args['km']):,} km"
        elif e.name == "DocumentRecorded":
            detail = f"{detail + ': ' if detail else ''}{Retention(e.args['retention']).label} attachment"
        elif e.name == "DocumentErased":
            detail = f"{e.args['cid']} erased: its {Retention(e.args['retention']).label} retention ran out"
        parts = [f"block {e.block:>6}", f"{e.name:<19}", detail, app.label(str(who)) if who else "",
                 f"doc {e.doc_cid}" if e.doc_cid else ""]
        lines.append("  ".join(p for p in parts if p))
    app.emit([e.to_dict() for e in events], lines or ["no events"])


@title.command("review")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def review(app: App, vin: str, lenient: bool) -> None:
    """Review a title as of now (any account): record what time alone changed, such as a private
    lien's proof falling due as its valuations aged out, so that watchers see it.

    \b
    Example:
      lienchain --as auditor title review 1M8GDM9AXKP042788
    """
    ledger = app.ledger(signing=True)
    v = normalize_vin(vin, lenient=lenient)
    head = ledger.chain.head()
    ledger.review_title(v)
    told = [e for e in ledger.history(v) if e.block > head]
    app.emit([e.to_dict() for e in told],
             [f"reviewed {v}: " + (", ".join(e.name for e in told) if told else "nothing changed")])


@title.command("transfer")
@click.argument("vin")
@click.option("--to", "to", required=True, help="The new owner: an address or a profile account name.")
@click.option("--authorization", "authorization", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The owner's or a second registrar's authorization file (see `title authorize`).")
@click.option("--km", "km", required=True, type=KM,
              help="The odometer reading at the transfer, in kilometres (recorded with it).")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def transfer(app: App, vin: str, to: str, authorization: Path, km: int, doc: Path | None, retention: Retention | None, lenient: bool) -> None:
    """Record a title's transfer to a new owner (as a REGISTRAR), with the odometer reading at the
    transfer and the owner's authorization or a second registrar's: no one registrar moves a
    title. Refused while liened, and for a reading below the last one unless the title is branded
    ODOMETER-NOT-ACTUAL. Brands stay with the title.

    \b
    Example:
      lienchain --as registrar-b title authorize 1M8GDM9AXKP042788 --to 0xDeF... --out transfer.json
      lienchain --as registrar title transfer 1M8GDM9AXKP042788 --to 0xDeF... --km 84000 --authorization transfer.json
    """
    from ..ledger.registry.authorization import TransferAuthorization  # here: it needs eth-account

    v = normalize_vin(vin, lenient=lenient)
    signed = TransferAuthorization.load(authorization)
    t = app.session().transfer_title(v, to, km=km, authorization=signed, document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(t.to_dict(), [f"transferred {t.vin} to {app.label(t.owner)} (authorized by {app.label(signed.signer)})",
                           *title_lines(app, t)[1:]])


@title.command("authorize")
@click.argument("vin")
@click.option("--to", "to", required=True, help="The new owner: an address or a profile account name.")
@VALID_DAYS
@out_file("authorization")
@LENIENT
@common_options
@pass_app
def authorize(app: App, vin: str, to: str, valid_days: int, out: Path, lenient: bool) -> None:
    """Authorize, as the title's owner or a registrar, its transfer to a new owner; a registrar
    other than the signer records it with the file.

    \b
    Example:
      lienchain --as registrar-b title authorize 1M8GDM9AXKP042788 --to 0xDeF... --out transfer.json
    """
    v = normalize_vin(vin, lenient=lenient)
    session = app.session()
    signed = session.authorize_transfer(v, to, deadline=session.ledger.now() + valid_days * 86400)
    signed.save(out)
    app.emit({"authorization": str(out), "signer": signed.signer, "vin": v, "to": signed.to,
              "deadline": signed.deadline},
             f"{app.label(signed.signer)} authorizes the transfer of {v} to {app.label(signed.to)} "
             f"until {format_time(signed.deadline)}: wrote {out}")


@title.command("set-status")
@click.argument("vin")
@click.argument("status", type=TITLE_STATUS)
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def set_status(app: App, vin: str, status: str, doc: Path | None, retention: Retention | None, lenient: bool) -> None:
    """Mark a title stolen, or active again (as a REGISTRAR), anchoring the change's document (a
    police report; a generated record of the change by default). Cancelling a title, which can
    never be undone, takes a member vote: `member propose --cancel-title VIN --evidence FILE`.
    Salvage, flood, rebuilt and junk are brands, not statuses: see `title brand`.

    \b
    Example:
      lienchain --as registrar title set-status 1M8GDM9AXKP042788 stolen --doc police-report.pdf
    """
    t = app.session().set_title_status(normalize_vin(vin, lenient=lenient), TitleStatus[status.upper()],
                                       document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(t.to_dict(), f"title {t.vin} is now {t.status.label}")


@title.command("brand")
@click.argument("vin")
@click.option("--brand", "brand", required=True, type=BRAND,
              help="SALVAGE, FLOOD, REBUILT, JUNK or ODOMETER-NOT-ACTUAL.")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def brand(app: App, vin: str, brand: int, doc: Path | None, retention: Retention | None, lenient: bool) -> None:
    """Brand a title (as a REGISTRAR), anchoring the brand's document (an insurer's total-loss
    report; a generated record by default). The brand stays with the title through every transfer
    and disposition and shows in wallets; only a member vote removes it:
    `member propose --remove-brand VIN --brand BRAND --evidence FILE`.

    \b
    Example:
      lienchain --as registrar title brand 1M8GDM9AXKP042788 --brand FLOOD --doc flood-report.pdf
    """
    t = app.session().brand_title(normalize_vin(vin, lenient=lenient), Brand(brand),
                                  document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(t.to_dict(), f"title {t.vin} is branded {Brand(brand).label}; its brands: "
                          f"{', '.join(b.label for b in t.brands)}")


@title.command("odometer")
@click.argument("vin")
@click.option("--km", "km", required=True, type=KM, help="The odometer reading, in kilometres.")
@DOC
@RETENTION
@LENIENT
@common_options
@pass_app
def odometer(app: App, vin: str, km: int, doc: Path | None, retention: Retention | None, lenient: bool) -> None:
    """Record an odometer reading of a title (as a REGISTRAR), anchoring its document (an
    inspection report; a generated record by default). A reading below the last one is refused
    unless the title is branded ODOMETER-NOT-ACTUAL. Transfers record a reading too (--km).

    \b
    Example:
      lienchain --as registrar title odometer 1M8GDM9AXKP042788 --km 84000 --doc inspection.pdf
    """
    t = app.session().record_odometer(normalize_vin(vin, lenient=lenient), km,
                                      document=doc.read_bytes() if doc else None, retention=retention)
    app.emit(t.to_dict(), f"title {t.vin}: odometer {t.odometer_km:,} km recorded by {app.account}")

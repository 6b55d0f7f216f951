"""`lienchain doc get|verify|attach|record|status|erase|access-log`."""

from __future__ import annotations

import base64
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import StorageError
from ..files import write_atomic
from ..ledger.registry.vin import normalize_vin
from ..storage import parse_cid
from .options import App, common_options, pass_app
from .params import LENIENT, RETENTION, format_time

if TYPE_CHECKING:
    from ..ledger.registry.retention import Retention


@click.group("doc")
def doc() -> None:
    """Fetch, verify, attach and erase the sealed documents anchored on chain, and read the access trail."""


@doc.command("get")
@click.argument("cid")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the document here [default: stdout].")
@click.option("--purpose", default="review", show_default=True,
              help="Why you read it: a transient document's custodian logs it with your request.")
@common_options
@pass_app
def get(app: App, cid: str, out: Path | None, purpose: str) -> None:
    """Fetch a document, check it against its CID, and open it with the --as account's key. A
    transient document's key comes from its custodian's key service, which checks on chain that
    you may read it and logs your request; an erased document is refused, saying when and why.

    \b
    Example:
      lienchain --as auditor doc get bafkrei... --out loan.pdf
      lienchain --as auditor doc get bafkrei... --purpose "annual audit" --out appraisal.pdf
    """
    parsed = parse_cid(cid)
    reader = app.signer_name()
    data = app.profile().documents().read(parsed, reader=reader, purpose=purpose)
    if out is not None:
        write_atomic(out, data, mode=0o600)  # a customer's document: its reader's eyes only
        app.emit({"cid": parsed, "bytes": len(data), "out": str(out)}, f"{parsed}: {len(data)} bytes verified, written to {out}")
    elif app.json:
        app.emit({"cid": parsed, "bytes": len(data), "content_base64": base64.b64encode(data).decode()}, "")
    else:
        sys.stdout.buffer.write(data)


@doc.command("verify")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def verify(app: App, vin: str, lenient: bool) -> None:
    """Check every document a title's history anchors: present in the store and matching its CID.

    Exits 1 if any step's document is missing or tampered with, or a step that anchors a document
    (a registration, transfer, status change, lien, valuation or forced release) anchored none. A
    document whose erasure is on record is listed as gone: its absence is what its retention asks.
    An attachment that fails is listed as WARN with who recorded it, without failing the title:
    any registrar, oracle or auditor may attach a document to any title.

    \b
    Example:
      lienchain doc verify 1M8GDM9AXKP042788
    """
    events = app.ledger().history(normalize_vin(vin, lenient=lenient))
    checks = app.profile().documents().check_anchors(events)
    results = [c.to_dict() for c in checks]
    lines = [
        f"{'gone' if c.erased else 'ok  ' if c.ok else 'FAIL' if c.fails_history else 'WARN'}  block {c.block:>6}  "
        f"{c.event:<17}  {c.cid or '-'}" + ("  (erased: its retention ran out)" if c.erased else "")
        + ("" if c.ok else f"  ({c.error})" if c.fails_history else f"  (an attachment of {c.attached_by}: {c.error})")
        for c in checks
    ]
    app.emit(results, lines or ["no documents"])
    bad = [c for c in checks if c.fails_history]
    if bad:
        raise StorageError(f"{len(bad)} of {len(results)} documents of {vin} failed verification (missing, altered, or "
                           "never anchored): fetch a missing or altered one again from another member")


@doc.command("attach")
@click.argument("vin")
@click.option("--file", "file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The document: an appraisal's working papers, photos, call notes.")
@click.option("--lien", "lien_id", type=click.IntRange(min=1), help="The lien it is about [default: the title].")
@RETENTION
@LENIENT
@common_options
@pass_app
def attach(app: App, vin: str, file: Path, lien_id: int | None, retention: Retention | None, lenient: bool) -> None:
    """Anchor a document about a title or one of its liens: sealed, stored and recorded on chain,
    transient unless --retention essential (its key kept by your member's key service, every read
    logged, erased about 90 days after the title or lien's business ends).

    \b
    Example:
      lienchain --as bank-a doc attach 1M8GDM9AXKP042788 --lien 3 --file appraisal-notes.pdf
    """
    from ..ledger.registry.retention import Retention as Class  # here: --help needs no web3

    v = normalize_vin(vin, lenient=lenient)
    sealed = app.session().attach_document(v, file.read_bytes(), lien_id=lien_id or 0,
                                           retention=Class.TRANSIENT if retention is None else retention)
    app.emit({"vin": v, "cid": sealed.cid, "retention": sealed.retention.label, "custodian": sealed.custodian},
             f"attached {sealed.cid} to {v}{f' lien {lien_id}' if lien_id else ''} ({sealed.retention.label}"
             + (f", its key kept by {sealed.custodian})" if sealed.content_key else ")"))


@doc.command("record")
@click.argument("vin")
@LENIENT
@common_options
@pass_app
def record(app: App, vin: str, lenient: bool) -> None:
    """Record the retention of a title's documents your steps anchored that have none yet (a step
    whose record did not go through), each with its kind's class: appraisals transient, the rest
    essential.

    \b
    Example:
      lienchain --as lender-a doc record 1M8GDM9AXKP042788
    """
    v = normalize_vin(vin, lenient=lenient)
    made = app.session().record_missing(v)
    app.emit([{"cid": r.cid, "retention": r.retention.label, "lien_id": r.lien_id} for r in made],
             [f"recorded {r.cid} as {r.retention.label}" + (f" (lien {r.lien_id})" if r.lien_id else "") for r in made]
             or [f"every document your steps anchored on {v} is recorded"])


@doc.command("status")
@click.argument("cid")
@common_options
@pass_app
def status(app: App, cid: str) -> None:
    """Show a document's retention: its class, what it is about, when it is due for erasure, its
    erasure and each member's attestation that it destroyed its copy.

    \b
    Example:
      lienchain doc status bafkrei...
    """
    parsed = parse_cid(cid)
    ledger = app.ledger()
    erasure = ledger.retention.erasure(parsed)
    r = erasure.record
    due = (f"due for erasure at {format_time(r.due_at)} ({r.retention.label} retention, from the end of its business "
           f"at {format_time(r.business_ended_at)})" if r.due_at else
           f"kept while its business goes on, then {r.retention.label} retention runs")
    lines = [
        f"{parsed}: {r.retention.label}, about " + (f"lien {r.lien_id} of " if r.lien_id else "")
        + f"title {ledger.vin_of(r.token_id)}",
        f"recorded by {app.label(r.author)} at {format_time(r.recorded_at)}",
        f"erased at {format_time(r.erased_at)}" if r.erased else due,
    ]
    if r.erased:
        lines += [f"  {'attested' if done else 'not yet attested'} by {app.label(member)}"
                  for member, done in erasure.attestations.items()]
    app.emit(erasure.to_dict(), lines)


@doc.command("erase")
@click.argument("cid")
@common_options
@pass_app
def erase(app: App, cid: str) -> None:
    """Record the erasure of a document whose retention has run out (anyone may): every member's
    node then destroys its copy and the key, and attests it (see `doc status`).

    \b
    Example:
      lienchain --as auditor doc erase bafkrei...
    """
    parsed = parse_cid(cid)
    r = app.session().erase_document(parsed)
    app.emit(r.to_dict(), f"erased {parsed} ({r.retention.label}, due since {format_time(r.due_at)}): "
                          "each member's node destroys its copy and the key, and attests it")


@doc.command("access-log")
@click.option("--cid", "cid", help="Only the requests for this document.")
@click.option("--reader", help="Only the requests of this reader (account name or address).")
@click.option("--anchor", is_flag=True, help="Anchor the log's head on chain now (the key service does every interval).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write an excerpt up to the last anchored head, for an auditor to verify.")
@click.option("--verify", "verify_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Check an excerpt a custodian gave you against the head it anchored on chain.")
@common_options
@pass_app
def access_log(app: App, cid: str | None, reader: str | None, anchor: bool, out: Path | None,
               verify_file: Path | None) -> None:
    """Print your key service's access log (every request for a transient document's key, granted
    or refused), anchor its head, write an excerpt, or verify an excerpt against the anchored head.

    \b
    Examples:
      lienchain --network consortium --as bank-a doc access-log --cid bafkrei...
      lienchain --network consortium --as bank-a doc access-log --reader auditor --out excerpt.json
      lienchain --network consortium --as auditor doc access-log --verify excerpt.json
    """
    from ..ledger.workspace import trail

    if verify_file is not None:
        if cid or reader or anchor or out:
            raise click.UsageError("--verify FILE takes no other option")
        checked = trail.verify(verify_file.read_bytes(), app.ledger(), name_of=app.profile().accounts.name_of)
        app.emit(checked.to_dict(), f"verified: {checked.entries} entries of {checked.custodian or checked.account}'s "
                                    f"access log are in the head it anchored after {checked.through} entries")
        return
    profile = app.profile()
    custodian = app.signer_name()
    address = profile.accounts.resolve(reader) if reader else None
    vault = profile.vault(custodian)
    if anchor:
        head = trail.anchor(vault, app.ledger(signing=True))
        app.emit({"anchored": head.count if head else None},
                 f"anchored the head after {head.count} entries" if head else "nothing new to anchor")
        return
    if out is not None:
        excerpt = trail.excerpt(vault, app.ledger(signing=True), custodian=custodian, cid=cid, reader=address)
        write_atomic(out, excerpt.to_json(), mode=0o600)
        app.emit({"out": str(out), "entries": len(excerpt.entries), "through": excerpt.through},
                 f"wrote {len(excerpt.entries)} entries up to the head anchored after {excerpt.through} to {out}")
        return
    entries = vault.entries(cid=cid, reader=address)
    app.emit([dataclasses.asdict(e) for e in entries], [
        f"{e.seq:>6}  {format_time(e.at)}  {e.outcome:<10} {e.cid}  {app.label(e.actor) if e.actor else '-'}"
        + (f"  purpose: {e.purpose}" if e.purpose else "") + (f"  ({e.reason})" if e.reason else "")
        for e in entries] or ["no entries"])

"""`lienchain doc get|verify`."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import click

from ..errors import StorageError
from ..files import write_atomic
from ..ledger.registry.vin import normalize_vin
from ..storage import parse_cid
from .options import App, common_options, pass_app
from .params import LENIENT


@click.group("doc")
def doc() -> None:
    """Fetch and verify the sealed documents anchored on chain."""


@doc.command("get")
@click.argument("cid")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the document here [default: stdout].")
@common_options
@pass_app
def get(app: App, cid: str, out: Path | None) -> None:
    """Fetch a document, check it against its CID, and open it with the --as account's key.

    \b
    Example:
      lienchain --as auditor doc get bafkrei... --out loan.pdf
    """
    parsed = parse_cid(cid)
    reader = app.signer_name()
    data = app.profile().documents().read(parsed, reader=reader)
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

    Exits 1 if any document is missing or tampered with, or a step that anchors a document (a
    registration, transfer, status change, lien, valuation or forced release) anchored none.

    \b
    Example:
      lienchain doc verify 1M8GDM9AXKP042788
    """
    events = app.ledger().history(normalize_vin(vin, lenient=lenient))
    results = [c.to_dict() for c in app.profile().documents().check_anchors(events)]
    lines = [
        f"{'ok  ' if r['ok'] else 'FAIL'}  block {r['block']:>6}  {r['event']:<17}  {r['cid']}"
        + ("" if r["ok"] else f"  ({r['error']})")
        for r in results
    ]
    app.emit(results, lines or ["no documents"])
    bad = [r for r in results if not r["ok"]]
    if bad:
        raise StorageError(f"{len(bad)} of {len(results)} documents of {vin} failed verification (missing, altered, or "
                           "never anchored): fetch a missing or altered one again from another member")

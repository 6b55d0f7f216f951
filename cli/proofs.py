"""`lienchain proof ltv|exposure|verify`: zero-knowledge proofs for auditors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import App, common_options, pass_app
from .params import AMOUNT, LIEN_ID, PERCENT

OUT = click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                   help="Write the proof file here [default: print it].")


def _deliver(app: App, document: dict, out: Path | None, what: str) -> None:  # type: ignore[type-arg]
    from ..ledger.workspace import audit

    if out is None:
        click.echo(json.dumps(document, indent=1, sort_keys=True))
        return
    audit.save(document, out)
    app.emit({"proof": str(out), "kind": document["kind"], "block": document["block"]},
             f"proved {what} at block {document['block']}: wrote {out} (check it with `lienchain proof verify {out}`)")


@click.group("proof")
def proof() -> None:
    """Prove facts about liens without showing their amounts, and check such proofs."""


@proof.command("ltv")
@LIEN_ID
@click.option("--threshold", type=PERCENT, help="The loan-to-value to prove the lien within [default: the consortium's].")
@OUT
@common_options
@pass_app
def ltv(app: App, lien_id: int, threshold: int | None, out: Path | None) -> None:
    """Prove that a lien's amount is at most a threshold of its title's value now (as its lender
    or an auditor: an account that can open the amount).

    \b
    Example:
      lienchain --as lender-a proof ltv 3 --threshold 70% --out lien-3.json
    """
    from ..ledger.workspace import audit

    document = audit.prove_ltv(app.session(), lien_id, threshold_bps=threshold)
    _deliver(app, document, out, f"lien {lien_id} within {document['threshold_bps'] / 100:g}% of its title's value")


@proof.command("exposure")
@click.option("--lender", required=True, help="The lender (address or profile account name).")
@click.option("--limit", type=AMOUNT, required=True, help="The limit its active liens add up to at most, e.g. 250000.")
@OUT
@common_options
@pass_app
def exposure_cmd(app: App, lender: str, limit: int, out: Path | None) -> None:
    """Prove that a lender's active liens, public and private, add up to at most a limit (as the
    lender or an auditor).

    \b
    Example:
      lienchain --as auditor proof exposure --lender lender-a --limit 250000 --out exposure-a.json
    """
    from ..ledger.workspace import audit

    address = app.profile().accounts.resolve(lender)
    document = audit.prove_exposure(app.session(), address, limit)
    _deliver(app, document, out, f"the exposure of {app.label(address)} at most the limit")


@proof.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--on-chain", is_flag=True, help="Also run the check with the registry's on-chain verifier.")
@common_options
@pass_app
def verify(app: App, file: Path, on_chain: bool) -> None:
    """Check a proof file against the chain as of the block it names: the lien's commitment, the
    title's value and the lender's active liens are read from the chain, not from the file.
    Exits 1 if it does not hold.

    \b
    Example:
      lienchain --as auditor proof verify lien-3.json --on-chain
    """
    from ..ledger.workspace import audit

    checked = audit.verify(app.ledger(), audit.load(file), on_chain=on_chain)
    gas = f"; the on-chain verifier agrees (gas estimate {checked.gas:,})" if checked.gas is not None else ""
    app.emit(checked.to_dict(), f"valid: {checked.claim}, at block {checked.block}{gas}")

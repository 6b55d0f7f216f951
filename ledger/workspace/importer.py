"""Bulk import of titles and liens from CSV or JSON: every row checked before anything is written,
and a re-run after an interruption skips what is already on chain.

A row has `vin`, and `owner` to register the title, and/or `amount` and `maturity` (and optionally
`currency`) to grant a lien on it. Titles are registered by one account, liens granted by another
(each needs its role). Rows are written in batches (one block each on the embedded chain, all or
nothing); what a batch wrote stays written if a later one fails, and a re-run finds it on chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from web3 import Web3

from ...errors import ConfigError, ImportRejected, InvalidVIN, LienchainError
from .accounts import AccountBook
from ..registry.ledger import Ledger, LienTerms
from ..registry.records import TitleStatus
from ..registry.vin import VIN, normalize_vin, token_id
from .session import Session

COLUMNS = ("vin", "owner", "amount", "currency", "maturity")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Row:
    """One valid row: a title to register, a lien to grant, or both."""

    line: int
    vin: VIN
    owner: str | None
    amount: int | None
    currency: str
    maturity: int


@dataclass(frozen=True)
class Plan:
    """What an import will write: the rows left once those already on chain are skipped."""

    titles: list[Row]
    liens: list[Row]
    skipped: int


def read_rows(path: Path, *, fmt: str, accounts: AccountBook, currency: str, now: int | None = None) -> list[Row]:
    """Reads and checks every row of a CSV or JSON file.

    Args:
        path: The file.
        fmt: "csv" (a header line naming the columns) or "json" (a list of objects).
        accounts: Resolves owner account names to addresses.
        currency: The currency of rows that name none.
        now: The time maturities must follow: `Ledger.now()`, as the registry checks them in
            chain time [default: this machine's clock].

    Returns:
        The rows.

    Raises:
        ImportRejected: Listing every bad row with its line number (nothing is written).
    """
    now = int(time.time()) if now is None else now
    problems: list[str] = []
    rows: list[Row] = []
    seen: dict[tuple[str, str], int] = {}
    for line, record in _records(path, fmt, problems):
        try:
            row = _row(line, record, accounts, currency, now)
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        kind = "title" if row.owner else "lien"
        key = (kind, row.vin if row.owner else f"{row.vin}/{row.amount}/{row.currency}/{row.maturity}")
        if key in seen:
            problems.append(f"line {line}: repeats the {kind} of line {seen[key]}")
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise ImportRejected(str(path), problems)
    return rows


def plan(rows: list[Row], ledger: Ledger, lender: str) -> Plan:
    """Skips the titles already registered and the active liens `lender` already holds with the same
    terms (amount, currency, maturity): what an interrupted import wrote is not written again. A
    released lien of the same terms does not count: the row is a refinance, and is written.

    Raises:
        ImportRejected: If a row's title is registered to another owner, or a lien row's title is
            neither registered nor registered by the import, or is already liened by another lender
            (it would need consent).
    """
    index = ledger.sync_index()
    registered = {int(e.args["tokenId"]): str(e.args["owner"]) for e in index.events(names=("TitleRegistered",))}
    transferred = {int(e.args["tokenId"]) for e in index.events(names=("TitleTransferred",))}
    status = index.title_statuses()
    new_titles = {token_id(r.vin) for r in rows if r.owner}
    problems, titles, liens, skipped = [], [], [], 0
    for r in rows:
        tid = token_id(r.vin)
        if r.owner:
            if tid in registered:
                if registered[tid].lower() != r.owner.lower() and tid not in transferred:
                    problems.append(f"line {r.line}: {r.vin} is already registered to {registered[tid]}")
                skipped += 1
            else:
                titles.append(r)
        if r.amount is not None:
            if tid not in registered and tid not in new_titles:
                problems.append(f"line {r.line}: {r.vin} is not registered: add its owner to the row")
                continue
            held = index.liens(tid) if tid in registered else []
            if any(x.active and x.lender.lower() == lender.lower()
                   and (x.amount, x.currency, x.maturity) == (r.amount, r.currency, r.maturity) for x in held):
                skipped += 1
                continue
            if status.get(tid, TitleStatus.ACTIVE) != TitleStatus.ACTIVE:
                problems.append(f"line {r.line}: {r.vin} is {status[tid].label}: it takes no new lien")
                continue
            if any(x.active and x.lender.lower() != lender.lower() for x in held):
                problems.append(f"line {r.line}: {r.vin} has another lender's active lien: it needs their consent")
                continue
            liens.append(r)
    if problems:
        raise ImportRejected("import", problems)
    return Plan(titles, liens, skipped)


def run(plan: Plan, registrar: Session | None, lender: Session | None, *, batch: int = 200,
        progress: Callable[[int], None] = lambda _: None) -> None:
    """Writes a plan in batches: the titles first, then the liens, each row anchoring a generated
    record of itself (see `Session.register_titles`, `Session.grant_liens`).

    Args:
        plan: From `plan`.
        registrar: Signs the registrations and authorizes each lien (REGISTRAR, other than the
            lender; the imported titles' owners have no keys here).
        lender: Signs the grants (LENDER); needed if the plan has liens.
        batch: Rows per batch.
        progress: Called with the number of rows each batch wrote.

    Raises:
        ContractRevert: If the registry refuses a batch (earlier batches stay written).
    """
    if ((plan.titles or plan.liens) and registrar is None) or (plan.liens and lender is None):
        raise ConfigError("the import registers titles and grants liens a registrar authorizes: give both a "
                          "registrar and a lender")
    for chunk in _chunks(plan.titles, batch):
        assert registrar is not None  # checked above
        registrar.register_titles([(r.vin, Web3.to_checksum_address(str(r.owner))) for r in chunk])
        progress(len(chunk))
    for chunk in _chunks(plan.liens, batch):
        assert lender is not None and registrar is not None  # checked above
        terms = [LienTerms(r.vin, int(r.amount or 0), r.currency, r.maturity) for r in chunk]
        r_ledger = registrar.ledger
        lender.grant_liens(r_ledger.authorize_liens(terms, lender=lender.ledger.address, deadline=r_ledger.now() + 86400))
        progress(len(chunk))


def _chunks(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _records(path: Path, fmt: str, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRejected(str(path), [f"cannot read the file ({exc})"]) from None
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportRejected(str(path), [f"not JSON ({exc})"]) from None
        if not isinstance(data, list):
            raise ImportRejected(str(path), ["a JSON import is a list of objects, one per row"])
        for i, item in enumerate(data, start=1):
            if isinstance(item, dict):
                yield i, item
            else:
                problems.append(f"line {i}: item is not an object")
        return
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c.strip().lower() not in COLUMNS]
    if not reader.fieldnames or "vin" not in [c.strip().lower() for c in reader.fieldnames] or unknown:
        raise ImportRejected(str(path), [f"the header must name vin and some of {', '.join(COLUMNS[1:])}"
                                         + (f" (unknown: {', '.join(unknown)})" if unknown else "")])
    for record in reader:
        yield reader.line_num, {k.strip().lower(): v for k, v in record.items() if k is not None}


def _row(line: int, record: dict[str, Any], accounts: AccountBook, currency: str, now: int) -> Row:
    def text(key: str) -> str:
        value = record.get(key)
        return "" if value is None else str(value).strip()

    try:
        vin = normalize_vin(text("vin"))
    except InvalidVIN as exc:
        raise ValueError(str(exc)) from None
    owner = None
    if text("owner"):
        if Web3.is_address(text("owner")):
            owner = str(Web3.to_checksum_address(text("owner")))
        else:
            try:
                owner = accounts.resolve(text("owner"))
            except LienchainError:
                raise ValueError(f"owner {text('owner')!r} is neither an address nor an account of the profile") from None
    amount = None
    if text("amount"):
        try:
            minor = Decimal(text("amount").replace(",", "")) * 100
        except InvalidOperation:
            raise ValueError(f"amount {text('amount')!r} is not a number") from None
        if minor <= 0 or minor != minor.to_integral_value():
            raise ValueError(f"amount {text('amount')!r} must be positive, with at most 2 decimals")
        amount = int(minor)
    if owner is None and amount is None:
        raise ValueError("the row has neither an owner (to register) nor an amount (to lien)")
    cur = (text("currency") or currency).upper()
    if not _CURRENCY.match(cur):
        raise ValueError(f"currency {cur!r} is not a three-letter ISO 4217 code")
    maturity = 0
    if amount is not None and not text("maturity"):
        # Required, not defaulted: a default computed from the clock would differ on a re-run,
        # and the lien would no longer be recognised as imported.
        raise ValueError("a lien row needs its maturity (YYYY-MM-DD)")
    if text("maturity"):
        try:
            day = dt.date.fromisoformat(text("maturity"))
        except ValueError:
            raise ValueError(f"maturity {text('maturity')!r} is not a date YYYY-MM-DD") from None
        maturity = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
        if maturity <= now:
            raise ValueError(f"maturity {text('maturity')} is not in the future")
    return Row(line, vin, owner, amount, cur, maturity)

"""The whole story on a throwaway profile: register, lien, refuse, consent, release, transfer, a
private lien, a default to sale with its waterfall, and an appraisal read, traced and erased.

`lienchain demo` runs it; it doubles as a living example of the library's API.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from ..errors import ContractRevert, LedgerError, StorageError
from ..ledger.workspace import audit
from ..ledger.workspace.report import build_report
from .advice import explain
from .params import format_time
from ..ledger.workspace.profile import Profile
from ..ledger.registry.authorization import LienAuthorization
from ..ledger.registry.vin import VIN, normalize_vin

DEMO_VIN = "1M8GDM9AXKP042788"
#: The title the default-to-sale story forecloses on.
REPOSSESSED_VIN = "1HGCM82633A004352"
_YEAR = 365 * 86400


@dataclass(frozen=True)
class Step:
    """One step of the demo and what came of it."""

    actor: str
    action: str
    outcome: str
    ok: bool = True

    def to_dict(self) -> dict[str, object]:
        """Returns the step as JSON-ready data."""
        return {"actor": self.actor, "action": self.action, "outcome": self.outcome, "ok": self.ok}


def run_demo(emit: Callable[[Step], None], *, workdir: Path | None = None) -> list[Step]:
    """Runs the demo story on a new embedded profile in a temporary directory.

    Args:
        emit: Called with each step as soon as it is done.
        workdir: Where to create the profile [default: a temporary directory, removed afterwards].

    Returns:
        The steps.
    """
    steps: list[Step] = []

    def step(actor: str, action: str, outcome: str, ok: bool = True) -> None:
        steps.append(Step(actor, action, outcome, ok))
        emit(steps[-1])

    with tempfile.TemporaryDirectory(prefix="lienchain-demo-") as tmp:
        passphrase = secrets.token_urlsafe(24)  # throwaway: lives in memory only
        root = Path(workdir) if workdir else Path(tmp)
        profile = Profile.create(root / "profile", passphrase=lambda: passphrase, light_kdf=True)
        with profile:
            step("lienchain", "init", f"profile with {len(profile.accounts.list())} accounts, chain id {profile.config['chain_id']}, "
                 "contracts deployed with the founding roles")
            _story(profile, step)
    return steps


def _story(profile: Profile, step: Callable[..., None]) -> None:
    vin = normalize_vin(DEMO_VIN)
    alice, bob = Account.create().address, Account.create().address
    registrar, registrar_b = profile.session("registrar"), profile.session("registrar-b")
    lender_a, lender_b = profile.session("lender-a"), profile.session("lender-b")
    maturity = registrar.ledger.now() + 5 * _YEAR
    week = registrar.ledger.now() + 7 * 86400

    def authorize(lender: str, amount: int) -> LienAuthorization:
        auth = registrar.authorize_lien(vin, lender=lender, amount=amount, currency="USD", maturity=maturity,
                                        deadline=week)
        step("registrar", f"lien authorize {vin} --to {lender} --amount {amount // 100}",
             f"EIP-712 authorization of the lien signed by {auth.signer} (Alice has no key: the policy admits a "
             "registrar)")
        return auth

    t = registrar.register_title(vin, alice, document=b"Certificate of title " + vin.encode() + b", owner Alice")
    step("registrar", f"title register {vin} --owner {alice}", f"title registered, document {t.doc_cid}")

    first = lender_a.grant_lien(vin, 1_800_000, currency="USD", maturity=maturity, document=b"Loan A-1: 18,000.00 USD",
                                authorization=authorize("lender-a", 1_800_000))
    step("lender-a", f"lien grant {vin} --amount 18000 --authorization FILE", f"lien {first.lien_id}, priority "
         f"{first.priority}, loan document {first.doc_cid} sealed for lender-a and the auditor")

    auth_b = authorize("lender-b", 600_000)
    try:
        lender_b.grant_lien(vin, 600_000, currency="USD", maturity=maturity, authorization=auth_b)
        step("lender-b", f"lien grant {vin} --amount 6000 --authorization FILE", "granted without consent: THIS IS A BUG", ok=False)
    except (ContractRevert, LedgerError) as exc:
        step("lender-b", f"lien grant {vin} --amount 6000 --authorization FILE", f"refused ({type(exc).__name__}): {explain(exc)}")

    consent = lender_a.sign_consent(vin, lender="lender-b", amount=600_000, currency="USD",
                                    deadline=lender_a.ledger.now() + 7 * 86400)
    step("lender-a", f"lien consent {vin} --to lender-b --amount 6000", f"EIP-712 consent signed by {consent.signer}")

    second = lender_b.grant_lien(vin, 600_000, currency="USD", maturity=maturity, consents=[consent], authorization=auth_b)
    step("lender-b", f"lien grant {vin} --amount 6000 --authorization FILE --consent FILE",
         f"lien {second.lien_id}, priority {second.priority}")

    second_key = registrar_b.authorize_transfer(vin, bob, deadline=week)  # no one registrar moves a title
    step("registrar-b", f"title authorize {vin} --to {bob}", f"EIP-712 authorization signed by {second_key.signer}")
    for actor, action, attempt in (
        ("registrar", f"title transfer {vin} --to {bob} --km 42000 --authorization FILE",
         lambda: registrar.transfer_title(vin, bob, km=42_000, authorization=second_key)),
        ("lender-b", f"lien release {first.lien_id}", lambda: lender_b.ledger.release_lien(first.lien_id)),
    ):
        try:
            attempt()
            step(actor, action, "accepted: THIS IS A BUG", ok=False)
        except (ContractRevert, LedgerError) as exc:  # the client refuses what it can tell first
            step(actor, action, f"refused ({type(exc).__name__}): {explain(exc)}")

    opened = profile.documents().read(first.doc_cid, reader="auditor")  # type: ignore[arg-type]
    step("auditor", f"doc get {first.doc_cid}", f"opened the sealed loan document, CID verified: {opened.decode()!r}")

    try:
        profile.documents().read(first.doc_cid, reader="lender-b")  # type: ignore[arg-type]
        step("lender-b", f"doc get {first.doc_cid}", "opened a competitor's loan: THIS IS A BUG", ok=False)
    except StorageError as exc:
        step("lender-b", f"doc get {first.doc_cid}", f"refused ({type(exc).__name__}): {explain(exc)}")

    lender_a.ledger.release_lien(first.lien_id)
    step("lender-a", f"lien release {first.lien_id}", "released")
    lender_b.ledger.release_lien(second.lien_id)
    step("lender-b", f"lien release {second.lien_id}", "released")

    t = registrar.transfer_title(vin, bob, km=42_000, authorization=second_key,
                                 document=b"Bill of sale and odometer disclosure (42,000 km): Alice to Bob")
    step("registrar", f"title transfer {vin} --to {bob} --km 42000 --authorization FILE",
         f"owner is now {t.owner}, odometer {t.odometer_km:,} km, document {t.doc_cid}")

    _private_lien(profile, vin, step)

    events = registrar.ledger.history(vin)
    step("auditor", f"title history {vin}", f"{len(events)} events: " + ", ".join(
        f"{e.name}@{e.block}" for e in events))
    _default_to_sale(profile, step)


def _private_lien(profile: Profile, vin: VIN, step: Callable[..., None]) -> None:
    """A private lien on the title, and an auditor checking it without anyone seeing the amount."""
    appraisal = profile.session("oracle").set_valuation(vin, 2_000_000, currency="USD")
    step("oracle", f"valuation set {vin} --value 20000", f"title {appraisal.state}: one oracle's valuation, and a "
         f"value needs {appraisal.min_valuations}")
    profile.session("oracle-b").set_valuation(vin, 2_000_000, currency="USD")
    step("oracle-b", f"valuation set {vin} --value 20000", "title valued 20,000.00 USD (median of 2 oracles)")
    lender = profile.session("lender-a")
    maturity = lender.ledger.now() + _YEAR
    auth = profile.session("registrar").authorize_lien(vin, lender="lender-a", amount=1_300_000, currency="USD",
                                                       maturity=maturity, deadline=maturity, private_amount=True)
    step("registrar", f"lien authorize {vin} --to lender-a --amount 13000 --private",
         "authorization binding the amount's commitment, its opening sealed for lender-a")
    lien = lender.grant_private_lien(vin, 1_300_000, currency="USD", maturity=maturity, authorization=auth)
    commitment = profile.ledger().lien_commitment(lien.lien_id)
    step("lender-a", f"lien grant {vin} --amount 13000 --private --authorization FILE",
         f"lien {lien.lien_id}: on chain only the commitment ({commitment.x:#x}, ...) and two verified proofs")
    document = audit.prove_ltv(profile.session("lender-a"), lien.lien_id)
    checked = audit.verify(profile.ledger(), document, on_chain=True)
    step("lender-a", f"proof ltv {lien.lien_id}", f"proof file of {len(document['proof']) // 2 - 1:,} bytes, no amount in it")
    step("auditor", "proof verify FILE --on-chain", f"valid: {checked.claim} (on chain too: gas estimate {checked.gas:,})")
    amount = profile.session("auditor").open_lien(lien.lien_id).value
    step("auditor", f"lien open {lien.lien_id}", f"{amount / 100:,.2f} USD, matching the commitment on chain")
    profile.session("auditor").acknowledge_lien(lien.lien_id)
    step("auditor", f"lien acknowledge {lien.lien_id}", "on chain: an auditor can open its amount (else, after the "
         "proof window, the title would take no new lien)")
    try:
        profile.session("lender-b").open_lien(lien.lien_id)
        step("lender-b", f"lien open {lien.lien_id}", "opened a competitor's private amount: THIS IS A BUG", ok=False)
    except StorageError as exc:
        step("lender-b", f"lien open {lien.lien_id}", f"refused ({type(exc).__name__}): {explain(exc)}")
    profile.session("lender-a").ledger.release_lien(lien.lien_id)
    step("lender-a", f"lien release {lien.lien_id}", "released")


def _default_to_sale(profile: Profile, step: Callable[..., None]) -> None:
    """A lien in default, the title repossessed, the notice period, the sale and its waterfall."""
    vin = normalize_vin(REPOSSESSED_VIN)
    carol, dave = Account.create().address, Account.create().address
    registrar, lender_a = profile.session("registrar"), profile.session("lender-a")
    registrar.register_title(vin, carol, document=b"Certificate of title " + vin.encode() + b", owner Carol")
    for oracle in ("oracle", "oracle-b"):
        profile.session(oracle).set_valuation(vin, 1_500_000, currency="USD")
    step("registrar", f"title register {vin} --owner {carol}", "registered, valued 15,000.00 USD by two oracles")
    now = registrar.ledger.now()
    maturity, week = now + 5 * _YEAR, now + 7 * 86400

    def lien(session_name: str, amount: int, consents: list) -> int:  # type: ignore[type-arg]
        session = profile.session(session_name)
        auth = registrar.authorize_lien(vin, lender=session_name, amount=amount, currency="USD", maturity=maturity,
                                        deadline=week)
        return session.grant_lien(vin, amount, currency="USD", maturity=maturity, consents=consents,
                                  authorization=auth).lien_id

    first = lien("lender-a", 800_000, [])
    consent = lender_a.sign_consent(vin, lender="lender-b", amount=200_000, currency="USD", deadline=week)
    second = lien("lender-b", 200_000, [consent])
    step("lender-a, lender-b", f"lien grant {vin} (8,000 and 2,000, with consent)", f"liens {first} and {second}")

    e = lender_a.declare_default(first, document=b"Notice of default: three payments missed")
    step("lender-a", f"lien default {first} --doc notice.pdf", f"title repossessed; lender-b told by DefaultNotice; "
         f"the notice period ends {_day(e.notice_ends_at - e.defaulted_at)} after the default")
    sale = registrar.authorize_sale(vin, dave, 950_000, deadline=registrar.ledger.now() + 30 * 86400)
    step("registrar", f"title authorize-sale {vin} --to {dave} --price 9500", "the registrar checked the "
         "repossession and authorizes this sale, buyer and price: no lienholder sells on its key alone")
    try:
        lender_a.dispose_title(vin, dave, 950_000, km=61_000, authorization=sale)
        step("lender-a", f"title dispose {vin} --to {dave} --price 9500 --km 61000", "sold in the notice period: THIS IS A BUG", ok=False)
    except (ContractRevert, LedgerError) as exc:
        step("lender-a", f"title dispose {vin} --to {dave} --price 9500 --km 61000", f"refused ({type(exc).__name__}): {explain(exc)}")

    # The demo's throwaway chain moves its clock on; a member's chain keeps real time.
    profile.chain().advance_clock(11 * 86400)
    sold = lender_a.dispose_title(vin, dave, 950_000, km=61_000, authorization=sale,
                                  document=b"Bill of sale: auction lot 17, to Dave, 9,500.00 USD")
    waterfall = "; ".join(f"lien {d.lien_id} recovered {d.recovered / 100:,.2f}, deficiency {d.deficiency / 100:,.2f}"
                          for d in sold.discharged)
    step("lender-a", f"title dispose {vin} --to {dave} --price 9500 --km 61000",
         f"sold; waterfall by priority: {waterfall}; surplus to Carol {sold.surplus / 100:,.2f} USD; owner is Dave")
    report = build_report(profile.ledger().sync_index(), now=profile.ledger().now(), lender=lender_a.ledger.address)
    cycle = report.dispositions
    step("auditor", "report --lender lender-a", f"{cycle.count} disposition, default to sale {cycle.median_days} chain "
         "days (the sandbox's clock was moved 11 days on)")
    _retention(profile, vin, step)


def _retention(profile: Profile, vin: VIN, step: Callable[..., None]) -> None:
    """The oracle's appraisal of the title sold: read through its custodian and logged, refused to
    a lender, kept 90 days after the sale ended the title's business, then erased everywhere."""
    auditor = profile.session("auditor")
    cid = next(e.doc_cid for e in auditor.ledger.history(vin) if e.name == "ValuationSet" and e.doc_cid)
    record = auditor.ledger.retention.require(cid)
    auditor.documents.read(cid, reader="auditor", purpose="loan file review")  # type: ignore[arg-type]
    step("auditor", f"doc get {cid} --purpose 'loan file review'", f"the {record.retention.label} appraisal opened "
         "with the key its custodian (the oracle's key service) handed over after checking the auditor's role on "
         "chain, and logged")
    try:
        profile.session("lender-b").documents.read(cid, reader="lender-b")  # type: ignore[arg-type]
        step("lender-b", f"doc get {cid}", "read an appraisal it is not entitled to: THIS IS A BUG", ok=False)
    except StorageError as exc:
        step("lender-b", f"doc get {cid}", f"refused ({type(exc).__name__}), and the refusal logged too")
    try:
        auditor.erase_document(cid)
        step("auditor", f"doc erase {cid}", "erased before its retention ran out: THIS IS A BUG", ok=False)
    except (ContractRevert, LedgerError) as exc:
        step("auditor", f"doc erase {cid}", f"refused ({type(exc).__name__}): {explain(exc)}")
    profile.chain().advance_clock(91 * 86400)
    erasure = auditor.erase_document(cid)
    attested = auditor.ledger.retention.erasure(cid).attestations
    step("auditor", f"doc erase {cid}", f"erased 91 chain days after the sale: the key destroyed, the copy removed, "
         f"{sum(attested.values())} of {len(attested)} members attest (the sandbox's one store is all of theirs)")
    try:
        auditor.documents.read(cid, reader="auditor")  # type: ignore[arg-type]
        step("auditor", f"doc get {cid}", "opened an erased document: THIS IS A BUG", ok=False)
    except LedgerError as exc:
        step("auditor", f"doc get {cid}", f"refused ({type(exc).__name__}): erased at {format_time(erasure.erased_at)}")
    trail = profile.custody().vault("oracle").entries(cid=cid)  # type: ignore[attr-defined]
    step("oracle", f"doc access-log --cid {cid}", "; ".join(f"{e.kind} {e.outcome}" for e in trail))


def _day(seconds: int) -> str:
    return f"{seconds / 86400:g} days"

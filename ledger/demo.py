"""The whole story on a throwaway profile: register, lien, refuse, consent, release, transfer.

`lienchain demo` runs it; it doubles as a living example of the library's API.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from ..errors import ContractRevert
from .profile import Profile
from .vin import normalize_vin

DEMO_VIN = "1M8GDM9AXKP042788"
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
            step("lienchain", "init", f"profile with 5 accounts, chain id {profile.config['chain_id']}, "
                 "contracts deployed, roles granted by member vote")
            _story(profile, step)
    return steps


def _story(profile: Profile, step: Callable[..., None]) -> None:
    vin = normalize_vin(DEMO_VIN)
    docs = profile.documents()
    everyone = [a.name for a in profile.accounts.list()]
    alice, bob = Account.create().address, Account.create().address
    registrar = profile.ledger("registrar")
    lender_a, lender_b = profile.ledger("lender-a"), profile.ledger("lender-b")
    maturity = int(time.time()) + 5 * _YEAR

    def doc(record: dict[str, object], readers: list[str]) -> str:
        return docs.anchor(json.dumps(record, sort_keys=True).encode(), readers=readers)

    t = registrar.register_title(vin, alice, doc_cid=doc({"title": vin, "owner": alice}, everyone))
    step("registrar", f"title register {vin} --owner {alice}", f"title registered, document {t.doc_cid}")

    loan_a = doc({"loan": "A-1", "amount": 1_800_000}, ["lender-a", "auditor"])
    first = lender_a.grant_lien(vin, 1_800_000, currency="USD", maturity=maturity, doc_cid=loan_a)
    step("lender-a", f"lien grant {vin} --amount 18000", f"lien {first.lien_id}, priority {first.priority}")

    try:
        lender_b.grant_lien(vin, 600_000, currency="USD", maturity=maturity)
        step("lender-b", f"lien grant {vin} --amount 6000", "granted without consent: THIS IS A BUG", ok=False)
    except ContractRevert as exc:
        step("lender-b", f"lien grant {vin} --amount 6000", f"refused ({type(exc).__name__}): {exc}")

    consent = lender_a.sign_consent(vin, lender=lender_b.address, amount=600_000, currency="USD",
                                    deadline=int(time.time()) + 7 * 86400)
    step("lender-a", f"lien consent {vin} --to lender-b --amount 6000", f"EIP-712 consent signed by {consent.signer}")

    loan_b = doc({"loan": "B-1", "amount": 600_000}, ["lender-b", "auditor"])
    second = lender_b.grant_lien(vin, 600_000, currency="USD", maturity=maturity, doc_cid=loan_b, consents=[consent])
    step("lender-b", f"lien grant {vin} --amount 6000 --consent FILE", f"lien {second.lien_id}, priority {second.priority}")

    for actor, attempt in (
        ("registrar", lambda: registrar.transfer_title(vin, bob)),
        ("lender-b", lambda: lender_b.release_lien(first.lien_id)),
    ):
        try:
            attempt()
            step(actor, "a forbidden operation", "accepted: THIS IS A BUG", ok=False)
        except ContractRevert as exc:
            step(actor, "transfer while liened" if actor == "registrar" else f"lien release {first.lien_id}",
                 f"refused ({type(exc).__name__}): {exc}")

    opened = docs.read(loan_a, reader="auditor")
    step("auditor", f"doc get {loan_a}", f"opened the sealed loan document ({len(opened)} bytes, CID verified)")

    lender_a.release_lien(first.lien_id)
    step("lender-a", f"lien release {first.lien_id}", "released")
    lender_b.release_lien(second.lien_id)
    step("lender-b", f"lien release {second.lien_id}", "released")

    t = registrar.transfer_title(vin, bob, doc_cid=doc({"title": vin, "from": alice, "to": bob}, everyone))
    step("registrar", f"title transfer {vin} --to {bob}", f"owner is now {t.owner}")

    events = registrar.history(vin)
    step("auditor", f"title history {vin}", f"{len(events)} events: " + ", ".join(
        f"{e.name}@{e.block}" for e in events))

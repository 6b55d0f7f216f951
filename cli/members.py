"""`lienchain member propose|vote|cancel|list`: governance by majority vote of the members.

Every proposal is shown with its call decoded (contract, function, arguments by name), under the
proposer's description: voters judge the call, which is what runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..ledger.registry.records import Proposal, ProposalCall
from .options import App, common_options, pass_app
from .params import BRAND, DURATION, LENIENT, PERCENT, PROPOSAL_ID, ROLE, format_time

if TYPE_CHECKING:
    from ..ledger.registry.ledger import Ledger


def _proposal_lines(p: Proposal, ledger: Ledger, app: App) -> list[str]:
    """Returns a proposal's line (description and state), then its call's."""
    from ..networks.consortium import is_admission, parse_admission

    if p.state == "open":
        state = f"open, {p.approvals} of {p.needed} approvals, until {format_time(p.expires_at)}"
    else:
        state = {"executed": "executed", "cancelled": "cancelled by its proposer",
                 "expired": f"expired at {format_time(p.expires_at)}"}[p.state]
    what = p.description
    if is_admission(p):  # its card follows as JSON
        matches = parse_admission(p, ledger) is not None
        what = what[: what.index(":")] + (" (the call admits exactly the attached card)" if matches else
                                          " (WARNING: the call does not do what the attached card says: do not approve)")
    return [f"proposal {p.id}: {what} [{state}]", *_call_lines(p, p.call, app, "  ")]


def _call_lines(p: Proposal, call: ProposalCall | None, app: App, indent: str) -> list[str]:
    if call is None:
        return [f"{indent}calls {app.label(p.target)} with {(len(p.data) - 2) // 2} bytes lienchain cannot decode: "
                "UNDECODABLE, its effect is unknown"]
    if call.function == "batch" and call.contract == "Governance":
        lines = [f"{indent}calls, in order, all or nothing:"]
        for inner in call.calls:
            lines += _call_lines(p, inner, app, indent + "  ")
        return lines
    args = ", ".join(f"{name}={_shown(value, app)}" for name, value in call.args.items())
    return [f"{indent}calls {call.contract}.{call.function}({args})"]


def _shown(value: Any, app: App) -> str:
    """An argument as voters read it: an address with its account name, when it is one of the profile's."""
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v, app) for v in value) + "]"
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return app.label(value)
    return str(value)


def _checked_ledger(app: App, proposal_id: int) -> Ledger:
    """Returns the signing ledger for a vote on a proposal, once the proposal checks out: an
    admission whose call does not admit the card it carries is refused."""
    from ..networks.consortium import check_admission

    ledger = app.ledger(signing=True)
    check_admission(ledger.proposal(proposal_id), ledger)
    return ledger


@click.group("member")
def member() -> None:
    """Propose and vote on roles and membership."""


@member.command("propose")
@click.option("--grant", "grant_role", type=ROLE, help="Propose granting this registry role ...")
@click.option("--revoke", "revoke_role", type=ROLE, help="Propose revoking this registry role ...")
@click.option("--to", "target", help="... to / from this account (address or profile account name).")
@click.option("--add", "add_member", metavar="ACCOUNT", help="Propose adding this member.")
@click.option("--add-card", "card_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Propose admitting the organisation of this member card (its account, sealer and roles).")
@click.option("--roles", "card_roles", metavar="ROLE[+ROLE]", help="With --add-card: the roles to grant [default: the card's].")
@click.option("--remove", "remove_member", metavar="ACCOUNT", help="Propose removing this member and revoking its roles.")
@click.option("--ltv-threshold", "threshold", type=PERCENT, help="Propose a loan-to-value threshold, e.g. 65%.")
@click.option("--staleness-days", type=click.IntRange(1, 3650), help="Propose how many days a valuation counts.")
@click.option("--proof-days", type=click.IntRange(1, 365),
              help="Propose how many days a private lienholder has to prove its lien again.")
@click.option("--voting-days", type=click.IntRange(1, 365), help="Propose how many days later proposals can be voted on.")
@click.option("--lapse-grace-days", type=click.IntRange(0, 3650),
              help="Propose how many days after its maturity a lien lapses.")
@click.option("--release-days", type=click.IntRange(1, 3650),
              help="Propose how many days a lienholder has to release a paid-off lien.")
@click.option("--release-grace-days", type=click.IntRange(0, 3650),
              help="Propose how many days after the release deadline a registrar may release a paid-off lien.")
@click.option("--notice-days", type=click.IntRange(1, 3650),
              help="Propose how many days after a default its lienholder must wait to dispose of the title.")
@click.option("--essential-retention", type=DURATION, metavar="DURATION",
              help="Propose how long essential documents are kept after their business ends, e.g. 5y.")
@click.option("--transient-retention", type=DURATION, metavar="DURATION",
              help="Propose how long transient documents (appraisals, attachments) are kept after it, e.g. 90d.")
@click.option("--access-log-interval", type=DURATION, metavar="DURATION",
              help="Propose how often each member's key service anchors its access log, e.g. 1h.")
@click.option("--correct-document", "correct_document", metavar="CID",
              help="Propose correcting a document's recorded class and subject (needs --vin and --retention).")
@click.option("--vin", "about_vin", metavar="VIN", help="With --correct-document: the title it is about.")
@click.option("--lien", "about_lien", type=click.IntRange(min=1), metavar="LIEN_ID",
              help="With --correct-document: the lien it is about [default: the title].")
@click.option("--retention", "retention_class", type=click.Choice(["essential", "transient"], case_sensitive=False),
              help="With --correct-document: its class.")
@click.option("--min-valuations", type=click.IntRange(1, 16),
              help="Propose how many oracles' fresh valuations a title's value needs.")
@click.option("--authorization-policy", "policy", type=click.Choice(["owner-or-registrar", "owner-only"]),
              help="Propose who may authorize a new lien: the owner or a registrar, or the owner alone.")
@click.option("--force-release", "force_release", type=click.IntRange(1), metavar="LIEN_ID",
              help="Propose releasing this lien against its holder's will (needs --evidence).")
@click.option("--cancel-title", "cancel_title", metavar="VIN",
              help="Propose cancelling this title for good, e.g. a vehicle destroyed or exported (needs --evidence).")
@click.option("--restore-title", "restore_title", metavar="VIN",
              help="Propose making this title active again, e.g. lifting a wrongful repossession (needs --evidence).")
@click.option("--remove-brand", "remove_brand", metavar="VIN",
              help="Propose removing a brand from this title (needs --brand and --evidence).")
@click.option("--brand", "brand", type=BRAND, help="With --remove-brand: the brand, e.g. FLOOD.")
@click.option("--evidence", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="With --force-release, --cancel-title, --restore-title or --remove-brand: the evidence document "
                   "(court order, proof of payoff, certificate of destruction, inspection), sealed and anchored.")
@LENIENT
@common_options
@pass_app
def propose(
    app: App, grant_role: str | None, revoke_role: str | None, target: str | None,
    add_member: str | None, card_file: Path | None, card_roles: str | None, remove_member: str | None,
    threshold: int | None, staleness_days: int | None, proof_days: int | None, voting_days: int | None,
    lapse_grace_days: int | None, release_days: int | None, release_grace_days: int | None, notice_days: int | None,
    essential_retention: int | None, transient_retention: int | None, access_log_interval: int | None,
    correct_document: str | None, about_vin: str | None, about_lien: int | None, retention_class: str | None,
    min_valuations: int | None, policy: str | None, force_release: int | None, cancel_title: str | None,
    restore_title: str | None, remove_brand: str | None, brand: int | None, evidence: Path | None, lenient: bool,
) -> None:
    """Propose a role grant or revocation, a membership change, a new loan-to-value threshold,
    valuation staleness window, minimum of valuations, private lien proof window, lapse grace
    period, voting period, documents' retention periods and access-log interval, or policy on who
    authorizes liens, or the release of a lien or the
    cancellation of a title on evidence. Your vote counts at once; the proposal can be voted on for
    the voting period (14 days unless voted otherwise).

    \b
    Examples:
      lienchain --as registrar member propose --grant LENDER --to 0xAbC...
      lienchain --as registrar member propose --revoke LENDER --to lender-b
      lienchain --as registrar member propose --add 0xAbC...
      lienchain --network consortium --as dmv member propose --add-card bank-c.card.json
      lienchain --as registrar member propose --remove lender-b
      lienchain --as registrar member propose --ltv-threshold 65%
      lienchain --as registrar member propose --voting-days 7
      lienchain --as registrar member propose --authorization-policy owner-only
      lienchain --as registrar member propose --min-valuations 3
      lienchain --as registrar member propose --release-days 20
      lienchain --as registrar member propose --transient-retention 90d
      lienchain --as registrar member propose --correct-document bafkrei... --vin 1M8GDM9AXKP042788 --retention essential
      lienchain --as registrar member propose --force-release 7 --evidence court-order.pdf
      lienchain --as registrar member propose --cancel-title 1M8GDM9AXKP042788 --evidence destruction.pdf
      lienchain --as registrar member propose --restore-title 1M8GDM9AXKP042788 --evidence court-order.pdf
      lienchain --as registrar member propose --remove-brand 1M8GDM9AXKP042788 --brand FLOOD --evidence inspection.pdf
    """
    from ..networks.card import MemberCard, check_roles
    from ..networks.consortium import propose_admission

    chosen = [x for x in (grant_role, revoke_role, add_member, card_file, remove_member, threshold, staleness_days,
                          proof_days, voting_days, release_days, notice_days, essential_retention,
                          transient_retention, access_log_interval, correct_document, min_valuations, policy,
                          force_release,
                          cancel_title, restore_title, remove_brand)
              if x] + [x for x in (lapse_grace_days, release_grace_days) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --grant, --revoke, --add, --add-card, --remove, --ltv-threshold, --staleness-days, "
            "--proof-days, --voting-days, --lapse-grace-days, --release-days, --release-grace-days, --notice-days, "
            "--essential-retention, --transient-retention, --access-log-interval, --correct-document, --min-valuations, --authorization-policy, --force-release, --cancel-title, --restore-title or "
            "--remove-brand"
        )
    if bool(force_release or cancel_title or restore_title or remove_brand) != bool(evidence):
        raise click.UsageError(
            "--evidence FILE goes with --force-release LIEN_ID, --cancel-title VIN, --restore-title VIN or "
            "--remove-brand VIN, and they need it"
        )
    if bool(remove_brand) != (brand is not None):
        raise click.UsageError("--brand BRAND goes with --remove-brand VIN, and it needs it")
    if bool(correct_document) != bool(about_vin and retention_class) or (about_lien and not correct_document):
        raise click.UsageError("--correct-document CID goes with --vin VIN and --retention CLASS (and --lien ID for a "
                               "lien's document), and they need it")
    if card_roles and not card_file:
        raise click.UsageError("--roles goes with --add-card CARD")
    if (grant_role or revoke_role) and not target:
        raise click.UsageError("--grant and --revoke need --to ACCOUNT")
    ledger = app.ledger(signing=True)
    accounts = app.profile().accounts
    if threshold:
        pid = ledger.propose_ltv_threshold(threshold)
    elif staleness_days:
        pid = ledger.propose_staleness_window(staleness_days * 86400)
    elif proof_days:
        pid = ledger.propose_proof_window(proof_days * 86400)
    elif voting_days:
        pid = ledger.propose_voting_period(voting_days * 86400)
    elif lapse_grace_days is not None:
        pid = ledger.propose_lapse_grace(lapse_grace_days * 86400)
    elif release_days:
        pid = ledger.propose_release_deadline(release_days * 86400)
    elif release_grace_days is not None:
        pid = ledger.propose_release_grace(release_grace_days * 86400)
    elif notice_days:
        pid = ledger.propose_notice_period(notice_days * 86400)
    elif essential_retention or transient_retention:
        from ..ledger.registry.retention import Retention

        which = Retention.ESSENTIAL if essential_retention else Retention.TRANSIENT
        pid = ledger.retention.propose_period(which, int(essential_retention or transient_retention or 0))
    elif access_log_interval:
        pid = ledger.retention.propose_log_interval(access_log_interval)
    elif correct_document and about_vin and retention_class:
        from ..ledger.registry.retention import Retention, RetentionInput
        from ..ledger.registry.vin import normalize_vin, token_id

        fixed = RetentionInput(correct_document, Retention.parse(retention_class),
                               token_id(normalize_vin(about_vin, lenient=lenient)), about_lien or 0)
        pid = ledger.retention.propose_correction(fixed)
    elif min_valuations:
        pid = ledger.propose_min_valuations(min_valuations)
    elif policy:
        from ..ledger.registry.records import AuthorizationPolicy

        pid = ledger.propose_authorization_policy(AuthorizationPolicy[policy.upper().replace("-", "_")])
    elif force_release and evidence:
        pid = app.session().propose_force_release(force_release, evidence.read_bytes())
    elif cancel_title and evidence:
        from ..ledger.registry.vin import normalize_vin

        pid = app.session().propose_cancellation(normalize_vin(cancel_title, lenient=lenient), evidence.read_bytes())
    elif restore_title and evidence:
        from ..ledger.registry.vin import normalize_vin

        pid = app.session().propose_restoration(normalize_vin(restore_title, lenient=lenient), evidence.read_bytes())
    elif remove_brand and evidence and brand is not None:
        from ..ledger.registry.records import Brand
        from ..ledger.registry.vin import normalize_vin

        pid = app.session().propose_brand_removal(normalize_vin(remove_brand, lenient=lenient), Brand(brand),
                                                  evidence.read_bytes())
    elif grant_role or revoke_role:
        role = str(grant_role or revoke_role)
        pid = ledger.propose_role(role, accounts.resolve(str(target)), grant=bool(grant_role))
    elif add_member:
        pid = ledger.propose_member(accounts.resolve(add_member))
    elif card_file:
        card = MemberCard.load(card_file)
        roles = check_roles(card_roles.split("+")) if card_roles else card.roles
        pid = propose_admission(app.home(), ledger, card, roles)
    else:
        pid = ledger.propose_removal(accounts.resolve(str(remove_member)))
    p = ledger.proposal(pid)
    app.emit(p.to_dict(), _proposal_lines(p, ledger, app))


@member.command("vote")
@PROPOSAL_ID
@click.option("--raw", is_flag=True,
              help="Vote even for a call lienchain cannot decode, once you have read its calldata (member list --json).")
@common_options
@pass_app
def vote(app: App, proposal_id: int, raw: bool) -> None:
    """Approve a proposal; it executes once more than half of the members it was made with approved
    it, unless its voting period ran out first. A call lienchain cannot decode is refused unless
    --raw is given.

    \b
    Example:
      lienchain --as lender-a member vote 6
    """
    ledger = _checked_ledger(app, proposal_id)
    p = ledger.approve(proposal_id, raw=raw)
    app.emit(p.to_dict(), _proposal_lines(p, ledger, app))


@member.command("cancel")
@PROPOSAL_ID
@common_options
@pass_app
def cancel(app: App, proposal_id: int) -> None:
    """Cancel a proposal you made that has not run: no vote carries it from then on.

    \b
    Example:
      lienchain --as registrar member cancel 6
    """
    ledger = app.ledger(signing=True)
    p = ledger.cancel(proposal_id)
    app.emit(p.to_dict(), _proposal_lines(p, ledger, app))


@member.command("list")
@common_options
@pass_app
def list_members(app: App) -> None:
    """List the members, and every proposal with its state.

    \b
    Example:
      lienchain member list
    """
    ledger = app.ledger()
    members = ledger.members()
    proposals = ledger.proposals()
    app.emit(
        {"members": members, "proposals": [p.to_dict() for p in proposals]},
        [f"member  {app.label(m)}" for m in members] + [line for p in proposals for line in _proposal_lines(p, ledger, app)],
    )

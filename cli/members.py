"""`lienchain member propose|vote|list`: governance by majority vote of the members."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..ledger.registry.records import Proposal
from .options import App, common_options, pass_app
from .params import PERCENT, PROPOSAL_ID, ROLE

if TYPE_CHECKING:
    from ..ledger.registry.ledger import Ledger


def _proposal_line(p: Proposal, ledger: Ledger) -> str:
    from ..networks.consortium import is_admission, parse_admission

    state = "executed" if p.executed else f"open, {p.approvals} approval(s)"
    what = p.description
    if is_admission(p):  # its card follows as JSON
        matches = parse_admission(p, ledger) is not None
        what = what[: what.index(":")] + (" (the call admits exactly the attached card)" if matches else
                                          " (WARNING: the call does not do what the attached card says: do not approve)")
    return f"proposal {p.id}: {what} [{state}]"


def _checked_ledger(app: App, proposal_id: int) -> Ledger:
    """Returns the signing ledger for a vote on or the execution of a proposal, once the proposal
    checks out: an admission whose call does not admit the card it carries is refused."""
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
@click.option("--staleness-days", type=click.IntRange(1, 36500), help="Propose how many days a valuation counts.")
@click.option("--proof-days", type=click.IntRange(1, 365),
              help="Propose how many days a private lienholder has to prove its lien again.")
@click.option("--lapse-grace-days", type=click.IntRange(0, 3650),
              help="Propose how many days after its maturity a lien lapses.")
@click.option("--force-release", "force_release", type=click.IntRange(1), metavar="LIEN_ID",
              help="Propose releasing this lien against its holder's will (needs --evidence).")
@click.option("--evidence", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="With --force-release: the evidence document (court order, proof of payoff), sealed and anchored.")
@common_options
@pass_app
def propose(
    app: App, grant_role: str | None, revoke_role: str | None, target: str | None,
    add_member: str | None, card_file: Path | None, card_roles: str | None, remove_member: str | None,
    threshold: int | None, staleness_days: int | None, proof_days: int | None, lapse_grace_days: int | None,
    force_release: int | None, evidence: Path | None,
) -> None:
    """Propose a role grant or revocation, a membership change, a new loan-to-value threshold,
    valuation staleness window, private lien proof window or lapse grace period, or the release of
    a lien on evidence. Your vote counts at once.

    \b
    Examples:
      lienchain --as registrar member propose --grant LENDER --to 0xAbC...
      lienchain --as registrar member propose --revoke LENDER --to lender-b
      lienchain --as registrar member propose --add 0xAbC...
      lienchain --network consortium --as dmv member propose --add-card bank-c.card.json
      lienchain --as registrar member propose --remove lender-b
      lienchain --as registrar member propose --ltv-threshold 65%
      lienchain --as registrar member propose --force-release 7 --evidence court-order.pdf
    """
    from ..networks.card import MemberCard, check_roles
    from ..networks.consortium import propose_admission

    chosen = [x for x in (grant_role, revoke_role, add_member, card_file, remove_member, threshold, staleness_days,
                          proof_days, force_release) if x] + ([lapse_grace_days] if lapse_grace_days is not None else [])
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --grant, --revoke, --add, --add-card, --remove, --ltv-threshold, --staleness-days, "
            "--proof-days, --lapse-grace-days or --force-release"
        )
    if bool(force_release) != bool(evidence):
        raise click.UsageError("--force-release LIEN_ID and --evidence FILE go together")
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
    elif lapse_grace_days is not None:
        pid = ledger.propose_lapse_grace(lapse_grace_days * 86400)
    elif force_release and evidence:
        pid = app.session().propose_force_release(force_release, evidence.read_bytes())
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
    app.emit(p.to_dict(), _proposal_line(p, ledger))


@member.command("vote")
@PROPOSAL_ID
@common_options
@pass_app
def vote(app: App, proposal_id: int) -> None:
    """Approve a proposal; it executes once a majority of members approved it.

    \b
    Example:
      lienchain --as lender-a member vote 6
    """
    ledger = _checked_ledger(app, proposal_id)
    p = ledger.approve(proposal_id)
    app.emit(p.to_dict(), _proposal_line(p, ledger))


@member.command("execute")
@PROPOSAL_ID
@common_options
@pass_app
def execute(app: App, proposal_id: int) -> None:
    """Execute a proposal that holds a majority of the current members' approvals but has not
    run yet, as when members left after the votes.

    \b
    Example:
      lienchain --as lender-a member execute 6
    """
    ledger = _checked_ledger(app, proposal_id)
    p = ledger.execute(proposal_id)
    app.emit(p.to_dict(), _proposal_line(p, ledger))


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
        [f"member  {app.label(m)}" for m in members] + [_proposal_line(p, ledger) for p in proposals],
    )

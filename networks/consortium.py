"""What a member does with the consortium's contracts from its own directory: deploy them from the
manifest, verify someone else's deployment before trusting it, admit or remove members by vote, and
export the current manifest for a newcomer.

The founding members, their sealers and their roles all come from the manifest every founder
checked, so the member that deploys casts no vote for anyone: the registry grants the founding roles
in its constructor, and every other member verifies that it did exactly that.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ..errors import AdmissionMismatch, ConfigError, DeployerNotMember, InvalidCard, StaleManifest
from ..ledger.registry.deployment import Deployment, deploy, verify_deployment
from ..ledger.registry.ledger import Ledger
from ..ledger.registry.records import Proposal
from ..ledger.workspace.profile import DEPLOYMENT_FILE, FUNDING, Profile
from ..storage import document_key
from .card import MemberCard, canonical, check_roles
from .manifest import Admission, Manifest, check_cards
from .member import MemberHome

_ADMIT = "admit "
#: What a member proposing a newcomer sends it for gas: a hundredth of a founder's funding.
GAS_MONEY = FUNDING // 100


def deploy_from_manifest(home: MemberHome, profile: Profile, signer: str) -> Deployment:
    """Deploys the contracts through the member's own node with the manifest's founders as members,
    their sealers, and their founding roles; installs the record in the member's directory.

    Raises:
        ConfigError: If the signer is not this directory's member or the contracts are deployed.
        TransactionFailed: If a deployment transaction fails.
    """
    if signer != home.name:
        raise DeployerNotMember(str(home.path), home.name)
    if (home.path / DEPLOYMENT_FILE).exists():
        raise ConfigError(f"{home.name} has installed a deployment of {home.network} already: the network has its contracts")
    manifest = home.manifest()
    founders = manifest.founders
    members, sealers = [c.account for c in founders], [c.sealer for c in founders]
    w3 = profile.connect(home.name)
    deployment = deploy(w3, profile.accounts.unlock(signer), members, sealers, manifest.founding_roles)
    verify_deployment(w3, deployment, members=members, sealers=sealers, roles=manifest.founding_roles)
    deployment.save(home.path / DEPLOYMENT_FILE)
    return deployment


def install_deployment(home: MemberHome, profile: Profile, record: Path) -> Deployment:
    """Verifies a deployment record through the member's own node against the manifest, and only
    then installs it in the member's directory (see `verify_deployment` for what is checked).

    Raises:
        DeploymentNotFound: If the record is unreadable.
        DeploymentMismatch: If the chain does not hold exactly that deployment.
    """
    deployment = Deployment.load(record)
    founders = home.manifest().founders
    verify_deployment(profile.connect(home.name), deployment, members=[c.account for c in founders],
                      sealers=[c.sealer for c in founders], roles=home.manifest().founding_roles)
    deployment.save(home.path / DEPLOYMENT_FILE)
    return deployment


def admission_description(card: MemberCard, roles: tuple[str, ...]) -> str:
    """Returns the description of a proposal admitting a member: a line for people, then the card.

    The signed card travels on chain inside the proposal, so any member can later rebuild the
    manifest (`export_manifest`) with the newcomer's node addresses.
    """
    return f"{_ADMIT}{card.name} as {'+'.join(roles) or 'member'}: " + canonical(
        {"card": card.to_dict(), "roles": list(roles)}).decode()


def is_admission(proposal: Proposal) -> bool:
    """Tells whether a proposal presents itself as an admission (its description carries a card)."""
    return proposal.description.startswith(_ADMIT) and "{" in proposal.description


def check_admission(proposal: Proposal, ledger: Ledger) -> None:
    """Refuses a proposal that presents a card but whose call does something else.

    Raises:
        InvalidCard: If the description shows a card the call does not admit exactly.
    """
    if is_admission(proposal) and parse_admission(proposal, ledger) is None:
        raise AdmissionMismatch(proposal.id)


def parse_admission(proposal: Proposal, ledger: Ledger) -> tuple[MemberCard, tuple[str, ...]] | None:
    """Returns the card and roles of an admission proposal, or None for any other proposal.

    The card in the description counts only if the proposal's call does exactly what the card
    says: admit the card's account with the card's sealer and those roles, nothing more. A
    description that shows one organisation's card over a call that adds another sealer, or
    grants more, is no admission of that card.
    """
    if not is_admission(proposal):
        return None
    description = proposal.description
    try:
        data = json.loads(description[description.index("{"):])
        card = MemberCard.from_dict(data["card"], source="the admission proposal's card")
        roles = check_roles(data["roles"])
    except (ValueError, KeyError, TypeError, InvalidCard):
        return None
    if proposal.target.lower() != ledger.governance.address.lower():
        return None
    if proposal.data.lower() != ledger.admission_call(card.account, card.sealer, roles).lower():
        return None
    return card, roles


def propose_admission(home: MemberHome, ledger: Ledger, card: MemberCard, roles: tuple[str, ...]) -> int:
    """Proposes admitting the card's organisation with `roles`; the proposer's vote counts at once.

    The proposer also sends the newcomer's account gas money (worthless on the private chain, and
    of no use to it unless the vote passes), since only the founders' accounts are funded at genesis.

    Raises:
        InvalidCard: If the card is for another network, or its name or account is a member's already.
    """
    if card.network != home.network:
        raise InvalidCard(f"the card of {card.name} is for network {card.network!r}, not {home.network!r}")
    manifest = export_view(home, ledger)
    if any(c.name == card.name or c.account == card.account for c in manifest.members):
        raise InvalidCard(f"{card.name} (or its account) is a member of {home.network} already")
    check_cards(home.network, [*manifest.members, card])  # no sealer, node or address of a member's
    proposal = ledger.propose_admission(card.account, card.sealer, list(roles), admission_description(card, roles))
    ledger.send_value(card.account, GAS_MONEY)
    return proposal


def export_view(home: MemberHome, ledger: Ledger) -> Manifest:
    """Returns the joined manifest brought up to date from the chain: members admitted by executed
    proposals, and members no longer in governance marked removed (swarm keys not resealed)."""
    manifest = home.manifest()
    admitted = list(manifest.admitted)
    known = {c.name for c in [*manifest.founders, *(a.card for a in admitted)]}
    for p in ledger.proposals():
        parsed = parse_admission(p, ledger) if p.executed else None
        if parsed and parsed[0].name not in known:
            admitted.append(Admission(parsed[0], parsed[1], p.id))
            known.add(parsed[0].name)
    current = {a.lower() for a in ledger.members()}
    removed = tuple(c.name for c in [*manifest.founders, *(a.card for a in admitted)] if c.account.lower() not in current)
    return replace(manifest, admitted=tuple(admitted), removed=removed)


def check_against_chain(home: MemberHome, profile: Profile, manifest: Manifest) -> None:
    """Checks a later manifest's members against the chain, as the member's own node sees it.

    A manifest exported after a membership change is not signed by anyone: its admitted and
    removed members must be exactly what governance decided.

    Raises:
        InvalidManifest: If the manifest's members differ from the chain's.
        NodeUnreachable: If the member's node does not answer.
    """
    view = export_view(home, profile.ledger())
    mine = {c.name: c.to_dict() for c in view.members}
    theirs = {c.name: c.to_dict() for c in manifest.members}
    if mine != theirs:
        differ = sorted(set(mine) ^ set(theirs)) or sorted(n for n in mine if mine[n] != theirs.get(n))
        raise StaleManifest(home.network, differ)


def export_manifest(home: MemberHome, profile: Profile) -> Manifest:
    """Returns the current manifest (see `export_view`) with the swarm key sealed for every current
    member, newcomers included; opening it needs this member's passphrase.

    Raises:
        BadPassphrase: If the passphrase does not open the member's account.
    """
    view = export_view(home, profile.ledger())
    account = profile.accounts.unlock(home.name)
    return view.with_swarm_key(home.manifest().open_swarm_key(home.name, document_key(bytes(account.key))))

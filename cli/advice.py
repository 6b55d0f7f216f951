"""What to do next on the command line, for each library error that has a command or flag for it.

The library's messages say what went wrong; which command or flag mends it is the command line's
to say, so it lives here, keyed by exception class (the nearest class in the error's MRO wins) and
formatted with the exception's attributes. `LienchainGroup.invoke` renders both on one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import errors
from ..ledger.registry.records import Brand

__all__ = ["ADVICE", "advice_for", "explain"]

_PROPOSE = "propose it with `lienchain member propose` and have a majority of members vote for it"
_PROFILE = "or point --profile / LIENCHAIN_HOME at an existing one"


def _brand(value: int) -> str:
    """A brand's name as the command line takes it (BRAND for a number no brand has)."""
    return Brand(value).label if value in {b.value for b in Brand} else "BRAND"


def _start_node(error: errors.NodeUnreachable) -> str:
    """`node start` for the member whose node it is, on its network; with only the network known,
    for all of the network's nodes."""
    command = "lienchain node start"
    if error.member or not error.network:
        command += f" {error.member or 'MEMBER'}"
    if error.network:
        command += f" --network {error.network}"
    return f"start it with `{command}`"


#: exception class -> advice: a template over the exception's attributes, or a function of the
#: exception where the advice depends on which attributes it has.
ADVICE: dict[type[errors.LienchainError], str | Callable[[Any], str]] = {
    errors.ProfileNotFound: f"run `lienchain init` first, {_PROFILE}",
    errors.ProfileExists: "choose another --profile",
    errors.NotAProfileDirectory: "choose a new or empty directory with --profile",
    errors.ChainNotFound: f"create a profile with `lienchain init`, {_PROFILE}",
    errors.ChainBusy: "a running `lienchain watch`, for one, keeps it open",
    errors.AlreadyDeployed: "create a new profile with `lienchain init` for a new register",
    errors.UnknownAccount: "or create it with `lienchain account new`",
    errors.BadPassphrase: "set LIENCHAIN_PASSWORD to the profile's passphrase",
    errors.LenientOnlyVIN: "pass --lenient for a VIN without a check digit or model year (European VINs)",
    errors.ArtifactNotFound: "run `lienchain contracts build`",
    errors.NetworkNotFound: "create it with `lienchain network init {name} --members ...`",
    errors.NotJoined: "run `lienchain network join MANIFEST`",
    errors.DeployerNotMember: "deploy with --as {member}",
    errors.BinaryNotInstalled: "run `lienchain network install` (it builds it with Go)",
    errors.WrongBinaryVersion: "build it with `lienchain network install`",
    errors.GoNotFound: "install Go, or give the path of a {name} binary of that version with --{name}",
    errors.NodeUnreachable: _start_node,
    errors.NetworkNotFormed: "see why with `lienchain node logs MEMBER --network {network}`",
    errors.AdmissionMismatch: "propose the card again with `lienchain member propose --add-card`",
    errors.StaleManifest: "export one from the chain with `lienchain network manifest {network}`",
    errors.TransactionNotMined: "check with `lienchain network status`",
    errors.NoSigningAccount: "choose one with --as NAME",
    errors.NotSeniorLienholder: "see who holds them with `lienchain lien list {vin}`",
    errors.LienIsPublic: "see it with `lienchain lien list VIN`",
    errors.NotAuthorizer: "see its owner with `lienchain title show {vin}`",
    errors.AuthorizationRequired: (
        "its owner or a registrar signs one with `lienchain lien authorize` (a lien) or `lienchain title authorize` "
        "(a transfer)"
    ),
    errors.RegistryNotAuthorized: (
        "its owner or another registrar signs one with `lienchain lien authorize` or `lienchain title authorize`"
    ),
    errors.DeploymentNotFound: (
        "deploy with `lienchain contracts deploy`, or check and install another member's record with "
        "`lienchain contracts verify --deployment FILE`"
    ),
    errors.NoFreshValuation: "an oracle values it with `lienchain valuation set`",
    errors.RegistryTitleExists: "see it with `lienchain title show`",
    errors.RegistryCancellationNeedsVote: (
        "propose it with `lienchain member propose --cancel-title VIN --evidence FILE`"
    ),
    errors.RegistryBrandRemovalNeedsVote: lambda e: (
        f"propose it with `lienchain member propose --remove-brand VIN --brand {_brand(e.brand)} --evidence FILE`"
    ),
    errors.RegistryBrandPresent: "see its brands with `lienchain title show`",
    errors.RegistryBrandAbsent: "see its brands with `lienchain title show`",
    errors.RegistryOdometerRollback: (
        "check the reading; if the odometer does not show the vehicle's actual distance, a registrar brands the "
        "title with `lienchain title brand VIN --brand ODOMETER-NOT-ACTUAL --doc FILE` first"
    ),
    errors.RegistryDirectTransferDisabled: "use `lienchain title transfer` as a registrar",
    errors.RegistryUnknownLien: "list a title's liens with `lienchain lien list VIN`",
    errors.RegistryConsentMissing: (
        "ask them for `lienchain lien consent VIN --to YOU --amount N --out FILE` and pass --consent FILE"
    ),
    errors.RegistryValuationStale: "an oracle values it with `lienchain valuation set`",
    errors.RegistryValuationRequired: "an oracle values it with `lienchain valuation set`",
    errors.RegistryInvalidProof: "run the command again",
    errors.RegistryProofOverdue: (
        "its lender proves it with `lienchain lien prove {lien_id}`, or reveals it with `lienchain lien reveal "
        "{lien_id}`; an auditor may reveal it too"
    ),
    errors.RegistryRevealNotAllowed: "see whether its proof is overdue with `lienchain title show` of its title",
    errors.RegistryLienUnacknowledged: (
        "an auditor opens and acknowledges it with `lienchain lien acknowledge {lien_id}`; if none can, its lender "
        "sealed the amount for itself alone"
    ),
    errors.RegistryPrivateLienStaysFirst: "its holder reveals it with `lienchain lien reveal {lien_id}`",
    errors.RegistryInvalidAssignee: "members grant LENDER by vote: `lienchain member propose --grant LENDER --to ADDR`",
    errors.NotAssignor: "list a title's liens with `lienchain lien list VIN`",
    errors.RegistryNoticePeriodRunning: "see when it ends with `lienchain title show`",
    errors.NotInDefault: "see its status with `lienchain title show`",
    errors.RegistryDisputeTooLate: "ask the members to decide: `lienchain member propose --force-release` needs a vote",
    errors.RegistryRepossessionByDefault: (
        "its lienholder declares a default with `lienchain lien default ID`; members lift one by vote with "
        "`lienchain member propose --restore-title VIN --evidence FILE`"
    ),
    errors.RegistryReleaseNotOverdue: "its holder may still release it; see its title's liens with `lienchain lien list VIN`",
    errors.RegistrySameRegistrar: "another registrar releases it with `lienchain lien release {lien_id} --paid-off`",
    errors.RegistryNoPayoff: "the title's owner or a registrar records one with `lienchain lien payoff {lien_id}`",
    errors.DocumentsNotDue: (
        "see its due date with `lienchain doc status {cid}`; the members may vote a shorter period with "
        "`lienchain member propose --transient-retention` or `--essential-retention`"
    ),
    errors.DocumentsBusinessOngoing: "see what it is about with `lienchain doc status {cid}`",
    errors.DocumentsNotRecorded: "see a title's documents with `lienchain title history VIN`",
    errors.DocumentErased: "see its erasure and the members' attestations with `lienchain doc status {cid}`",
    errors.KeyErased: "see its erasure with `lienchain doc status {cid}`",
    errors.AccessRefused: "see who may read it with `lienchain doc status CID`: its author, an AUDITOR, the holder of "
                          "the lien it is about, or for a title's document a REGISTRAR",
    errors.InvalidExcerpt: lambda e: (
        "anchor it with `lienchain doc access-log --anchor`" if "anchored no head of its access log yet" in str(e)
        else "ask its custodian for a new excerpt (`lienchain doc access-log --out FILE`)"
    ),
    errors.UnknownCustodian: "join again with the latest manifest: `lienchain network join MANIFEST`",
    errors.AccessControlUnauthorizedAccount: _PROPOSE,
    errors.GovernanceOnlySelf: _PROPOSE,
    errors.GovernanceUnknownProposal: "see `lienchain member list`",
    errors.UndecodableProposal: (
        "read its calldata with `lienchain member list --json`; to vote for it all the same, pass --raw"
    ),
    errors.GovernanceProposalExpired: "propose it again with `lienchain member propose`",
    errors.GovernanceProposalCancelled: "propose it again with `lienchain member propose`",
}


def advice_for(error: errors.LienchainError) -> str | None:
    """Returns what to do next about `error` on the command line, if there is a command for it.

    Args:
        error: A library error. A failed proposal call (`GovernanceCallFailed`) gets the advice of
            the call's own error.

    Returns:
        The advice, or None.
    """
    cause = getattr(error, "cause", None)
    if isinstance(error, errors.GovernanceCallFailed) and isinstance(cause, errors.LienchainError):
        return advice_for(cause)
    for cls in type(error).__mro__:
        advice = ADVICE.get(cls)
        if advice is not None:
            return advice(error) if callable(advice) else advice.format_map(vars(error))
    return None


def explain(error: errors.LienchainError) -> str:
    """Returns the one line the command line prints for `error`: what went wrong, then what to do."""
    advice = advice_for(error)
    return f"{error}; {advice}" if advice else str(error)

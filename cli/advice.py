"""What to do next on the command line, for each library error that has a command or flag for it.

The library's messages say what went wrong; which command or flag mends it is the command line's
to say, so it lives here, keyed by exception class (the nearest class in the error's MRO wins) and
formatted with the exception's attributes. `LienchainGroup.invoke` renders both on one line.
"""

from __future__ import annotations

from .. import errors

__all__ = ["ADVICE", "advice_for", "explain"]

_PROPOSE = "propose it with `lienchain member propose` and have a majority of members vote for it"

#: exception class -> advice, a template over the exception's attributes.
ADVICE: dict[type[errors.LienchainError], str] = {
    errors.ProfileNotFound: "run `lienchain init` first, or point --profile / LIENCHAIN_HOME at an existing one",
    errors.ProfileExists: "choose another --profile",
    errors.UnknownAccount: "or create it with `lienchain account new`",
    errors.NetworkNotFound: "create it with `lienchain network init {name} --members ...`",
    errors.NoSigningAccount: "choose one with --as NAME",
    errors.DeploymentNotFound: (
        "deploy with `lienchain contracts deploy`, or check and install another member's record with "
        "`lienchain contracts verify --deployment FILE`"
    ),
    errors.NoFreshValuation: "an oracle values it with `lienchain valuation set`",
    errors.RegistryTitleExists: "see it with `lienchain title show`",
    errors.RegistryDirectTransferDisabled: "use `lienchain title transfer` as a registrar",
    errors.RegistryUnknownLien: "list a title's liens with `lienchain lien list VIN`",
    errors.RegistryConsentMissing: (
        "ask them for `lienchain lien consent VIN --to YOU --amount N --out FILE` and pass --consent FILE"
    ),
    errors.RegistryValuationStale: "an oracle values it with `lienchain valuation set`",
    errors.RegistryValuationRequired: "an oracle values it with `lienchain valuation set`",
    errors.RegistryInvalidProof: "run the command again",
    errors.RegistryProofOverdue: "its lender proves it with `lienchain lien prove {lien_id}`",
    errors.AccessControlUnauthorizedAccount: _PROPOSE,
    errors.GovernanceOnlySelf: _PROPOSE,
    errors.GovernanceUnknownProposal: "see `lienchain member list`",
    errors.GovernanceNoMajority: "ask more members to vote for it with `lienchain member vote {proposal_id}`",
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
        template = ADVICE.get(cls)
        if template is not None:
            return template.format_map(vars(error))
    return None


def explain(error: errors.LienchainError) -> str:
    """Returns the one line the command line prints for `error`: what went wrong, then what to do."""
    advice = advice_for(error)
    return f"{error}; {advice}" if advice else str(error)

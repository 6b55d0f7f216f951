"""Decoding contract reverts into typed exceptions, by custom-error selector.

Each custom error of the contracts' ABIs maps to one exception class of `lienchain.errors` and a
message template that names the problem and what to do. Revert strings are never matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode
from eth_utils.abi import function_signature_to_4byte_selector

from ... import errors
from .records import TitleStatus, plain
from .roles import role_name

_PROPOSE = "propose it with `lienchain member propose` and have a majority of members vote for it"

# error name -> (exception class, message template over the decoded arguments)
_CATALOGUE: dict[str, tuple[type[errors.ContractRevert], str]] = {
    "RegistryInvalidVIN": (errors.InvalidOperation, "the registry refuses VIN {vin!r}: it must be normalized"),
    "RegistryInvalidOwner": (errors.InvalidOperation, "{owner} cannot become the title's owner: give another address"),
    "RegistryInvalidAmount": (errors.InvalidOperation, "a lien amount must be greater than zero"),
    "RegistryInvalidMaturity": (errors.InvalidOperation, "maturity {maturity} is not in the future: give a later date"),
    "RegistryTitleExists": (errors.TitleAlreadyRegistered, "title {title} is already registered: see it with `lienchain title show`"),
    "RegistryUnknownTitle": (errors.TitleNotFound, "no title registered for {title}: check the VIN, or register it first"),
    "RegistryTitleNotActive": (
        errors.TitleNotActive,
        "title {title} is {status}: only an active title can be liened or transferred; a registrar can restore it",
    ),
    "RegistryTitleCancelled": (errors.TitleNotActive, "title {title} is cancelled and can never change again"),
    "RegistryStatusUnchanged": (errors.TitleNotActive, "title {title} is already {status}: nothing to change"),
    "RegistryTitleEncumbered": (
        errors.TitleEncumbered,
        "title {title} has {activeLiens} active lien(s): every lienholder must release its lien before a transfer",
    ),
    "RegistryDirectTransferDisabled": (
        errors.InvalidOperation,
        "titles change hands only through a registrar: use `lienchain title transfer` as a registrar",
    ),
    "RegistryUnknownLien": (errors.LienNotFound, "no lien with id {lienId}: list a title's liens with `lienchain lien list VIN`"),
    "RegistryLienNotActive": (errors.LienNotActive, "lien {lienId} is already released: nothing to release"),
    "RegistryNotLienholder": (
        errors.NotLienholder,
        "only the lienholder {lienholder} may release lien {lienId}, not {caller}: sign with the lienholder's account",
    ),
    "RegistryConsentMissing": (
        errors.ConsentRequired,
        "title {title} already has an active lien, and its holder {seniorLienholder} has not consented: "
        "ask them for `lienchain lien consent VIN --to YOU --amount N --out FILE` and pass --consent FILE",
    ),
    "RegistryConsentInvalid": (errors.ConsentRejected, "consent #{index} carries no valid signature: ask for a new consent"),
    "RegistryConsentExpired": (errors.ConsentRejected, "consent #{index} expired at {deadline}: ask for a new consent"),
    "RegistryConsentUsed": (errors.ConsentRejected, "this consent was already used for another lien: ask for a new consent"),
    "RegistryConsentUnexpected": (
        errors.ConsentRejected,
        "consent #{index} recovers to {signer}, which holds no other active lien on this title: it was signed "
        "by another account, or for other terms (lender, amount, currency); pass only consents that the "
        "title's senior lienholders signed for exactly this lien",
    ),
    "RegistryInvalidValuation": (
        errors.InvalidOperation,
        "valuation {value} dated {valuedAt} of title {title} is refused: a valuation is above zero, not dated in "
        "the future, and not older than the oracle's previous one",
    ),
    "RegistryCurrencyMismatch": (
        errors.CurrencyMismatch,
        "title {title} is valued and liened in {expected}, not {actual}: give the amount in {expected}",
    ),
    "RegistryTitleFrozen": (
        errors.TitleFrozen,
        "title {title} is frozen: its liens stand at {ltv} of its value, over the {threshold} threshold; it takes "
        "no new lien until a release or a new valuation brings it back within the threshold",
    ),
    "RegistryLtvExceeded": (
        errors.LtvExceeded,
        "this lien would take title {title} to {ltv} of its value (a private lien counts at the limit it was "
        "proved within), over the {threshold} loan-to-value threshold: lend less",
    ),
    "RegistryValuationStale": (
        errors.ValuationStale,
        "every valuation of title {title} is stale (the latest dates from {latestValuedAt}): an oracle must "
        "value it again with `lienchain valuation set` before it takes a new lien",
    ),
    "RegistryInvalidSetting": (errors.InvalidOperation, "{value} is out of range for this setting"),
    "RegistryInvalidProof": (
        errors.InvalidOperation,
        "the registry refused the proof for title {title}: the title's value or threshold may have changed "
        "while it was made; run the command again",
    ),
    "RegistryPrivateLienNotFirst": (
        errors.InvalidOperation,
        "title {title} has {activeLiens} active lien(s): a private lien must be a title's first lien (its "
        "seniors could not consent to an amount they cannot see); grant a public lien with their consent",
    ),
    "RegistryValuationRequired": (
        errors.ValuationStale,
        "title {title} has no fresh valuation to prove a private amount against: an oracle must value it "
        "with `lienchain valuation set` first",
    ),
    "RegistryProofOverdue": (
        errors.TitleFrozen,
        "title {title} is frozen: its private lien {lienId} owed a new loan-to-value proof by {deadline}; "
        "its lender proves it with `lienchain lien prove {lienId}`",
    ),
    "RegistryLienNotPrivate": (errors.InvalidOperation, "lien {lienId} is public: its amount needs no proof"),
    "RegistryInvalidFoundingRole": (
        errors.InvalidOperation,
        "founding role #{index} ({role} to {account}) is refused: each founding role is REGISTRAR, LENDER, "
        "ORACLE or AUDITOR, given to a non-zero account",
    ),
    "AccessControlUnauthorizedAccount": (
        errors.MissingRole,
        "{account} does not hold the {neededRole} role: " + _PROPOSE,
    ),
    "AccessControlBadConfirmation": (errors.InvalidOperation, "a role can only be renounced by its holder"),
    "GovernanceNotMember": (errors.NotMember, "{account} is not a member of the consortium: only members propose and vote"),
    "GovernanceAlreadyMember": (errors.GovernanceRefused, "{account} is already a member"),
    "GovernanceLastMember": (errors.GovernanceRefused, "{account} is the last member and cannot be removed"),
    "GovernanceInvalidMembers": (
        errors.GovernanceRefused,
        "the founding members must be distinct, non-zero addresses, each with one sealer (or the zero address)",
    ),
    "GovernanceSealerTaken": (
        errors.GovernanceRefused,
        "{sealer} is already the sealer of member {member}: give each member its own sealer address",
    ),
    "GovernanceBatchMismatch": (
        errors.GovernanceRefused,
        "a batch needs one calldata per target, not {targets} target(s) and {calls} calldata",
    ),
    "GovernanceInvalidTarget": (errors.GovernanceRefused, "proposal target {target} is not a contract"),
    "GovernanceUnknownProposal": (errors.GovernanceRefused, "no proposal with id {proposalId}: see `lienchain member list`"),
    "GovernanceAlreadyApproved": (errors.GovernanceRefused, "{member} already voted for proposal {proposalId}"),
    "GovernanceAlreadyExecuted": (errors.GovernanceRefused, "proposal {proposalId} was already executed"),
    "GovernanceOnlySelf": (errors.GovernanceRefused, "membership changes only by a proposal: " + _PROPOSE),
    "GovernanceCallFailed": (errors.GovernanceRefused, "proposal {proposalId} reached a majority but its call failed: {reason}"),
    "GovernanceNoMajority": (
        errors.GovernanceRefused,
        "proposal {proposalId} has {approvals} of the {needed} approvals a majority of current members takes: "
        "ask more members to vote for it with `lienchain member vote {proposalId}`",
    ),
    "ERC721NonexistentToken": (errors.TitleNotFound, "no title registered for {title}: check the VIN, or register it first"),
}


@dataclass(frozen=True)
class _ErrorABI:
    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]


class RevertDecoder:
    """Turns revert data into the typed exception of its custom error."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        """Collects the custom errors of the given contract ABIs.

        Args:
            abis: The ABIs of every contract a call may reach.
        """
        self._errors: dict[bytes, _ErrorABI] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = tuple(_abi_type(i) for i in item["inputs"])
                selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
                self._errors[selector] = _ErrorABI(item["name"], tuple(i["name"] for i in item["inputs"]), types)

    def decode(self, data: bytes, *, titles: Mapping[int, str] | None = None) -> errors.ContractRevert:
        """Decodes revert data.

        Args:
            data: The revert data (selector and ABI-encoded arguments).
            titles: Known token ids and their VINs, so messages name the VIN.

        Returns:
            The typed exception (not raised), carrying the decoded arguments in `fields`. For
            `GovernanceCallFailed`, the proposal call's own revert is decoded too: the message
            states it, and `fields["cause"]` holds it as a typed exception (`fields["reason"]`
            keeps the raw revert data).
        """
        spec = self._errors.get(bytes(data[:4]))
        if spec is None:
            return errors.ContractRevert(
                f"the contract refused the operation without a known reason (revert data 0x{bytes(data).hex()})"
            )
        try:
            values = decode(list(spec.types), bytes(data[4:]))
        except Exception:  # malformed data from a foreign contract; report it rather than crash
            return errors.ContractRevert(f"the contract refused the operation with malformed {spec.name} data")
        fields = {name: plain(value) for name, value in zip(spec.names, values)}
        cls, template = _CATALOGUE.get(spec.name, (errors.ContractRevert, spec.name + " {fields}"))
        render = dict(fields)
        render["fields"] = dict(fields)
        if spec.name == "GovernanceCallFailed":
            # The raised exception may be re-raised `from None`, which clears `__cause__`: the inner
            # error travels in the fields instead.
            cause = self._decode_call_failure(bytes(values[spec.names.index("reason")]), titles)
            fields["cause"] = cause
            render["reason"] = str(cause)
        if "tokenId" in fields:
            render["title"] = (titles or {}).get(int(fields["tokenId"]), f"#{int(fields['tokenId']):#x}")
        if "status" in fields:
            render["status"] = TitleStatus(int(fields["status"])).label
        for key, name in (("ltvBps", "ltv"), ("thresholdBps", "threshold")):
            if key in fields:
                render[name] = percent(int(fields[key]))
        if "deadline" in fields:
            render["deadline"] = _utc(int(fields["deadline"]))
        if "neededRole" in fields:
            render["neededRole"] = role_name(bytes.fromhex(str(fields["neededRole"])[2:]))
        if "role" in fields:
            render["role"] = role_name(bytes.fromhex(str(fields["role"])[2:]))
        return cls(template.format(**render), name=spec.name, args=fields)


    def _decode_call_failure(self, reason: bytes, titles: Mapping[int, str] | None) -> errors.ContractRevert:
        if not reason:
            return errors.ContractRevert("the call reverted without a reason (it may have run out of gas)")
        return self.decode(reason, titles=titles)


def _utc(unix: int) -> str:
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def percent(bps: int) -> str:
    """Formats basis points as a percentage: 7000 -> "70%", 7012 -> "70.12%"."""
    return f"{bps / 100:.2f}".rstrip("0").rstrip(".") + "%"


def _abi_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return str(item["type"])

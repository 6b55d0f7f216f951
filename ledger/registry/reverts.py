"""Decoding contract reverts into typed exceptions, by custom-error selector.

Each custom error of the contracts' ABIs maps to its own exception class of `lienchain.errors`
(`CUSTOM_ERRORS`, named as the error is), which carries the decoded arguments, and to a message
template here that says what went wrong. Revert strings are never matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode
from eth_utils.abi import function_signature_to_4byte_selector

from ... import errors
from .records import Brand, TitleStatus, plain
from .roles import role_name

__all__ = ["MESSAGES", "AbiEntry", "RevertDecoder", "percent"]

# error name -> what went wrong, over the decoded arguments (and `title`, `ltv`, `threshold`, formatted
# from them). What to do next with the command line is the CLI's to say (cli/advice.py).
MESSAGES: dict[str, str] = {
    "RegistryInvalidVIN": "the registry refuses VIN {vin!r}: it must be normalized",
    "RegistryInvalidOwner": "{owner} cannot become the title's owner: give another address",
    "RegistryInvalidAmount": "a lien amount must be greater than zero and below 2**40 minor units, not {amount}",
    "RegistryLienNotLapsed": "lien {lienId} has not lapsed: it lapses after {lapsesAt}, its maturity and grace period",
    "RegistryEvidenceRequired": "releasing lien {lienId} against its holder's will needs the CID of the evidence",
    "RegistryTooManyLiens": "title {title} carries {max} active liens, the most a title may: one must end first",
    "RegistryTooManyValuers": "{max} current oracles have valued title {title}, the most a title keeps valuations of",
    "RegistryInvalidCurrency": "{currency} is no currency code: a currency is three capital letters A-Z",
    "RegistryInvalidMaturity": "maturity {maturity} is not in the future, or more than 30 years ahead",
    "RegistryTitleExists": "title {title} is already registered",
    "RegistryUnknownTitle": "no title registered for {title}: check the VIN, or register it first",
    "RegistryTitleNotActive": (
        "title {title} is {status}: only an active title can be liened or transferred; a registrar can restore it"
    ),
    "RegistryTitleCancelled": "title {title} is cancelled and can never change again",
    "RegistryStatusUnchanged": "title {title} is already {status}: nothing to change",
    "RegistryTitleEncumbered": (
        "title {title} has {activeLiens} active lien(s): every lienholder must release its lien before a transfer"
    ),
    "RegistryCancellationNeedsVote": (
        "cancelling title {title} can never be undone, so it takes a member vote, not one registrar"
    ),
    "RegistryDirectTransferDisabled": "titles change hands only through a registrar",
    "RegistryUnknownLien": "no lien with id {lienId}",
    "RegistryLienNotActive": "lien {lienId} has ended already (released, lapsed or released by vote)",
    "RegistryNotLienholder": (
        "only the lienholder {lienholder} may release lien {lienId}, not {caller}: sign with the lienholder's account"
    ),
    "RegistryConsentMissing": (
        "title {title} already has an active lien, and its holder {seniorLienholder} has not consented"
    ),
    "RegistryDocumentRequired": (
        "the step anchors no document (an empty CID): every registration, transfer, status change, brand, odometer "
        "reading, lien and valuation anchors one"
    ),
    "RegistryAuthorizationInvalid": "the authorization carries no valid signature: ask for a new one",
    "RegistryAuthorizationExpired": "the authorization expired at {deadline}: ask for a new one",
    "RegistryAuthorizationUsed": "this authorization was already used: each authorizes one lien or one transfer",
    "RegistryNotAuthorized": (
        "the authorization recovers to {signer}, who may not authorize this on title {title}: it must be "
        "signed for exactly these terms by the title's owner, or by a registrar other than the sender (for a "
        "lien, only where the consortium's policy admits registrars)"
    ),
    "RegistryConsentInvalid": "consent #{index} carries no valid signature: ask for a new consent",
    "RegistryConsentExpired": "consent #{index} expired at {deadline}: ask for a new consent",
    "RegistryConsentUsed": "this consent was already used for another lien: ask for a new consent",
    "RegistryConsentUnexpected": (
        "consent #{index} recovers to {signer}, which holds no other active lien on this title: it was signed "
        "by another account, or for other terms (lender, amount, currency); pass only consents that the "
        "title's senior lienholders signed for exactly this lien"
    ),
    "RegistryInvalidValuation": (
        "valuation {value} dated {valuedAt} of title {title} is refused: a valuation is above zero and below "
        "2**40 minor units, not dated in the future, and not older than the oracle's previous one"
    ),
    "RegistryCurrencyMismatch": (
        "title {title} is valued and liened in {expected}, not {actual}: give the amount in {expected}"
    ),
    "RegistryTitleFrozen": (
        "title {title} is frozen: its liens stand at {ltv} of its value, over the {threshold} threshold; it takes "
        "no new lien until a release or a new valuation brings it back within the threshold"
    ),
    "RegistryLtvExceeded": (
        "this lien would take title {title} to {ltv} of its value (a private lien counts at the limit it was "
        "proved within), over the {threshold} loan-to-value threshold: lend less"
    ),
    "RegistryValuationStale": (
        "title {title} has too few fresh valuations of current oracles for its value to count (the latest "
        "dates from {latestValuedAt}), and its value counted before: an oracle must value it again before it "
        "takes a new lien"
    ),
    "RegistryInvalidSetting": "{value} is out of range for this setting",
    "RegistrySettingUnchanged": "the setting is {value} already: a vote for the value it has would change nothing",
    "RegistryInvalidProof": (
        "the registry refused the proof for title {title}: the title's value or threshold may have changed "
        "while it was made"
    ),
    "RegistryPrivateLienNotFirst": (
        "title {title} has {activeLiens} active lien(s): a private lien must be a title's first lien (its "
        "seniors could not consent to an amount they cannot see); grant a public lien with their consent"
    ),
    "RegistryValuationRequired": (
        "title {title} has no value that counts (too few fresh valuations of current oracles) to prove a "
        "private amount against: oracles must value it first"
    ),
    "RegistryProofOverdue": (
        "title {title} is frozen: its private lien {lienId} owed a new loan-to-value proof by {deadline}"
    ),
    "RegistryLienNotPrivate": "lien {lienId} is public: its amount needs no proof",
    "RegistryLienUnacknowledged": (
        "title {title} is frozen: no auditor acknowledged by {deadline} that it can open its private lien "
        "{lienId}'s amount"
    ),
    "RegistryLienAcknowledged": "lien {lienId} is already acknowledged by an auditor",
    "RegistryRevealNotAllowed": (
        "{caller} may not reveal lien {lienId}'s amount: only its holder may, or an auditor once its "
        "loan-to-value proof is overdue, a proof window after a write found it due, while the title's value counts"
    ),
    "RegistryInvalidOpening": "the amount and blinding factor given do not open lien {lienId}'s commitment",
    "RegistryInvalidFoundingRole": (
        "founding role #{index} ({role} to {account}) is refused: each founding role is REGISTRAR, LENDER, "
        "ORACLE or AUDITOR, given to a non-zero account"
    ),
    "RegistryBrandPresent": "title {title} is branded {brand} already",
    "RegistryBrandAbsent": "title {title} is not branded {brand}: there is no such brand to remove",
    "RegistryBrandRemovalNeedsVote": (
        "removing brand {brand} from title {title} takes a member vote, not one registrar: a brand warns every "
        "later buyer and lender"
    ),
    "RegistryOdometerRollback": (
        "odometer reading {km} km of title {title} is below its last one, {last} km: a reading may go down only on "
        "a title branded ODOMETER-NOT-ACTUAL"
    ),
    "LifecycleDirectCall": "the lifecycle module runs only through the registry: send the call to the registry's address",
    "RegistryAcceptanceExpired": "the acceptance expired at {deadline}: ask for a new one",
    "RegistryAcceptanceUsed": "the acceptance was already used for lien {lienId}: ask for a new one",
    "RegistryNotAccepted": (
        "lien {lienId} is not accepted: the acceptance recovers to {signer}, not to the one who must accept "
        "(the assignee, or the junior lien's holder), or it does not cover this lien or these terms"
    ),
    "RegistryInvalidAssignee": "a lien is assigned only to another LENDER, not to {assignee}",
    "RegistryBatchMismatch": "the batch is empty, or its lists of liens, documents and proofs differ in length",
    "RegistryNotSenior": (
        "lien {lienId} cannot rank behind lien {behindLienId}: that must be a junior active lien on the same title"
    ),
    "RegistryPrivateLienStaysFirst": (
        "lien {lienId} is private and stays its title's first lien (its juniors consented without seeing its "
        "amount): its holder reveals it first"
    ),
    "RegistryNotBorrower": (
        "{caller} may not record lien {lienId}'s payoff: the title's owner does, or a registrar for an owner without a key"
    ),
    "RegistryPayoffRecorded": "lien {lienId}'s payoff is recorded already, at {paidOffAt}",
    "RegistryNoPayoff": "no payoff of lien {lienId} is recorded (or its holder disputed it)",
    "RegistryReleaseNotOverdue": (
        "lien {lienId} is not overdue for release: a registrar may release it after {releasableAt}, the release "
        "deadline and its grace period"
    ),
    "RegistrySameRegistrar": (
        "{registrar} recorded lien {lienId}'s payoff, so it may not also release the lien: another registrar does"
    ),
    "RegistryRepossessionByDefault": (
        "title {title}'s repossession is set only by a lienholder's default, and lifted only by redemption (the "
        "lien in default ends) or disposition"
    ),
    "RegistryTitleRepossessed": "title {title} is already repossessed, for lien {lienId} in default",
    "RegistryNotRepossessed": "title {title} is not repossessed: only a title whose lien is in default is disposed of",
    "RegistryNoticePeriodRunning": (
        "title {title}'s notice period after the default runs until {endsAt}: it is not disposed of before "
        "(its owner may still redeem it)"
    ),
    "RegistryDisputeTooLate": (
        "lien {lienId}'s payoff can no longer be disputed: its release deadline passed at {releaseDue}"
    ),
    "RegistryInvalidPrice": "a sale price must be greater than zero and below 2**40 minor units, not {price}",
    "AccessControlUnauthorizedAccount": "{account} does not hold the {neededRole} role",
    "AccessControlBadConfirmation": "a role can only be renounced by its holder",
    "ERC721NonexistentToken": "no title registered for {title}: check the VIN, or register it first",
    "ERC721IncorrectOwner": "{sender} does not own title {title}: {owner} does",
    "ERC721InsufficientApproval": "{operator} may not move title {title}",
    "ERC721InvalidApprover": "{approver} cannot approve title transfers",
    "ERC721InvalidOperator": "{operator} cannot be approved as an operator of titles",
    "ERC721InvalidOwner": "{owner} cannot own titles",
    "ERC721InvalidReceiver": "{receiver} cannot receive a title",
    "ERC721InvalidSender": "{sender} cannot send a title",
    "InvalidShortString": "the registry's EIP-712 domain holds a malformed short string",
    "StringTooLong": "{str!r} is too long for the registry's EIP-712 domain",
    "DocumentsNotMember": "{account} holds no role of the registry: only members' accounts record documents",
    "DocumentsNotGovernanceMember": (
        "{account} is not a member of the consortium: only a member's node attests erasures and anchors access logs"
    ),
    "DocumentsOnlyGovernance": "retention settings change only by a member vote, not by {account}",
    "DocumentsAlreadyRecorded": (
        "document {cid} is already recorded (by {author}): each document is recorded once, and a wrong record is "
        "corrected by a member vote"
    ),
    "DocumentsNotRecorded": "no document {cid} is recorded in the document registry: check the CID",
    "DocumentsNotAuthor": (
        "document {cid} is not yours to record: a step of {author} anchored it (the zero address: none did; then "
        "the lien's holder or a registrar records a lien's document, a registrar, oracle or auditor a title's)"
    ),
    "DocumentsNotStepSubject": (
        "document {cid} was anchored by a step about title {title} and lien {lienId} (0: the title itself): "
        "it is recorded about that subject, whose end starts its retention"
    ),
    "DocumentsInvalidInput": "a document's CID must be 1 to 100 bytes, and a batch 1 to 100 documents",
    "DocumentsInvalidSubject": "title {title} does not exist, or lien {lienId} is not a lien on it",
    "DocumentsBusinessEnded": (
        "document {cid} is about a business that ended at {endedAt} (the lien ended, or the title was cancelled): "
        "a document is attached to a lien or title that is still in force"
    ),
    "DocumentsBusinessOngoing": (
        "document {cid} cannot be erased yet: its business goes on (its lien is active, or the title has not changed "
        "hands or been cancelled since), and its retention starts only when that ends"
    ),
    "DocumentsNotDue": "document {cid} cannot be erased before {dueAt}, when its retention period runs out",
    "DocumentsAlreadyErased": "document {cid} was already erased at {erasedAt}",
    "DocumentsNotErased": "document {cid} was not erased: a member attests only an erasure on record",
    "DocumentsAlreadyAttested": "{member} already attested the erasure of document {cid}",
    "DocumentsInvalidPeriod": (
        "{value} seconds is out of range: a retention period is 1 second to 100 years, the access-log interval "
        "1 second to 30 days"
    ),
    "DocumentsLogNotAdvanced": (
        "the access log's head after {count} entries is not newer than the one anchored after {anchored}"
    ),
    "GovernanceNotMember": "{account} is not a member of the consortium: only members propose and vote",
    "GovernanceAlreadyMember": "{account} is already a member",
    "GovernanceLastMember": "{account} is the last member and cannot be removed",
    "GovernanceTooManyMembers": "the consortium has {max} members, the most it may have: remove one first",
    "GovernanceInvalidMembers": (
        "the founding members must be distinct, non-zero addresses, each with one sealer (or the zero address)"
    ),
    "GovernanceSealerTaken": (
        "{sealer} is already the sealer of member {member}: give each member its own sealer address"
    ),
    "GovernanceBatchMismatch": "a batch needs one calldata per target, not {targets} target(s) and {calls} calldata",
    "GovernanceInvalidTarget": "proposal target {target} is not a contract",
    "GovernanceUnknownProposal": "no proposal with id {proposalId}",
    "GovernanceAlreadyApproved": "{member} already voted for proposal {proposalId}",
    "GovernanceAlreadyExecuted": "proposal {proposalId} was already executed",
    "GovernanceOnlySelf": "membership and the voting period change only by a proposal",
    "GovernanceCallFailed": "proposal {proposalId} reached a majority but its call failed: {reason}",
    "GovernanceProposalExpired": "proposal {proposalId} expired at {deadline}: its voting period is over",
    "GovernanceProposalCancelled": "proposal {proposalId} was cancelled by its proposer",
    "GovernanceNotProposer": "only its proposer {proposer} may cancel proposal {proposalId}, not {caller}",
    "GovernanceInvalidVotingPeriod": "a voting period is 1 to 365 days, not {period} seconds",
    "GovernanceVotingPeriodUnchanged": (
        "the voting period is {period} seconds already: a vote for the value it has would change nothing"
    ),
    "GovernanceNotVoter": (
        "{member} became a member after proposal {proposalId} was made: only the members of the time vote on it"
    ),
    "ZkPrecompileFailed": "the verifier's elliptic-curve precompile refused its input: the proof is malformed",
}


@dataclass(frozen=True)
class AbiEntry:
    """An error or function of a contract ABI: its name, its inputs' names and types, its selector."""

    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> AbiEntry:
        """Returns the entry of an ABI item (an error or a function)."""
        return cls(item["name"], tuple(i["name"] for i in item["inputs"]), tuple(_abi_type(i) for i in item["inputs"]))

    @property
    def selector(self) -> bytes:
        """Returns the first four bytes of the keccak of its signature, as calldata and revert data carry."""
        return bytes(function_signature_to_4byte_selector(f"{self.name}({','.join(self.types)})"))


class RevertDecoder:
    """Turns revert data into the typed exception of its custom error."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        """Collects the custom errors of the given contract ABIs.

        Args:
            abis: The ABIs of every contract a call may reach.
        """
        self._errors: dict[bytes, AbiEntry] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                entry = AbiEntry.of(item)
                self._errors[entry.selector] = entry

    def decode(
        self, data: bytes, *, titles: Mapping[int, str] | None = None, operation: str | None = None
    ) -> errors.ContractRevert:
        """Decodes revert data.

        Args:
            data: The revert data (selector and ABI-encoded arguments).
            titles: Known token ids and their VINs, so messages name the VIN.
            operation: The contract function refused, which the message of a refusal without a
                custom error names (a panic, a `require` message, an error no ABI here declares).

        Returns:
            The typed exception of the custom error (not raised), carrying the decoded arguments
            as attributes (`exc.token_id`) and in `fields` (`fields["tokenId"]`); a plain
            `ContractRevert` for a panic, an `Error(string)` or an error no ABI given here
            declares, its message on one line. For `GovernanceCallFailed`,
            the proposal call's own revert is decoded too: the message states it, and `cause`
            holds it as a typed exception (`reason` keeps the raw revert data).
        """
        spec = self._errors.get(bytes(data[:4]))
        if spec is None:
            return errors.ContractRevert(f"the contract refused {operation or 'the operation'}: {_unknown_reason(bytes(data))}")
        try:
            values = decode(list(spec.types), bytes(data[4:]))
        except Exception:  # malformed data from a foreign contract; report it rather than crash
            return errors.ContractRevert(f"the contract refused the operation with malformed {spec.name} data")
        fields = {name: plain(value) for name, value in zip(spec.names, values)}
        cls = errors.CUSTOM_ERRORS.get(spec.name, errors.ContractRevert)
        template = MESSAGES.get(spec.name, spec.name + " {fields}")
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
        if "brand" in fields and int(fields["brand"]) in {b.value for b in Brand}:
            render["brand"] = Brand(int(fields["brand"])).label
        for key, name in (("ltvBps", "ltv"), ("thresholdBps", "threshold")):
            if key in fields:
                render[name] = percent(int(fields[key]))
        for key in ("deadline", "lapsesAt", "endsAt", "releasableAt", "paidOffAt", "releaseDue", "dueAt", "erasedAt", "endedAt"):
            if key in fields:
                render[key] = _utc(int(fields[key]))
        if "neededRole" in fields:
            render["neededRole"] = role_name(bytes.fromhex(str(fields["neededRole"])[2:]))
        if "role" in fields:
            render["role"] = role_name(bytes.fromhex(str(fields["role"])[2:]))
        return cls(template.format(**render), name=spec.name, args=fields)

    def _decode_call_failure(self, reason: bytes, titles: Mapping[int, str] | None) -> errors.ContractRevert:
        if not reason:
            return errors.ContractRevert("the call reverted without a reason (it may have run out of gas)")
        return self.decode(reason, titles=titles)


#: What Solidity's built-in checks panic with (`Panic(uint256)`), by code.
_PANICS = {
    0x01: "a failed assertion",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "a value out of its enum's range",
    0x22: "a corrupt storage byte array",
    0x31: "pop from an empty array",
    0x32: "an array index out of bounds",
    0x41: "too much memory",
    0x51: "a call of an uninitialized function",
}
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
_ERROR = bytes.fromhex("08c379a0")  # Error(string), what `require(condition, "message")` reverts with


def _unknown_reason(data: bytes) -> str:
    """Says on one line why a contract reverted without a custom error of the ABIs known."""
    selector = data[:4]
    if selector in (_PANIC, _ERROR):
        kind = "Panic" if selector == _PANIC else "Error"
        try:
            (value,) = decode(["uint256" if selector == _PANIC else "string"], data[4:])
        except Exception:  # noqa: BLE001 - malformed data from a foreign contract: say so, never crash
            return f"malformed {kind} data 0x{data.hex()}"
        if selector == _ERROR:
            return repr(" ".join(str(value).split()))  # one line, whatever the contract wrote
        known = _PANICS.get(int(value))
        return f"{known} (Panic {int(value):#04x})" if known else f"a panic of unknown code {int(value):#x}"
    return f"an error this client does not know (revert data 0x{data.hex()})"


def _utc(unix: int) -> str:
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def percent(bps: int) -> str:
    """Formats basis points as a percentage: 7000 -> "70%", 7012 -> "70.12%"."""
    return f"{bps / 100:.2f}".rstrip("0").rstrip(".") + "%"


def _abi_type(item: Mapping[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return str(item["type"])

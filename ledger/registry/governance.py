"""Governance: roles, members and settings change only by proposals a majority of members approve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from functools import cached_property

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from ...errors import UndecodableProposal
from .calls import CallDecoder
from .context import Hook, LedgerContext
from .deployment import NO_SEALER
from .records import Address, AuthorizationPolicy, Brand, Proposal, TitleStatus, from_struct
from .reverts import percent
from .roles import ROLES, role_id, role_name
from .vin import VIN

__all__ = ["Governance"]


class Governance:
    """The consortium's members, the registry's roles, and the proposals that change them."""

    def __init__(self, context: LedgerContext) -> None:
        """Binds the part to the ledger's shared context."""
        self._c = context

    @cached_property
    def _calls(self) -> CallDecoder:
        contracts = {"TitleRegistry": self._c.registry, "Governance": self._c.governance}
        if self._c.documents is not None:
            contracts["DocumentRegistry"] = self._c.documents
        return CallDecoder(contracts)

    # --- reads ----------------------------------------------------------------------------------

    def has_role(self, role: str, account: str) -> bool:
        """Returns whether an account holds a registry role.

        Args:
            role: REGISTRAR, LENDER, ORACLE or AUDITOR (case-insensitive, `_ROLE` optional).
            account: The account's address.

        Raises:
            InvalidRole: If the role is not one of the registry's.
        """
        fn = self._c.registry.functions.hasRole(role_id(role), Web3.to_checksum_address(account))
        return bool(self._c.reader.call(fn))

    def members(self) -> list[Address]:
        """Returns the consortium's current members."""
        return [Address(a) for a in self._c.reader.call(self._c.governance.functions.members())]

    def sealer_of(self, account: str) -> str:
        """Returns a member's Clique sealer address (`NO_SEALER` for none, or for a non-member)."""
        return str(self._c.reader.call(self._c.governance.functions.sealerOf(Web3.to_checksum_address(account))))

    def sealers(self) -> list[str]:
        """Returns the current members' sealer addresses, in member order, leaving out members that
        run no sealer: the signers the Clique chain should have."""
        return [str(a) for a in self._c.reader.call(self._c.governance.functions.sealers())]

    def proposal(self, proposal_id: int) -> Proposal:
        """Reads a proposal with its current approvals, its call decoded, and whether it expired.

        Raises:
            GovernanceUnknownProposal: If there is no proposal with this id.
        """
        return self._read(proposal_id, self._c.now())

    def voting_period(self) -> int:
        """Returns how long a proposal made now can be approved, in seconds."""
        return int(self._c.reader.call(self._c.governance.functions.votingPeriod()))

    def proposals(self) -> list[Proposal]:
        """Reads every proposal, oldest first."""
        count = self._c.reader.call(self._c.governance.functions.proposalCount())
        now = self._c.now()
        return [self._read(i, now) for i in range(1, count + 1)]

    def _read(self, proposal_id: int, now: int) -> Proposal:
        gov = self._c.governance.functions
        p = self._c.reader.call(gov.proposal(proposal_id))
        approvals = self._c.reader.call(gov.approvals(proposal_id))
        data = "0x" + bytes(p.data).hex()
        return from_struct(
            Proposal, p, id=proposal_id, target=Address(p.target), data=data, approvals=int(approvals),
            # Governance refuses a vote in a block of its expiry or later: the next block's time.
            expired=not p.executed and now >= p.expiresAt,
            call=self._calls.decode(p.target, data),
        )

    # --- proposals ------------------------------------------------------------------------------

    def propose_role(self, role: str, account: str, *, grant: bool = True) -> int:
        """Proposes granting (or revoking) a registry role; the proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            InvalidRole: If the role is not one of the registry's.
            NotMember: If the signer is not a member.
        """
        registry = self._c.registry
        verb = "grantRole" if grant else "revokeRole"
        data = registry.encode_abi(verb, [role_id(role), Web3.to_checksum_address(account)])
        what = f"{'grant' if grant else 'revoke'} {role.upper()} {'to' if grant else 'from'} {account}"
        return self.propose(registry.address, data, what)

    def propose_member(self, account: str, *, add: bool = True) -> int:
        """Proposes adding a member that runs no sealer and gets no role, or removing one: a removal
        revokes its roles too, as `propose_removal` does, so no former member keeps a role.

        Returns:
            The proposal id.

        Raises:
            NotMember: If the signer is not a member.
        """
        if not add:
            return self.propose_removal(account)
        gov = self._c.governance
        account = Web3.to_checksum_address(account)
        return self.propose(gov.address, gov.encode_abi("addMember", [account, NO_SEALER]), f"add member {account}")

    def propose_admission(self, account: str, sealer: str, roles: Sequence[str], description: str | None = None) -> int:
        """Proposes, in one vote, admitting a member with its sealer and granting it registry roles.

        Args:
            account: The new member's address.
            sealer: Its Clique sealer address (`NO_SEALER` if it runs none).
            roles: The registry roles to grant it (REGISTRAR, LENDER, ORACLE, AUDITOR).
            description: What the proposal does, for the other members [default: generated].

        Returns:
            The proposal id.

        Raises:
            InvalidRole: If a role is not one of the registry's.
            NotMember: If the signer is not a member.
        """
        account, sealer = Web3.to_checksum_address(account), Web3.to_checksum_address(sealer)
        names = [role_name(r) for r in roles]
        if description is None:
            runs = f"sealer {sealer}" if sealer != NO_SEALER else "no sealer"
            description = f"admit member {account} ({runs}) with roles {', '.join(names) or 'none'}"
        return self.propose(self._c.governance.address, self.admission_call(account, sealer, names), description)

    def admission_call(self, account: str, sealer: str, roles: Sequence[str]) -> str:
        """Returns the governance calldata that admits `account` with `sealer` and `roles` (hex):
        what an admission proposal must carry, for members to check a proposal against a card."""
        gov, registry = self._c.governance, self._c.registry
        account, sealer = Web3.to_checksum_address(account), Web3.to_checksum_address(sealer)
        calls = [(gov.address, gov.encode_abi("addMember", [account, sealer]))]
        calls += [(registry.address, registry.encode_abi("grantRole", [role_id(r), account])) for r in roles]
        return self._batch_call(calls)

    def propose_removal(self, account: str, description: str | None = None) -> int:
        """Proposes, in one vote, revoking every registry role of a member and removing it.

        Every role is revoked, not only those it holds now, so a role granted to it while the
        vote runs goes too.

        Args:
            account: The member's address.
            description: What the proposal does, for the other members [default: generated].

        Returns:
            The proposal id.

        Raises:
            NotMember: If the signer is not a member.
        """
        gov, registry = self._c.governance, self._c.registry
        account = Web3.to_checksum_address(account)
        calls = [(registry.address, registry.encode_abi("revokeRole", [role_id(r), account])) for r in ROLES]
        calls.append((gov.address, gov.encode_abi("removeMember", [account])))
        if description is None:
            held = [r for r in ROLES if self.has_role(r, account)]
            description = f"remove member {account} and revoke its roles ({', '.join(held) or 'none held'})"
        return self.propose(gov.address, self._batch_call(calls), description)

    def propose_ltv_threshold(self, threshold_bps: int) -> int:
        """Proposes a new loan-to-value threshold (basis points); the proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        description = f"set the loan-to-value threshold to {percent(threshold_bps)}"
        return self._propose_setting("setLtvThreshold", threshold_bps, description)

    def propose_staleness_window(self, seconds: int) -> int:
        """Proposes how long a valuation counts (seconds); the proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._propose_setting("setStalenessWindow", seconds, f"count valuations for {seconds // 86400} days ({seconds} s)")

    def propose_proof_window(self, seconds: int) -> int:
        """Proposes how long a private lienholder has to prove its lien again (seconds); the
        proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._propose_setting("setProofWindow", seconds, f"give private liens {seconds} s to prove again")

    def propose_voting_period(self, seconds: int) -> int:
        """Proposes how long later proposals can be approved (seconds); the proposer's vote counts
        at once. Proposals made before keep their expiry.

        Returns:
            The proposal id.

        Raises:
            GovernanceVotingPeriodUnchanged, GovernanceInvalidVotingPeriod: If governance would
                refuse the period now (nothing is proposed).
        """
        gov = self._c.governance
        self._c.reader.call(gov.functions.setVotingPeriod(seconds), sender=gov.address)
        description = f"let proposals be approved for {seconds / 86400:g} days ({seconds} s)"
        return self.propose(gov.address, gov.encode_abi("setVotingPeriod", [seconds]), description)

    def propose_lapse_grace(self, seconds: int) -> int:
        """Proposes how long after its maturity a lien lapses (seconds); the proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._propose_setting("setLapseGrace", seconds, f"let liens lapse {seconds // 86400} days ({seconds} s) after maturity")

    def propose_authorization_policy(self, policy: AuthorizationPolicy) -> int:
        """Proposes who, besides a title's owner, may authorize a new lien; the proposer's vote
        counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged: If it is the policy now (nothing is proposed).
        """
        who = "the owner alone" if policy == AuthorizationPolicy.OWNER_ONLY else "the owner or a registrar"
        return self._propose_setting("setAuthorizationPolicy", int(policy), f"let {who} authorize a new lien")

    def propose_min_valuations(self, count: int) -> int:
        """Proposes how many fresh valuations of current oracles a title's value needs; the
        proposer's vote counts at once.

        Returns:
            The proposal id.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._propose_setting("setMinValuations", count, f"let a title's value need {count} fresh valuation(s)")

    def propose_force_release(self, lien_id: int, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes that governance releases a lien on the evidence of a document (a court order, a
        proof of payoff); the proposer's vote counts at once.

        Args:
            lien_id: The lien, active.
            evidence_cid: The CID of the sealed evidence document.
            on_accepted: Called once governance accepted the proposal and before it is final: the
                place to store the evidence the proposal names.

        Returns:
            The proposal id.

        Raises:
            RegistryEvidenceRequired, LienNotActive, LienNotFound: If the registry would refuse the
                release now (nothing is proposed).
        """
        return self.propose_registry_call("forceReleaseLien", [lien_id, evidence_cid],
                                           f"release lien {lien_id} on the evidence of {evidence_cid}", on_accepted)

    def propose_cancellation(self, vin: VIN, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes that governance cancels a title, which can never be undone (a vehicle destroyed
        or exported), on the evidence of a document; the proposer's vote counts at once.

        Args:
            vin: The title.
            evidence_cid: The CID of the sealed evidence document.
            on_accepted: Called once governance accepted the proposal and before it is final: the
                place to store the evidence the proposal names.

        Returns:
            The proposal id.

        Raises:
            RegistryTitleCancelled, RegistryDocumentRequired, TitleNotFound: If the registry would
                refuse the cancellation now (nothing is proposed).
        """
        args = [self._c.token(vin), int(TitleStatus.CANCELLED), evidence_cid]
        return self.propose_registry_call("setTitleStatus", args,
                                           f"cancel title {vin} on the evidence of {evidence_cid}", on_accepted)

    def propose_restoration(self, vin: VIN, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes that governance makes a title active again on the evidence of a document — a
        repossessed one whose default was wrong (its lien stays; its default ends) —; the
        proposer's vote counts at once.

        Raises:
            RegistryStatusUnchanged, RegistryTitleCancelled, RegistryDocumentRequired,
                TitleNotFound: If the registry would refuse it now (nothing is proposed).
        """
        args = [self._c.token(vin), int(TitleStatus.ACTIVE), evidence_cid]
        return self.propose_registry_call("setTitleStatus", args,
                                           f"make title {vin} active again on the evidence of {evidence_cid}", on_accepted)

    def propose_brand_removal(self, vin: VIN, brand: Brand, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes that governance removes a brand from a title (one registrar cannot: a brand
        warns every later buyer and lender), on the evidence of a document; the proposer's vote
        counts at once.

        Args:
            vin: The title.
            brand: The brand it carries.
            evidence_cid: The CID of the sealed evidence document (a court order, an inspection).
            on_accepted: As for `propose_cancellation`.

        Returns:
            The proposal id.

        Raises:
            RegistryBrandAbsent, RegistryTitleCancelled, RegistryDocumentRequired, TitleNotFound: If
                the registry would refuse the removal now (nothing is proposed).
        """
        args = [self._c.token(vin), int(brand), evidence_cid]
        return self.propose_registry_call("removeBrand", args,
                                           f"remove brand {brand.label} from title {vin} on the evidence of "
                                           f"{evidence_cid}", on_accepted)

    def _propose_setting(self, setter: str, value: int, description: str) -> int:
        return self.propose_registry_call(setter, [value], description)

    def propose_registry_call(self, function: str, args: list[Any], description: str, on_accepted: Hook = None) -> int:
        """Proposes that governance calls a registry function; the proposer's vote counts at once.

        The call is run first as governance would run it once the vote passed, so that what the
        registry refuses now (a setting's current value, a lien without evidence) is refused
        before any proposal is made.

        Raises:
            ContractRevert: If the registry would refuse the call now (nothing is proposed).
        """
        return self.propose_contract_call(self._c.registry, function, args, description, on_accepted=on_accepted)

    def propose_contract_call(
        self, contract: Contract, function: str, args: list[Any], description: str, on_accepted: Hook = None,
    ) -> int:
        """Proposes that governance calls a function of one of the deployment's contracts (the
        registry, the document registry), after running it as governance would (see
        `propose_registry_call`); the proposer's vote counts at once.

        Raises:
            ContractRevert: If the contract would refuse the call now (nothing is proposed).
        """
        self._c.reader.call(contract.functions[function](*args), sender=self._c.governance.address, titles=self._c.vins)
        return self.propose(contract.address, contract.encode_abi(function, args), description, on_accepted=on_accepted)

    def propose(self, target: str, data: str, description: str, *, on_accepted: Hook = None) -> int:
        """Proposes that governance calls `target` with `data`; the proposer's vote counts at once.

        Args:
            target: The contract governance calls once a majority approved.
            data: The calldata, hex.
            description: What the proposal does, for the other members.
            on_accepted: As for `Transactor.send`: called once governance accepted the proposal.

        Returns:
            The proposal id.

        Raises:
            NotMember, GovernanceInvalidTarget: If governance refuses the proposal.
        """
        gov = self._c.governance
        receipt = self._c.signer().send(gov.functions.propose(target, data, description), on_accepted=on_accepted)
        (log,) = gov.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
        return int(log["args"]["proposalId"])

    # --- votes ----------------------------------------------------------------------------------

    def approve(self, proposal_id: int, *, raw: bool = False) -> Proposal:
        """Votes for a proposal; it executes once its approvals are more than half of the members
        it was made with.

        Args:
            proposal_id: The proposal.
            raw: Vote even for a call lienchain cannot decode (see `Proposal.call`), whose effect
                the voter has checked otherwise.

        Returns:
            The proposal after the vote.

        Raises:
            UndecodableProposal: If lienchain cannot decode the call and `raw` is not given.
            GovernanceUnknownProposal: If there is no proposal with this id.
            NotMember, GovernanceRefused: If governance refuses the vote (`GovernanceNotVoter` from a
                member admitted after the proposal was made; `GovernanceCallFailed`, whose `cause`
                is the call's own typed error, if the vote carried it but its call failed).
        """
        if not raw and self.proposal(proposal_id).call is None:
            raise UndecodableProposal(proposal_id)
        self._c.signer().send(self._c.governance.functions.approve(proposal_id))
        return self.proposal(proposal_id)

    def cancel(self, proposal_id: int) -> Proposal:
        """Cancels a proposal the signer made, which has not run: no vote carries it from then on.

        Returns:
            The proposal, cancelled.

        Raises:
            NotMember: If the signer is not a member.
            GovernanceRefused: If the signer did not make it (`GovernanceNotProposer`), or it ran or
                was cancelled already.
        """
        self._c.signer().send(self._c.governance.functions.cancel(proposal_id))
        return self.proposal(proposal_id)

    def _batch_call(self, calls: Sequence[tuple[str, str]]) -> str:
        """Returns the calldata of governance's `batch`: the calls in order, all or nothing."""
        targets = [t for t, _ in calls]
        return str(self._c.governance.encode_abi("batch", [targets, [bytes.fromhex(d[2:]) for _, d in calls]]))

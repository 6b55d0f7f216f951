"""The `Ledger`: typed operations on a consortium's title registry over one chain.

The facade composes parts of one concern each, as web3.py's `Web3` composes `w3.eth` and
`w3.net` from one small module class per file: `Titles`, `Liens` (with consents), `PrivateLiens`,
`Valuations`, `Governance` and `History`. They share one `LedgerContext`, built here and nowhere
else; each method below hands its work to the part that owns it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import BlockIdentifier

from ...contracts.build import load_artifact, registry_abi
from ...errors import ChainIdMismatch
from ..chain.base import Chain
from ..chain.transactions import Transactor
from .assignments import AssignmentAcceptance, Assignments, SubordinationAcceptance
from .authorization import NO_COMMITMENT, LienAuthorization, SaleAuthorization, TransferAuthorization
from .consent import Consent
from .context import Hook, IndexFile, LedgerContext
from .defaults import Defaults
from .deployment import Deployment
from .governance import Governance
from .history import History
from .index import EventIndex
from .liens import Liens, LienTerms
from .payoffs import Payoffs
from .private_liens import PrivateLiens
from .records import (
    Address, Appraisal, AuthorizationPolicy, Brand, Disposition, Enforcement, Event, Lien, LienId, Payoff,
    PrivateLienState, Proposal, Title, TitleStatus, Valuation,
)
from .retention import DocumentRetention
from .reverts import RevertDecoder
from .titles import Titles
from .valuations import Valuations
from .vin import VIN, TokenId

if TYPE_CHECKING:  # the proofs are imported where private liens need them: reads do not
    from ...zk.curve import Point
    from ...zk.pedersen import Opening

__all__ = ["Ledger", "LienTerms"]


class Ledger:
    """Typed operations on the registry and its governance.

    Reads need no account; writes are signed by the account given with `as_account`.
    """

    def __init__(
        self,
        chain: Chain,
        deployment: Deployment,
        *,
        check_chain_id: bool = True,
        index_path: Path | None = None,
    ) -> None:
        """Connects the facade to a deployment.

        Args:
            chain: The deployment's chain: the embedded one, or a member's node (`RpcChain`).
            deployment: The deployment record.
            check_chain_id: Compare the chain's id with the deployment's (on by default).
            index_path: An SQLite file for the local event index that `history` and `liens` read
                and `sync_index` returns [default: none; they read the chain, and `sync_index`
                refuses].

        Raises:
            ChainIdMismatch: If the node serves another chain.
        """
        if check_chain_id and chain.chain_id != deployment.chain_id:
            raise ChainIdMismatch(deployment.chain_id, chain.chain_id)
        w3 = chain.w3  # for contract objects (ABI encoding and decoding); I/O goes through `chain`
        # Structs decode by name (`record.docCid`), never by position.
        registry = w3.eth.contract(address=Web3.to_checksum_address(deployment.registry),
                                   abi=registry_abi(), decode_tuples=True)
        governance = w3.eth.contract(address=Web3.to_checksum_address(deployment.governance),
                                     abi=load_artifact("Governance").abi, decode_tuples=True)
        documents = w3.eth.contract(address=Web3.to_checksum_address(deployment.documents),
                                    abi=load_artifact("DocumentRegistry").abi,
                                    decode_tuples=True) if deployment.documents else None
        # The registry's calls into its verifier pass the verifier's reverts up as they are.
        decoder = RevertDecoder([cast(Any, registry.abi), cast(Any, governance.abi), load_artifact("ZkVerifier").abi,
                                 load_artifact("DocumentRegistry").abi])
        # Every transactor of this ledger and of its `as_account` copies comes from here.
        self._transactor: Callable[[LocalAccount], Transactor] = functools.partial(
            Transactor, chain, decoder=decoder)
        index = (IndexFile(index_path, chain, registry, start_block=deployment.block, documents=documents)
                 if index_path is not None else None)
        self._compose(LedgerContext(chain, w3, deployment, registry, governance, reader=self._transactor(_NO_ACCOUNT),
                                    tx=None, vins={}, index=index, documents=documents))

    def _compose(self, context: LedgerContext) -> None:
        """Builds the parts over one context."""
        self._context = context
        self.chain: Chain = context.chain
        self.w3: Web3 = context.w3
        self.deployment: Deployment = context.deployment
        self.registry: Contract = context.registry
        self.governance: Contract = context.governance
        self._governance = Governance(context)
        self._titles = Titles(context, self._governance)
        self._history = History(context, self._titles)
        self._liens = Liens(context, self._titles, self._history, self._governance)
        self._valuations = Valuations(context)
        self._private = PrivateLiens(context, self._liens, self._valuations)
        self._assignments = Assignments(context, self._liens)
        self._payoffs = Payoffs(context, self._liens, self._governance)
        self._defaults = Defaults(context, self._governance)
        #: The retention of anchored documents, their erasure and the access-log anchors.
        self.retention = DocumentRetention(context, self._governance)

    def as_account(self, account: LocalAccount) -> Ledger:
        """Returns a ledger on the same connection whose writes `account` signs."""
        other = Ledger.__new__(Ledger)
        other._transactor = self._transactor
        other._compose(replace(self._context, tx=self._transactor(account)))
        return other

    @property
    def address(self) -> Address:
        """Returns the signing account's address.

        Raises:
            NoSigningAccount: If the ledger has no signing account.
        """
        return Address(self._context.signer().address)

    def now(self) -> int:
        """Returns the earliest time the next block can carry: the later of the chain's time (its
        latest block's) and this machine's clock. Deadlines are checked against block time, and the
        embedded chain's clock runs ahead of the wall clock under load (each block is at least a
        second after its parent), while an idle chain's lags behind it: count deadlines from here.
        """
        return self._context.now()

    def timings(self) -> dict[str, float]:
        """Returns the seconds the signing account's writes spent per phase (see `Transactor.timings`)."""
        return dict(self._context.signer().timings)

    def send_value(self, to: str, value: int) -> None:
        """Sends ether (gas money) from the signing account to an address.

        Raises:
            InsufficientFunds, TransactionFailed: If the node refuses the transaction.
        """
        self._context.signer().send_value(Web3.to_checksum_address(to), value)

    def close(self) -> None:
        """Closes the event index, if one is open."""
        if self._context.index is not None:
            self._context.index.close()

    # --- titles (see `Titles`) ------------------------------------------------------------------

    def register_title(self, vin: VIN, owner: str, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Registers a title (REGISTRAR): see `Titles.register`."""
        return self._titles.register(vin, owner, doc_cid=doc_cid, on_accepted=on_accepted)

    def register_titles(self, items: Sequence[tuple[VIN, str, str]]) -> list[TokenId]:
        """Registers many titles in a row, all or nothing (REGISTRAR): see `Titles.register_many`."""
        return self._titles.register_many(items)

    def transfer_title(
        self, vin: VIN, to: str, *, km: int, authorization: TransferAuthorization | None, doc_cid: str,
        on_accepted: Hook = None,
    ) -> Title:
        """Records a title's transfer to a new owner with its odometer reading (REGISTRAR),
        authorized: see `Titles.transfer`."""
        return self._titles.transfer(vin, to, km=km, authorization=authorization, doc_cid=doc_cid,
                                     on_accepted=on_accepted)

    def authorize_transfer(self, vin: VIN, to: str, *, deadline: int) -> TransferAuthorization:
        """Signs, as a title's owner or a registrar, the authorization of its transfer: see
        `Titles.authorize_transfer`."""
        return self._titles.authorize_transfer(vin, to, deadline=deadline)

    def set_title_status(self, vin: VIN, status: TitleStatus, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Marks a title stolen, cancelled or active again (REGISTRAR): see `Titles.set_status`."""
        return self._titles.set_status(vin, status, doc_cid=doc_cid, on_accepted=on_accepted)

    def brand_title(self, vin: VIN, brand: Brand, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Brands a title for good (REGISTRAR): see `Titles.brand`."""
        return self._titles.brand(vin, brand, doc_cid=doc_cid, on_accepted=on_accepted)

    def record_odometer(self, vin: VIN, km: int, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Records an odometer reading of a title (REGISTRAR): see `Titles.record_odometer`."""
        return self._titles.record_odometer(vin, km, doc_cid=doc_cid, on_accepted=on_accepted)

    def review_title(self, vin: VIN) -> None:
        """Reviews a title as of now (anyone): see `Titles.review`."""
        self._titles.review(vin)

    def vin_of(self, token: int) -> VIN:
        """Returns the VIN of a title by token id: see `Titles.vin_of`."""
        return self._titles.vin_of(token)

    def title(self, vin: VIN) -> Title:
        """Reads a title with its owner and number of active liens: see `Titles.get`."""
        return self._titles.get(vin)

    # --- liens and consents (see `Liens`) -------------------------------------------------------

    def grant_lien(
        self, vin: VIN, amount: int, *, currency: str, maturity: int, doc_cid: str,
        consents: Iterable[Consent] = (), authorization: LienAuthorization | None = None, on_accepted: Hook = None,
    ) -> Lien:
        """Grants the signing lender a lien (LENDER), authorized: see `Liens.grant`."""
        terms = LienTerms(vin, amount, currency, maturity, doc_cid, tuple(consents), authorization)
        return self._liens.grant(terms, on_accepted=on_accepted)

    def authorize_lien(
        self, vin: VIN, *, lender: str, amount: int, currency: str, maturity: int, deadline: int,
        commitment: str = NO_COMMITMENT, opening: str = "",
    ) -> LienAuthorization:
        """Signs, as a title's owner or a registrar, the authorization of one new lien: see
        `Liens.authorize`."""
        return self._liens.authorize(vin, lender=lender, amount=amount, currency=currency, maturity=maturity,
                                     deadline=deadline, commitment=commitment, opening=opening)

    def authorize_liens(self, items: Sequence[LienTerms], *, lender: str, deadline: int) -> list[LienTerms]:
        """Signs, as a registrar, the authorization of many liens of `lender`: see `Liens.authorize_many`."""
        return self._liens.authorize_many(items, lender=lender, deadline=deadline)

    def authorization_policy(self) -> AuthorizationPolicy:
        """Returns who, besides a title's owner, may authorize a new lien: see `Liens.policy`."""
        return self._liens.policy()

    def grant_liens(self, items: Sequence[LienTerms]) -> list[LienId]:
        """Grants the signing lender many liens in a row, all or nothing (LENDER): see `Liens.grant_many`."""
        return self._liens.grant_many(items)

    def submit_lien(self, terms: LienTerms) -> str:
        """Sends a lien grant without waiting for it to be mined (LENDER): see `Liens.submit`."""
        return self._liens.submit(terms)

    def release_lien(self, lien_id: int) -> Lien:
        """Releases a lien (its lienholder only): see `Liens.release`."""
        return self._liens.release(lien_id)

    def mark_lapsed(self, lien_id: int) -> Lien:
        """Marks a lien lapsed, past its maturity and grace period (anyone): see `Liens.mark_lapsed`."""
        return self._liens.mark_lapsed(lien_id)

    def lien(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Lien:
        """Reads a lien: see `Liens.get`."""
        return self._liens.get(lien_id, block=block)

    def liens(self, vin: VIN) -> list[Lien]:
        """Reads every lien ever granted on a title, in priority order: see `Liens.of_title`."""
        return self._liens.of_title(vin)

    def liens_held_at(self, lender: str, *, block: int) -> list[Lien]:
        """Reads the liens a lender held active at a block, from the chain alone: see `Liens.held_at`."""
        return self._liens.held_at(lender, block=block)

    def lien_document(self, lien_id: int) -> str:
        """Returns the CID of a lien's current document: its latest assignment's, else its grant's
        (see `Liens.document`)."""
        return self._liens.document(lien_id)

    # --- assignments and subordinations (see `Assignments`) ------------------------------------

    def accept_assignment(self, lien_ids: Sequence[int], *, assignor: str, deadline: int) -> AssignmentAcceptance:
        """Signs, as the assignee, the acceptance of a portfolio of liens: see `Assignments.accept`."""
        return self._assignments.accept(lien_ids, assignor=assignor, deadline=deadline)

    def pending_assignment(self, lien_ids: Sequence[int], to: str, acceptance: AssignmentAcceptance) -> list[Lien]:
        """Checks a whole assignment and returns the liens still to assign: see `Assignments.pending`."""
        return self._assignments.pending(lien_ids, to, acceptance)

    def assign_liens(
        self, liens: Sequence[tuple[Lien, str]], to: str, *, portfolio: Sequence[int],
        acceptance: AssignmentAcceptance, on_batch: Callable[[int], object] | None = None,
        on_accepted: Callable[[Sequence[tuple[Lien, str]]], object] | None = None,
    ) -> None:
        """Assigns liens to another LENDER, in batches: see `Assignments.assign`."""
        self._assignments.assign(liens, to, portfolio=portfolio, acceptance=acceptance, on_batch=on_batch,
                                 on_accepted=on_accepted)

    def accept_subordination(self, lien_id: int, behind_lien_id: int, *, deadline: int) -> SubordinationAcceptance:
        """Signs, as a junior lien's holder, the acceptance of a senior's subordination to it: see
        `Assignments.accept_subordination`."""
        return self._assignments.accept_subordination(lien_id, behind_lien_id, deadline=deadline)

    def subordinate_lien(
        self, lien_id: int, behind_lien_id: int, *, acceptance: SubordinationAcceptance, doc_cid: str,
        on_accepted: Hook = None,
    ) -> list[Lien]:
        """Ranks a lien right behind a junior one: see `Assignments.subordinate`."""
        return self._assignments.subordinate(lien_id, behind_lien_id, acceptance=acceptance, doc_cid=doc_cid,
                                             on_accepted=on_accepted)

    # --- default and disposition (see `Defaults`) ---------------------------------------------

    def declare_default(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Enforcement:
        """Declares the signing lender's lien in default, repossessing its title: see `Defaults.declare`."""
        return self._defaults.declare(lien_id, doc_cid=doc_cid, on_accepted=on_accepted)

    def authorize_sale(self, vin: VIN, buyer: str, price: int, *, deadline: int) -> SaleAuthorization:
        """Signs, as a repossessed title's owner or a registrar, the authorization of one sale: see
        `Defaults.authorize_sale`."""
        return self._defaults.authorize_sale(vin, buyer, price, deadline=deadline)

    def dispose_title(
        self, vin: VIN, buyer: str, price: int, *, km: int, authorization: SaleAuthorization, doc_cid: str,
        opening: Opening | None = None, on_accepted: Hook = None,
    ) -> Disposition:
        """Sells a repossessed title past the notice period, paying its liens by priority: see `Defaults.dispose`."""
        return self._defaults.dispose(vin, buyer, price, km=km, authorization=authorization, doc_cid=doc_cid,
                                      opening=opening, on_accepted=on_accepted)

    def withdraw_default(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> None:
        """Withdraws the default of the signing lender's lien: see `Defaults.withdraw`."""
        self._defaults.withdraw(lien_id, doc_cid=doc_cid, on_accepted=on_accepted)

    def enforcement(self, vin: VIN) -> Enforcement:
        """Reads a title's default, if it is repossessed: see `Defaults.of`."""
        return self._defaults.of(vin)

    def recovery(self, lien_id: int) -> int:
        """Returns what a disposition paid a discharged lien: see `Defaults.recovery`."""
        return self._defaults.recovery(lien_id)

    def notice_period(self) -> int:
        """Returns how long after a default its lienholder must wait to dispose of the title, in seconds."""
        return self._defaults.notice_period()

    def propose_notice_period(self, seconds: int) -> int:
        """Proposes the notice period: see `Defaults.propose_notice_period`."""
        return self._defaults.propose_notice_period(seconds)

    # --- payoffs and the release deadline (see `Payoffs`) --------------------------------------

    def record_payoff(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Payoff:
        """Records a lien's payoff (the title's owner, or a REGISTRAR): see `Payoffs.record`."""
        return self._payoffs.record(lien_id, doc_cid=doc_cid, on_accepted=on_accepted)

    def dispute_payoff(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Payoff:
        """Disputes a recorded payoff of the signing lender's lien: see `Payoffs.dispute`."""
        return self._payoffs.dispute(lien_id, doc_cid=doc_cid, on_accepted=on_accepted)

    def release_paid_off(self, lien_id: int, *, evidence_cid: str, on_accepted: Hook = None) -> Lien:
        """Releases an overdue paid-off lien (a second REGISTRAR): see `Payoffs.release`."""
        return self._payoffs.release(lien_id, evidence_cid=evidence_cid, on_accepted=on_accepted)

    def payoff(self, lien_id: int) -> Payoff:
        """Reads a lien's recorded payoff: see `Payoffs.get`."""
        return self._payoffs.get(lien_id)

    def release_deadline(self) -> int:
        """Returns how long a lienholder has to release a paid-off lien, in seconds."""
        return self._payoffs.deadline()

    def release_grace(self) -> int:
        """Returns how long after the release deadline a registrar may release a paid-off lien, in seconds."""
        return self._payoffs.grace()

    def propose_release_deadline(self, seconds: int) -> int:
        """Proposes the release deadline: see `Payoffs.propose_deadline`."""
        return self._payoffs.propose_deadline(seconds)

    def propose_release_grace(self, seconds: int) -> int:
        """Proposes the release grace period: see `Payoffs.propose_grace`."""
        return self._payoffs.propose_grace(seconds)

    def sign_consent(self, vin: VIN, *, lender: str, amount: int, currency: str, deadline: int) -> Consent:
        """Signs, as a senior lienholder, a consent to a new lien for `lender`: see `Liens.sign_consent`."""
        return self._liens.sign_consent(vin, lender=lender, amount=amount, currency=currency, deadline=deadline)

    # --- private liens (see `PrivateLiens`) -----------------------------------------------------

    def grant_private_lien(
        self, vin: VIN, opening: Opening, *, currency: str, maturity: int,
        authorization: LienAuthorization | None = None, doc_cid: str, on_accepted: Hook = None,
    ) -> Lien:
        """Grants the signing lender a private lien (LENDER), authorized: see `PrivateLiens.grant`."""
        return self._private.grant(vin, opening, currency=currency, maturity=maturity, authorization=authorization,
                                   doc_cid=doc_cid, on_accepted=on_accepted)

    def acknowledge_lien(self, lien_id: int) -> PrivateLienState:
        """Acknowledges, as an AUDITOR, having opened a private lien's amount: see `PrivateLiens.acknowledge`."""
        return self._private.acknowledge(lien_id)

    def prove_lien(self, lien_id: int, opening: Opening, *, reserve: int = 0) -> PrivateLienState:
        """Proves a private lien's amount within what the threshold allows now: see `PrivateLiens.prove`."""
        return self._private.prove(lien_id, opening, reserve=reserve)

    def reveal_lien(self, lien_id: int, opening: Opening) -> Lien:
        """Reveals a private lien's amount on chain, making it public: see `PrivateLiens.reveal`."""
        return self._private.reveal(lien_id, opening)

    def private_lien(self, vin: VIN) -> PrivateLienState | None:
        """Reads a title's active private lien, if any: see `PrivateLiens.state`."""
        return self._private.state(vin)

    def lien_commitment(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Point:
        """Reads a private lien's amount commitment: see `PrivateLiens.commitment`."""
        return self._private.commitment(lien_id, block=block)

    def verifier_contract(self, address: str) -> Contract:
        """Returns the ZkVerifier contract at `address`, to call its checks."""
        return self._private.verifier_contract(address)

    # --- valuations and loan-to-value (see `Valuations`) ----------------------------------------

    def set_valuation(
        self, vin: VIN, value: int, *, currency: str, valued_at: int | None = None, doc_cid: str,
        on_accepted: Hook = None,
    ) -> Appraisal:
        """Posts the signing oracle's valuation of a title (ORACLE): see `Valuations.post`."""
        return self._valuations.post(vin, value, currency=currency, valued_at=valued_at, doc_cid=doc_cid,
                                     on_accepted=on_accepted)

    def appraisal(self, vin: VIN) -> Appraisal:
        """Reads a title's value, loan-to-value and frozen state: see `Valuations.appraisal`."""
        return self._valuations.appraisal(vin)

    def appraisal_of(self, token: int, *, block: BlockIdentifier = "latest") -> Appraisal:
        """Reads a title's appraisal by token id, as of `block`: see `Valuations.appraisal_of`."""
        return self._valuations.appraisal_of(token, block=block)

    def valuations(self, vin: VIN) -> list[Valuation]:
        """Reads each oracle's latest valuation of a title: see `Valuations.latest`."""
        return self._valuations.latest(vin)

    def ltv_threshold(self) -> int:
        """Returns the consortium's loan-to-value threshold in basis points."""
        return self._valuations.ltv_threshold()

    def proof_window(self) -> int:
        """Returns how long a private lienholder has to prove its lien again, in seconds."""
        return self._valuations.proof_window()

    def lapse_grace(self) -> int:
        """Returns how long after its maturity a lien lapses, in seconds."""
        return self._valuations.lapse_grace()

    # --- history (see `History`) ----------------------------------------------------------------

    def history(self, vin: VIN) -> list[Event]:
        """Returns every event of a title and its liens, oldest first: see `History.events`."""
        return self._history.events(vin)

    def sync_index(self) -> EventIndex:
        """Brings the local event index up to the chain's head and returns it: see `History.sync_index`."""
        return self._history.sync_index()

    # --- roles and governance (see `Governance`) ------------------------------------------------

    def has_role(self, role: str, account: str) -> bool:
        """Returns whether an account holds a registry role: see `Governance.has_role`."""
        return self._governance.has_role(role, account)

    def members(self) -> list[Address]:
        """Returns the consortium's current members."""
        return self._governance.members()

    def sealer_of(self, account: str) -> str:
        """Returns a member's Clique sealer address: see `Governance.sealer_of`."""
        return self._governance.sealer_of(account)

    def sealers(self) -> list[str]:
        """Returns the current members' sealer addresses: see `Governance.sealers`."""
        return self._governance.sealers()

    def proposal(self, proposal_id: int) -> Proposal:
        """Reads a proposal with its current approvals: see `Governance.proposal`."""
        return self._governance.proposal(proposal_id)

    def proposals(self) -> list[Proposal]:
        """Reads every proposal, oldest first."""
        return self._governance.proposals()

    def propose_role(self, role: str, account: str, *, grant: bool = True) -> int:
        """Proposes granting (or revoking) a registry role: see `Governance.propose_role`."""
        return self._governance.propose_role(role, account, grant=grant)

    def propose_member(self, account: str, *, add: bool = True) -> int:
        """Proposes adding a member, or removing one with its roles: see `Governance.propose_member`."""
        return self._governance.propose_member(account, add=add)

    def propose_admission(self, account: str, sealer: str, roles: Sequence[str], description: str | None = None) -> int:
        """Proposes admitting a member with its sealer and roles: see `Governance.propose_admission`."""
        return self._governance.propose_admission(account, sealer, roles, description)

    def admission_call(self, account: str, sealer: str, roles: Sequence[str]) -> str:
        """Returns the calldata an admission proposal must carry: see `Governance.admission_call`."""
        return self._governance.admission_call(account, sealer, roles)

    def propose_removal(self, account: str, description: str | None = None) -> int:
        """Proposes removing a member and revoking its roles: see `Governance.propose_removal`."""
        return self._governance.propose_removal(account, description)

    def propose_ltv_threshold(self, threshold_bps: int) -> int:
        """Proposes a new loan-to-value threshold: see `Governance.propose_ltv_threshold`."""
        return self._governance.propose_ltv_threshold(threshold_bps)

    def propose_staleness_window(self, seconds: int) -> int:
        """Proposes how long a valuation counts: see `Governance.propose_staleness_window`."""
        return self._governance.propose_staleness_window(seconds)

    def propose_lapse_grace(self, seconds: int) -> int:
        """Proposes how long after its maturity a lien lapses: see `Governance.propose_lapse_grace`."""
        return self._governance.propose_lapse_grace(seconds)

    def propose_min_valuations(self, count: int) -> int:
        """Proposes how many fresh valuations a value needs: see `Governance.propose_min_valuations`."""
        return self._governance.propose_min_valuations(count)

    def propose_authorization_policy(self, policy: AuthorizationPolicy) -> int:
        """Proposes who may authorize a new lien: see `Governance.propose_authorization_policy`."""
        return self._governance.propose_authorization_policy(policy)

    def propose_cancellation(self, vin: VIN, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes cancelling a title for good on evidence: see `Governance.propose_cancellation`."""
        return self._governance.propose_cancellation(vin, evidence_cid, on_accepted=on_accepted)

    def propose_restoration(self, vin: VIN, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes making a title active again (lifting a repossession): see `Governance.propose_restoration`."""
        return self._governance.propose_restoration(vin, evidence_cid, on_accepted=on_accepted)
    def propose_brand_removal(self, vin: VIN, brand: Brand, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes removing a brand from a title on evidence: see `Governance.propose_brand_removal`."""
        return self._governance.propose_brand_removal(vin, brand, evidence_cid, on_accepted=on_accepted)

    def propose_force_release(self, lien_id: int, evidence_cid: str, *, on_accepted: Hook = None) -> int:
        """Proposes releasing a lien on evidence: see `Governance.propose_force_release`."""
        return self._governance.propose_force_release(lien_id, evidence_cid, on_accepted=on_accepted)

    def propose_proof_window(self, seconds: int) -> int:
        """Proposes how long a private lienholder has to prove again: see `Governance.propose_proof_window`."""
        return self._governance.propose_proof_window(seconds)

    def voting_period(self) -> int:
        """Returns how long a proposal made now can be approved, in seconds."""
        return self._governance.voting_period()

    def propose_voting_period(self, seconds: int) -> int:
        """Proposes the voting period of later proposals: see `Governance.propose_voting_period`."""
        return self._governance.propose_voting_period(seconds)

    def approve(self, proposal_id: int, *, raw: bool = False) -> Proposal:
        """Votes for a proposal (one whose call cannot be decoded only if `raw`): see `Governance.approve`."""
        return self._governance.approve(proposal_id, raw=raw)


    def cancel(self, proposal_id: int) -> Proposal:
        """Cancels a proposal the signer made: see `Governance.cancel`."""
        return self._governance.cancel(proposal_id)

    # --- for tests and benches that send raw calls ----------------------------------------------

    @property
    def _signer(self) -> Transactor:
        return self._context.signer()

    def _token(self, vin: VIN) -> TokenId:
        return self._context.token(vin)

    def _propose(self, target: str, data: str, description: str) -> int:
        return self._governance.propose(target, data, description)


class _NoAccount:
    address = "0x0000000000000000000000000000000000000000"


_NO_ACCOUNT: Any = _NoAccount()

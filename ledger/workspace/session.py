"""A session: one account of a profile at work, anchoring a sealed document with every step.

The ledger puts CIDs on chain; the session decides who may read each document, seals it for them,
and stores it only once the registry has accepted the operation, so a refused operation stores
nothing. The CLI and the demo act through sessions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from ...errors import (
    AuthorizationRequired, InvalidAuthorizationFile, LienIsPublic, NotARecipient, NotSeniorLienholder, StorageError,
    UnknownAccount,
)
from ...storage import CID
from ...zk.pedersen import Opening
from ..registry import private
from .accounts import AccountBook
from ..registry.assignments import AssignmentAcceptance, SubordinationAcceptance
from ..registry.authorization import LienAuthorization, SaleAuthorization, TransferAuthorization, commitment_hash
from ..registry.consent import Consent
from ..registry.liens import LienTerms
from .custody import LocalCustody
from .documents import Documents, SealedDocument
from ..registry.ledger import Ledger
from ..registry.retention import DocumentRecord, Retention, RetentionInput
from ..registry.records import (
    Appraisal, Brand, Disposition, Enforcement, Lien, Payoff, PrivateLienState, Title, TitleStatus,
)
from ..registry.vin import VIN, token_id


class Session:
    """The operations of one signing account, each anchoring its document."""

    def __init__(self, ledger: Ledger, documents: Documents, accounts: AccountBook, account: str, *,
                 custodian: str | None = None) -> None:
        """Binds an account's ledger to the profile's documents.

        Args:
            ledger: A ledger signing as `account`.
            documents: Where sealed documents go.
            accounts: The profile's accounts: the readers documents are sealed for.
            account: The signing account's name.
            custodian: The member whose key service keeps the keys of this account's transient
                documents [default: the account itself, as in the embedded sandbox].
        """
        self.ledger = ledger
        self.documents = documents
        self.accounts = accounts
        self.account = account
        self.custodian = custodian or account

    def register_title(self, vin: VIN, owner: str, *, document: bytes | None = None,
                       retention: Retention | None = None) -> Title:
        """Registers a title with its document, sealed for every account of the profile.

        Args:
            vin: A normalized VIN.
            owner: An address or a profile account name.
            document: The title document [default: a JSON record of the registration].

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        owner_address = self.accounts.resolve(owner)
        sealed = self._seal(document, self._everyone(), "title-registration", retention, vin=vin, owner=owner_address)
        title = self.ledger.register_title(vin, owner_address, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return title

    def transfer_title(
        self, vin: VIN, to: str, *, km: int, authorization: TransferAuthorization | None,
        document: bytes | None = None, retention: Retention | None = None,
    ) -> Title:
        """Records a transfer and the odometer reading at it with its document (the bill of sale
        and odometer disclosure), sealed for every account of the profile.

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        to_address = self.accounts.resolve(to)
        sealed = self._seal(document, self._everyone(), "title-transfer", retention, vin=vin, to=to_address,
                            odometer_km=km)
        title = self.ledger.transfer_title(vin, to_address, km=km, authorization=authorization, doc_cid=sealed.cid,
                                           on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return title

    def register_titles(self, items: Sequence[tuple[VIN, str]]) -> None:
        """Registers many titles in a row (see `Ledger.register_titles`), each with a generated
        record of its registration sealed for every account of the profile, stored once the
        registry accepted the batch.

        Args:
            items: Each title's VIN and owner (an address or a profile account name).

        Raises:
            ContractRevert: If the registry refuses (then none is registered, nothing stored).
        """
        everyone = self._everyone()
        rows = [(vin, self.accounts.resolve(owner)) for vin, owner in items]
        sealed = [self._seal(None, everyone, "title-registration", None, vin=vin, owner=owner) for vin, owner in rows]
        tokens = self.ledger.register_titles([(vin, owner, s.cid) for (vin, owner), s in zip(rows, sealed, strict=True)])
        self._store(sealed)
        self._retain([(s, t, 0) for s, t in zip(sealed, tokens, strict=True)])

    def grant_liens(self, items: Sequence[LienTerms]) -> None:
        """Grants many authorized liens in a row (see `Ledger.grant_liens`), each with a generated
        record of its loan sealed for the lender and the AUDITOR accounts, stored once the registry
        accepted the batch.

        Raises:
            ContractRevert: If the registry refuses (then none is granted, nothing stored).
        """
        readers = [self.account, *self._auditors()]
        sealed = [self._seal(None, readers, "loan", None, vin=t.vin, lender=self.ledger.address, amount=t.amount,
                             currency=t.currency) for t in items]
        ids = self.ledger.grant_liens([replace(t, doc_cid=s.cid) for t, s in zip(items, sealed, strict=True)])
        self._store(sealed)
        self._retain([(s, token_id(t.vin), i) for s, t, i in zip(sealed, items, ids, strict=True)])

    def _store(self, sealed: Sequence[SealedDocument]) -> None:
        for s in sealed:
            self.documents.put(s, depositor=self.account)

    def set_title_status(self, vin: VIN, status: TitleStatus, *, document: bytes | None = None,
                         retention: Retention | None = None) -> Title:
        """Changes a title's status with the change's document (a police report; a generated record
        of the change by default), sealed for every account of the profile.

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "title-status", retention, vin=vin, status=status.label)
        title = self.ledger.set_title_status(vin, status, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return title

    def brand_title(self, vin: VIN, brand: Brand, *, document: bytes | None = None,
                    retention: Retention | None = None) -> Title:
        """Brands a title with the brand's document (an insurer's total-loss report; a generated
        record of the brand by default), sealed for every account of the profile.

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "title-brand", retention, vin=vin, brand=brand.label)
        title = self.ledger.brand_title(vin, brand, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return title

    def record_odometer(self, vin: VIN, km: int, *, document: bytes | None = None,
                        retention: Retention | None = None) -> Title:
        """Records an odometer reading with its document (an inspection report; a generated
        record of the reading by default), sealed for every account of the profile.

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "odometer-reading", retention, vin=vin, odometer_km=km)
        title = self.ledger.record_odometer(vin, km, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return title

    def grant_lien(
        self, vin: VIN, amount: int, *, currency: str, maturity: int, document: bytes | None = None,
        consents: Iterable[Consent] = (), authorization: LienAuthorization | None = None,
        retention: Retention | None = None,
    ) -> Lien:
        """Grants a lien with its loan document, sealed for the lender and the AUDITOR accounts.

        Raises:
            InvalidConsentFile: If a consent is for other terms than this lien.
            ContractRevert: If the registry refuses (nothing is stored).
        """
        consents = tuple(consents)
        d = self.ledger.deployment
        for c in consents:
            c.check_terms(chain_id=d.chain_id, registry=d.registry, token_id=token_id(vin),
                          lender=self.ledger.address, amount=amount, currency=currency)
        sealed = self._seal(document, [self.account, *self._auditors()], "loan", retention, vin=vin,
                            lender=self.ledger.address, amount=amount, currency=currency)
        lien = self.ledger.grant_lien(
            vin, amount, currency=currency, maturity=maturity, doc_cid=sealed.cid, consents=consents,
            authorization=authorization, on_accepted=self._storing(sealed),
        )
        self._retain([(sealed, token_id(vin), lien.lien_id)])
        return lien

    def grant_private_lien(
        self, vin: VIN, amount: int, *, currency: str, maturity: int, document: bytes | None = None,
        authorization: LienAuthorization | None = None,
    ) -> Lien:
        """Grants a private lien: the amount's commitment and proofs go on chain; its opening,
        with the loan document if any, is sealed for the lender and the AUDITOR accounts. The
        commitment is the one `authorization` binds, opened from the opening it carries sealed
        for this lender.

        Raises:
            AuthorizationRequired: If `authorization` is None.
            InvalidAuthorizationFile: If it authorizes another amount, or carries no opening for this lender.
            MalformedOpening: If the opening it carries for this lender does not parse.
            ProofError: If the amount is over what the loan-to-value threshold allows.
            ContractRevert: If the registry refuses (nothing is stored).
        """
        if authorization is None:
            raise AuthorizationRequired(vin)
        opening = self._authorized_opening(authorization, amount)
        record = private.opening_record(opening, vin=vin, lender=self.ledger.address, currency=currency,
                                        document=document)
        sealed = self.documents.seal(record, readers=[self.account, *self._auditors()])  # the opening: essential
        lien = self.ledger.grant_private_lien(
            vin, opening, currency=currency, maturity=maturity, authorization=authorization, doc_cid=sealed.cid,
            on_accepted=self._storing(sealed),
        )
        self._retain([(sealed, token_id(vin), lien.lien_id)])
        return lien

    def authorize_lien(
        self, vin: VIN, *, lender: str, amount: int, currency: str, maturity: int, deadline: int,
        private_amount: bool = False,
    ) -> LienAuthorization:
        """Signs, as the title's owner or a registrar, the authorization of one new lien. For a
        private lien it makes the amount's commitment and seals its opening for the lender inside
        the authorization, which then binds the commitment (the amount never goes on chain).

        Args:
            vin: The title.
            lender: The lender: an address or a profile account name (for a private lien, an
                account whose document key the profile knows).
            amount: The amount agreed, in minor units.
            currency: Its ISO 4217 code.
            maturity: Its maturity (unix time).
            deadline: Unix time (chain time) after which the authorization is void.
            private_amount: Authorize a private lien of `amount`.

        Raises:
            NotAuthorizer: If this account may not authorize liens on the title.
            UnknownAccount: If a private lien's lender has no document key in the profile.
        """
        lender_address = self.accounts.resolve(lender)
        if not private_amount:
            return self.ledger.authorize_lien(vin, lender=lender_address, amount=amount, currency=currency,
                                              maturity=maturity, deadline=deadline)
        opening = Opening.random(amount)
        record = private.opening_record(opening, vin=vin, lender=lender_address, currency=currency, document=None)
        reader = self.accounts.name_of(lender_address) or lender
        sealed = self.documents.seal(record, readers=[reader])
        point = opening.commit()
        return self.ledger.authorize_lien(vin, lender=lender_address, amount=0, currency=currency, maturity=maturity,
                                          deadline=deadline, commitment=commitment_hash(point.x, point.y),
                                          opening=sealed.envelope.hex())

    def authorize_transfer(self, vin: VIN, to: str, *, deadline: int) -> TransferAuthorization:
        """Signs, as the title's owner or a registrar, the authorization of its transfer to `to`
        (an address or a profile account name).

        Raises:
            NotAuthorizer: If this account is neither the title's owner nor a registrar.
        """
        return self.ledger.authorize_transfer(vin, self.accounts.resolve(to), deadline=deadline)

    def open_lien(self, lien_id: int) -> Opening:
        """Opens a private lien's amount commitment from its sealed document (its lender and the
        auditors can).

        Raises:
            NotARecipient: If the document was not sealed for this account.
            LienIsPublic: If the lien is public.
            MalformedOpening: If the document holds no opening.
            ProofError: If the document's opening does not open the commitment on chain.
        """
        lien = self.ledger.lien(lien_id)
        if not lien.private:
            raise LienIsPublic(lien_id)
        commitment = self.ledger.lien_commitment(lien_id)
        try:
            data = self.documents.read(CID(self.ledger.lien_document(lien_id)), reader=self.account)
        except NotARecipient:
            raise NotARecipient(
                f"{self.account} cannot open lien {lien_id}: its amount is sealed for its lender and the auditors only"
            ) from None
        return private.parse_opening(data, (commitment.x, commitment.y), lien_id=lien_id, lender=lien.lender)

    def acknowledge_lien(self, lien_id: int) -> PrivateLienState:
        """Opens a private lien's amount from its sealed document, checked against its commitment on
        chain (see `open_lien`), and only then acknowledges on chain, as an AUDITOR, that it could:
        the check that the lender sealed the amount for the auditors.

        Raises:
            As `open_lien` (nothing is sent if the amount cannot be opened), and
            `Ledger.acknowledge_lien`.
        """
        self.open_lien(lien_id)
        return self.ledger.acknowledge_lien(lien_id)

    def prove_lien(self, lien_id: int, *, reserve: int = 0) -> PrivateLienState:
        """Opens a private lien (see `open_lien`) and proves it within what the threshold allows
        now, less `reserve` (see `Ledger.prove_lien`).

        Raises:
            As `open_lien` and `Ledger.prove_lien`.
        """
        return self.ledger.prove_lien(lien_id, self.open_lien(lien_id), reserve=reserve)

    def reveal_lien(self, lien_id: int) -> Lien:
        """Opens a private lien (see `open_lien`) and reveals its amount on chain, making it public
        (see `Ledger.reveal_lien`): its holder at any time, an auditor once its proof is overdue.

        Raises:
            As `open_lien` and `Ledger.reveal_lien`.
        """
        return self.ledger.reveal_lien(lien_id, self.open_lien(lien_id))

    def accept_assignment(self, lien_ids: Sequence[int], *, assignor: str, deadline: int) -> AssignmentAcceptance:
        """Signs, as the assignee, the acceptance of a portfolio of liens from `assignor` (an
        address or a profile account name): see `Ledger.accept_assignment`."""
        return self.ledger.accept_assignment(lien_ids, assignor=self.accounts.resolve(assignor), deadline=deadline)

    def assign_liens(
        self,
        lien_ids: Sequence[int],
        to: str,
        *,
        acceptance: AssignmentAcceptance,
        document: bytes | None = None,
        on_batch: Callable[[int], object] | None = None,
    ) -> list[Lien]:
        """Assigns liens this lender holds to another LENDER that accepted them, all checked before
        any is sent; liens the assignee holds already (an earlier run's) are skipped.

        The assignment's document (a record of it by default) is sealed for the assignee, this
        lender and the AUDITOR accounts, once for the public liens; each private lien gets its own,
        which carries its amount's opening for the new holder (so it can prove, reveal and be paid).
        Each round's documents are stored once the registry accepted that round: an opening is
        stored only with the assignment of its own lien.

        Args:
            lien_ids: Every lien the acceptance covers.
            to: The assignee: an address or a profile account name.
            acceptance: The assignee's acceptance.
            document: The assignment agreement.
            on_batch: Called with the number of liens of each round of batches, once mined.

        Returns:
            The liens assigned by this run, as they were before.

        Raises:
            UnknownAccount: If the assignee has no document key in the profile (nothing can be
                sealed for it).
            As `Ledger.pending_assignment` and `Ledger.assign_liens`, and `open_lien` for a private
            lien this account cannot open (nothing is sent).
        """
        to_address = self.accounts.resolve(to)
        todo = self.ledger.pending_assignment(lien_ids, to_address, acceptance)
        if not todo:
            return []
        assignee = self.accounts.name_of(to_address)
        if assignee is None:
            raise UnknownAccount(to, [a.name for a in self.accounts.list()])
        readers = [assignee, self.account, *self._auditors()]
        sealed: dict[str, SealedDocument] = {}
        anchored: list[tuple[Lien, str]] = []
        shared: SealedDocument | None = None
        for lien in todo:
            if lien.private:
                record = private.opening_record(self.open_lien(lien.lien_id), vin=self.ledger.vin_of(lien.token_id),
                                                lender=to_address, currency=lien.currency, document=document)
                one = self.documents.seal(record, readers=readers)
            else:
                if shared is None:
                    shared = self._seal(document, readers, "lien-assignment", Retention.ESSENTIAL,
                                        assignor=self.ledger.address,
                                        assignee=to_address, liens=[x.lien_id for x in todo if not x.private])
                one = shared
            sealed[one.cid] = one
            anchored.append((lien, one.cid))
        def store(items: Sequence[tuple[Lien, str]]) -> None:
            self._store([sealed[cid] for cid in dict.fromkeys(cid for _, cid in items)])

        self.ledger.assign_liens(anchored, to_address, portfolio=lien_ids, acceptance=acceptance, on_batch=on_batch,
                                 on_accepted=store)
        # The shared document is about the first lien it anchors; each private lien's about its own.
        first = {cid: lien for lien, cid in reversed(anchored)}
        self._retain([(sealed[cid], lien.token_id, lien.lien_id) for cid, lien in first.items()])
        return todo

    def declare_default(self, lien_id: int, *, document: bytes | None = None,
                        retention: Retention | None = None) -> Enforcement:
        """Declares this lender's lien in default, repossessing its title, with the default notice
        (a record of the step by default) sealed for every account of the profile: every
        lienholder of the title is told, and the owner's side reads why.

        Raises:
            As `Ledger.declare_default` (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "lien-default", retention, lien=lien_id,
                            lender=self.ledger.address)
        enforcement = self.ledger.declare_default(lien_id, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain_lien(sealed, lien_id)
        return enforcement

    def authorize_sale(self, vin: VIN, buyer: str, price: int, *, deadline: int) -> SaleAuthorization:
        """Signs the authorization of one sale of a repossessed title to `buyer` (an address or a
        profile account name): see `Ledger.authorize_sale`."""
        return self.ledger.authorize_sale(vin, self.accounts.resolve(buyer), price, deadline=deadline)

    def dispose_title(
        self, vin: VIN, buyer: str, price: int, *, km: int, authorization: SaleAuthorization,
        document: bytes | None = None, retention: Retention | None = None,
    ) -> Disposition:
        """Sells a repossessed title, as the holder of its lien in default, with the bill of sale (a
        record of the sale by default) sealed for every account of the profile, and the owner's or a
        registrar's authorization of the sale. A private lien in default is revealed in the sale's
        own transaction, from its sealed opening (see `open_lien`): its amount becomes public then,
        and only if the sale is made.

        Raises:
            As `Ledger.dispose_title` and `open_lien` (nothing is stored or revealed).
        """
        buyer_address = self.accounts.resolve(buyer)
        lien_id = self.ledger.enforcement(vin).lien_id
        opening = self.open_lien(lien_id) if lien_id and self.ledger.lien(lien_id).private else None
        sealed = self._seal(document, self._everyone(), "title-disposition", retention, vin=vin, buyer=buyer_address,
                            price=price, km=km)
        disposition = self.ledger.dispose_title(vin, buyer_address, price, km=km, authorization=authorization,
                                                doc_cid=sealed.cid, opening=opening, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), lien_id)])  # the sale ends the lien in default's business
        return disposition

    def withdraw_default(self, lien_id: int, *, document: bytes | None = None,
                         retention: Retention | None = None) -> None:
        """Withdraws the default of this lender's lien (the borrower cured it), with the withdrawal
        (a record of it by default) sealed for every account of the profile, as the default was.

        Raises:
            As `Ledger.withdraw_default` (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "lien-default-withdrawn", retention, lien=lien_id)
        self.ledger.withdraw_default(lien_id, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain_lien(sealed, lien_id)

    def record_payoff(self, lien_id: int, *, document: bytes | None = None,
                      retention: Retention | None = None) -> Payoff:
        """Records a lien's payoff with its evidence (a receipt; a record of the step by default),
        sealed for this account, the lienholder, the AUDITOR and the REGISTRAR accounts (a
        registrar may release the lien on it if its holder does not).

        Raises:
            As `Ledger.record_payoff` (nothing is stored).
        """
        lien = self.ledger.lien(lien_id)
        sealed = self._seal(document, self._payoff_readers(lien), "lien-payoff", retention, lien=lien_id,
                            by=self.ledger.address)
        payoff = self.ledger.record_payoff(lien_id, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, lien.token_id, lien_id)])
        return payoff

    def dispute_payoff(self, lien_id: int, *, document: bytes | None = None,
                       retention: Retention | None = None) -> Payoff:
        """Disputes a recorded payoff of this lender's lien, with its reasons sealed for the same
        readers as the payoff's evidence.

        Raises:
            As `Ledger.dispute_payoff` (nothing is stored).
        """
        lien = self.ledger.lien(lien_id)
        sealed = self._seal(document, self._payoff_readers(lien), "lien-payoff-dispute", retention, lien=lien_id)
        payoff = self.ledger.dispute_payoff(lien_id, doc_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, lien.token_id, lien_id)])
        return payoff

    def release_paid_off(self, lien_id: int, *, document: bytes | None = None,
                         retention: Retention | None = None) -> Lien:
        """Releases, as a registrar, a paid-off lien its holder did not release in time, on the
        payoff evidence (a record naming the payoff's by default), sealed as the payoff's was.

        Raises:
            As `Ledger.release_paid_off` (nothing is stored).
        """
        lien = self.ledger.lien(lien_id)
        payoff = self.ledger.payoff(lien_id)
        sealed = self._seal(document, self._payoff_readers(lien), "lien-release-after-payoff", retention, lien=lien_id,
                            paid_off_at=payoff.paid_off_at, recorded_by=payoff.recorded_by)
        released = self.ledger.release_paid_off(lien_id, evidence_cid=sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, lien.token_id, lien_id)])
        return released

    def _payoff_readers(self, lien: Lien) -> list[str]:
        holder = self.accounts.name_of(lien.lender)
        registrars = [a.name for a in self.accounts.list() if self.ledger.has_role("REGISTRAR", a.address)]
        return [self.account, *([holder] if holder else []), *self._auditors(), *registrars]

    def accept_subordination(self, lien_id: int, behind_lien_id: int, *, deadline: int) -> SubordinationAcceptance:
        """Signs, as the holder of `behind_lien_id`, the acceptance that lien `lien_id` ranks right
        behind it: see `Ledger.accept_subordination`."""
        return self.ledger.accept_subordination(lien_id, behind_lien_id, deadline=deadline)

    def subordinate_lien(
        self, lien_id: int, behind_lien_id: int, *, acceptance: SubordinationAcceptance, document: bytes | None = None,
        retention: Retention | None = None,
    ) -> list[Lien]:
        """Ranks this lender's lien right behind a junior one whose holder accepted it, with the
        subordination agreement (a record of it by default) sealed for every account of the
        profile, as a title's documents are.

        Returns:
            The title's active liens in their new order.

        Raises:
            As `Ledger.subordinate_lien` (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "lien-subordination", retention, lien=lien_id,
                            behind=behind_lien_id)
        liens = self.ledger.subordinate_lien(lien_id, behind_lien_id, acceptance=acceptance, doc_cid=sealed.cid,
                                             on_accepted=self._storing(sealed))
        self._retain_lien(sealed, lien_id)
        return liens

    def set_valuation(
        self, vin: VIN, value: int, *, currency: str, valued_at: int | None = None, document: bytes | None = None,
        retention: Retention | None = None,
    ) -> Appraisal:
        """Posts a valuation with its appraisal document, sealed for every account of the profile.

        Raises:
            ContractRevert: If the registry refuses (nothing is stored).
        """
        sealed = self._seal(document, self._everyone(), "valuation", retention, vin=vin, oracle=self.ledger.address,
                            value=value, currency=currency)
        appraisal = self.ledger.set_valuation(vin, value, currency=currency, valued_at=valued_at, doc_cid=sealed.cid,
                                              on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return appraisal

    def sign_consent(self, vin: VIN, *, lender: str, amount: int, currency: str, deadline: int) -> Consent:
        """Signs a consent to a new lien, as the holder of an active lien on the title.

        Args:
            vin: The title.
            lender: The new lender: an address or a profile account name.
            amount: The new lien's amount in minor units.
            currency: Its ISO 4217 code.
            deadline: The unix time after which the consent is void.

        Returns:
            The consent, to hand to the new lender.

        Raises:
            NotSeniorLienholder: If this account holds no active lien on the title.
            TitleNotFound: If the title is not registered.
        """
        me = self.ledger.address
        if not any(lien.active and lien.lender == me for lien in self.ledger.liens(vin)):
            raise NotSeniorLienholder(self.account, vin)
        return self.ledger.sign_consent(
            vin, lender=self.accounts.resolve(lender), amount=amount, currency=currency, deadline=deadline
        )

    def propose_force_release(self, lien_id: int, evidence: bytes) -> int:
        """Proposes that governance releases a lien, with its evidence (a court order, a proof of
        payoff) sealed for every account of the profile and stored once governance accepted the
        proposal, before it is final, so that voters can read it.

        Returns:
            The proposal id.

        Raises:
            ContractRevert: If the registry would refuse the release, or governance the proposal
                (nothing is stored).
        """
        sealed = self._seal(evidence, self._everyone(), "forced-release-evidence", None, lien=lien_id)
        subject = [(sealed, self.ledger.lien(lien_id).token_id, lien_id)]
        self._check_retain(subject)  # first: a proposal refused for its record would stand half-done
        pid = self.ledger.propose_force_release(lien_id, sealed.cid, on_accepted=self._storing(sealed))
        self._retain(subject)
        return pid

    def propose_cancellation(self, vin: VIN, evidence: bytes) -> int:
        """Proposes that governance cancels a title for good, with its evidence (a certificate of
        destruction, an export record) sealed for every account of the profile and stored once
        governance accepted the proposal, as `propose_force_release` does.

        Raises:
            ContractRevert: If the registry would refuse the cancellation, or governance the
                proposal (nothing is stored).
        """
        sealed = self._seal(evidence, self._everyone(), "cancellation-evidence", None, vin=vin)
        self._check_retain([(sealed, token_id(vin), 0)])
        pid = self.ledger.propose_cancellation(vin, sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return pid

    def propose_restoration(self, vin: VIN, evidence: bytes) -> int:
        """Proposes that governance makes a title active again (a repossession whose default was
        wrong), with its evidence sealed for every account of the profile and stored once
        governance accepted the proposal, as `propose_force_release` does.

        Raises:
            ContractRevert: If the registry would refuse it, or governance the proposal (nothing is stored).
        """
        sealed = self._seal(evidence, self._everyone(), "restoration-evidence", None, vin=vin)
        self._check_retain([(sealed, token_id(vin), 0)])
        pid = self.ledger.propose_restoration(vin, sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return pid
    def propose_brand_removal(self, vin: VIN, brand: Brand, evidence: bytes) -> int:
        """Proposes that governance removes a brand from a title, with its evidence (a court
        order, an inspection) sealed for every account of the profile and stored once governance
        accepted the proposal, as `propose_force_release` does.

        Raises:
            ContractRevert: If the registry would refuse the removal, or governance the proposal
                (nothing is stored).
        """
        sealed = self._seal(evidence, self._everyone(), "brand-removal-evidence", None, vin=vin, brand=brand.label)
        self._check_retain([(sealed, token_id(vin), 0)])
        pid = self.ledger.propose_brand_removal(vin, brand, sealed.cid, on_accepted=self._storing(sealed))
        self._retain([(sealed, token_id(vin), 0)])
        return pid

    def attach_document(self, vin: VIN, document: bytes, *, lien_id: int = 0,
                        retention: Retention = Retention.TRANSIENT) -> SealedDocument:
        """Anchors a document about a title or one of its liens that no registry step carries (an
        appraisal's working papers, photos, call notes): recorded in the document registry, which
        is its anchor, transient unless told otherwise (its key kept by this member's key service).
        An essential one is sealed for every account of the profile.

        Raises:
            DocumentsInvalidSubject, DocumentsNotMember: If the document registry refuses (nothing
                is stored or deposited).
            CustodianUnreachable: If the key service does not take the key (nothing is recorded).
        """
        sealed = self._seal(document, self._everyone(), "attachment", retention)
        self.ledger.retention.record([RetentionInput(sealed.cid, sealed.retention, token_id(vin), lien_id)],
                                     on_accepted=self._storing(sealed))
        return sealed

    def record_missing(self, vin: VIN) -> list[RetentionInput]:
        """Records the retention of the title's documents this account's steps anchored that have
        none yet (a step whose record did not go through): each with its kind's class (see
        `default_retention`) and its step's subject.

        Returns:
            The records made.
        """
        retention, me = self.ledger.retention, self.ledger.address
        missing: dict[str, RetentionInput] = {}
        for e in self.ledger.history(vin):
            cid = e.doc_cid
            if not cid or cid in missing or e.name == "DocumentRecorded" or retention.get(cid) is not None:
                continue
            anchoring = retention.anchoring(cid)
            if anchoring is None or anchoring.author != me:
                continue
            kind = "valuation" if e.name == "ValuationSet" else e.name
            missing[cid] = RetentionInput(cid, default_retention(kind), anchoring.token_id, anchoring.lien_id)
        if missing:
            retention.record(list(missing.values()))
        return list(missing.values())

    def erase_document(self, cid: str) -> DocumentRecord:
        """Records the erasure of a document whose retention has run out (anyone may).

        Each member's node then destroys its copy and the key, and attests it. In the embedded
        sandbox, whose one store and vaults are every member's copy, this does it here: the copy
        and the key are destroyed and each member account of the profile attests.

        Raises:
            DocumentsNotDue, DocumentsBusinessOngoing, DocumentsAlreadyErased, DocumentsNotRecorded:
                If the document registry refuses (nothing is destroyed).
        """
        record = self.ledger.retention.erase(cid)
        if isinstance(self.documents.custody, LocalCustody):
            self.documents.purge(cid, reason=f"erased on chain: its {record.retention.label} retention ran out")
            members = set(self.ledger.members())
            for account in self.accounts.list():
                if account.address in members:
                    self.ledger.as_account(self.accounts.unlock(account.name)).retention.attest([cid])
        return record

    def _authorized_opening(self, authorization: LienAuthorization, amount: int) -> Opening:
        """The opening a private lien's authorization carries for this lender, checked against
        the commitment it binds and the amount the lender expects."""
        if not authorization.private or not authorization.opening:
            raise InvalidAuthorizationFile(
                f"the authorization of {authorization.signer} is for a public lien: ask for one of a private lien"
            )
        signer = authorization.signer
        try:
            data = self.documents.open(bytes.fromhex(authorization.opening), reader=self.account)
        except (StorageError, ValueError):
            raise InvalidAuthorizationFile(
                f"the authorization of {signer} carries no opening {self.account} can read: "
                "ask for one made for this lender"
            ) from None
        opening = private.read_opening(data, source=f"the authorization of {signer}",
                                       remedy=f"ask {signer} for a new authorization")
        point = opening.commit()
        authorization.check(commitment=(authorization.commitment, commitment_hash(point.x, point.y)),
                            amount=(opening.value, amount))
        return opening

    def _seal(self, document: bytes | None, readers: list[str], kind: str, retention: Retention | None,
              **fields: Any) -> SealedDocument:
        # A step that came without a document anchors a generated record of itself instead.
        data = document if document is not None else _record(kind, **fields)
        return self.documents.seal(data, readers=readers, retention=default_retention(kind) if retention is None else retention,
                                   custodian=self.custodian)

    def _storing(self, sealed: SealedDocument) -> Callable[[], object]:
        # Run once the chain accepted the step and before it is sent: a custodian that does not
        # take a transient document's key stops the step, so no anchored document lacks its key.
        return lambda: self.documents.put(sealed, depositor=self.account)

    def _retain(self, items: Sequence[tuple[SealedDocument, int, int]]) -> None:
        """Records the class and subject (title, lien or 0) of the documents a step anchored."""
        if self.ledger.deployment.documents and items:
            self.ledger.retention.record([RetentionInput(s.cid, s.retention, token, lien) for s, token, lien in items])

    def _check_retain(self, items: Sequence[tuple[SealedDocument, int, int]]) -> None:
        """Checks that the document registry would take these records from this account, sending nothing."""
        if self.ledger.deployment.documents and items:
            self.ledger.retention.check_record(
                [RetentionInput(s.cid, s.retention, token, lien) for s, token, lien in items])

    def _retain_lien(self, sealed: SealedDocument, lien_id: int) -> None:
        self._retain([(sealed, self.ledger.lien(lien_id).token_id, lien_id)])

    def _auditors(self) -> list[str]:
        return [a.name for a in self.accounts.list() if self.ledger.has_role("AUDITOR", a.address)]

    def _everyone(self) -> list[str]:
        return [a.name for a in self.accounts.list()]


def _record(kind: str, **fields: Any) -> bytes:
    """A generated document for a step that came without one: what was done, by whom, when."""
    return json.dumps({"kind": kind, **fields, "recorded_at": int(time.time())}, sort_keys=True).encode()


#: The kinds of generated or attached documents that are working papers, kept `Retention.TRANSIENT`
#: unless a step says otherwise: appraisals and other attachments.
TRANSIENT_KINDS = frozenset({"valuation", "attachment"})


def default_retention(kind: str) -> Retention:
    """Returns a document kind's class when its step names none: appraisals and attachments are
    transient, title and loan records essential."""
    return Retention.TRANSIENT if kind in TRANSIENT_KINDS else Retention.ESSENTIAL

"""Titles: registering vehicle titles, recording their transfers and status, reading them."""

from __future__ import annotations

from collections.abc import Sequence

from web3 import Web3

from ...errors import AuthorizationRequired, InvalidAuthorizationFile, NotAuthorizer
from ..chain.transactions import Call
from .authorization import TransferAuthorization
from .context import Hook, LedgerContext
from .governance import Governance
from .records import Address, Brand, Title, TitleStatus
from .vin import VIN, TokenId, token_id

__all__ = ["Titles"]


class Titles:
    """The registry's titles, as one account sees them (writes are the REGISTRAR's)."""

    def __init__(self, context: LedgerContext, governance: Governance) -> None:
        """Binds the part to the ledger's shared context and its governance (who holds which role)."""
        self._c = context
        self._governance = governance

    def register(self, vin: VIN, owner: str, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Registers a title (REGISTRAR).

        Args:
            vin: A normalized VIN (see `normalize_vin`).
            owner: The owner's address.
            doc_cid: The CID of the sealed title document.
            on_accepted: Called once the registry accepted the operation, before it is final:
                where the document is stored, so a refusal stores nothing (every write takes one).

        Returns:
            The registered title.

        Raises:
            TitleAlreadyRegistered, MissingRole, InvalidOperation: If the registry refuses.
        """
        c = self._c
        c.token(vin)
        fn = c.registry.functions.registerTitle(vin, Web3.to_checksum_address(owner), doc_cid)
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.get(vin)

    def register_many(self, items: Sequence[tuple[VIN, str, str]]) -> list[TokenId]:
        """Registers many titles in a row (REGISTRAR): on the embedded chain, in one block, all or
        nothing, so the batch must fit in one block's gas limit (about 150,000 gas a title).

        Args:
            items: (vin, owner, doc_cid) triples.

        Returns:
            The token ids, in order.

        Raises:
            ContractRevert: If any registration would be refused (nothing is sent).
        """
        c = self._c
        for vin, _, _ in items:
            c.token(vin)
        calls = [
            Call(c.registry.functions.registerTitle(v, Web3.to_checksum_address(o), d))
            for v, o, d in items
        ]
        c.signer().send_many(calls, titles=c.vins, receipts=False)
        return [token_id(v) for v, _, _ in items]

    def transfer(
        self, vin: VIN, to: str, *, km: int, authorization: TransferAuthorization | None, doc_cid: str,
        on_accepted: Hook = None,
    ) -> Title:
        """Records a title's transfer to a new owner (REGISTRAR), with the odometer reading at the
        transfer and the owner's authorization or a second registrar's; refused while liened.

        Args:
            vin: The title.
            to: The new owner's address.
            km: The odometer reading, in kilometres: not below the last one, unless the title is
                branded ODOMETER-NOT-ACTUAL.
            authorization: The owner's or a second registrar's authorization of this transfer.
            doc_cid: The CID of the sealed transfer document; it becomes the title's document.
            on_accepted: As for `register`.

        Returns:
            The title after the transfer.

        Raises:
            AuthorizationRequired: If `authorization` is None.
            InvalidAuthorizationFile: If it is for another transfer.
            TitleEncumbered, TitleNotActive, MissingRole, AuthorizationRejected, RegistryOdometerRollback,
                InvalidOperation: If the registry refuses.
        """
        c = self._c
        if authorization is None:
            raise AuthorizationRequired(vin)
        to = Web3.to_checksum_address(to)
        owner = self.get(vin).owner
        authorization.check_terms(chain_id=c.deployment.chain_id, registry=c.deployment.registry,
                                  token_id=c.token(vin), owner=owner, to=to)
        sender = c.signer().address.lower()
        if authorization.signer.lower() == sender != owner.lower():
            raise InvalidAuthorizationFile(
                f"the transfer authorization was signed by {authorization.signer}, the registrar sending it: a "
                "transfer needs the owner's authorization or a second registrar's"
            )
        fn = c.registry.functions.transferTitle(c.token(vin), to, km, doc_cid, authorization.as_argument())
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.get(vin)

    def authorize_transfer(self, vin: VIN, to: str, *, deadline: int) -> TransferAuthorization:
        """Signs, as the title's owner or a registrar, the authorization of its transfer to `to`
        (which a registrar other than a signing one records).

        Args:
            vin: The title.
            to: The new owner's address.
            deadline: Unix time (chain time) after which the authorization is void.

        Returns:
            The authorization, to hand to the registrar who records the transfer.

        Raises:
            NotAuthorizer: If the signing account is neither the title's owner nor a registrar.
        """
        c = self._c
        signer = c.signer()
        owner = self.get(vin).owner
        if signer.address.lower() != owner.lower() and not self._governance.has_role("REGISTRAR", signer.address):
            raise NotAuthorizer(signer.address, vin)
        return TransferAuthorization.sign(
            signer.account, chain_id=c.deployment.chain_id, registry=c.deployment.registry, vin=vin,
            token_id=c.token(vin), owner=owner, to=Web3.to_checksum_address(to), deadline=deadline,
        )

    def set_status(self, vin: VIN, status: TitleStatus, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Marks a title stolen, cancelled or active again (REGISTRAR).

        Args:
            vin: The title.
            status: Its new status; a cancelled title never changes again.
            doc_cid: The CID of the change's sealed document.
            on_accepted: As for `register`.

        Returns:
            The title after the change.

        Raises:
            TitleNotActive, MissingRole: If the registry refuses.
        """
        c = self._c
        fn = c.registry.functions.setTitleStatus(c.token(vin), int(status), doc_cid)
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.get(vin)

    def brand(self, vin: VIN, brand: Brand, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Brands a title (REGISTRAR): the brand stays with it through every transfer and
        disposition; only a member vote removes it (see `Governance.propose_brand_removal`).

        Args:
            vin: The title.
            brand: The brand.
            doc_cid: The CID of the brand's sealed document (an insurer's total-loss report).
            on_accepted: As for `register`.

        Returns:
            The title after the change.

        Raises:
            RegistryBrandPresent, RegistryTitleCancelled, MissingRole, TitleNotFound: If the
                registry refuses.
        """
        c = self._c
        fn = c.registry.functions.brandTitle(c.token(vin), int(brand), doc_cid)
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.get(vin)

    def record_odometer(self, vin: VIN, km: int, *, doc_cid: str, on_accepted: Hook = None) -> Title:
        """Records an odometer reading of a title (REGISTRAR), outside a transfer.

        Args:
            vin: The title.
            km: The reading, in kilometres: not below the last one, unless the title is branded
                ODOMETER-NOT-ACTUAL.
            doc_cid: The CID of the reading's sealed document (an inspection report).
            on_accepted: As for `register`.

        Returns:
            The title after the reading.

        Raises:
            RegistryOdometerRollback, RegistryTitleCancelled, MissingRole, TitleNotFound: If the
                registry refuses.
        """
        c = self._c
        fn = c.registry.functions.recordOdometer(c.token(vin), km, doc_cid)
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.get(vin)

    def review(self, vin: VIN) -> None:
        """Reviews a title as of now (anyone): emits what time alone changed since its last
        operation, such as a private lien's proof falling due as its valuations age out.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        c = self._c
        c.signer().send(c.registry.functions.reviewTitle(c.token(vin)), titles=c.vins)

    def vin_of(self, token: int) -> VIN:
        """Returns the VIN of a title by token id.

        Raises:
            TitleNotFound: If no title has this token id.
        """
        record, _, _ = self._c.reader.call(self._c.registry.functions.title(token), titles=self._c.vins)
        self._c.vins[token] = record.vin
        return VIN(record.vin)

    def get(self, vin: VIN) -> Title:
        """Reads a title with its owner and number of active liens.

        Args:
            vin: A normalized VIN.

        Returns:
            The title.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        tid = self._c.token(vin)
        record, owner, active = self._c.reader.call(self._c.registry.functions.title(tid), titles=self._c.vins)
        return Title(
            vin=VIN(record.vin),
            token_id=tid,
            owner=Address(owner),
            doc_cid=record.docCid,
            status=TitleStatus(record.status),
            registered_at=int(record.registeredAt),
            active_liens=int(active),
            brands=Brand.of_mask(int(record.brands)),
            odometer_km=int(record.odometerKm),
            odometer_at=int(record.odometerAt),
        )

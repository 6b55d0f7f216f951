"""Default, repossession, redemption and disposition of a lien's title.

A lienholder declares its lien in default: the title is repossessed (no transfer, no new lien) and
every other lienholder of the title is told by an event of its own. The owner may redeem the title
until it is disposed of: once the lien in default ends (released, after a payoff or by vote, or
lapsed) the title is active again. After the notice period that governance sets (10 days by default,
UCC 9-612's safe harbour for non-consumer goods), the lienholder sells the title: the registry pays
that lien and its juniors from the price by priority, discharges them, and moves the title to the
buyer with the liens senior to the one in default still on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from web3 import Web3
from web3.logs import DISCARD

from ...errors import NotAuthorizer, NotInDefault
from .authorization import SaleAuthorization
from .context import Hook, LedgerContext
from .governance import Governance
from .records import Address, Discharge, Disposition, Enforcement, LienId
from .vin import VIN, TokenId

if TYPE_CHECKING:  # the proofs are imported where private liens need them
    from ...zk.pedersen import Opening

__all__ = ["Defaults"]


class Defaults:
    """Defaults and dispositions of titles, as one account sees them."""

    def __init__(self, context: LedgerContext, governance: Governance) -> None:
        """Binds the part to the ledger's shared context and its governance."""
        self._c = context
        self._governance = governance

    def declare(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Enforcement:
        """Declares the signing lender's lien in default: its title is repossessed.

        Returns:
            The title's enforcement.

        Raises:
            RegistryNotLienholder, RegistryTitleRepossessed, TitleNotActive, LienNotActive,
                LienNotFound, RegistryDocumentRequired: If the registry refuses.
        """
        c = self._c
        receipt = c.signer().send(c.registry.functions.declareDefault(lien_id, doc_cid), titles=c.vins,
                                  on_accepted=on_accepted)
        (log,) = c.registry.events.LienDefaulted().process_receipt(receipt, errors=DISCARD)
        return self.of_token(TokenId(int(log["args"]["tokenId"])))

    def authorize_sale(self, vin: VIN, buyer: str, price: int, *, deadline: int) -> SaleAuthorization:
        """Signs, as the title's owner (a surrender) or a registrar (who checked the repossession),
        the authorization of one sale of a repossessed title: its current default, `buyer` and
        `price`.

        Raises:
            NotInDefault: If the title is not repossessed.
            NotAuthorizer: If the signing account is neither the title's owner nor a registrar.
        """
        c = self._c
        signer = c.signer()
        e = self.of(vin)
        if not e.lien_id:
            raise NotInDefault(vin)
        owner = str(c.reader.call(c.registry.functions.ownerOf(c.token(vin)), titles=c.vins))
        if signer.address.lower() != owner.lower() and not self._governance.has_role("REGISTRAR", signer.address):
            raise NotAuthorizer(signer.address, vin)
        return SaleAuthorization.sign(
            signer.account, chain_id=c.deployment.chain_id, registry=c.deployment.registry, vin=vin,
            token_id=c.token(vin), lien_id=int(e.lien_id), defaulted_at=e.defaulted_at,
            buyer=Web3.to_checksum_address(buyer), price=price, deadline=deadline,
        )

    def dispose(
        self, vin: VIN, buyer: str, price: int, *, km: int, authorization: SaleAuthorization, doc_cid: str,
        opening: Opening | None = None, on_accepted: Hook = None,
    ) -> Disposition:
        """Sells a repossessed title as the holder of its lien in default, past the notice period.

        Args:
            vin: The title.
            buyer: The buyer's address.
            price: The sale price in minor units of the liens' currency.
            km: The odometer reading at the sale (below the last one only on a title branded
                odometer-not-actual).
            authorization: The owner's or a registrar's authorization of this sale.
            doc_cid: The CID of the sealed bill of sale.
            opening: A private lien in default's opening, revealed in the sale's transaction.
            on_accepted: Called once the registry accepted it, before it is final.

        Returns:
            The disposition and its waterfall.

        Raises:
            InvalidAuthorizationFile: If the authorization is for another title, default, buyer or price.
            RegistryNotRepossessed, RegistryNotLienholder, RegistryNoticePeriodRunning,
                RegistryPayoffRecorded, RegistryInvalidOwner, RegistryInvalidPrice,
                AuthorizationRejected, RegistryOdometerRollback, RegistryInvalidOpening: If the
                registry refuses.
        """
        c = self._c
        e = self.of(vin)
        authorization.check_terms(chain_id=c.deployment.chain_id, registry=c.registry.address, token_id=c.token(vin),
                                  lien_id=int(e.lien_id), defaulted_at=e.defaulted_at, buyer=buyer, price=price)
        revealed = (opening.value, opening.blinding) if opening is not None else (0, 0)
        fn = c.registry.functions.disposeTitle(c.token(vin), (buyer, price, km), doc_cid, authorization.as_argument(),
                                               revealed)
        receipt = c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        (sold,) = c.registry.events.TitleDisposed().process_receipt(receipt, errors=DISCARD)
        discharged = tuple(
            Discharge(LienId(int(x["args"]["lienId"])), Address(x["args"]["lender"]), int(x["args"]["recovered"]),
                      int(x["args"]["deficiency"]))
            for x in c.registry.events.LienDischarged().process_receipt(receipt, errors=DISCARD)
        )
        a = sold["args"]
        return Disposition(TokenId(int(a["tokenId"])), LienId(int(a["lienId"])), Address(a["from"]),
                           Address(a["buyer"]), int(a["price"]), int(a["surplus"]), discharged, str(a["docCid"]))

    def withdraw(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> None:
        """Withdraws the default of the signing lender's lien (the borrower cured it): its title is
        active again.

        Raises:
            RegistryNotLienholder, RegistryNotRepossessed, LienNotActive, LienNotFound: If the registry refuses.
        """
        c = self._c
        c.signer().send(c.registry.functions.withdrawDefault(lien_id, doc_cid), titles=c.vins, on_accepted=on_accepted)

    def of(self, vin: VIN) -> Enforcement:
        """Reads a title's enforcement (all zero when it is not repossessed).

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        return self.of_token(self._c.token(vin))

    def of_token(self, token: TokenId) -> Enforcement:
        """Reads the enforcement of a title by token id."""
        c = self._c
        e = c.reader.call(c.registry.functions.enforcement(token), titles=c.vins)
        return Enforcement(LienId(int(e.lienId)), int(e.defaultedAt), int(e.noticeEndsAt))

    def recovery(self, lien_id: int) -> int:
        """Returns what a disposition paid a discharged lien (0 for any other lien).

        Raises:
            LienNotFound: If there is no such lien.
        """
        c = self._c
        return int(c.reader.call(c.registry.functions.recovery(lien_id), titles=c.vins))

    def notice_period(self) -> int:
        """Returns how long after a default its lienholder must wait to dispose of the title, in seconds."""
        c = self._c
        return int(c.reader.call(c.registry.functions.noticePeriod()))

    def propose_notice_period(self, seconds: int) -> int:
        """Proposes the notice period (seconds); the proposer's vote counts at once.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._governance.propose_registry_call(
            "setNoticePeriod", [seconds], f"let a title in default be disposed of {seconds / 86400:g} days "
                                          f"({seconds} s) after its default")

"""Private liens on chain: granting one with its proofs, proving it again, reading its state.

The proofs themselves are made by `private` (the commitment, its contexts and the checks made
before proving); this part sends them and reads what the registry keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import BlockIdentifier

from ...contracts.build import load_artifact
from ...errors import AuthorizationRequired, InvalidAuthorizationFile, LienIsPublic, ProofError
from .authorization import LienAuthorization, commitment_hash
from .consent import currency_code
from .context import Hook, LedgerContext
from .liens import Liens
from .records import Lien, LienId, PrivateLienState, from_struct
from .valuations import Valuations
from .vin import VIN

if TYPE_CHECKING:  # the proofs are imported by the methods that make them: reads need none
    from ...zk.curve import Point
    from ...zk.pedersen import Opening

__all__ = ["PrivateLiens"]


class PrivateLiens:
    """Liens whose amount only the lender and the auditors see (grants are a LENDER's)."""

    def __init__(self, context: LedgerContext, liens: Liens, valuations: Valuations) -> None:
        """Binds the part to the ledger's shared context, its liens and its valuations."""
        self._c = context
        self._liens = liens
        self._valuations = valuations

    def grant(
        self, vin: VIN, opening: Opening, *, currency: str, maturity: int, authorization: LienAuthorization | None,
        doc_cid: str, on_accepted: Hook = None,
    ) -> Lien:
        """Grants the signing lender a private lien (LENDER): only the commitment of `opening`
        goes on chain, with a range proof and a loan-to-value proof against the title's value now.

        Args:
            vin: The title: it must have no active lien and a fresh valuation.
            opening: The amount (minor units) and its blinding factor.
            currency: ISO 4217 code.
            maturity: Unix time at which the loan matures.
            authorization: The title owner's or a registrar's authorization of the lien, which
                binds the commitment of `opening`.
            doc_cid: The CID of the lien's sealed document (which must carry the opening).
            on_accepted: Called once the registry accepted the grant, before it is final.

        Returns:
            The new lien (its `amount` is 0: see `private`).

        Raises:
            AuthorizationRequired: If `authorization` is None.
            InvalidAuthorizationFile: If it is for other terms or another commitment.
            ProofError: If the title has no fresh valuation, or the amount is over what the
                threshold allows.
            InvalidOperation, AuthorizationRejected, TitleNotActive, MissingRole: If the registry refuses.
        """
        from . import private

        c = self._c
        signer = c.signer()
        token = c.token(vin)
        if authorization is None:
            raise AuthorizationRequired(vin)
        if not authorization.private:
            raise InvalidAuthorizationFile(
                f"the authorization of {authorization.signer} is for a public lien: ask for one of a private lien"
            )
        authorization.check_terms(chain_id=c.deployment.chain_id, registry=c.deployment.registry, token_id=token,
                                  lender=signer.address, amount=0, currency=currency, maturity=maturity)
        point = opening.commit()
        authorization.check(commitment=(authorization.commitment, commitment_hash(point.x, point.y)))
        a = self._valuations.appraisal(vin)
        private.require_valued(a, f"title {vin}")
        proofs = private.prove_grant(c.deployment, token, signer.address, opening, a.value, a.threshold_bps)
        fn = c.registry.functions.grantPrivateLien(
            token, proofs.as_argument(), currency_code(currency), maturity, doc_cid, authorization.as_argument()
        )
        receipt = signer.send(fn, titles=c.vins, on_accepted=on_accepted)
        (log,) = c.registry.events.LienGranted().process_receipt(receipt, errors=DISCARD)
        return self._liens.get(LienId(log["args"]["lienId"]))

    def prove(self, lien_id: int, opening: Opening, *, reserve: int = 0) -> PrivateLienState:
        """Proves a private lien's amount within what the threshold allows its title now (the
        value's threshold less the public liens) less `reserve`, ending a due proof; the lien then
        counts at that limit, leaving `reserve` for new liens. Anyone holding the opening may send it.

        Args:
            lien_id: The lien.
            opening: Its amount and blinding factor.
            reserve: How much below the limit to prove the amount, in minor units.

        Returns:
            The title's private lien state afterwards.

        Raises:
            ProofError: If the lien has ended, the title has no fresh valuation, or the amount is
                over that limit (the title stays frozen until the lien is released or the value rises).
            InvalidOperation, LtvExceeded: If the registry refuses.
        """
        from ...zk import ltv
        from ...zk.encoding import range_to_bytes
        from ...zk.ltv import LtvStatement
        from . import private

        c = self._c
        lien = self._liens.get(lien_id)
        if not lien.active:
            raise ProofError(f"lien {lien_id} has ended ({lien.status.label}): there is nothing to prove about it")
        commitment = self.commitment(lien_id)
        a = self._valuations.appraisal_of(lien.token_id)
        private.require_valued(a, f"lien {lien_id}'s title")
        deducted = a.secured + reserve
        private.check_within(opening.value, a.value, a.threshold_bps, deducted,
                             remedy="release it, or have the title valued again")
        nonce = int(c.reader.call(c.registry.functions.proofNonce(lien_id), titles=c.vins))
        statement = LtvStatement(private.lien_context(c.deployment, lien_id, nonce), commitment, a.value,
                                 a.threshold_bps, deducted)
        proof = range_to_bytes(ltv.prove(statement, opening))
        fn = c.registry.functions.proveLien(lien_id, reserve, proof)
        c.signer().send(fn, titles=c.vins)
        state = self._state(lien.token_id)
        if state is None:  # released between the proof and now
            raise ProofError(f"lien {lien_id} was released meanwhile: there is nothing to prove about it")
        return state

    def acknowledge(self, lien_id: int) -> PrivateLienState:
        """Acknowledges, as an AUDITOR, that the signing account opened a private lien's amount
        (see `Session.acknowledge_lien`, which opens it first).

        Returns:
            The lien's state after.

        Raises:
            RegistryLienAcknowledged, RegistryLienNotPrivate, LienNotActive, MissingRole: If the
                registry refuses.
        """
        c = self._c
        lien = self._liens.get(lien_id)
        c.signer().send(c.registry.functions.acknowledgeLien(lien_id), titles=c.vins)
        state = self._state(lien.token_id)
        assert state is not None  # acknowledged: it is active
        return state

    def reveal(self, lien_id: int, opening: Opening) -> Lien:
        """Reveals a private lien's amount on chain, checked there against its commitment: the
        lien is public from then on and counts at its amount. Its holder may at any time (to sell
        the loan, or at disposition); an AUDITOR once its loan-to-value proof is overdue, which
        frees its title from the overdue proof (the title is frozen instead if the amount is over
        the threshold). Nothing is sent unless `opening` opens the commitment.

        Args:
            lien_id: The lien.
            opening: Its amount and blinding factor.

        Returns:
            The lien, public.

        Raises:
            ProofError: If `opening` does not open the lien's commitment.
            RegistryRevealNotAllowed: If the signer is neither its holder nor, once its proof is
                overdue, an auditor.
            RegistryLienNotPrivate, LienNotActive: If the registry refuses.
        """
        c = self._c
        lien = self._liens.get(lien_id)
        if not lien.private:
            raise LienIsPublic(lien_id)
        if opening.commit() != self.commitment(lien_id):
            raise ProofError(f"the opening given does not open lien {lien_id}'s commitment: nothing was sent")
        c.signer().send(c.registry.functions.revealLien(lien_id, opening.value, opening.blinding), titles=c.vins)
        return self._liens.get(lien_id)

    def state(self, vin: VIN) -> PrivateLienState | None:
        """Reads a title's active private lien and whether it owes a proof (None if it has none).

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        return self._state(self._c.token(vin))

    def commitment(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Point:
        """Reads a private lien's amount commitment.

        Raises:
            InvalidOperation: If the lien is public.
            LienNotFound: If no lien has this id.
        """
        from ...zk.curve import Point

        c = self._c
        x, y = c.reader.call(c.registry.functions.lienCommitment(lien_id), titles=c.vins, block=block)
        return Point(int(x), int(y))

    def verifier_contract(self, address: str) -> Contract:
        """Returns the ZkVerifier contract at `address`, to call its checks."""
        abi = load_artifact("ZkVerifier").abi
        return self._c.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi, decode_tuples=True)

    def _state(self, token: int) -> PrivateLienState | None:
        c = self._c
        s = c.reader.call(c.registry.functions.privateLien(token), titles=c.vins)
        if int(s.lienId) == 0:
            return None
        return from_struct(PrivateLienState, s, commitment=(int(s.commitment[0]), int(s.commitment[1])))

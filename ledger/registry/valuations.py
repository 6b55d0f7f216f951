"""Valuations and loan-to-value: oracles' valuations, a title's appraisal, the consortium's settings."""

from __future__ import annotations

from web3.types import BlockIdentifier

from .consent import currency_code
from .context import Hook, LedgerContext
from .records import Address, Appraisal, Valuation, from_struct, plain
from .vin import VIN

__all__ = ["Valuations"]


class Valuations:
    """Valuations of titles and what they allow (writes are an ORACLE's)."""

    def __init__(self, context: LedgerContext) -> None:
        """Binds the part to the ledger's shared context."""
        self._c = context

    def post(
        self, vin: VIN, value: int, *, currency: str, valued_at: int | None = None, doc_cid: str,
        on_accepted: Hook = None,
    ) -> Appraisal:
        """Posts the signing oracle's valuation of a title (ORACLE); the registry then re-evaluates
        its loan-to-value, freezing or unfreezing it.

        Args:
            vin: The title.
            value: The vehicle's value in minor units (cents).
            currency: ISO 4217 code: the title's liens' currency, if it has any.
            valued_at: Unix time of the appraisal [default: the latest block's time].
            doc_cid: The CID of the sealed appraisal document.
            on_accepted: Called once the registry accepted the valuation, before it is final.

        Returns:
            The title's appraisal afterwards.

        Raises:
            MissingRole, CurrencyMismatch, InvalidOperation, TitleNotFound: If the registry refuses.
        """
        c = self._c
        when = valued_at if valued_at is not None else c.latest_time()
        fn = c.registry.functions.setValuation(c.token(vin), value, currency_code(currency), when, doc_cid)
        c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        return self.appraisal(vin)

    def appraisal(self, vin: VIN) -> Appraisal:
        """Reads a title's value (median of fresh valuations), loan-to-value and frozen state.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        return self.appraisal_of(self._c.token(vin))

    def appraisal_of(self, token: int, *, block: BlockIdentifier = "latest") -> Appraisal:
        """Reads a title's appraisal by token id, as of `block` [default: the latest].

        Raises:
            TitleNotFound: If no title has this token id.
        """
        a = self._c.reader.call(self._c.registry.functions.appraisal(token), titles=self._c.vins, block=block)
        currency = plain(bytes(a.currency)) if any(a.currency) else ""
        return from_struct(Appraisal, a, currency=str(currency))

    def latest(self, vin: VIN) -> list[Valuation]:
        """Reads the latest valuation of each oracle that valued a title, marking the stale ones.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        c = self._c
        records = c.reader.call(c.registry.functions.valuations(c.token(vin)), titles=c.vins)
        window = int(c.reader.call(c.registry.functions.stalenessWindow()))
        now = c.latest_time()
        return [
            Valuation(
                oracle=Address(v.oracle),
                value=int(v.value),
                currency=str(plain(bytes(v.currency))),
                valued_at=int(v.valuedAt),
                doc_cid=v.docCid,
                stale=int(v.valuedAt) + window < now,
            )
            for v in records
        ]

    def ltv_threshold(self) -> int:
        """Returns the consortium's loan-to-value threshold in basis points."""
        return int(self._c.reader.call(self._c.registry.functions.ltvThreshold()))

    def proof_window(self) -> int:
        """Returns how long a private lienholder has to prove its lien again, in seconds."""
        return int(self._c.reader.call(self._c.registry.functions.proofWindow()))

    def lapse_grace(self) -> int:
        """Returns how long after its maturity a lien lapses, in seconds."""
        return int(self._c.reader.call(self._c.registry.functions.lapseGrace()))

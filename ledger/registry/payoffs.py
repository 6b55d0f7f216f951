"""Payoffs and the release deadline: a paid-off lien must be released in time.

The title's owner (or a registrar, for an owner without a key) records that a lien was paid off;
its holder must then release it within the release deadline that governance sets (10 days by
default), or dispute the payoff. A review of the title past the deadline raises
`LienReleaseOverdue`; past a further grace period (10 days by default), a registrar other than the
one that recorded the payoff may release the lien on the payoff evidence, so that no lienholder's
inaction blocks a paid-off title, and no one registrar both claims a payoff and releases on it.
"""

from __future__ import annotations

from .context import Hook, LedgerContext
from .governance import Governance
from .liens import Liens
from .records import Address, Lien, LienId, Payoff

__all__ = ["Payoffs"]


class Payoffs:
    """Recorded payoffs of liens, and their release after the deadline."""

    def __init__(self, context: LedgerContext, liens: Liens, governance: Governance) -> None:
        """Binds the part to the ledger's shared context, its liens and its governance."""
        self._c = context
        self._liens = liens
        self._governance = governance

    def record(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Payoff:
        """Records a lien's payoff (the title's owner, or a REGISTRAR).

        Raises:
            RegistryNotBorrower, RegistryPayoffRecorded, LienNotActive, LienNotFound,
                RegistryDocumentRequired: If the registry refuses.
        """
        c = self._c
        c.signer().send(c.registry.functions.recordPayoff(lien_id, doc_cid), titles=c.vins, on_accepted=on_accepted)
        return self.get(lien_id)

    def dispute(self, lien_id: int, *, doc_cid: str, on_accepted: Hook = None) -> Payoff:
        """Disputes a recorded payoff of the signing lender's lien.

        Raises:
            RegistryNotLienholder, RegistryNoPayoff, LienNotActive, LienNotFound: If the registry refuses.
        """
        c = self._c
        c.signer().send(c.registry.functions.disputePayoff(lien_id, doc_cid), titles=c.vins, on_accepted=on_accepted)
        return self.get(lien_id)

    def release(self, lien_id: int, *, evidence_cid: str, on_accepted: Hook = None) -> Lien:
        """Releases a paid-off lien its holder has not released, past the deadline and its grace
        period (a REGISTRAR other than the one that recorded the payoff).

        Raises:
            RegistryReleaseNotOverdue, RegistrySameRegistrar, RegistryNoPayoff, MissingRole,
                LienNotActive, LienNotFound: If the registry refuses.
        """
        c = self._c
        c.signer().send(c.registry.functions.releasePaidOff(lien_id, evidence_cid), titles=c.vins,
                        on_accepted=on_accepted)
        return self._liens.get(LienId(lien_id))

    def get(self, lien_id: int) -> Payoff:
        """Reads a lien's recorded payoff.

        Raises:
            LienNotFound: If there is no such lien.
        """
        c = self._c
        p = c.reader.call(c.registry.functions.payoff(lien_id), titles=c.vins)
        return Payoff(LienId(lien_id), int(p.paidOffAt), Address(p.recordedBy), int(p.releaseDue),
                      int(p.registrarMayReleaseAt), bool(p.overdue))

    def deadline(self) -> int:
        """Returns how long a lienholder has to release a paid-off lien, in seconds."""
        c = self._c
        return int(c.reader.call(c.registry.functions.releaseDeadline()))

    def grace(self) -> int:
        """Returns how long after the release deadline a registrar may release a paid-off lien, in seconds."""
        c = self._c
        return int(c.reader.call(c.registry.functions.releaseGrace()))

    def propose_deadline(self, seconds: int) -> int:
        """Proposes the release deadline (seconds); the proposer's vote counts at once.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._governance.propose_registry_call(
            "setReleaseDeadline", [seconds], f"give lienholders {seconds / 86400:g} days ({seconds} s) to release a paid-off lien")

    def propose_grace(self, seconds: int) -> int:
        """Proposes how long after the release deadline a registrar may release a paid-off lien
        (seconds); the proposer's vote counts at once.

        Raises:
            RegistrySettingUnchanged, RegistryInvalidSetting: If the registry would refuse the value
                now (nothing is proposed).
        """
        return self._governance.propose_registry_call(
            "setReleaseGrace", [seconds],
            f"let a registrar release a paid-off lien {seconds / 86400:g} days ({seconds} s) after its release deadline")

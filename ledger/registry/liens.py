"""Liens and consents: granting and releasing public liens, reading them, signing consents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from web3 import Web3
from web3.logs import DISCARD
from web3.types import BlockIdentifier

from ...errors import AuthorizationRequired, InvalidAuthorizationFile, NotAuthorizer
from ..chain.transactions import Call
from .authorization import NO_COMMITMENT, LienAuthorization
from .consent import Consent, currency_code, sign_consent
from .context import Hook, LedgerContext
from .governance import Governance
from .history import History, event_topics
from .records import AuthorizationPolicy, Lien, LienId, LienStatus, from_struct, plain
from .titles import Titles
from .vin import VIN

__all__ = ["LienTerms", "Liens"]

# The only fixed gas figures left, and only a fallback: a node estimates every write of a batch on
# the state before the batch (its endpoint opens no API that runs a write after others without
# mining them), so a grant that follows another grant on the same title in one batch is sent with
# at least the most a grant can need: a loop over the title's 16 active liens and 16 valuers
# (Titles.MAX_ACTIVE_LIENS, MAX_VALUERS; measured 656,000 gas) with half again, and 60,000 per
# consent checked. The embedded chain estimates each write after the earlier ones and needs none.
_GRANT_BOUND = 1_000_000
#: Liens read per call of `get_many`.
_READ_BATCH = 500
_GRANT_BOUND_CONSENT = 60_000


@dataclass(frozen=True)
class LienTerms:
    """The terms of one lien to grant (see `Ledger.grant_liens`)."""

    vin: VIN
    amount: int
    currency: str
    maturity: int
    doc_cid: str = ""
    consents: tuple[Consent, ...] = ()
    #: The title owner's or a registrar's authorization of this lien (required).
    authorization: LienAuthorization | None = None


class Liens:
    """The registry's liens, as one account sees them (grants are a LENDER's)."""

    def __init__(self, context: LedgerContext, titles: Titles, history: History, governance: Governance) -> None:
        """Binds the part to the ledger's shared context, its titles, its event index and its
        governance (who holds which role)."""
        self._c = context
        self._titles = titles
        self._history = history
        self._governance = governance

    def grant(self, terms: LienTerms, *, on_accepted: Hook = None) -> Lien:
        """Grants the signing lender a lien (LENDER).

        Args:
            terms: The lien's terms, with the consents of the title's senior active lienholders.
            on_accepted: Called once the registry accepted the grant, before it is final.

        Returns:
            The new lien.

        Raises:
            AuthorizationRequired: If the terms carry no authorization.
            InvalidAuthorizationFile: If the authorization is for other terms.
            ConsentRequired: If a senior lienholder's consent is missing.
            ConsentRejected, AuthorizationRejected, TitleNotActive, MissingRole, InvalidOperation: If
                the registry refuses.
        """
        c = self._c
        call = self._grant_call(terms)
        receipt = c.signer().send(call.fn, titles=c.vins, on_accepted=on_accepted)
        (log,) = c.registry.events.LienGranted().process_receipt(receipt, errors=DISCARD)
        return self.get(LienId(log["args"]["lienId"]))

    def grant_many(self, items: Sequence[LienTerms]) -> list[LienId]:
        """Grants the signing lender many liens in a row (LENDER): on the embedded chain, in one
        block, all or nothing, so the batch must fit in one block's gas limit (about 200,000 gas
        a lien).

        Args:
            items: The terms of each lien.

        Returns:
            The new liens' ids, in order.

        Raises:
            ContractRevert: If any grant would be refused (then none is made).
        """
        c = self._c
        signer = c.signer()
        with signer.timed("build calls"):
            calls: list[Call] = []
            seen: set[int] = set()
            for t in items:
                call, token = self._grant_call(t), c.token(t.vin)
                if token in seen:  # an earlier grant of the batch adds to the liens this one loops over
                    call = replace(call, gas_bound=_GRANT_BOUND + _GRANT_BOUND_CONSENT * len(t.consents))
                seen.add(token)
                calls.append(call)
        receipts = signer.send_many(calls, titles=c.vins)
        with signer.timed("decode receipts"):
            event = c.registry.events.LienGranted()
            return [
                LienId(log["args"]["lienId"])
                for receipt in receipts
                for log in event.process_receipt(receipt, errors=DISCARD)
            ]

    def submit(self, terms: LienTerms) -> str:
        """Checks and sends a lien grant without waiting for it to be mined (LENDER).

        Returns:
            The transaction hash, to follow the grant with (its receipt names the lien).

        Raises:
            ContractRevert: If the grant would be refused (nothing is sent).
        """
        sent = self._c.signer().submit(self._grant_call(terms), titles=self._c.vins)
        return "0x" + sent.hex().removeprefix("0x")

    def release(self, lien_id: int) -> Lien:
        """Releases a lien (its lienholder only).

        Args:
            lien_id: The lien.

        Returns:
            The lien after release.

        Raises:
            NotLienholder, LienNotActive, LienNotFound: If the registry refuses.
        """
        c = self._c
        c.signer().send(c.registry.functions.releaseLien(lien_id), titles=c.vins)
        return self.get(LienId(lien_id))

    def mark_lapsed(self, lien_id: int) -> Lien:
        """Marks a lien lapsed: past its maturity and the lapse grace period, anyone may.

        Returns:
            The lien, lapsed.

        Raises:
            RegistryLienNotLapsed: If its maturity and grace period have not passed (chain time).
            LienNotActive, LienNotFound: If it is not an active lien.
        """
        c = self._c
        c.signer().send(c.registry.functions.markLapsed(lien_id), titles=c.vins)
        return self.get(LienId(lien_id))

    def get(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Lien:
        """Reads a lien.

        Args:
            lien_id: The lien.
            block: As of this block [default: the latest].

        Returns:
            The lien.

        Raises:
            LienNotFound: If no lien has this id.
        """
        c = self._c
        record = c.reader.call(c.registry.functions.lien(lien_id), titles=c.vins, block=block)
        # plain(): a code that is not three letters (from an older registry) shows as hex, never crashes.
        return from_struct(Lien, record, lien_id=LienId(lien_id), currency=str(plain(bytes(record.currency))),
                           status=LienStatus(record.status))

    def get_many(self, lien_ids: Sequence[int]) -> list[Lien]:
        """Reads many liens, a few hundred per call.

        Raises:
            RegistryUnknownLien: Naming the first id that is no lien.
        """
        c = self._c
        out: list[Lien] = []
        for i in range(0, len(lien_ids), _READ_BATCH):
            ids = list(lien_ids[i : i + _READ_BATCH])
            records = c.reader.call(c.registry.functions.lienBatch(ids), titles=c.vins)
            out += [from_struct(Lien, r, lien_id=LienId(lien_id), currency=str(plain(bytes(r.currency))),
                                status=LienStatus(r.status)) for lien_id, r in zip(ids, records, strict=True)]
        return out

    def document(self, lien_id: int) -> str:
        """Returns the CID of a lien's current document: that of its latest assignment (sealed for
        its holder then, and for a private lien carrying its amount's opening), else that of its
        grant, read from the chain's logs.

        Raises:
            LienNotFound: If there is no such lien.
        """
        c = self._c
        lien = self.get(lien_id)
        (topic,) = event_topics(c.registry.abi, ("LienAssigned",))
        logs = c.chain.logs(address=c.registry.address, from_block=c.deployment.block,
                            topics=["0x" + topic.hex(), "0x" + lien_id.to_bytes(32, "big").hex()])
        if not logs:
            return lien.doc_cid
        last = max(logs, key=lambda log: (int(log["blockNumber"]), int(log["logIndex"])))
        return str(c.registry.events.LienAssigned().process_log(last)["args"]["docCid"])

    def of_title(self, vin: VIN) -> list[Lien]:
        """Reads every lien ever granted on a title, in priority order.

        Args:
            vin: The title.

        Returns:
            The liens, active and released, the most senior first.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        c = self._c
        if c.index is not None:
            self._titles.get(vin)
            return self._history.sync_index().liens(c.token(vin))
        ids = c.reader.call(c.registry.functions.liensOf(c.token(vin)), titles=c.vins)
        return sorted((self.get(i) for i in ids), key=lambda x: x.priority)

    def held_at(self, lender: str, *, block: int) -> list[Lien]:
        """Reads the liens a lender held active at a block, from the chain alone: the local index,
        which anyone with the profile can edit, is no source for what a proof covers.

        The candidates are the liens the node's `LienGranted` and `LienAssigned` logs up to the
        block name the lender in (as the lender granted, or the assignee); each is read as of the
        block, and kept if active and still the lender's.

        Args:
            lender: The lender's address.
            block: The block.

        Returns:
            The liens, in the order they were granted.
        """
        c = self._c
        holder = "0x" + bytes(12).hex() + lender.lower().removeprefix("0x")
        ids: set[int] = set()
        for topic in event_topics(c.registry.abi, ("LienGranted", "LienAssigned")):
            logs = c.chain.logs(address=c.registry.address, from_block=c.deployment.block, to_block=block,
                                topics=["0x" + topic.hex(), None, None, holder])
            ids.update(int.from_bytes(bytes(log["topics"][1]), "big") for log in logs)
        liens = (self.get(i, block=block) for i in sorted(ids))
        return [x for x in liens if x.active and x.lender.lower() == lender.lower()]

    def sign_consent(self, vin: VIN, *, lender: str, amount: int, currency: str, deadline: int) -> Consent:
        """Signs, as a senior lienholder, a consent to a new lien for `lender`.

        Args:
            vin: The title.
            lender: The new lien's lender.
            amount: The new lien's amount, in minor units.
            currency: Its ISO 4217 code.
            deadline: Unix time after which the consent is void.

        Returns:
            The consent, to hand to the new lender.

        Raises:
            NoSigningAccount: If the ledger has no signing account.
        """
        c = self._c
        return sign_consent(
            c.signer().account,
            chain_id=c.deployment.chain_id,
            registry=c.deployment.registry,
            vin=vin,
            token_id=c.token(vin),
            lender=Web3.to_checksum_address(lender),
            amount=amount,
            currency=currency,
            deadline=deadline,
        )

    def authorize(
        self, vin: VIN, *, lender: str, amount: int, currency: str, maturity: int, deadline: int,
        commitment: str = NO_COMMITMENT, opening: str = "",
    ) -> LienAuthorization:
        """Signs, as the title's owner or a registrar, the authorization of one new lien.

        Args:
            vin: The title.
            lender: The lender who will hold the lien.
            amount: Its amount in minor units; 0 for a private lien.
            currency: Its ISO 4217 code.
            maturity: Its maturity (unix time).
            deadline: Unix time (chain time) after which the authorization is void.
            commitment: A private lien's commitment hash (see `commitment_hash`).
            opening: A private lien's opening sealed for the lender (hex), carried in the file.

        Returns:
            The authorization, to hand to the lender.

        Raises:
            NotAuthorizer: If the signing account is neither the title's owner nor, where the
                policy admits registrars, a registrar other than the lender.
        """
        c = self._c
        signer = c.signer()
        owner = self._titles.get(vin).owner
        if signer.address.lower() != owner.lower() and not self._registrar_may(signer.address, lender):
            raise NotAuthorizer(signer.address, vin)
        currency_code(currency)
        return LienAuthorization.sign(
            signer.account, chain_id=c.deployment.chain_id, registry=c.deployment.registry, vin=vin,
            token_id=c.token(vin), lender=Web3.to_checksum_address(lender), amount=amount, commitment=commitment,
            currency=currency.upper(), maturity=maturity, deadline=deadline, opening=opening,
        )

    def authorize_many(self, items: Sequence[LienTerms], *, lender: str, deadline: int) -> list[LienTerms]:
        """Signs, as a registrar, the authorization of each of many liens of `lender` (an import
        of existing liens, whose owners have no keys), checking once that this registrar may.

        Returns:
            The terms, each with its authorization.

        Raises:
            NotAuthorizer: If the policy admits no registrar, the signer is no registrar, or it is
                the lender itself.
        """
        c = self._c
        signer = c.signer()
        if not self._registrar_may(signer.address, lender):
            raise NotAuthorizer(signer.address, items[0].vin if items else "these titles")
        d = c.deployment
        return [
            replace(t, authorization=LienAuthorization.sign(
                signer.account, chain_id=d.chain_id, registry=d.registry, vin=t.vin, token_id=c.token(t.vin),
                lender=Web3.to_checksum_address(lender), amount=t.amount, commitment=NO_COMMITMENT,
                currency=t.currency.upper(), maturity=t.maturity, deadline=deadline,
            ))
            for t in items
        ]

    def _registrar_may(self, signer: str, lender: str) -> bool:
        """Returns whether `signer` may authorize `lender`'s liens as a registrar: the policy admits
        registrars, it holds REGISTRAR, and it is not the lender (no lender authorizes its own lien)."""
        return (self.policy() == AuthorizationPolicy.OWNER_OR_REGISTRAR and signer.lower() != lender.lower()
                and self._governance.has_role("REGISTRAR", signer))

    def policy(self) -> AuthorizationPolicy:
        """Returns who, besides a title's owner, may authorize a new lien."""
        return AuthorizationPolicy(int(self._c.reader.call(self._c.registry.functions.authorizationPolicy())))

    def _grant_call(self, t: LienTerms) -> Call:
        c = self._c
        if t.authorization is None:
            raise AuthorizationRequired(t.vin)
        if t.authorization.private:
            raise InvalidAuthorizationFile(
                f"the authorization of {t.authorization.signer} is for a private lien: grant it as a private lien"
            )
        t.authorization.check_terms(chain_id=c.deployment.chain_id, registry=c.deployment.registry,
                                    token_id=c.token(t.vin), lender=c.signer().address, amount=t.amount,
                                    currency=t.currency, maturity=t.maturity)
        args = [consent.as_argument() for consent in t.consents]
        fn = self._c.registry.functions.grantLien(
            self._c.token(t.vin), t.amount, currency_code(t.currency), t.maturity, t.doc_cid, args,
            t.authorization.as_argument(),
        )
        return Call(fn)


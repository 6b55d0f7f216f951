"""The `Ledger`: typed operations on a consortium's title registry over one web3 connection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eth_account.signers.local import LocalAccount
from eth_utils.abi import event_abi_to_log_topic
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import BlockIdentifier, FilterParams

from ...contracts.build import load_artifact
from ...errors import ChainIdMismatch, ConfigError, ProofError
from .consent import Consent, currency_code, sign_consent
from .deployment import NO_SEALER, Deployment
from .index import EventIndex
from .records import (
    Address,
    Appraisal,
    Event,
    Lien,
    LienId,
    LienStatus,
    PrivateLienState,
    Proposal,
    Title,
    TitleStatus,
    Valuation,
    plain,
)
from .reverts import RevertDecoder, percent
from .roles import ROLES, role_id, role_name
from ..chain.transactions import Call, Engine, Transactor
from .vin import VIN, TokenId, token_id

if TYPE_CHECKING:  # the proofs are imported where private liens need them: reads do not
    from ...zk.curve import Point
    from ...zk.pedersen import Opening

# Gas limits per operation: at least 1.5 times the measured use (a test holds them to it). Explicit
# limits spare an estimation round trip; unused gas is not charged.
GAS = {
    "registerTitle": 400_000,
    "transferTitle": 200_000,
    "setTitleStatus": 100_000,
    "grantLien": 520_000,
    "grantLien/consent": 60_000,
    "grantPrivateLien": 4_500_000,
    "proveLien": 2_000_000,
    "setValuation": 300_000,
    "releaseLien": 100_000,
    "propose": 500_000,
    "propose/word": 35_000,  # each 32 bytes of calldata and description a proposal stores
    # The vote that reaches a majority pays for the proposal's call: this covers the largest
    # lienchain makes, admitting a member with all four roles or removing one.
    "approve": 700_000,
}

Hook = Callable[[], object] | None

_TITLE_EVENTS = ("TitleRegistered", "TitleTransferred", "TitleStatusChanged", "ValuationSet", "LtvAlert", "LtvRecovered")
_LIEN_EVENTS = ("LienGranted", "LienReleased", "LienCommitted", "LienProved", "LienProofDue")


@dataclass(frozen=True)
class LienTerms:
    """The terms of one lien to grant (see `Ledger.grant_liens`)."""

    vin: VIN
    amount: int
    currency: str
    maturity: int
    doc_cid: str = ""
    consents: tuple[Consent, ...] = ()


class Ledger:
    """Typed operations on the registry and its governance.

    Reads need no account; writes are signed by the account given with `as_account`.
    """

    def __init__(
        self,
        w3: Web3,
        deployment: Deployment,
        *,
        engine: Engine | None = None,
        check_chain_id: bool = True,
        index_path: Path | None = None,
    ) -> None:
        """Connects the facade to a deployment.

        Args:
            w3: The connection to a node of the deployment's chain.
            deployment: The deployment record.
            engine: The embedded chain, when `w3` talks to it (batches, refusal at submission).
            check_chain_id: Compare the node's chain id with the deployment's (on by default).
            index_path: An SQLite file for the local event index that `history`, `liens` and
                `events` read [default: none; they read the chain].

        Raises:
            ChainIdMismatch: If the node serves another chain.
        """
        if check_chain_id and w3.eth.chain_id != deployment.chain_id:
            raise ChainIdMismatch(deployment.chain_id, w3.eth.chain_id)
        self.w3 = w3
        self.deployment = deployment
        self.registry: Contract = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.registry), abi=load_artifact("TitleRegistry").abi
        )
        self.governance: Contract = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.governance), abi=load_artifact("Governance").abi
        )
        self._engine = engine
        self._decoder = RevertDecoder([cast(Any, self.registry.abi), cast(Any, self.governance.abi)])
        self._reader = Transactor(w3, _NO_ACCOUNT, chain_id=deployment.chain_id, decoder=self._decoder)
        self._tx: Transactor | None = None
        self._vins: dict[int, str] = {}
        self._index_path = index_path
        self._index: EventIndex | None = None

    def as_account(self, account: LocalAccount) -> Ledger:
        """Returns a ledger on the same connection whose writes `account` signs."""
        other = Ledger.__new__(Ledger)
        other.__dict__.update(self.__dict__)
        other._tx = Transactor(
            self.w3, account, chain_id=self.deployment.chain_id, decoder=self._decoder, engine=self._engine
        )
        return other

    @property
    def address(self) -> Address:
        """Returns the signing account's address."""
        return Address(self._signer.address)

    # --- titles -------------------------------------------------------------------------------

    def register_title(self, vin: VIN, owner: str, *, doc_cid: str = "", on_accepted: Hook = None) -> Title:
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
        self._remember(vin)
        fn = self.registry.functions.registerTitle(vin, Web3.to_checksum_address(owner), doc_cid)
        self._signer.send(fn, gas=GAS["registerTitle"], titles=self._vins, on_accepted=on_accepted)
        return self.title(vin)

    def register_titles(self, items: Sequence[tuple[VIN, str, str]]) -> list[TokenId]:
        """Registers many titles in a row (REGISTRAR): on the embedded chain, in one block, all or
        nothing, so the batch must fit in one block's gas limit (about 150,000 gas a title).

        Args:
            items: (vin, owner, doc_cid) triples.

        Returns:
            The token ids, in order.

        Raises:
            ContractRevert: If any registration would be refused (nothing is sent).
        """
        for vin, _, _ in items:
            self._remember(vin)
        calls = [
            Call(self.registry.functions.registerTitle(v, Web3.to_checksum_address(o), c), GAS["registerTitle"])
            for v, o, c in items
        ]
        self._signer.send_many(calls, titles=self._vins, receipts=False)
        return [token_id(v) for v, _, _ in items]

    def transfer_title(self, vin: VIN, to: str, *, doc_cid: str = "", on_accepted: Hook = None) -> Title:
        """Records a title's transfer to a new owner (REGISTRAR); refused while liened.

        Args:
            vin: The title.
            to: The new owner's address.
            doc_cid: The CID of the sealed transfer document; it becomes the title's document.
            on_accepted: As for `register_title`.

        Returns:
            The title after the transfer.

        Raises:
            TitleEncumbered, TitleNotActive, MissingRole, InvalidOperation: If the registry refuses.
        """
        fn = self.registry.functions.transferTitle(self._token(vin), Web3.to_checksum_address(to), doc_cid)
        self._signer.send(fn, gas=GAS["transferTitle"], titles=self._vins, on_accepted=on_accepted)
        return self.title(vin)

    def set_title_status(self, vin: VIN, status: TitleStatus) -> Title:
        """Marks a title stolen, salvage, cancelled or active again (REGISTRAR).

        Args:
            vin: The title.
            status: Its new status; a cancelled title never changes again.

        Returns:
            The title after the change.

        Raises:
            TitleNotActive, MissingRole: If the registry refuses.
        """
        fn = self.registry.functions.setTitleStatus(self._token(vin), int(status))
        self._signer.send(fn, gas=GAS["setTitleStatus"], titles=self._vins)
        return self.title(vin)

    def vin_of(self, token: int) -> VIN:
        """Returns the VIN of a title by token id.

        Raises:
            TitleNotFound: If no title has this token id.
        """
        raw, _, _ = self._reader.call(self.registry.functions.title(token), titles=self._vins)
        self._vins[token] = raw[0]
        return VIN(raw[0])

    def title(self, vin: VIN) -> Title:
        """Reads a title with its owner and number of active liens.

        Args:
            vin: A normalized VIN.

        Returns:
            The title.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        tid = self._token(vin)
        raw, owner, active = self._reader.call(self.registry.functions.title(tid), titles=self._vins)
        return Title(
            vin=VIN(raw[0]),
            token_id=tid,
            owner=Address(owner),
            doc_cid=raw[1],
            status=TitleStatus(raw[2]),
            registered_at=int(raw[3]),
            active_liens=int(active),
        )

    # --- liens --------------------------------------------------------------------------------

    def grant_lien(
        self,
        vin: VIN,
        amount: int,
        *,
        currency: str,
        maturity: int,
        doc_cid: str = "",
        consents: Iterable[Consent] = (),
        on_accepted: Hook = None,
    ) -> Lien:
        """Grants the signing lender a lien (LENDER).

        Args:
            vin: The title.
            amount: The amount secured, in minor units (cents).
            currency: ISO 4217 code.
            maturity: Unix time at which the loan matures.
            doc_cid: The CID of the sealed loan document.
            consents: Consents of the senior active lienholders, if the title has any.

        Returns:
            The new lien.

        Raises:
            ConsentRequired: If a senior lienholder's consent is missing.
            ConsentRejected, TitleNotActive, MissingRole, InvalidOperation: If the registry refuses.
        """
        c = self._grant_call(LienTerms(vin, amount, currency, maturity, doc_cid, tuple(consents)))
        receipt = self._signer.send(c.fn, gas=c.gas, titles=self._vins, on_accepted=on_accepted)
        (log,) = self.registry.events.LienGranted().process_receipt(receipt, errors=DISCARD)
        return self.lien(LienId(log["args"]["lienId"]))

    def grant_liens(self, items: Sequence[LienTerms]) -> list[LienId]:
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
        with self._signer.timed("build calls"):
            calls = [self._grant_call(t) for t in items]
        receipts = self._signer.send_many(calls, titles=self._vins)
        with self._signer.timed("decode receipts"):
            event = self.registry.events.LienGranted()
            return [
                LienId(log["args"]["lienId"])
                for receipt in receipts
                for log in event.process_receipt(receipt, errors=DISCARD)
            ]

    def submit_lien(self, terms: LienTerms) -> str:
        """Checks and sends a lien grant without waiting for it to be mined (LENDER).

        Returns:
            The transaction hash, to follow the grant with (its receipt names the lien).

        Raises:
            ContractRevert: If the grant would be refused (nothing is sent).
        """
        return "0x" + self._signer.submit(self._grant_call(terms), titles=self._vins).hex().removeprefix("0x")

    def timings(self) -> dict[str, float]:
        """Returns the seconds the signing account's writes spent per phase (see `Transactor.timings`)."""
        return dict(self._signer.timings)

    def _grant_call(self, t: LienTerms) -> Call:
        args = [c.as_argument() for c in t.consents]
        fn = self.registry.functions.grantLien(
            self._token(t.vin), t.amount, currency_code(t.currency), t.maturity, t.doc_cid, args
        )
        return Call(fn, GAS["grantLien"] + GAS["grantLien/consent"] * len(args))

    def release_lien(self, lien_id: int) -> Lien:
        """Releases a lien (its lienholder only).

        Args:
            lien_id: The lien.

        Returns:
            The lien after release.

        Raises:
            NotLienholder, LienNotActive, LienNotFound: If the registry refuses.
        """
        self._signer.send(self.registry.functions.releaseLien(lien_id), gas=GAS["releaseLien"], titles=self._vins)
        return self.lien(LienId(lien_id))

    def lien(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Lien:
        """Reads a lien.

        Args:
            lien_id: The lien.
            block: As of this block [default: the latest].

        Returns:
            The lien.

        Raises:
            LienNotFound: If no lien has this id.
        """
        raw = self._reader.call(self.registry.functions.lien(lien_id), titles=self._vins, block=block)
        return Lien(
            lien_id=LienId(lien_id),
            token_id=TokenId(raw[0]),
            lender=Address(raw[1]),
            maturity=int(raw[2]),
            granted_at=int(raw[3]),
            currency=bytes(raw[4]).decode("ascii"),
            status=LienStatus(raw[5]),
            priority=int(raw[6]),
            amount=int(raw[7]),
            doc_cid=raw[8],
        )

    def liens(self, vin: VIN) -> list[Lien]:
        """Reads every lien ever granted on a title, in priority order.

        Args:
            vin: The title.

        Returns:
            The liens, active and released, the most senior first.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        if self._index_path is not None:
            self.title(vin)
            return self.index.liens(self._token(vin))
        ids = self._reader.call(self.registry.functions.liensOf(self._token(vin)), titles=self._vins)
        return [self.lien(i) for i in ids]

    # --- private liens ------------------------------------------------------------------------

    def grant_private_lien(
        self, vin: VIN, opening: Opening, *, currency: str, maturity: int, doc_cid: str = "",
        on_accepted: Hook = None,
    ) -> Lien:
        """Grants the signing lender a private lien (LENDER): only the commitment of `opening`
        goes on chain, with a range proof and a loan-to-value proof against the title's value now.

        Args:
            vin: The title: it must have no active lien and a fresh valuation.
            opening: The amount (minor units) and its blinding factor.
            currency: ISO 4217 code.
            maturity: Unix time at which the loan matures.
            doc_cid: The CID of the lien's sealed document (which must carry the opening).
            on_accepted: As for `register_title`.

        Returns:
            The new lien (its `amount` is 0: see `private`).

        Raises:
            ProofError: If the title has no fresh valuation, or the amount is over what the
                threshold allows.
            InvalidOperation, TitleNotActive, MissingRole: If the registry refuses.
        """
        from . import private

        token = self._token(vin)
        a = self.appraisal(vin)
        private.require_valued(a, f"title {vin}")
        proofs = private.prove_grant(self.deployment, token, self.address, opening, a.value, a.threshold_bps)
        fn = self.registry.functions.grantPrivateLien(
            token, proofs.as_argument(), currency_code(currency), maturity, doc_cid
        )
        receipt = self._signer.send(fn, gas=GAS["grantPrivateLien"], titles=self._vins, on_accepted=on_accepted)
        (log,) = self.registry.events.LienGranted().process_receipt(receipt, errors=DISCARD)
        return self.lien(LienId(log["args"]["lienId"]))

    def prove_lien(self, lien_id: int, opening: Opening, *, reserve: int = 0) -> PrivateLienState:
        """Proves a private lien's amount within what the threshold allows its title now (the
        value's threshold less the public liens) less `reserve`, ending a due proof; the lien then
        counts at that limit, leaving `reserve` for new liens. Anyone holding the opening may send it.

        Raises:
            ProofError: If the lien is released, the title has no fresh valuation, or the amount is
                over that limit (the title stays frozen until the lien is released or the value rises).
            InvalidOperation, LtvExceeded: If the registry refuses.
        """
        from ...zk import ltv
        from ...zk.encoding import range_to_bytes
        from ...zk.ltv import LtvStatement
        from . import private

        lien = self.lien(lien_id)
        if not lien.active:
            raise ProofError(f"lien {lien_id} is released: there is nothing to prove about it")
        commitment = self.lien_commitment(lien_id)
        a = self.appraisal_of(lien.token_id)
        private.require_valued(a, f"lien {lien_id}'s title")
        deducted = a.secured + reserve
        private.check_within(opening.value, a.value, a.threshold_bps, deducted,
                             remedy="release it, or have the title valued again")
        statement = LtvStatement(private.lien_context(self.deployment, lien_id), commitment, a.value,
                                 a.threshold_bps, deducted)
        proof = range_to_bytes(ltv.prove(statement, opening))
        fn = self.registry.functions.proveLien(lien_id, reserve, proof)
        self._signer.send(fn, gas=GAS["proveLien"], titles=self._vins)
        state = self._private_state(lien.token_id)
        if state is None:  # released between the proof and now
            raise ProofError(f"lien {lien_id} was released meanwhile: there is nothing to prove about it")
        return state

    def private_lien(self, vin: VIN) -> PrivateLienState | None:
        """Reads a title's active private lien and whether it owes a proof (None if it has none).

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        return self._private_state(self._token(vin))

    def lien_commitment(self, lien_id: int, *, block: BlockIdentifier = "latest") -> Point:
        """Reads a private lien's amount commitment.

        Raises:
            InvalidOperation: If the lien is public.
            LienNotFound: If no lien has this id.
        """
        from ...zk.curve import Point

        x, y = self._reader.call(self.registry.functions.lienCommitment(lien_id), titles=self._vins, block=block)
        return Point(int(x), int(y))

    def verifier_contract(self, address: str) -> Contract:
        """Returns the ZkVerifier contract at `address`, to call its checks."""
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact("ZkVerifier").abi)

    def _private_state(self, token: int) -> PrivateLienState | None:
        raw = self._reader.call(self.registry.functions.privateLien(token), titles=self._vins)
        if int(raw[0]) == 0:
            return None
        return PrivateLienState(LienId(int(raw[0])), (int(raw[1][0]), int(raw[1][1])), int(raw[2]), int(raw[3]),
                                int(raw[4]), int(raw[5]), bool(raw[6]), bool(raw[7]))

    def sign_consent(self, vin: VIN, *, lender: str, amount: int, currency: str, deadline: int) -> Consent:
        """Signs, as a senior lienholder, a consent to a new lien for `lender`.

        Returns:
            The consent, to hand to the new lender.
        """
        return sign_consent(
            self._signer.account,
            chain_id=self.deployment.chain_id,
            registry=self.deployment.registry,
            vin=vin,
            token_id=self._token(vin),
            lender=Web3.to_checksum_address(lender),
            amount=amount,
            currency=currency,
            deadline=deadline,
        )

    def send_value(self, to: str, value: int) -> None:
        """Sends ether (gas money) from the signing account to an address.

        Raises:
            InsufficientFunds, TransactionFailed: If the node refuses the transaction.
        """
        self._signer.send_value(Web3.to_checksum_address(to), value)

    # --- valuations and loan-to-value ---------------------------------------------------------

    def set_valuation(
        self, vin: VIN, value: int, *, currency: str, valued_at: int | None = None, doc_cid: str = "",
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
            on_accepted: As for `register_title`.

        Returns:
            The title's appraisal afterwards.

        Raises:
            MissingRole, CurrencyMismatch, InvalidOperation, TitleNotFound: If the registry refuses.
        """
        when = valued_at if valued_at is not None else int(self.w3.eth.get_block("latest")["timestamp"])
        fn = self.registry.functions.setValuation(self._token(vin), value, currency_code(currency), when, doc_cid)
        self._signer.send(fn, gas=GAS["setValuation"], titles=self._vins, on_accepted=on_accepted)
        return self.appraisal(vin)

    def appraisal(self, vin: VIN) -> Appraisal:
        """Reads a title's value (median of fresh valuations), loan-to-value and frozen state.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        return self.appraisal_of(self._token(vin))

    def appraisal_of(self, token: int, *, block: BlockIdentifier = "latest") -> Appraisal:
        """Reads a title's appraisal by token id, as of `block` [default: the latest].

        Raises:
            TitleNotFound: If no title has this token id.
        """
        a = self._reader.call(self.registry.functions.appraisal(token), titles=self._vins, block=block)
        currency = plain(bytes(a[1])) if any(a[1]) else ""
        return Appraisal(int(a[0]), str(currency), int(a[2]), int(a[3]), int(a[4]), int(a[5]), int(a[6]), bool(a[7]))

    def valuations(self, vin: VIN) -> list[Valuation]:
        """Reads the latest valuation of each oracle that valued a title, marking the stale ones.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        raw = self._reader.call(self.registry.functions.valuations(self._token(vin)), titles=self._vins)
        window = int(self._reader.call(self.registry.functions.stalenessWindow()))
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        return [
            Valuation(Address(v[0]), int(v[1]), str(plain(bytes(v[2]))), int(v[3]), v[4], int(v[3]) + window < now)
            for v in raw
        ]

    def ltv_threshold(self) -> int:
        """Returns the consortium's loan-to-value threshold in basis points."""
        return int(self._reader.call(self.registry.functions.ltvThreshold()))

    def propose_ltv_threshold(self, threshold_bps: int) -> int:
        """Proposes a new loan-to-value threshold (basis points); the proposer's vote counts at once.

        Returns:
            The proposal id.
        """
        data = self.registry.encode_abi("setLtvThreshold", [threshold_bps])
        return self._propose(self.registry.address, data, f"set the loan-to-value threshold to {percent(threshold_bps)}")

    def propose_staleness_window(self, seconds: int) -> int:
        """Proposes how long a valuation counts (seconds); the proposer's vote counts at once.

        Returns:
            The proposal id.
        """
        data = self.registry.encode_abi("setStalenessWindow", [seconds])
        return self._propose(self.registry.address, data, f"count valuations for {seconds // 86400} days ({seconds} s)")

    def propose_proof_window(self, seconds: int) -> int:
        """Proposes how long a private lienholder has to prove its lien again (seconds); the
        proposer's vote counts at once.

        Returns:
            The proposal id.
        """
        data = self.registry.encode_abi("setProofWindow", [seconds])
        return self._propose(self.registry.address, data, f"give private liens {seconds} s to prove again")

    def proof_window(self) -> int:
        """Returns how long a private lienholder has to prove its lien again, in seconds."""
        return int(self._reader.call(self.registry.functions.proofWindow()))

    # --- history ------------------------------------------------------------------------------

    def history(self, vin: VIN) -> list[Event]:
        """Returns every event of a title and its liens, oldest first.

        Raises:
            TitleNotFound: If no title is registered for the VIN.
        """
        self.title(vin)
        if self._index_path is not None:
            return self.index.events(token_id=self._token(vin), names=_TITLE_EVENTS + _LIEN_EVENTS)
        tid = "0x" + self._token(vin).to_bytes(32, "big").hex()
        by_topic = _event_topics(self.registry.abi, _TITLE_EVENTS + _LIEN_EVENTS)
        topics = {name: "0x" + t.hex() for t, name in by_topic.items()}
        base: dict[str, Any] = {"address": self.registry.address, "fromBlock": self.deployment.block, "toBlock": "latest"}
        logs = list(self.w3.eth.get_logs(cast(FilterParams, {**base, "topics": [[topics[n] for n in _TITLE_EVENTS], tid]})))
        logs += self.w3.eth.get_logs(cast(FilterParams, {**base, "topics": [[topics[n] for n in _LIEN_EVENTS], None, tid]}))
        events = []
        for log in logs:
            name = by_topic[bytes(log["topics"][0])]
            decoded = getattr(self.registry.events, name)().process_log(log)
            events.append(
                Event(
                    name=name,
                    block=int(log["blockNumber"]),
                    tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                    log_index=int(log["logIndex"]),
                    args={k: plain(v) for k, v in decoded["args"].items()},
                )
            )
        return sorted(events, key=lambda e: (e.block, e.log_index))

    @property
    def index(self) -> EventIndex:
        """Returns the local event index, brought up to the chain's head.

        Raises:
            ConfigError: If the ledger was opened without an index file.
        """
        if self._index_path is None:
            raise ConfigError("this ledger keeps no event index: open it with index_path")
        if self._index is None:
            self._index = EventIndex(self._index_path, self.w3, self.registry, start_block=self.deployment.block)
        self._index.sync()
        return self._index

    def close(self) -> None:
        """Closes the event index, if one is open."""
        if self._index is not None:
            self._index.close()
            self._index = None

    # --- roles and governance -----------------------------------------------------------------

    def has_role(self, role: str, account: str) -> bool:
        """Returns whether an account holds a registry role.

        Args:
            role: REGISTRAR, LENDER, ORACLE or AUDITOR (case-insensitive, `_ROLE` optional).
            account: The account's address.

        Raises:
            InvalidRole: If the role is not one of the registry's.
        """
        return bool(self._reader.call(self.registry.functions.hasRole(role_id(role), Web3.to_checksum_address(account))))

    def members(self) -> list[Address]:
        """Returns the consortium's current members."""
        return [Address(a) for a in self._reader.call(self.governance.functions.members())]

    def propose_role(self, role: str, account: str, *, grant: bool = True) -> int:
        """Proposes granting (or revoking) a registry role; the proposer's vote counts at once.

        Returns:
            The proposal id.
        """
        verb = "grantRole" if grant else "revokeRole"
        data = self.registry.encode_abi(verb, [role_id(role), Web3.to_checksum_address(account)])
        what = f"{'grant' if grant else 'revoke'} {role.upper()} {'to' if grant else 'from'} {account}"
        return self._propose(self.registry.address, data, what)

    def propose_member(self, account: str, *, add: bool = True) -> int:
        """Proposes adding a member that runs no sealer and gets no role (or removing one, as is,
        leaving its roles: `propose_removal` revokes them too).

        Returns:
            The proposal id.
        """
        account = Web3.to_checksum_address(account)
        if add:
            data = self.governance.encode_abi("addMember", [account, NO_SEALER])
        else:
            data = self.governance.encode_abi("removeMember", [account])
        return self._propose(self.governance.address, data, f"{'add' if add else 'remove'} member {account}")

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
        """
        account, sealer = Web3.to_checksum_address(account), Web3.to_checksum_address(sealer)
        names = [role_name(r) for r in roles]
        if description is None:
            runs = f"sealer {sealer}" if sealer != NO_SEALER else "no sealer"
            description = f"admit member {account} ({runs}) with roles {', '.join(names) or 'none'}"
        return self._propose(self.governance.address, self.admission_call(account, sealer, names), description)

    def admission_call(self, account: str, sealer: str, roles: Sequence[str]) -> str:
        """Returns the governance calldata that admits `account` with `sealer` and `roles` (hex):
        what an admission proposal must carry, for members to check a proposal against a card."""
        account, sealer = Web3.to_checksum_address(account), Web3.to_checksum_address(sealer)
        calls = [(self.governance.address, self.governance.encode_abi("addMember", [account, sealer]))]
        calls += [(self.registry.address, self.registry.encode_abi("grantRole", [role_id(r), account])) for r in roles]
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
        """
        account = Web3.to_checksum_address(account)
        calls = [(self.registry.address, self.registry.encode_abi("revokeRole", [role_id(r), account])) for r in ROLES]
        calls.append((self.governance.address, self.governance.encode_abi("removeMember", [account])))
        if description is None:
            held = [r for r in ROLES if self.has_role(r, account)]
            description = f"remove member {account} and revoke its roles ({', '.join(held) or 'none held'})"
        return self._propose_batch(calls, description)

    def sealer_of(self, account: str) -> str:
        """Returns a member's Clique sealer address (`NO_SEALER` for none, or for a non-member)."""
        return str(self._reader.call(self.governance.functions.sealerOf(Web3.to_checksum_address(account))))

    def sealers(self) -> list[str]:
        """Returns the current members' sealer addresses, in member order, leaving out members that
        run no sealer: the signers the Clique chain should have."""
        return [str(a) for a in self._reader.call(self.governance.functions.sealers())]

    def approve(self, proposal_id: int) -> Proposal:
        """Votes for a proposal; it executes once a majority of members approved.

        Returns:
            The proposal after the vote.

        Raises:
            NotMember, GovernanceRefused: If governance refuses the vote.
        """
        self._signer.send(self.governance.functions.approve(proposal_id), gas=GAS["approve"])
        return self.proposal(proposal_id)

    def execute(self, proposal_id: int) -> Proposal:
        """Executes a proposal that holds a majority of the current members' approvals but has not
        run, as when members left after the votes (members only).

        Args:
            proposal_id: The proposal.

        Returns:
            The proposal after execution.

        Raises:
            NotMember: If the signer is not a member.
            GovernanceRefused: If the proposal lacks a majority, already ran, or its call fails (then
                `fields["cause"]` holds the call's own typed error).
        """
        # An approval's gas covers its execution, so it covers a bare execution too.
        self._signer.send(self.governance.functions.execute(proposal_id), gas=GAS["approve"])
        return self.proposal(proposal_id)

    def approve_many(self, proposal_ids: Sequence[int]) -> None:
        """Votes for several proposals in a row (on the embedded chain, in one block)."""
        calls = [Call(self.governance.functions.approve(p), GAS["approve"]) for p in proposal_ids]
        self._signer.send_many(calls, receipts=False)

    def proposal(self, proposal_id: int) -> Proposal:
        """Reads a proposal with its current approvals.

        Raises:
            GovernanceRefused: If there is no proposal with this id.
        """
        raw = self._reader.call(self.governance.functions.proposal(proposal_id))
        approvals = self._reader.call(self.governance.functions.approvals(proposal_id))
        return Proposal(
            id=proposal_id,
            target=Address(raw[0]),
            data="0x" + bytes(raw[1]).hex(),
            description=raw[2],
            proposer=Address(raw[3]),
            created_at=int(raw[4]),
            executed=bool(raw[5]),
            approvals=int(approvals),
        )

    def proposals(self) -> list[Proposal]:
        """Reads every proposal, oldest first."""
        count = self._reader.call(self.governance.functions.proposalCount())
        return [self.proposal(i) for i in range(1, count + 1)]

    # --- internals ----------------------------------------------------------------------------

    @property
    def _signer(self) -> Transactor:
        if self._tx is None:
            raise ConfigError("this operation needs a signing account: choose one with --as NAME")
        return self._tx

    def _propose(self, target: str, data: str, description: str) -> int:
        words = (len(data) // 2 + len(description.encode()) + 31) // 32
        gas = GAS["propose"] + GAS["propose/word"] * words
        receipt = self._signer.send(self.governance.functions.propose(target, data, description), gas=gas)
        (log,) = self.governance.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
        return int(log["args"]["proposalId"])

    def _propose_batch(self, calls: Sequence[tuple[str, str]], description: str) -> int:
        """Proposes calls that the governance makes in order, all or nothing (`batch`)."""
        return self._propose(self.governance.address, self._batch_call(calls), description)

    def _batch_call(self, calls: Sequence[tuple[str, str]]) -> str:
        return str(self.governance.encode_abi("batch", [[t for t, _ in calls], [bytes.fromhex(d[2:]) for _, d in calls]]))

    def _remember(self, vin: str) -> TokenId:
        tid = token_id(VIN(vin))
        self._vins[tid] = vin
        return tid

    def _token(self, vin: VIN) -> TokenId:
        return self._remember(vin)


class _NoAccount:
    address = "0x0000000000000000000000000000000000000000"


_NO_ACCOUNT: Any = _NoAccount()


def _event_topics(abi: Any, names: tuple[str, ...]) -> dict[bytes, str]:
    items: list[dict[str, Any]] = list(abi)
    return {
        bytes(event_abi_to_log_topic(cast(Any, item))): str(item["name"])
        for item in items
        if item.get("type") == "event" and item["name"] in names
    }

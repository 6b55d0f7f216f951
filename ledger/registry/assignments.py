"""Assignments and subordinations: a lien sold to another lender, or ranked behind a junior one.

Both need the other side's signed acceptance, under the registry's EIP-712 domain:

- An assignee accepts a whole portfolio of liens from one assignor with one signature
  (`LienAssignmentAcceptance`), over the root of the portfolio's Merkle tree (see `merkle`); the
  assignor then sends the assignments in batches, each lien with its proof. Each lien keeps its
  priority and grant time; its new holder releases it, consents to junior liens and is paid.
- A junior lienholder accepts that a senior lien on the same title ranks right behind its own
  (`LienSubordination`); the senior's holder sends it. The liens between them move up one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from web3.logs import DISCARD

from ...errors import InvalidAcceptanceFile, InvalidPortfolioFile, LedgerError, NotAssignor, RegistryUnknownLien
from ..chain.transactions import Call
from .context import Hook, LedgerContext
from .liens import Liens
from .merkle import LienTree
from .records import Lien, LienId
from .signed import Signed

__all__ = ["ASSIGNMENT_KIND", "SUBORDINATION_KIND", "AssignmentAcceptance", "Assignments", "SubordinationAcceptance"]

ASSIGNMENT_KIND = "lienchain/lien-assignment-acceptance/v1"
SUBORDINATION_KIND = "lienchain/lien-subordination-acceptance/v1"

_T = TypeVar("_T")

#: Liens per assignment transaction (about 40,000 gas each), and transactions per round of sends.
_BATCH = 100
_BATCHES_PER_SEND = 8


@dataclass(frozen=True)
class AssignmentAcceptance(Signed):
    """An assignee's signed acceptance of a portfolio of liens from one assignor."""

    KIND: ClassVar[str] = ASSIGNMENT_KIND
    TYPE_NAME: ClassVar[str] = "LienAssignmentAcceptance"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("from", "address", "assignor"), ("to", "address", "assignee"), ("liens", "bytes32", "liens"),
        ("nonce", "uint256", "nonce"), ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = "the assignee"
    ERROR: ClassVar[type[LedgerError]] = InvalidAcceptanceFile

    assignor: str
    assignee: str
    #: The root of the portfolio's Merkle tree (hex).
    liens: str
    #: How many liens the portfolio holds (for people: the signature binds the root).
    count: int


@dataclass(frozen=True)
class SubordinationAcceptance(Signed):
    """A junior lienholder's signed acceptance that a senior lien ranks right behind its own."""

    KIND: ClassVar[str] = SUBORDINATION_KIND
    TYPE_NAME: ClassVar[str] = "LienSubordination"
    TYPE_FIELDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("lienId", "uint256", "lien_id"), ("behindLienId", "uint256", "behind_lien_id"),
        ("nonce", "uint256", "nonce"), ("deadline", "uint64", "deadline"),
    )
    ISSUER: ClassVar[str] = "the junior lien's holder"
    ERROR: ClassVar[type[LedgerError]] = InvalidAcceptanceFile

    lien_id: int
    behind_lien_id: int


class Assignments:
    """Assignments and subordinations of liens, as one account sees them."""

    def __init__(self, context: LedgerContext, liens: Liens) -> None:
        """Binds the part to the ledger's shared context and its liens."""
        self._c = context
        self._liens = liens

    # --- assignment ---------------------------------------------------------------------------

    def accept(self, lien_ids: Sequence[int], *, assignor: str, deadline: int) -> AssignmentAcceptance:
        """Signs, as the assignee (a LENDER), the acceptance of a portfolio of liens from `assignor`.

        Args:
            lien_ids: The liens, each once.
            assignor: Their holder, who sends the assignments.
            deadline: The unix time after which the acceptance is void.

        Raises:
            InvalidPortfolioFile: If the portfolio is empty or names a lien twice.
        """
        c = self._c
        me = c.signer().address
        tree = _tree(lien_ids)
        return AssignmentAcceptance.sign(
            c.signer().account, chain_id=c.deployment.chain_id, registry=c.registry.address, assignor=assignor,
            assignee=me, liens="0x" + tree.root.hex(), count=len(lien_ids), deadline=deadline,
        )

    def pending(self, lien_ids: Sequence[int], to: str, acceptance: AssignmentAcceptance) -> list[Lien]:
        """Checks a whole assignment before any of it is sent, and returns the liens still to assign
        (those `to` holds already were assigned by an earlier run, and are skipped).

        Raises:
            InvalidPortfolioFile: If the portfolio is empty or names a lien twice.
            InvalidAcceptanceFile: If the acceptance is for another assignor, assignee, registry,
                portfolio, or expired.
            NotAssignor: If a lien is unknown, ended, or held by a third account.
        """
        c = self._c
        me = c.signer().address
        root = "0x" + _tree(lien_ids).root.hex()
        acceptance.check(chain_id=(acceptance.chain_id, c.deployment.chain_id),
                         registry=(acceptance.registry.lower(), c.registry.address.lower()),
                         assignor=(acceptance.assignor.lower(), me.lower()),
                         assignee=(acceptance.assignee.lower(), to.lower()),
                         portfolio=(acceptance.liens, root))
        if acceptance.deadline <= c.now():
            raise InvalidAcceptanceFile(
                f"the acceptance of {acceptance.signer} expired at {acceptance.deadline}: ask for a new one")
        try:
            liens = self._liens.get_many(lien_ids)
        except RegistryUnknownLien as exc:
            raise NotAssignor(me, int(exc.lien_id), "no such lien") from None
        todo = []
        for lien_id, lien in zip(lien_ids, liens, strict=True):
            if lien.lender.lower() == to.lower() and lien.active:
                continue
            if not lien.active:
                raise NotAssignor(me, lien_id, f"it is {lien.status.label}")
            if lien.lender.lower() != me.lower():
                raise NotAssignor(me, lien_id, f"{lien.lender} holds it")
            todo.append(lien)
        return todo

    def assign(
        self,
        liens: Sequence[tuple[Lien, str]],
        to: str,
        *,
        portfolio: Sequence[int],
        acceptance: AssignmentAcceptance,
        on_batch: Callable[[int], object] | None = None,
        on_accepted: Callable[[Sequence[tuple[Lien, str]]], object] | None = None,
    ) -> None:
        """Assigns liens the signing lender holds to `to`, in batches (checked first: `pending`).

        Args:
            liens: Each lien to assign, with the CID of its sealed assignment document.
            to: The assignee.
            portfolio: Every lien the acceptance covers (its tree gives each lien's proof).
            acceptance: The assignee's acceptance.
            on_batch: Called with the number of liens of each round of batches, once mined.
            on_accepted: Called with each round's liens once the registry accepted the round, before
                it is final: the place to store those liens' documents (and no others).

        Raises:
            RegistryInvalidAssignee: If `to` is the signing account or holds no LENDER role.
            ContractRevert: If the registry refuses a batch (none of that round is made; earlier
                rounds stay made, and a new run skips them).
        """
        c = self._c
        tree = _tree(portfolio)
        fn = c.registry.functions.assignLiens
        signer = c.signer()
        for rounds in _chunks(liens, _BATCH * _BATCHES_PER_SEND):
            calls = [
                Call(fn([x.lien_id for x, _ in chunk], to, [cid for _, cid in chunk], acceptance.as_argument(),
                        tree.root, [tree.proof(x.lien_id) for x, _ in chunk]))
                for chunk in _chunks(rounds, _BATCH)
            ]
            hook = (lambda items=rounds: on_accepted(items)) if on_accepted is not None else None
            signer.send_many(calls, titles=c.vins, on_accepted=hook, receipts=False)
            if on_batch is not None:
                on_batch(len(rounds))

    # --- subordination ------------------------------------------------------------------------

    def accept_subordination(self, lien_id: int, behind_lien_id: int, *, deadline: int) -> SubordinationAcceptance:
        """Signs, as the holder of `behind_lien_id`, the acceptance that lien `lien_id` ranks right
        behind it.

        Raises:
            NotAssignor: If the signing account does not hold `behind_lien_id`, active (nothing is
                signed; the registry checks the rest when the senior's holder sends it).
        """
        c = self._c
        me = c.signer().address
        junior = self._liens.get(behind_lien_id)
        if not junior.active:
            raise NotAssignor(me, behind_lien_id, f"it is {junior.status.label}")
        if junior.lender.lower() != me.lower():
            raise NotAssignor(me, behind_lien_id, f"{junior.lender} holds it")
        return SubordinationAcceptance.sign(
            c.signer().account, chain_id=c.deployment.chain_id, registry=c.registry.address, lien_id=lien_id,
            behind_lien_id=behind_lien_id, deadline=deadline,
        )

    def subordinate(
        self, lien_id: int, behind_lien_id: int, *, acceptance: SubordinationAcceptance, doc_cid: str,
        on_accepted: Hook = None,
    ) -> list[Lien]:
        """Ranks the signing lender's lien right behind a junior one whose holder accepted it.

        Returns:
            The title's liens after it, in priority order.

        Raises:
            InvalidAcceptanceFile: If the acceptance is for other liens, registry or chain.
            RegistryNotSenior, RegistryNotLienholder, RegistryPrivateLienStaysFirst,
                RegistryNotAccepted, ...: If the registry refuses.
        """
        c = self._c
        acceptance.check(chain_id=(acceptance.chain_id, c.deployment.chain_id),
                         registry=(acceptance.registry.lower(), c.registry.address.lower()),
                         lien=(acceptance.lien_id, lien_id), junior_lien=(acceptance.behind_lien_id, behind_lien_id))
        fn = c.registry.functions.subordinateLien(lien_id, behind_lien_id, doc_cid, acceptance.as_argument())
        receipt = c.signer().send(fn, titles=c.vins, on_accepted=on_accepted)
        (log,) = c.registry.events.LienSubordinated().process_receipt(receipt, errors=DISCARD)
        return [self._liens.get(LienId(i)) for i in log["args"]["order"]]

def _tree(lien_ids: Sequence[int]) -> LienTree:
    try:
        return LienTree(lien_ids)
    except ValueError as exc:
        raise InvalidPortfolioFile(str(exc)) from None


def _chunks(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]

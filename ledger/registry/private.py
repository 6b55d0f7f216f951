"""Private liens: the amount stays off chain, a commitment and two proofs go on.

A private lien's amount a is committed as C = a*G + r*H (lienchain.zk) with a blinding r from
`secrets`. The grant carries a proof that a is in [1, 2**40] (a range proof of C - G, which opens
to a - 1: no private lien is of zero) and a proof that a is at most the
consortium's loan-to-value threshold of the title's value; the registry checks both with its
ZkVerifier. The opening (a, r) travels only sealed, in the lien's document, for the lender and
the AUDITOR accounts: they alone can open the commitment, prove facts about it, or check it.

Every proof names where it applies (`Context`): this chain, the registry, and what it is about:
`grant:` + token id + lender for a grant; `lien:` + lien id + the lien's proof nonce for a proof
the registry records (`proveLien` counts the nonce up, so each proof counts once); and, for the
proof files auditors exchange, `file:` + their kind + the lien id or lender + the hash of the
block their claim is of. A proof for one of them fails for any other: no proof file, and no
earlier proof, can be sent to the registry as a lien's new proof.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from ...errors import MalformedOpening, NoFreshValuation, ProofError
from ...zk import ltv
from ...zk import range as range_proof
from ...zk.curve import ORDER, G, Point
from ...zk.encoding import range_to_bytes
from ...zk.ltv import LtvStatement
from ...zk.pedersen import Opening
from ...zk.range import RangeStatement
from ...zk.transcript import Context
from .deployment import Deployment
from .records import Appraisal

AMOUNT_BITS = 40  # as TitleRegistry._AMOUNT_BITS: up to about 11 billion in a two-decimal currency
OPENING_KIND = "private-loan"


def grant_context(d: Deployment, token_id: int, lender: str) -> Context:
    """Returns the context of a private grant's proofs (the lien has no id yet)."""
    return Context(d.chain_id, d.registry, b"grant:" + token_id.to_bytes(32, "big") + _address(lender))


def lien_context(d: Deployment, lien_id: int, nonce: int) -> Context:
    """Returns the context of a lien's new proof for the registry, its proof nonce (`proofNonce`) now."""
    return Context(d.chain_id, d.registry, b"lien:" + lien_id.to_bytes(32, "big") + nonce.to_bytes(32, "big"))


def ltv_file_context(d: Deployment, lien_id: int, block_hash: str) -> Context:
    """Returns the context of a proof file's claim about one lien's loan-to-value at a block."""
    return Context(d.chain_id, d.registry, b"file:ltv:" + lien_id.to_bytes(32, "big") + _hash(block_hash))


def exposure_file_context(d: Deployment, lender: str, block_hash: str) -> Context:
    """Returns the context of a proof file's claim about one lender's liens at a block."""
    return Context(d.chain_id, d.registry, b"file:exposure:" + _address(lender) + _hash(block_hash))


@dataclass(frozen=True)
class GrantProofs:
    """What `grantPrivateLien` carries: the commitment and its two proofs, encoded."""

    commitment: Point
    range_proof: bytes
    ltv_proof: bytes

    def as_argument(self) -> tuple[list[int], bytes, bytes]:
        """Returns the `PrivateAmount` struct as the registry's ABI takes it."""
        return ([self.commitment.x, self.commitment.y], self.range_proof, self.ltv_proof)


def prove_grant(
    d: Deployment, token_id: int, lender: str, opening: Opening, value: int, threshold_bps: int,
    *, rng: random.Random | None = None,
) -> GrantProofs:
    """Proves a new private lien's amount in range and within `threshold_bps` of `value`.

    Raises:
        ProofError: If the amount is over the limit (the message says what the limit is).
    """
    check_within(opening.value, value, threshold_bps, 0)
    ctx = grant_context(d, token_id, lender)
    c = opening.commit()
    # The amount is at least 1: C - G opens to it less 1, in [0, 2**40) (`verifyPositiveRange`).
    less_one = Opening(opening.value - 1, opening.blinding)
    rp = range_proof.prove(RangeStatement(ctx, c - G, AMOUNT_BITS), less_one, rng=rng)
    lp = ltv.prove(LtvStatement(ctx, c, value, threshold_bps), opening, rng=rng)
    return GrantProofs(c, range_to_bytes(rp), range_to_bytes(lp))


def require_valued(a: Appraisal, subject: str) -> None:
    """Refuses to prove against a title whose value does not count.

    Raises:
        NoFreshValuation: If it is unvalued, under-valued or stale.
    """
    if a.value == 0:
        raise NoFreshValuation(subject, state=a.state, needed=a.min_valuations)


def check_within(amount: int, value: int, threshold_bps: int, deducted: int, *, remedy: str = "lend less") -> None:
    """Refuses, before any proving, an amount the loan-to-value rule does not allow.

    Args:
        amount: The amount, in minor units.
        value: The title's value.
        threshold_bps: The threshold.
        deducted: What comes off the limit first (public liens, a reserve).
        remedy: What to do about an amount over the limit, for the message.

    Raises:
        ProofError: Naming the largest amount allowed.
    """
    if not 0 < amount < 2**AMOUNT_BITS:
        raise ProofError(f"a private amount must be between 1 and {2**AMOUNT_BITS - 1} minor units")
    limit = threshold_bps * value // 10_000 - deducted
    if amount > limit:
        raise ProofError(
            f"the amount is over what the loan-to-value threshold allows on this title "
            f"({max(limit, 0)} minor units: {threshold_bps / 100:g}% of its value {value}"
            + (f" less {deducted} of other liens and reserve" if deducted else "") + f"): {remedy}"
        )


def opening_record(opening: Opening, *, vin: str, lender: str, currency: str, document: bytes | None) -> bytes:
    """Returns the private lien's document: its opening, its terms, and the loan document if any."""
    c = opening.commit()
    # Fixed-width numbers: the sealed document's size must not tell how many digits the amount has.
    record: dict[str, Any] = {
        "kind": OPENING_KIND, "vin": vin, "lender": lender, "currency": currency,
        "amount": f"{opening.value:013d}", "blinding": f"0x{opening.blinding:064x}",
        "commitment": [f"0x{c.x:064x}", f"0x{c.y:064x}"],
    }
    if document is not None:
        record["document"] = document.hex()
    return json.dumps(record, sort_keys=True).encode()


def read_opening(data: bytes, *, source: str, remedy: str) -> Opening:
    """Reads the opening (amount and blinding) from a private lien's opening record (see
    `opening_record`), unsealed.

    Args:
        data: The record.
        source: Where it came from, for the message ("lien 7's document").
        remedy: What to do if it is malformed, for the message.

    Returns:
        The opening, unchecked against any commitment: its amount in [1, 2**40) and its blinding
        in [0, the group order), the one form the registry's `opens` takes (the same commitment
        opens to values that differ by the group order, and an opening in another form could be
        acknowledged but never revealed).

    Raises:
        MalformedOpening: If it is no private lien's opening record, or its values are out of
            that form. Its message does not quote the parse error, which could quote the amount
            or the blinding.
    """
    try:
        record = json.loads(data)
        if record.get("kind") != OPENING_KIND:
            raise ValueError("not a private lien's opening record")
        opening = Opening(int(record["amount"]), int(record["blinding"], 16))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MalformedOpening(source, remedy) from None
    if not (0 < opening.value < 2**AMOUNT_BITS and 0 <= opening.blinding < ORDER):
        raise MalformedOpening(source, remedy)
    return opening


def parse_opening(data: bytes, commitment: tuple[int, int], *, lien_id: int, lender: str) -> Opening:
    """Reads the opening from a private lien's document and checks it opens `commitment`.

    Args:
        data: The lien's document, unsealed.
        commitment: The lien's commitment on chain.
        lien_id: The lien, for messages.
        lender: Its lender, who sealed the document, for messages.

    Raises:
        MalformedOpening: If the document is no private lien's.
        ProofError: If it opens another commitment.
    """
    opening = read_opening(data, source=f"lien {lien_id}'s document",
                           remedy=f"its lender {lender} sealed something else; ask it for the amount")
    c = opening.commit()
    if (c.x, c.y) != commitment:
        raise ProofError("the opening in the lien's document does not open its commitment on chain: the document was swapped")
    return opening


def _address(address: str) -> bytes:
    return bytes.fromhex(address.removeprefix("0x"))


def _hash(block_hash: str) -> bytes:
    data = bytes.fromhex(block_hash.removeprefix("0x"))
    if len(data) != 32:
        raise ValueError(f"a block hash has 32 bytes, not {len(data)}")
    return data

"""Proof files for auditors: a claim about one lien or one lender, the block it speaks of, and its
zero-knowledge proof.

A proof file states its claim in the clear (which lien or lender, which valuation, threshold or
limit, which block), never the amounts. `verify` trusts none of it: it rebuilds the statement from
the chain as of that block (the lien's commitment, the title's value, the lender's active liens),
compares it with what the file claims, and checks the proof in Python and, if asked, with the
registry's on-chain verifier. A public lien takes part as the commitment amount*G (blinding 0), so
public and private liens add up in one exposure proof.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3.exceptions import Web3RPCError

from ...errors import InvalidProof, ProofError
from ...files import write_atomic
from ...zk import exposure, ltv
from ...zk.curve import G, Point
from ...zk.encoding import range_from_bytes, range_to_bytes
from ...zk.exposure import ExposureStatement
from ...zk.ltv import LtvStatement
from ...zk.pedersen import Opening
from ...zk.range import RangeProof
from ...zk.transcript import Context
from ..registry import private
from ..registry.ledger import Ledger
from ..registry.records import Lien, LienStatus
from .session import Session

FORMAT = "lienchain-proof/v2"  # v2: the transcript names the block hash and "file:"


@dataclass(frozen=True)
class Checked:
    """A proof that verified: what it proves, in words, and what the on-chain check cost."""

    kind: str
    claim: str
    block: int
    gas: int | None  # of the on-chain verification, when asked for

    def to_dict(self) -> dict[str, Any]:
        """Returns the result as JSON-ready data."""
        return {"valid": True, "kind": self.kind, "claim": self.claim, "block": self.block, "gas": self.gas}


def prove_ltv(session: Session, lien_id: int, *, threshold_bps: int | None = None) -> dict[str, Any]:
    """Proves that an active lien's amount is at most a threshold of its title's value now.

    Args:
        session: An account that can open the lien: its lender or an auditor (any account for a
            public lien).
        lien_id: The lien.
        threshold_bps: The threshold to prove [default: the consortium's].

    Returns:
        The proof file's content.

    Raises:
        ProofError: If the lien is released, the title has no fresh valuation, or the amount is
            over the threshold.
        NotARecipient: If the account cannot open a private lien.
    """
    ledger = session.ledger
    block = ledger.chain.head()
    block_hash = ledger.chain.block(block).hash
    lien = ledger.lien(lien_id, block=block)
    if lien.status != LienStatus.ACTIVE:
        raise ProofError(f"lien {lien_id} is released: there is nothing to prove about it")
    a = ledger.appraisal_of(lien.token_id, block=block)
    private.require_valued(a, f"lien {lien_id}'s title")
    k = threshold_bps or a.threshold_bps
    _check_public(lien)
    opening = session.open_lien(lien_id) if lien.private else Opening(lien.amount, 0)
    private.check_within(opening.value, a.value, k, 0)
    context = private.ltv_file_context(ledger.deployment, lien_id, block_hash)
    statement = LtvStatement(context, opening.commit(), a.value, k)
    proof = ltv.prove(statement, opening)
    return {
        **_header(ledger, "ltv", block, block_hash), "lien": lien_id, "vin": ledger.vin_of(lien.token_id),
        "commitment": _point(statement.commitment), "valuation": str(a.value), "currency": a.currency,
        "threshold_bps": k, "proof": "0x" + range_to_bytes(proof).hex(),
    }


def prove_exposure(session: Session, lender: str, limit: int) -> dict[str, Any]:
    """Proves that a lender's active liens, public and private, add up to at most `limit`.

    Args:
        session: The lender itself or an auditor: an account that can open its private liens.
        lender: The lender's address.
        limit: The limit, in minor units.

    Returns:
        The proof file's content.

    Raises:
        ProofError: If the lender has no active lien, or its exposure is over the limit.
        NotARecipient: If the account cannot open one of its private liens.
    """
    ledger = session.ledger
    block = ledger.chain.head()
    block_hash = ledger.chain.block(block).hash
    liens = ledger.liens_held_at(lender, block=block)
    if not liens:
        raise ProofError(f"{lender} holds no active lien at block {block}: its exposure is 0, nothing to prove")
    currencies = sorted({x.currency for x in liens})
    if len(currencies) > 1:
        raise ProofError(
            f"{lender}'s active liens are in {', '.join(currencies)}: an exposure proof adds amounts of one currency"
        )
    for x in liens:
        _check_public(x)
    openings = [session.open_lien(x.lien_id) if x.private else Opening(x.amount, 0) for x in liens]
    total = sum(o.value for o in openings)
    if total > limit:
        raise ProofError(f"the lender's exposure is over the limit {limit}: nothing to prove")
    statement = ExposureStatement(private.exposure_file_context(ledger.deployment, lender, block_hash),
                                  tuple(o.commit() for o in openings), limit)
    proof = exposure.prove(statement, openings)
    return {
        **_header(ledger, "exposure", block, block_hash), "lender": lender, "liens": [x.lien_id for x in liens],
        "currency": currencies[0], "limit": str(limit),
        "proof": "0x" + range_to_bytes(proof).hex(),
    }


def verify(ledger: Ledger, document: dict[str, Any], *, on_chain: bool = False) -> Checked:
    """Checks a proof file against the chain as of its block.

    Raises:
        InvalidProof: If it is for another chain or registry, if its claim does not match the
            chain, or if the proof does not verify (in Python, or on chain when asked).
    """
    try:
        if document.get("format") != FORMAT:
            raise InvalidProof(f"not a lienchain proof file (expected format {FORMAT})")
        d = ledger.deployment
        if _number(document, "chain_id", 0, 2**256) != d.chain_id or str(document["registry"]).lower() != d.registry.lower():
            raise InvalidProof(
                f"the proof is for registry {document['registry']} on chain {document['chain_id']}; this profile's "
                f"is {d.registry} on chain {d.chain_id}: check it with that consortium's profile"
            )
        block = _number(document, "block", d.block, 2**63)
        if block > ledger.chain.head():
            raise InvalidProof(f"the proof speaks of block {block}, beyond this node's head: is the node behind?")
        here = ledger.chain.block(block).hash
        if here != str(document["block_hash"]).lower():
            raise InvalidProof(
                f"block {block} is {here} on this node, {document['block_hash']} where the proof was made: "
                "the nodes disagree; check it through another member's node"
            )
        proof = bytes.fromhex(str(document["proof"]).removeprefix("0x"))
        if document["kind"] == "ltv":
            return _verify_ltv(ledger, document, block, here, proof, on_chain)
        if document["kind"] == "exposure":
            return _verify_exposure(ledger, document, block, here, proof, on_chain)
        raise InvalidProof(f"unknown proof kind {document['kind']!r}")
    except Web3RPCError as exc:  # e.g. a pruned node that no longer holds the block's state
        raise InvalidProof(
            f"the node cannot answer for block {document.get('block')} ({exc}): check the proof through a node "
            "that keeps every block's state (lienchain's geth nodes do)"
        ) from None
    except InvalidProof:
        raise
    except ProofError as exc:  # a statement the chain makes impossible (e.g. an out-of-range public lien)
        raise InvalidProof(str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProof(f"the proof file is malformed ({type(exc).__name__}: {exc})") from None


def save(document: dict[str, Any], path: Path) -> None:
    """Writes a proof file atomically.

    Raises:
        OutputError: If it cannot be written.
    """
    write_atomic(path, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode())


def load(path: Path) -> dict[str, Any]:
    """Reads a proof file.

    Raises:
        InvalidProof: If it is not JSON.
    """
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidProof(f"cannot read the proof file {path} ({exc})") from None
    if not isinstance(data, dict):
        raise InvalidProof(f"{path} is not a lienchain proof file")
    return data


def _verify_ltv(ledger: Ledger, doc: dict[str, Any], block: int, block_hash: str, proof: bytes, on_chain: bool) -> Checked:
    lien_id = _number(doc, "lien", 1, 2**256)
    lien = ledger.lien(lien_id, block=block)
    if lien.status != LienStatus.ACTIVE:
        raise InvalidProof(f"lien {lien_id} was not active at block {block}")
    commitment = _commitment(ledger, lien, block)
    a = ledger.appraisal_of(lien.token_id, block=block)
    if _number(doc, "valuation", 0, 2**256) != a.value:
        raise InvalidProof(
            f"the proof speaks of a valuation of {doc['valuation']}; the title's value at block {block} was {a.value}"
        )
    context = private.ltv_file_context(ledger.deployment, lien_id, block_hash)
    statement = LtvStatement(context, commitment, a.value, _number(doc, "threshold_bps", 1, 10_001))
    _check(ltv.verify, statement, proof)
    gas = None
    if on_chain:
        gas = _on_chain(ledger, "verifyLtv", context, _point_arg(commitment), a.value, statement.threshold_bps, 0, proof)
    claim = (f"lien {lien_id} on {ledger.vin_of(lien.token_id)}: its amount is at most "
             f"{statement.threshold_bps / 100:g}% of the title's value {a.value} {a.currency} (minor units)")
    return Checked("ltv", claim, block, gas)


def _verify_exposure(
    ledger: Ledger, doc: dict[str, Any], block: int, block_hash: str, proof: bytes, on_chain: bool
) -> Checked:
    lender = str(doc["lender"])
    liens = ledger.liens_held_at(lender, block=block)
    if not isinstance(doc["liens"], list) or [x.lien_id for x in liens] != doc["liens"]:
        raise InvalidProof(
            f"the proof covers liens {doc['liens']}; {lender}'s active liens at block {block} were "
            f"{[x.lien_id for x in liens]}"
        )
    if not liens:
        raise InvalidProof(f"{lender} held no active lien at block {block}")
    currencies = sorted({x.currency for x in liens})
    if currencies != [doc["currency"]]:
        raise InvalidProof(f"the proof speaks of {doc['currency']}; the liens at block {block} are in {', '.join(currencies)}")
    commitments = tuple(_commitment(ledger, x, block) for x in liens)
    context = private.exposure_file_context(ledger.deployment, lender, block_hash)
    statement = ExposureStatement(context, commitments, _number(doc, "limit", 0, 2**256))
    _check(exposure.verify, statement, proof)
    gas = None
    if on_chain:
        gas = _on_chain(ledger, "verifyExposure", context, [_point_arg(c) for c in commitments], statement.limit, proof)
    claim = (f"lender {lender}: its {len(liens)} active lien(s) ({', '.join(str(x.lien_id) for x in liens)}) add up "
             f"to at most {statement.limit} {currencies[0]} (minor units)")
    return Checked("exposure", claim, block, gas)


def _check(verify: Callable[[Any, RangeProof], None], statement: LtvStatement | ExposureStatement, proof: bytes) -> None:
    """Decodes a proof of the statement's size and checks it, in Python.

    Raises:
        InvalidProof: If it does not decode or does not verify.
    """
    try:
        verify(statement, range_from_bytes(proof, statement.bits))
    except ProofError as exc:
        raise InvalidProof(f"the proof does not verify: {exc}") from None


def _commitment(ledger: Ledger, lien: Lien, block: int) -> Point:
    _check_public(lien)
    return ledger.lien_commitment(lien.lien_id, block=block) if lien.private else lien.amount * G


def _check_public(lien: Lien) -> None:
    """Refuses a public amount beyond the range every private amount is proved in: as a
    commitment a*G it could stand for a negative amount modulo the group order."""
    if not lien.private and lien.amount >= 2**private.AMOUNT_BITS:
        raise ProofError(
            f"lien {lien.lien_id}'s amount {lien.amount} is beyond the {private.AMOUNT_BITS}-bit range proofs cover: "
            "no proof can include it"
        )


def _number(document: dict[str, Any], key: str, low: int, high: int) -> int:
    """Returns an integer field in [low, high), given as a JSON number or a decimal string."""
    value = document[key]
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise InvalidProof(f"the proof file's {key} must be an integer in [{low}, {high}), not {value!r}")
    return value


def _on_chain(ledger: Ledger, function: str, context: Context, *args: Any) -> int:
    """Runs the check with the deployment's ZkVerifier (a call, no transaction) and returns its gas."""
    address = ledger.registry.functions.verifier().call()  # the registry's own, whatever a record says
    fn = ledger.verifier_contract(address).get_function_by_name(function)(
        context.chain_id, context.contract, context.subject, *args
    )
    if fn.call() is not True:
        raise InvalidProof(f"the on-chain verifier at {address} refused the proof")
    return int(fn.estimate_gas())


def _header(ledger: Ledger, kind: str, block: int, block_hash: str) -> dict[str, Any]:
    d = ledger.deployment
    return {"format": FORMAT, "kind": kind, "chain_id": d.chain_id, "registry": d.registry, "block": block,
            "block_hash": block_hash}


def _point(p: Point) -> list[str]:
    return [hex(p.x), hex(p.y)]


def _point_arg(p: Point) -> list[int]:
    return [p.x, p.y]

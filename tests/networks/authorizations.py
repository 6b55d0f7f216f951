"""Authorizations for the network stories: a registrar's of a lien, through `lien authorize`, and a
title owner's of a transfer, signed with the owner's own key outside lienchain (as a wallet signs
EIP-712 data), from what `status --json` tells of the deployment."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from lienchain.ledger.registry.authorization import TransferAuthorization
from lienchain.ledger.registry.vin import token_id


def lien_authorization(run: Callable[..., Any], lender: str, vin: str, amount: str, *extra: str) -> str:
    """Has the registrar `run` signs as authorize a lien of `lender`; returns the file's path."""
    path = Path(tempfile.mkdtemp(prefix="lienchain-auth-")) / "authorization.json"
    r = run("lien", "authorize", vin, "--to", lender, "--amount", amount, *extra, "--out", str(path))
    assert r.code == 0, r.err
    return str(path)


def owner_authorization(run: Callable[..., Any], owner: LocalAccount, vin: str, to: str) -> str:
    """Signs, with the owner's key, the authorization of a title's transfer; returns the file's path."""
    status = run("status", "--json").json()
    path = Path(tempfile.mkdtemp(prefix="lienchain-auth-")) / "transfer.json"
    TransferAuthorization.sign(owner, chain_id=int(status["chain_id"]), registry=str(status["registry"]), vin=vin,
                               token_id=token_id(vin), owner=owner.address, to=to,
                               deadline=int(status["head_time"]) + 86400).save(path)
    return str(path)

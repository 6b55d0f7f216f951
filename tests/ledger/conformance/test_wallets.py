"""What a wallet sees of a title through the standard interfaces alone: ERC-721 with its metadata
extension, ERC-5192 (locked) and ERC-4906 (metadata updates), on every chain backend (on geth, over
its JSON-RPC endpoint, with no lienchain code between)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from eth_account import Account

from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry.vin import token_id

from .conftest import Backend
from .support import grant, transfer, value

VIN = normalize_vin("1M8GDM9AXKP042788")
OWNER = Account.create().address
MATURITY = int(time.time()) + 5 * 365 * 86400


def _function(name: str, inputs: list[str], output: str) -> dict[str, Any]:
    return {"type": "function", "name": name, "stateMutability": "view",
            "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(inputs)],
            "outputs": [{"name": "", "type": output}]}


def _event(name: str, inputs: list[str]) -> dict[str, Any]:
    return {"type": "event", "name": name, "anonymous": False,
            "inputs": [{"name": f"a{i}", "type": t, "indexed": False} for i, t in enumerate(inputs)]}


#: The ABI a generic wallet holds: ERC-721 and its metadata extension, ERC-165, ERC-5192, ERC-4906.
WALLET_ABI = [
    _function("name", [], "string"), _function("symbol", [], "string"),
    _function("ownerOf", ["uint256"], "address"), _function("balanceOf", ["address"], "uint256"),
    _function("tokenURI", ["uint256"], "string"), _function("supportsInterface", ["bytes4"], "bool"),
    _function("locked", ["uint256"], "bool"),
    _event("Locked", ["uint256"]), _event("MetadataUpdate", ["uint256"]), _event("BatchMetadataUpdate", ["uint256", "uint256"]),
]


def _metadata(uri: str) -> dict[str, Any]:
    prefix = "data:application/json;base64,"
    assert uri.startswith(prefix)
    document: dict[str, Any] = json.loads(base64.b64decode(uri[len(prefix):]))
    return document


def _traits(uri: str) -> dict[str, Any]:
    return {a["trait_type"]: a["value"] for a in _metadata(uri)["attributes"]}


def test_a_wallet_reads_a_title_through_the_standard_interfaces(backend: Backend, ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    wallet = backend.chain.w3.eth.contract(address=backend.deployment.registry, abi=WALLET_ABI).functions
    token = token_id(VIN)
    assert (wallet.name().call(), wallet.symbol().call()) == ("lienchain vehicle title", "VTITLE")
    assert (wallet.ownerOf(token).call(), wallet.balanceOf(OWNER).call()) == (OWNER, 1)
    for interface in ("0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0xb45a3c0e", "0x49064906"):  # 165, 721, metadata, 5192, 4906
        assert wallet.supportsInterface(bytes.fromhex(interface[2:])).call(), interface
    assert not wallet.supportsInterface(b"\xff\xff\xff\xff").call()
    assert wallet.locked(token).call()

    uri = wallet.tokenURI(token).call()
    assert _metadata(uri)["name"] == f"Vehicle title {VIN}"
    assert _traits(uri) == {"VIN": VIN, "Status": "active", "Brands": "none", "Active liens": 0, "Value": "unvalued"}
    value(ledgers, VIN, 2_000_000, currency="USD")
    grant(ledgers, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY, doc_cid="bafkreiloan")
    assert _traits(wallet.tokenURI(token).call()) == {"VIN": VIN, "Status": "active", "Brands": "none", "Active liens": 1,
                                                      "Value": "healthy"}


def test_a_title_is_locked_from_its_registration_and_each_change_a_wallet_shows_says_so(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    registry = backend.chain.w3.eth.contract(address=backend.deployment.registry, abi=WALLET_ABI)
    start = backend.chain.head() + 1
    ledgers["registrar"].register_title(VIN, OWNER, doc_cid="bafkreititle")
    value(ledgers, VIN, 2_000_000, currency="USD")
    lien = grant(ledgers, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY, doc_cid="bafkreiloan")
    ledgers["lender-a"].release_lien(lien.lien_id)
    transfer(ledgers, VIN, Account.create().address, doc_cid="bafkreisale")

    def logged(event: str) -> list[tuple[int, ...]]:
        logs = getattr(registry.events, event)().get_logs(from_block=start)
        return [tuple(log["args"].values()) for log in logs]

    token = token_id(VIN)
    assert logged("Locked") == [(token,)]
    assert logged("MetadataUpdate") == [(token,)] * 5  # two valuations, grant, release, transfer
    assert logged("BatchMetadataUpdate") == []


def test_a_threshold_vote_tells_wallets_that_every_titles_metadata_may_have_changed(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    registry = backend.chain.w3.eth.contract(address=backend.deployment.registry, abi=WALLET_ABI)
    start = backend.chain.head() + 1
    pid = ledgers["registrar"].propose_ltv_threshold(6000)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed
    logs = registry.events.BatchMetadataUpdate().get_logs(from_block=start)
    assert [tuple(log["args"].values()) for log in logs] == [(0, 2**256 - 1)]

"""What only the embedded chain promises about batches: one block for a whole batch, each write's
gas estimated after the batch's earlier writes, and a refused transaction inside an open batch
leaving the others in it. (All or nothing, and nothing sent on a
refusal, hold on every chain: tests/ledger/conformance.)"""

from __future__ import annotations

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, Profile, normalize_vin
from lienchain.ledger.chain.transactions import Call
from lienchain.ledger.registry.authorization import TransferAuthorization

VIN = normalize_vin("1M8GDM9AXKP042788")
OTHER_VIN = normalize_vin("1HGCM82633A004352")
OWNER = Account.create().address
BUYER = Account.create().address


def test_register_titles_puts_a_batch_in_one_block(profile: Profile, ledgers: dict[str, Ledger]) -> None:
    chain = profile.chain()
    before = chain.head()
    ledgers["registrar"].register_titles([(VIN, OWNER, "bafkreia"), (OTHER_VIN, BUYER, "bafkreib")])
    assert chain.head() == before + 1 and len(chain.block("latest").transactions) == 2
    assert (ledgers["reader"].title(VIN).owner, ledgers["reader"].title(OTHER_VIN).owner) == (OWNER, BUYER)


def test_refused_transaction_inside_a_batch_leaves_the_others_intact(profile: Profile, ledgers: dict[str, Ledger]) -> None:
    registrar = ledgers["registrar"]
    fns = registrar.registry.functions
    signer = registrar._signer  # noqa: SLF001 - raw sends inside one open batch
    with profile.chain().batch():
        signer.submit(Call(fns.registerTitle(VIN, OWNER, "bafkreititle"), 400_000))
        with pytest.raises(errors.TitleAlreadyRegistered):
            signer.submit(Call(fns.registerTitle(VIN, BUYER, "bafkreititle"), 400_000))
        signer.submit(Call(fns.registerTitle(OTHER_VIN, BUYER, "bafkreititle"), 400_000))
    assert (ledgers["reader"].title(VIN).owner, ledgers["reader"].title(OTHER_VIN).owner) == (OWNER, BUYER)
    assert len(profile.chain().block("latest").transactions) == 2
    assert registrar.register_title(normalize_vin("5YJSA1E27HF000337"), OWNER, doc_cid="bafkreititle").owner == OWNER  # nonces in step


def test_a_write_in_a_batch_is_estimated_after_the_earlier_writes_of_the_batch(ledgers: dict[str, Ledger]) -> None:
    registrar = ledgers["registrar"]
    fns, token = registrar.registry.functions, registrar._token(VIN)  # noqa: SLF001
    # The transfers depend on the registration before them: estimated on the state before the
    # batch, they would be refused (no such title).
    second, d = ledgers["registrar-b"], registrar.deployment

    def authorized(owner: str, to: str) -> tuple[int, int, bytes]:  # signed ahead: the title is not there yet
        return TransferAuthorization.sign(second._signer.account, chain_id=d.chain_id, registry=d.registry,  # noqa: SLF001
                                          vin=VIN, token_id=token, owner=owner, to=to,
                                          deadline=registrar.now() + 3600).as_argument()

    receipts = registrar._signer.send_many([  # noqa: SLF001
        Call(fns.registerTitle(VIN, OWNER, "bafkreititle")), Call(fns.transferTitle(token, BUYER, 1_000, "bafkreisale", authorized(OWNER, BUYER))),
        Call(fns.transferTitle(token, OWNER, 2_000, "bafkreisale", authorized(BUYER, OWNER))),
    ])
    assert len({r["blockNumber"] for r in receipts}) == 1 and ledgers["reader"].title(VIN).owner == OWNER
    for receipt in receipts:  # each limit is the margin over what the write used, after the ones before it
        limit = int(registrar.w3.eth.get_transaction(receipt["transactionHash"])["gas"])
        assert receipt["gasUsed"] < limit <= receipt["gasUsed"] * 1.35 + 25_000

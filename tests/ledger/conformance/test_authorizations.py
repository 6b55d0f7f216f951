"""Who may authorize a lien or a transfer, as the registry itself enforces it: signatures are made
here with the keys directly (as any client could), past the client's own checks, so that each
refusal is the registry's."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry.authorization import NO_COMMITMENT, LienAuthorization, TransferAuthorization
from lienchain.ledger.registry.liens import LienTerms
from lienchain.ledger.registry.records import AuthorizationPolicy

from .conftest import Backend
from .support import grant, sent

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400
BUYER = Account.create().address


def lien_auth(by: Ledger, lender: Ledger, amount: int, *, deadline: int = MATURITY) -> LienAuthorization:
    d = by.deployment
    return LienAuthorization.sign(by._signer.account, chain_id=d.chain_id, registry=d.registry, vin=VIN,  # noqa: SLF001
                                  token_id=by._token(VIN), lender=lender.address, amount=amount,  # noqa: SLF001
                                  commitment=NO_COMMITMENT, currency="USD", maturity=MATURITY, deadline=deadline)


def send_grant(lender: Ledger, amount: int, auth: LienAuthorization) -> None:
    fn = lender.registry.functions.grantLien(lender._token(VIN), amount, b"USD", MATURITY, "bafkreiloan", [],  # noqa: SLF001
                                             auth.as_argument())
    lender._signer.send(fn)  # noqa: SLF001


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def test_an_authorization_counts_once_and_not_after_its_deadline(titled: dict[str, Ledger]) -> None:
    lender, registrar = titled["lender-a"], titled["registrar"]
    auth = lien_auth(registrar, lender, 1_000)
    send_grant(lender, 1_000, auth)
    before = sent(titled)
    with pytest.raises(errors.RegistryAuthorizationUsed):
        send_grant(lender, 1_000, auth)  # the lender's own second lien: no consent in the way
    expired = lien_auth(registrar, lender, 2_000, deadline=titled["reader"].now() - 3600)  # past on any clock
    with pytest.raises(errors.RegistryAuthorizationExpired):
        send_grant(lender, 2_000, expired)
    assert sent(titled) == before and len(titled["reader"].liens(VIN)) == 1


def test_an_authorization_expiring_after_the_head_block_but_before_the_grants_block_is_refused_by_type(
    titled: dict[str, Ledger]
) -> None:
    lender, reader = titled["lender-a"], titled["reader"]
    head = reader.chain.block("latest").timestamp
    # Valid on the head block, which a node's dry run (its gas estimate) runs on...
    auth = lien_auth(titled["registrar"], lender, 1_000, deadline=head)
    # ...and past in the block the grant joins, a second later at least: a node sealing when a
    # write waits stamps it with the wall clock (the embedded chain estimates on that block itself,
    # so it refuses the grant before sending it; a node mines it, and it fails there).
    time.sleep(max(0.0, head + 1.1 - time.time()))
    with pytest.raises(errors.RegistryAuthorizationExpired) as refused:
        lender.grant_lien(VIN, 1_000, currency="USD", maturity=MATURITY, authorization=auth, doc_cid="bafkreiloan")
    assert refused.value.fields == {"deadline": head}
    assert reader.liens(VIN) == []


def test_a_consent_or_a_lenders_own_signature_is_no_authorization(titled: dict[str, Ledger]) -> None:
    lender = titled["lender-a"]
    consent = titled["lender-b"].sign_consent(VIN, lender=lender.address, amount=1_000, currency="USD",
                                              deadline=MATURITY)
    before = sent(titled)
    for fake in (LienAuthorization(**{**lien_auth(titled["registrar"], lender, 1_000).__dict__,
                                      "signature": consent.signature}),  # another type's signature
                 lien_auth(lender, lender, 1_000)):  # the lender itself
        with pytest.raises(errors.RegistryNotAuthorized):
            send_grant(lender, 1_000, fake)
    assert sent(titled) == before and titled["reader"].liens(VIN) == []


def test_a_registrar_holding_the_lender_role_cannot_authorize_its_own_lien(
    backend: Backend, titled: dict[str, Ledger]
) -> None:
    both = titled["registrar-b"]
    pid = titled["registrar"].propose_role("LENDER", both.address)
    titled["lender-a"].approve(pid)
    assert titled["lender-b"].approve(pid).executed
    with pytest.raises(errors.NotAuthorizer):  # the client says so first
        both.authorize_lien(VIN, lender=both.address, amount=1_000, currency="USD", maturity=MATURITY,
                            deadline=MATURITY)
    with pytest.raises(errors.NotAuthorizer):  # one by one or many at once
        both.authorize_liens([LienTerms(VIN, 1_000, "USD", MATURITY)], lender=both.address, deadline=MATURITY)
    before = sent(titled)
    with pytest.raises(errors.RegistryNotAuthorized):
        send_grant(both, 1_000, lien_auth(both, both, 1_000))
    assert sent(titled) == before and titled["reader"].liens(VIN) == []
    send_grant(both, 1_000, lien_auth(titled["registrar"], both, 1_000))  # another registrar's: granted


def test_an_account_without_registrar_signs_no_lien_authorization_for_another(titled: dict[str, Ledger]) -> None:
    lender, other = titled["lender-a"], titled["lender-b"]  # neither owns the title nor holds REGISTRAR
    with pytest.raises(errors.NotAuthorizer):
        other.authorize_lien(VIN, lender=lender.address, amount=1_000, currency="USD", maturity=MATURITY,
                             deadline=MATURITY)
    with pytest.raises(errors.NotAuthorizer):
        other.authorize_liens([LienTerms(VIN, 1_000, "USD", MATURITY)], lender=lender.address, deadline=MATURITY)
    assert titled["reader"].liens(VIN) == []


def test_a_registrar_cannot_authorize_the_transfer_it_sends(titled: dict[str, Ledger]) -> None:
    registrar = titled["registrar"]
    owner = titled["reader"].title(VIN).owner
    d = registrar.deployment
    own = TransferAuthorization.sign(registrar._signer.account, chain_id=d.chain_id, registry=d.registry,  # noqa: SLF001
                                     vin=VIN, token_id=registrar._token(VIN), owner=owner, to=BUYER,  # noqa: SLF001
                                     deadline=MATURITY)
    with pytest.raises(errors.InvalidAuthorizationFile, match="the registrar sending it"):
        registrar.transfer_title(VIN, BUYER, km=0, authorization=own, doc_cid="bafkreisale")
    before = sent(titled)
    fn = registrar.registry.functions.transferTitle(registrar._token(VIN), BUYER, 0, "bafkreisale", own.as_argument())  # noqa: SLF001
    with pytest.raises(errors.RegistryNotAuthorized):
        registrar._signer.send(fn)  # noqa: SLF001
    assert sent(titled) == before and titled["reader"].title(VIN).owner == owner


def test_under_the_owner_only_policy_the_owner_alone_authorizes_a_lien(
    backend: Backend, ledgers: dict[str, Ledger]
) -> None:
    owner = backend.ledger(backend.create_account("owner").name)
    ledgers["registrar"].register_title(VIN, owner.address, doc_cid="bafkreititle")
    pid = ledgers["registrar"].propose_authorization_policy(AuthorizationPolicy.OWNER_ONLY)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed
    assert ledgers["reader"].authorization_policy() == AuthorizationPolicy.OWNER_ONLY
    lender = ledgers["lender-a"]
    with pytest.raises(errors.NotAuthorizer):
        grant(ledgers, "lender-a", VIN, 1_000, maturity=MATURITY)  # the registrar's, refused by the client
    with pytest.raises(errors.NotAuthorizer):
        ledgers["registrar"].authorize_liens([LienTerms(VIN, 1_000, "USD", MATURITY)], lender=lender.address,
                                             deadline=MATURITY)
    before = sent(ledgers)
    with pytest.raises(errors.RegistryNotAuthorized):
        send_grant(lender, 1_000, lien_auth(ledgers["registrar"], lender, 1_000))  # and by the registry
    assert sent(ledgers) == before and ledgers["reader"].liens(VIN) == []
    granted = grant({**ledgers, "owner": owner}, "lender-a", VIN, 1_000, maturity=MATURITY, by="owner")
    assert granted.lender == lender.address

"""Bounds the registry enforces itself, whatever a client sends: currencies are three letters,
public amounts and values stay below 2**40 minor units (as private amounts do), no private lien is
of zero, and no oracle — an extreme one, or one whose role was revoked — can lock a title."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry import private
from lienchain.ledger.registry.authorization import NO_COMMITMENT, LienAuthorization, commitment_hash
from lienchain.ledger.registry.records import Lien
from lienchain.ledger.registry.roles import role_id
from lienchain.zk.pedersen import Opening

from .conftest import Backend
from .support import grant, grant_private, sent, value

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400
LIMIT = 2**40  # minor units: about 11 billion in a two-decimal currency


@pytest.fixture
def titled(ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def _grant(ledgers: dict[str, Ledger], amount: int, currency: bytes) -> None:
    """A grant as any client could send it, authorized for exactly these terms by the registrar:
    no check of the client's in the way."""
    ledger, registrar = ledgers["lender-a"], ledgers["registrar"]
    token = ledger._token(VIN)  # noqa: SLF001
    auth = LienAuthorization.sign(
        registrar._signer.account, chain_id=ledger.deployment.chain_id, registry=ledger.deployment.registry,  # noqa: SLF001
        vin=VIN, token_id=token, lender=ledger.address, amount=amount, commitment=NO_COMMITMENT,
        currency=currency.decode("latin-1"), maturity=MATURITY, deadline=MATURITY,
    )
    fn = ledger.registry.functions.grantLien(token, amount, currency, MATURITY, "bafkreiloan", [], auth.as_argument())
    ledger._signer.send(fn)  # noqa: SLF001


def _value(ledger: Ledger, value: int, currency: bytes = b"USD") -> None:
    fn = ledger.registry.functions.setValuation(ledger._token(VIN), value, currency, ledger.chain.time(), "")  # noqa: SLF001
    ledger._signer.send(fn)  # noqa: SLF001


@pytest.mark.parametrize("currency", [b"\x00\x00\x00", b"\xff\xff\xff", b"usd", b"US1", b"U\x00D"])
def test_a_currency_that_is_not_three_capital_letters_is_refused(titled: dict[str, Ledger], currency: bytes) -> None:
    before = sent(titled)
    with pytest.raises(errors.RegistryInvalidCurrency) as refused:
        _grant(titled, 1_000, currency)
    assert refused.value.currency == "0x" + currency.hex()
    with pytest.raises(errors.RegistryInvalidCurrency):
        _value(titled["oracle"], 2_000_000, currency)
    assert sent(titled) == before
    assert (titled["reader"].liens(VIN), titled["reader"].valuations(VIN)) == ([], [])


def test_a_zero_currency_cannot_switch_the_one_currency_rule_off(titled: dict[str, Ledger]) -> None:
    value(titled, VIN, 2_000_000, currency="USD")
    with pytest.raises(errors.RegistryInvalidCurrency):
        _grant(titled, 1_000, b"\x00\x00\x00")
    with pytest.raises(errors.CurrencyMismatch):
        _grant(titled, 1_000, b"JPY")
    assert titled["reader"].liens(VIN) == []


@pytest.mark.parametrize("amount", [LIMIT, 2**255, 2**256 - 1])
def test_a_public_amount_of_2_40_minor_units_or_more_is_refused(titled: dict[str, Ledger], amount: int) -> None:
    before = sent(titled)
    with pytest.raises(errors.RegistryInvalidAmount) as refused:
        _grant(titled, amount, b"USD")
    assert refused.value.amount == amount
    assert sent(titled) == before and titled["reader"].liens(VIN) == []
    _grant(titled, LIMIT - 1, b"USD")  # the largest there is
    assert [x.amount for x in titled["reader"].liens(VIN)] == [LIMIT - 1]


def test_an_oracles_extreme_value_is_refused_and_locks_nothing(titled: dict[str, Ledger]) -> None:
    grant(titled, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    for extreme in (LIMIT, 2**256 - 1):
        with pytest.raises(errors.RegistryInvalidValuation):
            _value(titled["oracle"], extreme)
    assert titled["reader"].valuations(VIN) == []
    # Nothing was stored that could make the median or the ratio overflow later.
    value(titled, VIN, LIMIT - 1, currency="USD")
    lien = grant(titled, "lender-b", VIN, 1_000, currency="USD", maturity=MATURITY, consents=[
        titled["lender-a"].sign_consent(VIN, lender=titled["lender-b"].address, amount=1_000, currency="USD",
                                        deadline=MATURITY)
    ])
    titled["lender-b"].release_lien(lien.lien_id)
    assert titled["reader"].appraisal(VIN).value == LIMIT - 1


@pytest.mark.parametrize("leaves", ["revoked", "renounced"])
def test_an_oracle_leaving_neither_keeps_a_title_frozen_nor_lifts_its_limit(
    backend: Backend, titled: dict[str, Ledger], leaves: str
) -> None:
    value(titled, VIN, 1_000_000, currency="USD")
    grant(titled, "lender-a", VIN, 700_000, currency="USD", maturity=MATURITY)  # 70%: at the threshold
    titled["oracle"].set_valuation(VIN, 900_000, currency="USD", doc_cid="bafkreilow")  # the median: 950,000
    assert titled["reader"].appraisal(VIN).frozen
    oracle = titled["oracle"]
    if leaves == "revoked":
        pid = titled["registrar"].propose_role("ORACLE", oracle.address, grant=False)
        titled["lender-a"].approve(pid)
        assert titled["lender-b"].approve(pid).executed
    else:  # its own key gives its role up
        oracle._signer.send(oracle.registry.functions.renounceRole(role_id("ORACLE"), oracle.address))  # noqa: SLF001
    # Its valuation counts no more: the title is not frozen by it, and, one valuation being fewer
    # than a value needs, stale: it takes no lien until oracles value it again (no limit lifted).
    shown = titled["reader"].appraisal(VIN)
    assert (shown.state, shown.fresh_oracles, shown.value, shown.frozen) == ("stale", 1, 0, False)
    before = sent(titled)
    with pytest.raises(errors.RegistryValuationStale):
        grant(titled, "lender-a", VIN, 10**9, currency="USD", maturity=MATURITY)
    assert sent(titled) == before and len(titled["reader"].liens(VIN)) == 1
    pid = titled["registrar"].propose_min_valuations(1)  # the members may vote one appraiser enough
    titled["lender-a"].approve(pid)
    assert titled["lender-b"].approve(pid).executed
    assert titled["reader"].appraisal(VIN).state == "healthy"  # oracle-b's 1,000,000: 70%
    with pytest.raises(errors.LtvExceeded):
        grant(titled, "lender-a", VIN, 1_000, currency="USD", maturity=MATURITY)


def test_a_private_lien_of_zero_is_refused_on_chain(backend: Backend, titled: dict[str, Ledger]) -> None:
    value(titled, VIN, 2_000_000, currency="USD")
    lender = titled["lender-a"]
    token = lender._token(VIN)  # noqa: SLF001
    d = lender.deployment
    zero = Opening.random(0)
    # Proofs a client that skips its own check would make: the amount 0 is in range and within 70%.
    ctx = private.grant_context(d, token, lender.address)
    from lienchain.zk import ltv
    from lienchain.zk import range as range_proof
    from lienchain.zk.encoding import range_to_bytes
    from lienchain.zk.ltv import LtvStatement
    from lienchain.zk.range import RangeStatement

    c = zero.commit()
    proofs = private.GrantProofs(
        c, range_to_bytes(range_proof.prove(RangeStatement(ctx, c, private.AMOUNT_BITS), zero)),
        range_to_bytes(ltv.prove(LtvStatement(ctx, c, 2_000_000, 7000), zero)),
    )
    before = sent(titled)
    auth = titled["registrar"].authorize_lien(VIN, lender=lender.address, amount=0, currency="USD", maturity=MATURITY,
                                              deadline=MATURITY, commitment=commitment_hash(c.x, c.y))
    fn = lender.registry.functions.grantPrivateLien(token, proofs.as_argument(), b"USD", MATURITY, "bafkreiloan",
                                                    auth.as_argument())
    with pytest.raises(errors.RegistryInvalidProof):
        lender._signer.send(fn)  # noqa: SLF001
    assert sent(titled) == before and titled["reader"].liens(VIN) == []
    assert isinstance(grant_private(backend.session, "lender-a", VIN, 1, currency="USD", maturity=MATURITY), Lien)

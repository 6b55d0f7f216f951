"""Valuations by oracles, the title's median value, and loan-to-value alerts that freeze new liens."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from lienchain import errors
from lienchain.ledger import Ledger, normalize_vin

from .conftest import Backend
from .support import grant, limit_of_last_write, sent, value

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400


def names(events: list) -> list[str]:  # type: ignore[type-arg]
    return [e.name for e in events]


@pytest.fixture
def oracles(backend: Backend, ledgers: dict[str, Ledger]) -> dict[str, Ledger]:
    """The ledgers, with two more oracles (oracle-2, oracle-3) voted in, and a registered title."""
    for name in ("oracle-2", "oracle-3"):
        account = backend.create_account(name)
        pid = ledgers["registrar"].propose_role("ORACLE", account.address)
        ledgers["lender-a"].approve(pid)
        assert ledgers["lender-b"].approve(pid).executed
        ledgers[name] = backend.ledger(name)
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    return ledgers


def test_a_title_never_valued_is_not_frozen_and_takes_liens(oracles: dict[str, Ledger]) -> None:
    assert oracles["reader"].appraisal(VIN).state == "unvalued"
    grant(oracles, "lender-a", VIN, 10**9, currency="USD", maturity=MATURITY)
    shown = oracles["reader"].appraisal(VIN)
    assert (shown.state, shown.frozen, shown.value, shown.secured) == ("unvalued", False, 0, 10**9)


def test_one_oracles_outlier_does_not_move_the_titles_value(oracles: dict[str, Ledger]) -> None:
    oracles["oracle"].set_valuation(VIN, 2_000_000, currency="USD", doc_cid="bafkreivaluation")
    oracles["oracle-2"].set_valuation(VIN, 2_100_000, currency="USD", doc_cid="bafkreivaluation")
    appraisal = oracles["oracle-3"].set_valuation(VIN, 50_000_000, currency="USD", doc_cid="bafkreivaluation")  # an outlier

    assert (appraisal.value, appraisal.fresh_oracles) == (2_100_000, 3)
    oracles["oracle-3"].set_valuation(VIN, 1, currency="USD", doc_cid="bafkreivaluation")  # the same oracle, now far too low
    assert oracles["reader"].appraisal(VIN).value == 2_000_000
    assert [v.value for v in oracles["reader"].valuations(VIN)] == [2_000_000, 2_100_000, 1]


def test_a_valuation_drop_freezes_the_title_and_a_release_unfreezes_it(oracles: dict[str, Ledger]) -> None:
    value(oracles, VIN, 2_000_000)
    lien = grant(oracles, "lender-a", VIN, 1_300_000, currency="USD", maturity=MATURITY)  # 65%
    assert oracles["reader"].appraisal(VIN).state == "healthy"

    dropped = value(oracles, VIN, 1_600_000)  # 81.25% > 70%
    assert (dropped.state, dropped.ltv_bps, dropped.threshold_bps) == ("frozen", 8125, 7000)
    # The first oracle's drop (the median of 1,600,000 and 2,000,000) crossed it: 72.23%.
    (alert,) = [e for e in oracles["reader"].history(VIN) if e.name == "LtvAlert"]
    assert (alert.args["ltvBps"], alert.args["thresholdBps"]) == (7223, 7000)

    before = sent(oracles)
    with pytest.raises(errors.TitleFrozen, match="81.25%"):
        grant(oracles, "lender-b", VIN, 1, currency="USD", maturity=MATURITY)
    assert sent(oracles) == before and oracles["reader"].appraisal(VIN).secured == 1_300_000

    oracles["lender-a"].release_lien(lien.lien_id)
    recovered = oracles["reader"].appraisal(VIN)
    assert (recovered.state, recovered.ltv_bps, recovered.frozen) == ("healthy", 0, False)
    assert names(oracles["reader"].history(VIN))[-2:] == ["LienReleased", "LtvRecovered"]
    grant(oracles, "lender-b", VIN, 1_000_000, currency="USD", maturity=MATURITY)


def test_a_lien_that_would_cross_the_threshold_is_refused_with_the_ratio_it_would_reach(
    oracles: dict[str, Ledger],
) -> None:
    value(oracles, VIN, 2_000_000)
    grant(oracles, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)
    before = sent(oracles)
    with pytest.raises(errors.LtvExceeded, match="70.01%") as refused:
        grant(oracles, "lender-a", VIN, 400_200, currency="USD", maturity=MATURITY)
    assert (refused.value.fields["ltvBps"], refused.value.fields["thresholdBps"]) == (7001, 7000)
    assert sent(oracles) == before
    grant(oracles, "lender-a", VIN, 400_000, currency="USD", maturity=MATURITY)  # exactly 70% is allowed
    assert oracles["reader"].appraisal(VIN).ltv_bps == 7000


def test_a_title_whose_valuations_went_stale_takes_no_lien_until_enough_are_fresh(oracles: dict[str, Ledger]) -> None:
    long_ago = int(time.time()) - 200 * 86400  # beyond the 180-day window
    appraisal = value(oracles, VIN, 2_000_000, valued_at=long_ago)
    assert (appraisal.state, appraisal.value, appraisal.stale_oracles) == ("stale", 0, 2)
    assert oracles["reader"].valuations(VIN)[0].stale
    with pytest.raises(errors.RegistryValuationStale, match="an oracle must value it again"):
        grant(oracles, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    # One fresh valuation of the two a value needs: still stale.
    assert oracles["oracle-2"].set_valuation(VIN, 2_000_000, currency="USD", doc_cid="bafkreivaluation").state == "stale"
    with pytest.raises(errors.RegistryValuationStale):
        grant(oracles, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    assert oracles["oracle-3"].set_valuation(VIN, 2_000_000, currency="USD", doc_cid="bafkreivaluation").state == "healthy"
    grant(oracles, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)


def test_one_oracle_alone_neither_values_freezes_nor_stales_a_title(oracles: dict[str, Ledger]) -> None:
    lone = oracles["oracle-3"].set_valuation(VIN, 1, currency="USD", doc_cid="bafkreivaluation")  # absurdly low, and alone
    assert (lone.state, lone.value, lone.fresh_oracles, lone.min_valuations, lone.frozen) == (
        "under-valued", 0, 1, 2, False)
    grant(oracles, "lender-a", VIN, 1_000_000, currency="USD", maturity=MATURITY)  # its value does not count
    long_ago = int(time.time()) - 200 * 86400
    aged = oracles["oracle"].set_valuation(VIN, 3_000_000, currency="USD", valued_at=long_ago, doc_cid="bafkreivaluation")
    assert aged.state == "stale"  # two current oracles valued it, and one of them aged out
    assert oracles["oracle-2"].set_valuation(VIN, 3_000_000, currency="USD", doc_cid="bafkreivaluation").state == "healthy"  # median 1.5M
    assert oracles["reader"].appraisal(VIN).value == 1_500_000


def test_the_minimum_of_valuations_changes_only_by_a_governance_vote(oracles: dict[str, Ledger]) -> None:
    oracles["oracle"].set_valuation(VIN, 2_000_000, currency="USD", doc_cid="bafkreivaluation")
    assert oracles["reader"].appraisal(VIN).state == "under-valued"
    before = sent(oracles)
    with pytest.raises(errors.MissingRole, match="DEFAULT_ADMIN"):
        oracles["oracle"]._signer.send(oracles["oracle"].registry.functions.setMinValuations(1))  # noqa: SLF001
    with pytest.raises(errors.RegistryInvalidSetting):
        oracles["registrar"].propose_min_valuations(17)
    with pytest.raises(errors.RegistrySettingUnchanged):
        oracles["registrar"].propose_min_valuations(2)
    assert sent(oracles) == before
    pid = oracles["registrar"].propose_min_valuations(1)  # a consortium with one appraiser may vote so
    oracles["lender-a"].approve(pid)
    assert oracles["lender-b"].approve(pid).executed
    shown = oracles["reader"].appraisal(VIN)
    assert (shown.state, shown.value, shown.min_valuations) == ("healthy", 2_000_000, 1)


def test_a_non_oracle_cannot_set_a_valuation(oracles: dict[str, Ledger]) -> None:
    before = sent(oracles)
    with pytest.raises(errors.MissingRole, match="ORACLE"):
        oracles["lender-a"].set_valuation(VIN, 100, currency="USD", doc_cid="bafkreivaluation")
    assert sent(oracles) == before and oracles["reader"].valuations(VIN) == []


@pytest.mark.parametrize(("value", "valued_at"), [(0, None), (1, 2**40)])
def test_an_invalid_valuation_is_refused(oracles: dict[str, Ledger], value: int, valued_at: int | None) -> None:
    with pytest.raises(errors.InvalidOperation):
        oracles["oracle"].set_valuation(VIN, value, currency="USD", valued_at=valued_at, doc_cid="bafkreivaluation")
    assert oracles["reader"].valuations(VIN) == []


def test_the_threshold_changes_only_by_a_governance_vote(oracles: dict[str, Ledger]) -> None:
    with pytest.raises(errors.MissingRole, match="DEFAULT_ADMIN"):
        oracles["oracle"]._signer.send(oracles["oracle"].registry.functions.setLtvThreshold(9000), gas=100_000)
    assert oracles["reader"].ltv_threshold() == 7000

    value(oracles, VIN, 2_000_000)
    grant(oracles, "lender-a", VIN, 1_300_000, currency="USD", maturity=MATURITY)
    pid = oracles["registrar"].propose_ltv_threshold(6000)
    assert not oracles["lender-a"].approve(pid).executed
    assert oracles["reader"].ltv_threshold() == 7000
    assert oracles["lender-b"].approve(pid).executed  # three of five members
    assert oracles["reader"].ltv_threshold() == 6000
    with pytest.raises(errors.TitleFrozen, match="over the 60% threshold"):
        grant(oracles, "lender-b", VIN, 1, currency="USD", maturity=MATURITY)


def test_writes_on_a_title_with_three_oracles_are_sent_on_their_estimates(oracles: dict[str, Ledger]) -> None:
    reader = oracles["reader"]
    long_cid = "bafybei" + "a" * 52  # a dag-pb CID, the longest kind anchored

    for name in ("oracle", "oracle-2", "oracle-3"):  # each oracle's first valuation stores its document
        oracles[name].set_valuation(VIN, 2_000_000, currency="USD", doc_cid=long_cid)
        limit_of_last_write(reader)
    grant(oracles, "lender-a", VIN, 700_000, currency="USD", maturity=MATURITY, doc_cid=long_cid)
    limit_of_last_write(reader)
    consent = oracles["lender-a"].sign_consent(VIN, lender=oracles["lender-b"].address, amount=600_000,
                                               currency="USD", deadline=int(time.time()) + 3600)
    grant(oracles, "lender-b", VIN, 600_000, currency="USD", maturity=MATURITY, doc_cid=long_cid,
                                   consents=[consent])
    oracles["oracle"].set_valuation(VIN, 1_000_000, currency="USD", doc_cid=long_cid)
    oracles["oracle-2"].set_valuation(VIN, 1_000_000, currency="USD", doc_cid=long_cid)  # the title freezes
    limit_of_last_write(reader)
    assert reader.appraisal(VIN).frozen
    oracles["lender-b"].release_lien(2)  # the title recovers
    limit_of_last_write(reader)
    assert not reader.appraisal(VIN).frozen

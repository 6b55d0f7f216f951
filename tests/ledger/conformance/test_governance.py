"""Governance by majority vote of the members, through the Ledger, on every chain backend.

The five founding members are registrar, lender-a, lender-b, oracle and auditor: three
approvals make a majority.
"""

from __future__ import annotations

import time

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_utils.abi import function_signature_to_4byte_selector

from lienchain import errors
from lienchain.contracts import load_artifact
from lienchain.ledger import Ledger, normalize_vin
from lienchain.ledger.registry.deployment import NO_SEALER
from lienchain.ledger.registry.reverts import RevertDecoder
from lienchain.ledger.registry.roles import ROLES

from .conftest import Backend
from .support import grant, limit_of_last_write, sent

VIN = normalize_vin("1M8GDM9AXKP042788")
MATURITY = int(time.time()) + 5 * 365 * 86400


def remove_member(ledgers: dict[str, Ledger], name: str) -> None:
    """Removes a member by the votes of registrar, lender-a and lender-b (a majority of 4 or 5)."""
    pid = ledgers["registrar"].propose_member(ledgers[name].address, add=False)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed
    assert ledgers[name].address not in ledgers["reader"].members()


def add_member(ledgers: dict[str, Ledger], name: str) -> None:
    """Adds a member by the votes of registrar, lender-a and lender-b (a majority of 4)."""
    pid = ledgers["registrar"].propose_member(ledgers[name].address)
    ledgers["lender-a"].approve(pid)
    assert ledgers["lender-b"].approve(pid).executed
    assert ledgers[name].address in ledgers["reader"].members()


def has_approved(ledgers: dict[str, Ledger], pid: int, name: str) -> bool:
    return bool(ledgers["reader"].governance.functions.hasApproved(pid, ledgers[name].address).call())


# --- roles ---------------------------------------------------------------------------------------


def test_deployer_keeps_no_admin_power(ledgers: dict[str, Ledger]) -> None:
    reg = ledgers["reader"].registry
    admin = reg.functions.DEFAULT_ADMIN_ROLE().call()
    assert not reg.functions.hasRole(admin, ledgers["registrar"].address).call()
    assert reg.functions.hasRole(admin, ledgers["reader"].deployment.governance).call()
    with pytest.raises(errors.MissingRole):
        ledgers["registrar"]._signer.send(  # noqa: SLF001 - a direct grant, bypassing governance
            reg.functions.grantRole(reg.functions.LENDER_ROLE().call(), ledgers["oracle"].address), gas=200_000)
    assert not ledgers["reader"].has_role("LENDER", ledgers["oracle"].address)


def test_role_changes_only_after_a_majority_votes(ledgers: dict[str, Ledger]) -> None:
    oracle = ledgers["oracle"].address
    pid = ledgers["registrar"].propose_role("LENDER", oracle)
    ledgers["lender-a"].approve(pid)
    assert not ledgers["reader"].has_role("LENDER", oracle)  # 2 of 5
    p = ledgers["lender-b"].approve(pid)
    assert p.executed and p.approvals == 3
    assert ledgers["reader"].has_role("LENDER", oracle)


def test_revoked_role_refuses_operations(ledgers: dict[str, Ledger]) -> None:
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    pid = ledgers["registrar"].propose_role("LENDER", ledgers["lender-a"].address, grant=False)
    ledgers["lender-b"].approve(pid)
    ledgers["auditor"].approve(pid)
    with pytest.raises(errors.MissingRole, match="LENDER"):
        grant(ledgers, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    assert ledgers["reader"].liens(VIN) == []


def test_non_member_cannot_propose_or_vote(ledgers: dict[str, Ledger]) -> None:
    outsider = ledgers["reader"].as_account(Account.create())
    with pytest.raises(errors.NotMember):
        outsider.propose_role("LENDER", outsider.address)
    assert ledgers["reader"].proposals() == []


def test_member_cannot_vote_twice(ledgers: dict[str, Ledger]) -> None:
    pid = ledgers["registrar"].propose_member(Account.create().address)
    with pytest.raises(errors.GovernanceRefused, match="already voted"):
        ledgers["registrar"].approve(pid)
    assert ledgers["reader"].proposal(pid).approvals == 1


# --- membership ----------------------------------------------------------------------------------


def test_membership_changes_by_vote_and_majority_follows(ledgers: dict[str, Ledger]) -> None:
    newcomer = Account.create().address
    pid = ledgers["registrar"].propose_member(newcomer)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    assert newcomer in ledgers["reader"].members() and len(ledgers["reader"].members()) == 6
    # With six members, three approvals are no longer a majority.
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    assert not ledgers["reader"].has_role("ORACLE", newcomer)
    ledgers["auditor"].approve(pid)
    assert ledgers["reader"].has_role("ORACLE", newcomer)


def test_removed_member_cannot_vote(ledgers: dict[str, Ledger]) -> None:
    pid = ledgers["registrar"].propose_role("ORACLE", Account.create().address)
    remove_member(ledgers, "auditor")
    before = sent(ledgers)
    with pytest.raises(errors.NotMember, match=ledgers["auditor"].address):
        ledgers["auditor"].approve(pid)
    assert ledgers["reader"].proposal(pid).approvals == 1
    assert sent(ledgers) == before


def test_re_added_member_does_not_get_its_old_approvals_back(ledgers: dict[str, Ledger]) -> None:
    newcomer = Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    ledgers["auditor"].approve(pid)  # 2 of 5
    remove_member(ledgers, "auditor")
    assert ledgers["reader"].proposal(pid).approvals == 1
    add_member(ledgers, "auditor")
    assert ledgers["reader"].proposal(pid).approvals == 1  # the old vote is void
    assert not has_approved(ledgers, pid, "auditor")
    # Its new membership began after the proposal was made: it has no vote on it.
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceNotVoter):
        ledgers["auditor"].approve(pid)
    assert sent(ledgers) == before and ledgers["reader"].proposal(pid).approvals == 1
    # With the old vote, lender-a's would make three and execute; without it, it makes two.
    p = ledgers["lender-a"].approve(pid)
    assert (p.executed, p.approvals) == (False, 2)
    assert not ledgers["reader"].has_role("ORACLE", newcomer)
    p = ledgers["lender-b"].approve(pid)
    assert (p.executed, p.approvals) == (True, 3)
    assert ledgers["reader"].has_role("ORACLE", newcomer)


# --- the majority of the membership a proposal was made with ----------------------------------


def test_a_proposal_needs_a_majority_of_the_members_it_was_made_with_after_members_leave(
    ledgers: dict[str, Ledger]
) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)  # 1 of 5: three approvals carry it
    assert (reader.proposal(pid).member_count, reader.proposal(pid).needed) == (5, 3)
    remove_member(ledgers, "auditor")
    remove_member(ledgers, "oracle")
    # Two of the three members left would be a majority of today's membership, not of the five.
    p = ledgers["lender-a"].approve(pid)
    assert (p.executed, p.approvals, p.needed) == (False, 2, 3)
    assert not reader.has_role("ORACLE", newcomer)
    p = ledgers["lender-b"].approve(pid)
    assert (p.executed, p.approvals) == (True, 3)
    assert reader.has_role("ORACLE", newcomer)


def test_a_member_admitted_after_a_proposal_has_no_vote_on_it(ledgers: dict[str, Ledger], backend: Backend) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    late = backend.create_account("late")
    pass_vote(ledgers, ledgers["registrar"].propose_member(late.address))
    voter = backend.ledger("late")
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceNotVoter) as refused:
        voter.approve(pid)
    assert refused.value.fields == {"proposalId": pid, "member": late.address}
    assert sent(ledgers) == before and backend.chain.nonce(late.address) == 0
    p = reader.proposal(pid)
    assert (p.approvals, p.needed, p.executed) == (1, 3, False)
    assert has_approved(ledgers, pid, "registrar")  # the proposer's vote stands


# --- votes on a closed proposal -----------------------------------------------------------------


def test_approve_fails_if_already_executed_unknown_or_not_a_member(ledgers: dict[str, Ledger]) -> None:
    pid = ledgers["registrar"].propose_role("ORACLE", Account.create().address)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceAlreadyExecuted):
        ledgers["auditor"].approve(pid)
    outsider = ledgers["reader"].as_account(Account.create())
    with pytest.raises(errors.NotMember):
        outsider.approve(pid)
    with pytest.raises(errors.GovernanceUnknownProposal, match="no proposal with id 99"):
        ledgers["auditor"].approve(99)
    assert sent(ledgers) == before
    assert ledgers["reader"].proposal(pid).approvals == 3


def test_failed_proposal_call_reports_the_inner_error(ledgers: dict[str, Ledger]) -> None:
    member = ledgers["lender-a"].address
    pid = ledgers["registrar"].propose_member(member)  # already a member: the call will fail
    ledgers["lender-a"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceRefused) as refused:
        ledgers["lender-b"].approve(pid)
    assert str(refused.value) == (
        f"proposal {pid} reached a majority but its call failed: {member} is already a member")
    cause = refused.value.fields["cause"]
    assert isinstance(cause, errors.GovernanceRefused)
    assert (cause.name, cause.fields) == ("GovernanceAlreadyMember", {"account": member})
    # The failed vote is undone: the proposal stays open with two approvals.
    assert sent(ledgers) == before
    assert (ledgers["reader"].proposal(pid).executed, ledgers["reader"].proposal(pid).approvals) == (False, 2)
    assert len(ledgers["reader"].members()) == 5


def test_failed_call_decodes_inner_error_by_its_own_class() -> None:
    decoder = RevertDecoder([load_artifact("Governance").abi, load_artifact("TitleRegistry").abi])
    stranger = Account.create().address

    def revert(signature: str, types: list[str], values: list[object]) -> bytes:
        return function_signature_to_4byte_selector(signature) + encode(types, values)

    inner = revert("GovernanceNotMember(address)", ["address"], [stranger])
    outer = decoder.decode(revert("GovernanceCallFailed(uint256,bytes)", ["uint256", "bytes"], [7, inner]))
    assert isinstance(outer, errors.GovernanceRefused)
    assert str(outer).startswith(f"proposal 7 reached a majority but its call failed: {stranger} is not a member")
    assert isinstance(outer.fields["cause"], errors.NotMember)
    assert outer.fields["reason"] == "0x" + inner.hex()

    silent = decoder.decode(revert("GovernanceCallFailed(uint256,bytes)", ["uint256", "bytes"], [7, b""]))
    assert "without a reason" in str(silent)
    assert type(silent.fields["cause"]) is errors.ContractRevert


# --- admission and removal in one vote ------------------------------------------------------------


def roles_of(ledgers: dict[str, Ledger], account: str) -> list[str]:
    return [r for r in ROLES if ledgers["reader"].has_role(r, account)]


def test_admission_makes_a_member_with_its_roles_and_sealer_only_after_a_majority(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    newcomer, sealer = Account.create().address, Account.create().address
    pid = ledgers["registrar"].propose_admission(newcomer, sealer, ["LENDER", "oracle"])
    assert "LENDER, ORACLE" in reader.proposal(pid).description
    ledgers["lender-a"].approve(pid)  # 2 of 5: nothing changes yet
    assert newcomer not in reader.members() and roles_of(ledgers, newcomer) == []
    assert (reader.sealer_of(newcomer), reader.sealers()) == (NO_SEALER, [])
    assert ledgers["lender-b"].approve(pid).executed
    assert newcomer in reader.members() and roles_of(ledgers, newcomer) == ["LENDER", "ORACLE"]
    assert (reader.sealer_of(newcomer), reader.sealers()) == (sealer, [sealer])


def test_removal_revokes_every_role_and_the_membership(ledgers: dict[str, Ledger]) -> None:
    reader, lender = ledgers["reader"], ledgers["lender-a"].address
    pid = ledgers["registrar"].propose_role("ORACLE", lender)
    ledgers["lender-b"].approve(pid)
    ledgers["auditor"].approve(pid)
    assert roles_of(ledgers, lender) == ["LENDER", "ORACLE"]
    pid = ledgers["registrar"].propose_removal(lender)
    ledgers["lender-b"].approve(pid)
    assert lender in reader.members() and roles_of(ledgers, lender) == ["LENDER", "ORACLE"]
    assert ledgers["auditor"].approve(pid).executed
    assert lender not in reader.members() and roles_of(ledgers, lender) == []
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    with pytest.raises(errors.MissingRole):
        grant(ledgers, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)


def test_removing_a_member_as_a_plain_membership_change_revokes_its_roles_too(ledgers: dict[str, Ledger]) -> None:
    reader, lender = ledgers["reader"], ledgers["lender-a"].address
    pid = ledgers["registrar"].propose_member(lender, add=False)
    assert "revoke its roles (LENDER)" in reader.proposal(pid).description
    ledgers["lender-b"].approve(pid)
    assert ledgers["auditor"].approve(pid).executed
    assert lender not in reader.members() and roles_of(ledgers, lender) == []
    ledgers["registrar"].register_title(VIN, Account.create().address, doc_cid="bafkreititle")
    nonce = reader.chain.nonce(lender)
    with pytest.raises(errors.MissingRole):
        grant(ledgers, "lender-a", VIN, 1, currency="USD", maturity=MATURITY)
    assert reader.chain.nonce(lender) == nonce and reader.liens(VIN) == []


def pass_vote(ledgers: dict[str, Ledger], pid: int) -> None:
    """Has the other founding members approve a proposal until it executes."""
    for name in ("lender-a", "lender-b", "oracle", "auditor"):
        if ledgers[name].approve(pid).executed:
            return
    raise AssertionError(f"proposal {pid} did not execute")


def test_removal_forgets_the_sealer_so_another_member_may_take_it(ledgers: dict[str, Ledger]) -> None:
    reader, sealer = ledgers["reader"], Account.create().address
    first = Account.create().address
    pass_vote(ledgers, ledgers["registrar"].propose_admission(first, sealer, []))
    assert reader.sealers() == [sealer]
    pass_vote(ledgers, ledgers["registrar"].propose_removal(first))
    assert (reader.sealer_of(first), reader.sealers()) == (NO_SEALER, [])
    second = Account.create().address
    pass_vote(ledgers, ledgers["registrar"].propose_admission(second, sealer, ["AUDITOR"]))
    assert (reader.sealer_of(second), reader.sealers()) == (sealer, [sealer])


def test_failing_call_in_a_batch_undoes_the_batch_and_leaves_the_proposal_open(ledgers: dict[str, Ledger]) -> None:
    reader, outsider = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("LENDER", outsider)  # a role holder that is no member
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    # The revocations succeed, then removeMember fails: the revocations must be undone with it.
    pid = ledgers["registrar"].propose_removal(outsider)
    ledgers["lender-a"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceRefused) as refused:
        ledgers["lender-b"].approve(pid)
    cause = refused.value.fields["cause"]
    assert isinstance(cause, errors.NotMember) and cause.fields == {"account": outsider}
    assert sent(ledgers) == before and roles_of(ledgers, outsider) == ["LENDER"]
    assert (reader.proposal(pid).executed, reader.proposal(pid).approvals) == (False, 2)


def test_admission_with_a_taken_sealer_is_refused_and_changes_nothing(ledgers: dict[str, Ledger]) -> None:
    reader, sealer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_admission(Account.create().address, sealer, [])
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    newcomer = Account.create().address
    pid = ledgers["registrar"].propose_admission(newcomer, sealer, ["LENDER"])
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    with pytest.raises(errors.GovernanceRefused, match="already the sealer of member") as refused:
        ledgers["oracle"].approve(pid)  # 4 of 6
    assert refused.value.fields["cause"].name == "GovernanceSealerTaken"
    assert newcomer not in reader.members() and roles_of(ledgers, newcomer) == []
    assert reader.proposal(pid).executed is False


def test_batch_runs_only_through_a_proposal_and_needs_one_calldata_per_target(ledgers: dict[str, Ledger]) -> None:
    registrar, reader = ledgers["registrar"], ledgers["reader"]
    gov = registrar.governance
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceRefused) as refused:
        registrar._signer.send(gov.functions.batch([gov.address], [b""]), gas=200_000)  # noqa: SLF001
    assert refused.value.name == "GovernanceOnlySelf"
    assert sent(ledgers) == before
    data = gov.encode_abi("batch", [[gov.address, gov.address], [b""]])
    pid = registrar._propose(gov.address, data, "a malformed batch")  # noqa: SLF001
    assert reader.proposal(pid).call is None  # one calldata for two targets: voted for only raw
    ledgers["lender-a"].approve(pid, raw=True)
    with pytest.raises(errors.GovernanceRefused) as refused:
        ledgers["lender-b"].approve(pid, raw=True)
    assert refused.value.fields["cause"].fields == {"targets": 2, "calls": 1}
    assert not reader.proposal(pid).executed


def test_the_largest_admission_and_removal_are_sent_on_their_estimates(ledgers: dict[str, Ledger]) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_admission(newcomer, Account.create().address, list(ROLES))
    limit_of_last_write(reader)
    ledgers["lender-a"].approve(pid)
    ledgers["lender-b"].approve(pid)
    limit_of_last_write(reader)  # the vote that runs the admission
    assert roles_of(ledgers, newcomer) == list(ROLES)
    pass_vote(ledgers, ledgers["registrar"].propose_removal(newcomer))
    limit_of_last_write(reader)
    assert newcomer not in reader.members()


# --- settings: no vote that changes nothing -------------------------------------------------------


def registry_settings(reader: Ledger) -> tuple[int, int, int, int]:
    registry = reader.registry.functions
    return (reader.ltv_threshold(), int(registry.stalenessWindow().call()), reader.proof_window(),
            int(registry.lapseGrace().call()), int(registry.minValuations().call()),
            int(registry.authorizationPolicy().call()))


#: Each registry setting's setter, the client's proposal of it, and its value at deployment.
SETTINGS = [("setLtvThreshold", "propose_ltv_threshold", 7000),
            ("setStalenessWindow", "propose_staleness_window", 180 * 86400),
            ("setProofWindow", "propose_proof_window", 7 * 86400),
            ("setLapseGrace", "propose_lapse_grace", 90 * 86400),
            ("setMinValuations", "propose_min_valuations", 2),
            ("setAuthorizationPolicy", "propose_authorization_policy", 0)]


@pytest.mark.parametrize(("setter", "propose", "value"), SETTINGS)
def test_a_setting_voted_to_its_current_value_fails_at_execution_and_changes_nothing(
    ledgers: dict[str, Ledger], setter: str, propose: str, value: int
) -> None:
    reader, registry = ledgers["reader"], ledgers["reader"].registry
    # Proposed raw, past the client's own refusal: the registry refuses it when the vote carries.
    pid = ledgers["registrar"]._propose(registry.address, registry.encode_abi(setter, [value]), "no change")  # noqa: SLF001
    ledgers["lender-a"].approve(pid)
    before, settings = sent(ledgers), registry_settings(reader)
    with pytest.raises(errors.GovernanceCallFailed) as refused:
        ledgers["lender-b"].approve(pid)
    cause = refused.value.fields["cause"]
    assert isinstance(cause, errors.RegistrySettingUnchanged) and cause.fields == {"value": value}
    assert sent(ledgers) == before and registry_settings(reader) == settings
    assert (reader.proposal(pid).executed, reader.proposal(pid).approvals) == (False, 2)


@pytest.mark.parametrize(("setter", "propose", "value"), SETTINGS)
def test_the_client_refuses_to_propose_a_setting_at_its_current_value(
    ledgers: dict[str, Ledger], setter: str, propose: str, value: int
) -> None:
    before = sent(ledgers)
    with pytest.raises(errors.RegistrySettingUnchanged) as refused:
        getattr(ledgers["registrar"], propose)(value)
    assert refused.value.fields == {"value": value}
    assert sent(ledgers) == before and ledgers["reader"].proposals() == []


def test_the_client_refuses_to_propose_a_setting_out_of_range(ledgers: dict[str, Ledger]) -> None:
    before = sent(ledgers)
    with pytest.raises(errors.RegistryInvalidSetting):
        ledgers["registrar"].propose_ltv_threshold(10_001)
    assert sent(ledgers) == before and ledgers["reader"].proposals() == []


#: The settings that are windows of time (seconds), capped at ten years so no date plus one overflows.
WINDOWS = [(setter, propose) for setter, propose, _ in SETTINGS
           if setter in {"setStalenessWindow", "setProofWindow", "setLapseGrace"}]
TEN_YEARS = 3650 * 86400


@pytest.mark.parametrize(("setter", "propose"), WINDOWS)
def test_a_window_over_ten_years_is_refused_when_proposed_and_when_its_vote_carries(
    ledgers: dict[str, Ledger], setter: str, propose: str
) -> None:
    reader, registry = ledgers["reader"], ledgers["reader"].registry
    before, settings = sent(ledgers), registry_settings(reader)
    with pytest.raises(errors.RegistryInvalidSetting) as refused:
        getattr(ledgers["registrar"], propose)(TEN_YEARS + 1)
    assert refused.value.fields == {"value": TEN_YEARS + 1}
    assert sent(ledgers) == before and reader.proposals() == []
    # Proposed raw, past the client's own refusal: the registry refuses it when the vote carries.
    pid = ledgers["registrar"]._propose(registry.address, registry.encode_abi(setter, [TEN_YEARS + 1]), "too long")  # noqa: SLF001
    ledgers["lender-a"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceCallFailed) as failed:
        ledgers["lender-b"].approve(pid)
    cause = failed.value.fields["cause"]
    assert isinstance(cause, errors.RegistryInvalidSetting) and cause.fields == {"value": TEN_YEARS + 1}
    assert sent(ledgers) == before and registry_settings(reader) == settings
    assert not reader.proposal(pid).executed
    getattr(ledgers["registrar"], propose)(TEN_YEARS)  # ten years to the second is a window it takes


# --- expiry --------------------------------------------------------------------------------------

DAY = 86400


def test_a_proposal_expires_the_voting_period_after_it_was_made(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    assert reader.voting_period() == 14 * DAY
    p = reader.proposal(ledgers["registrar"].propose_role("ORACLE", Account.create().address))
    assert p.expires_at == p.created_at + 14 * DAY
    assert (p.expired, p.state) == (False, "open")


def test_the_voting_period_changes_only_by_a_vote_and_for_later_proposals(ledgers: dict[str, Ledger]) -> None:
    reader, gov = ledgers["reader"], ledgers["reader"].governance
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceOnlySelf):
        ledgers["registrar"]._signer.send(gov.functions.setVotingPeriod(DAY), gas=100_000)  # noqa: SLF001
    assert sent(ledgers) == before and reader.voting_period() == 14 * DAY
    earlier = ledgers["registrar"].propose_role("ORACLE", Account.create().address)
    pass_vote(ledgers, ledgers["registrar"].propose_voting_period(3 * DAY))
    assert reader.voting_period() == 3 * DAY
    assert reader.proposal(earlier).expires_at == reader.proposal(earlier).created_at + 14 * DAY
    later = reader.proposal(ledgers["registrar"].propose_role("ORACLE", Account.create().address))
    assert later.expires_at == later.created_at + 3 * DAY


@pytest.mark.parametrize(("seconds", "refusal"), [
    (14 * DAY, errors.GovernanceVotingPeriodUnchanged),
    (DAY - 1, errors.GovernanceInvalidVotingPeriod),
    (365 * DAY + 1, errors.GovernanceInvalidVotingPeriod)])
def test_the_client_refuses_to_propose_a_voting_period_that_is_unchanged_or_out_of_range(
    ledgers: dict[str, Ledger], seconds: int, refusal: type[Exception]
) -> None:
    before = sent(ledgers)
    with pytest.raises(refusal) as refused:
        ledgers["registrar"].propose_voting_period(seconds)
    assert refused.value.fields == {"period": seconds}  # type: ignore[attr-defined]
    assert sent(ledgers) == before and ledgers["reader"].proposals() == []
    assert ledgers["reader"].voting_period() == 14 * DAY


def test_a_voting_period_voted_to_its_current_value_fails_at_execution(ledgers: dict[str, Ledger]) -> None:
    reader, gov = ledgers["reader"], ledgers["reader"].governance
    pid = ledgers["registrar"]._propose(gov.address, gov.encode_abi("setVotingPeriod", [14 * DAY]), "no change")  # noqa: SLF001
    ledgers["lender-a"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceCallFailed) as refused:
        ledgers["lender-b"].approve(pid)
    assert isinstance(refused.value.fields["cause"], errors.GovernanceVotingPeriodUnchanged)
    assert sent(ledgers) == before and reader.voting_period() == 14 * DAY
    assert (reader.proposal(pid).executed, reader.proposal(pid).approvals) == (False, 2)


# --- cancellation --------------------------------------------------------------------------------


def test_the_proposer_cancels_its_proposal_and_no_vote_carries_it_then(ledgers: dict[str, Ledger]) -> None:
    reader, newcomer = ledgers["reader"], Account.create().address
    pid = ledgers["registrar"].propose_role("ORACLE", newcomer)
    ledgers["lender-a"].approve(pid)  # 2 of 5: the next approval would carry it
    p = ledgers["registrar"].cancel(pid)
    assert (p.cancelled, p.state, p.executed) == (True, "cancelled", False)
    limit_of_last_write(reader)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceProposalCancelled) as refused:
        ledgers["lender-b"].approve(pid)
    assert refused.value.fields == {"proposalId": pid}
    with pytest.raises(errors.GovernanceProposalCancelled):
        ledgers["registrar"].cancel(pid)
    assert sent(ledgers) == before and not reader.has_role("ORACLE", newcomer)
    assert (reader.proposal(pid).approvals, reader.proposal(pid).executed) == (2, False)


def test_only_the_proposer_cancels_and_only_before_its_proposal_runs(ledgers: dict[str, Ledger]) -> None:
    reader = ledgers["reader"]
    pid = ledgers["registrar"].propose_role("ORACLE", Account.create().address)
    ledgers["lender-a"].approve(pid)
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceNotProposer) as refused:
        ledgers["lender-a"].cancel(pid)  # a voter for it is not its proposer either
    assert refused.value.fields == {
        "proposalId": pid, "caller": ledgers["lender-a"].address, "proposer": ledgers["registrar"].address}
    outsider = reader.as_account(Account.create())
    with pytest.raises(errors.NotMember):
        outsider.cancel(pid)
    assert sent(ledgers) == before and reader.proposal(pid).state == "open"
    assert ledgers["lender-b"].approve(pid).executed
    before = sent(ledgers)
    with pytest.raises(errors.GovernanceAlreadyExecuted):
        ledgers["registrar"].cancel(pid)
    assert sent(ledgers) == before and reader.proposal(pid).state == "executed"


# --- what a proposal's call does, decoded --------------------------------------------------------


def test_a_proposal_shows_its_call_decoded_by_name(ledgers: dict[str, Ledger]) -> None:
    reader, oracle = ledgers["reader"], ledgers["oracle"].address
    p = reader.proposal(ledgers["registrar"].propose_role("lender", oracle))
    assert p.call is not None
    assert (p.call.contract, p.call.target, p.call.function) == ("TitleRegistry", reader.deployment.registry, "grantRole")
    assert p.call.args == {"role": "LENDER", "account": oracle} and p.call.calls == ()
    assert p.to_dict()["call"] == {"contract": "TitleRegistry", "target": reader.deployment.registry,
                                   "function": "grantRole", "args": {"role": "LENDER", "account": oracle}, "calls": []}
    p = reader.proposal(ledgers["registrar"].propose_ltv_threshold(6500))
    assert p.call is not None and (p.call.function, p.call.args) == ("setLtvThreshold", {"thresholdBps": 6500})


def test_a_proposal_shows_the_call_it_makes_whatever_its_description_says(ledgers: dict[str, Ledger]) -> None:
    reader, registry, outsider = ledgers["reader"], ledgers["reader"].registry, Account.create().address
    admin = registry.functions.DEFAULT_ADMIN_ROLE().call()
    data = registry.encode_abi("grantRole", [admin, outsider])
    p = reader.proposal(ledgers["registrar"]._propose(registry.address, data, "set the threshold to 65%"))  # noqa: SLF001
    assert p.call is not None
    assert (p.call.function, p.call.args) == ("grantRole", {"role": "DEFAULT_ADMIN", "account": outsider})


def test_a_batch_shows_each_of_its_calls_in_order(ledgers: dict[str, Ledger]) -> None:
    reader, lender = ledgers["reader"], ledgers["lender-a"].address
    p = reader.proposal(ledgers["registrar"].propose_removal(lender))
    assert p.call is not None and (p.call.contract, p.call.function, p.call.args) == ("Governance", "batch", {})
    assert [(c.contract, c.function, c.args) for c in p.call.calls] == [
        *[("TitleRegistry", "revokeRole", {"role": r, "account": lender}) for r in ROLES],
        ("Governance", "removeMember", {"account": lender})]


@pytest.mark.parametrize("what", ["unknown selector", "foreign contract", "garbled arguments", "batch of one unknown"])
def test_a_vote_for_a_call_lienchain_cannot_decode_is_refused_unless_raw(ledgers: dict[str, Ledger], what: str) -> None:
    reader, registry, gov = ledgers["reader"], ledgers["reader"].registry, ledgers["reader"].governance
    grant = registry.encode_abi("grantRole", [registry.functions.LENDER_ROLE().call(), Account.create().address])
    target, data = {
        "unknown selector": (registry.address, "0xdeadbeef" + "00" * 32),
        "foreign contract": (reader.deployment.verifier, grant),
        "garbled arguments": (registry.address, grant[:-2]),  # a byte short
        "batch of one unknown": (gov.address, gov.encode_abi("batch", [[registry.address], [bytes.fromhex("deadbeef")]])),
    }[what]
    pid = ledgers["registrar"]._propose(target, data, "harmless")  # noqa: SLF001
    assert reader.proposal(pid).call is None and reader.proposal(pid).to_dict()["call"] is None
    before = sent(ledgers)
    with pytest.raises(errors.UndecodableProposal) as refused:
        ledgers["lender-a"].approve(pid)
    assert refused.value.proposal_id == pid
    assert sent(ledgers) == before and reader.proposal(pid).approvals == 1
    assert ledgers["lender-a"].approve(pid, raw=True).approvals == 2

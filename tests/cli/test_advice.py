"""The command line's advice is kept apart from the library's messages and rendered after them."""

from __future__ import annotations

import pytest

from lienchain import errors
from lienchain.cli.advice import ADVICE, advice_for, explain


def _decoded(cls: type[errors.ContractRevert], **fields: object) -> errors.ContractRevert:
    return cls("what went wrong", name=cls.__name__, args=fields)


@pytest.mark.parametrize("cls", sorted((c for c in ADVICE if issubclass(c, errors.ContractRevert)), key=str))
def test_every_contract_advice_renders_from_the_errors_arguments(cls: type[errors.ContractRevert]) -> None:
    names = [a for a in cls.__dict__.get("__annotations__", {}) if a != "cause"]
    camel = {n.split("_")[0] + "".join(w.title() for w in n.split("_")[1:]): 7 for n in names}
    line = explain(_decoded(cls, **camel))
    assert line.startswith("what went wrong; ") and "{" not in line and "\n" not in line


def test_the_library_message_holds_no_command_and_the_cli_adds_it() -> None:
    exc = errors.ProfileNotFound("/nowhere")
    assert "lienchain init" not in str(exc)
    assert explain(exc) == (
        "no lienchain profile at /nowhere; run `lienchain init` first, "
        "or point --profile / LIENCHAIN_HOME at an existing one"
    )
    assert explain(errors.NetworkNotFound("sandbox", "/n")).endswith("`lienchain network init sandbox --members ...`")
    assert explain(errors.NoSigningAccount()) == "this operation needs a signing account; choose one with --as NAME"


def test_advice_names_the_lien_or_proposal_at_hand() -> None:
    assert advice_for(_decoded(errors.RegistryProofOverdue, tokenId=1, lienId=4, deadline=0)) == (
        "its lender proves it with `lienchain lien prove 4`"
    )
    assert "`lienchain member vote 9`" in explain(_decoded(errors.GovernanceNoMajority, proposalId=9, approvals=1, needed=3))


def test_a_failed_proposal_call_gets_the_advice_of_its_own_error() -> None:
    cause = _decoded(errors.AccessControlUnauthorizedAccount, account="0x1", neededRole="0x2")
    failed = _decoded(errors.GovernanceCallFailed, proposalId=3, reason="0x", cause=cause)
    assert advice_for(failed) == advice_for(cause) and advice_for(cause)


def test_an_error_without_advice_is_its_message() -> None:
    exc = errors.RegistryLienNotActive("lien 2 is already released: nothing to release", args={"lienId": 2})
    assert explain(exc) == str(exc)

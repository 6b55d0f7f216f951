"""The command line's advice is kept apart from the library's messages and rendered after them."""

from __future__ import annotations

import dataclasses
import types
import typing

import pytest

from lienchain import errors
from lienchain.cli.advice import ADVICE, advice_for, explain


def _decoded(cls: type[errors.ContractRevert], **fields: object) -> errors.ContractRevert:
    return cls("what went wrong", name=cls.__name__, args=fields)


def _sample(annotation: object) -> object:
    """A value of a field's type: the first of a union or a container's item type."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _sample(args[0])
    if typing.get_origin(annotation) in (list, tuple):
        return typing.get_origin(annotation)([_sample(args[0])])
    return {str: "x", int: 7, float: 1.5, bool: True}[annotation]  # type: ignore[index]


def _raised(cls: type[errors.LienchainError]) -> errors.LienchainError:
    """An instance of `cls` as the library raises it: its fields, or a message if it has none."""
    if not dataclasses.is_dataclass(cls):
        return cls("what went wrong") if cls.template is None else cls()
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    return cls(*(_sample(hints[f.name]) for f in fields if not f.kw_only),
               **{f.name: _sample(hints[f.name]) for f in fields if f.kw_only})


@pytest.mark.parametrize("cls", sorted((c for c in ADVICE if not issubclass(c, errors.ContractRevert)), key=str))
def test_every_library_advice_renders_after_the_errors_message(cls: type[errors.LienchainError]) -> None:
    error = _raised(cls)
    line = explain(error)
    assert line.startswith(f"{error}; ") and "{" not in line and "\n" not in line


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


def test_advice_names_the_lien_at_hand() -> None:
    assert advice_for(_decoded(errors.RegistryProofOverdue, tokenId=1, lienId=4, deadline=0)) == (
        "its lender proves it with `lienchain lien prove 4`, or reveals it with `lienchain lien reveal 4`; an auditor "
        "may reveal it too"
    )


def test_a_failed_proposal_call_gets_the_advice_of_its_own_error() -> None:
    cause = _decoded(errors.AccessControlUnauthorizedAccount, account="0x1", neededRole="0x2")
    failed = _decoded(errors.GovernanceCallFailed, proposalId=3, reason="0x", cause=cause)
    assert advice_for(failed) == advice_for(cause) and advice_for(cause)


def test_an_error_without_advice_is_its_message() -> None:
    exc = errors.RegistryLienNotActive("lien 2 is already released: nothing to release", args={"lienId": 2})
    assert explain(exc) == str(exc)

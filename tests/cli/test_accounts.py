"""New accounts: created encrypted, funded, and able to act once the members vote them a role."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from eth_account import Account

from .conftest import authorization

VIN = "1M8GDM9AXKP042788"


def test_new_account_can_act_after_a_role_vote(run, profile_path: Path) -> None:
    r = run("account", "new", "lender-c", "--json")
    assert r.code == 0, r.err
    address = json.loads(r.out)["address"]
    keystore = (profile_path / "keystore" / "lender-c.json").read_text()
    assert json.loads(keystore)["crypto"]["kdf"] == "scrypt"
    assert (profile_path / "keystore" / "lender-c.json").stat().st_mode & 0o077 == 0

    pid = str(json.loads(run("--as", "registrar", "member", "propose", "--grant", "LENDER", "--to", "lender-c",
                             "--json").out)["id"])
    run("--as", "lender-a", "member", "vote", pid)
    run("--as", "lender-b", "member", "vote", pid)
    roles = {a["name"]: a["roles"] for a in json.loads(run("account", "list", "--json").out)}
    assert roles["lender-c"] == ["LENDER"]

    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address)
    r = run("--as", "lender-c", "lien", "grant", VIN, "--amount", "100", "--authorization", authorization(run, "lender-c", VIN, "100"), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["lender"] == address


def test_doc_get_json_carries_binary_content_intact(run, tmp_path: Path) -> None:
    doc = tmp_path / "scan.bin"
    doc.write_bytes(bytes(range(256)))
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address, "--doc", str(doc))
    cid = json.loads(run("title", "show", VIN, "--json").out)["doc_cid"]
    r = run("--as", "auditor", "doc", "get", cid, "--json")
    assert base64.b64decode(json.loads(r.out)["content_base64"]) == doc.read_bytes()


def test_doc_get_out_writes_the_plaintext_readable_by_its_owner_only(run, tmp_path: Path) -> None:
    doc = tmp_path / "loan.pdf"
    doc.write_bytes(b"loan contract of a customer")
    run("--as", "registrar", "title", "register", VIN, "--owner", Account.create().address, "--doc", str(doc))
    cid = json.loads(run("title", "show", VIN, "--json").out)["doc_cid"]
    out = tmp_path / "opened.pdf"
    assert run("--as", "auditor", "doc", "get", cid, "--out", str(out)).code == 0
    assert out.read_bytes() == doc.read_bytes()
    assert out.stat().st_mode & 0o777 == 0o600


def test_init_without_deploy_then_contracts_deploy(run, tmp_path: Path) -> None:
    path = str(tmp_path / "fresh")
    assert run("init", "--light-kdf", "--no-deploy", "--profile", path).code == 0
    r = run("title", "show", VIN, "--profile", path)
    assert r.code == 1 and "contracts deploy" in r.err
    r = run("contracts", "deploy", "--profile", path)
    assert r.code == 0, r.err
    roles = {a["name"]: a["roles"] for a in json.loads(run("account", "list", "--json", "--profile", path).out)}
    assert roles == {"registrar": ["REGISTRAR"], "registrar-b": ["REGISTRAR"], "lender-a": ["LENDER"],
                     "lender-b": ["LENDER"], "oracle": ["ORACLE"], "oracle-b": ["ORACLE"], "auditor": ["AUDITOR"]}
    r = run("contracts", "deploy", "--profile", path)
    assert r.code == 1 and "already deployed" in r.err


def test_member_add_then_remove_revokes_the_roles_too(run) -> None:
    def vote(*args: str) -> None:
        r = run("--as", "registrar", "member", "propose", *args, "--json")
        assert r.code == 0, r.err
        pid = str(json.loads(r.out)["id"])
        for voter in ("lender-a", "lender-b", "oracle"):
            if json.loads(run("--as", voter, "member", "vote", pid, "--json").out)["executed"]:
                return
        raise AssertionError(f"proposal {pid} did not pass")

    def members() -> list[str]:
        return json.loads(run("member", "list", "--json").out)["members"]

    newcomer = Account.create().address
    vote("--add", newcomer)
    vote("--grant", "ORACLE", "--to", newcomer)
    assert newcomer in members()
    vote("--remove", newcomer)
    assert newcomer not in members()
    listed = json.loads(run("member", "list", "--json").out)["proposals"]
    assert "revoke its roles (ORACLE)" in listed[-1]["description"]


def test_init_in_an_empty_directory_creates_the_profile_there(run, tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.mkdir()
    r = run("init", "--light-kdf", "--no-deploy", "--profile", str(path))
    assert r.code == 0, r.err
    assert (path / "profile.json").is_file()


def test_init_refuses_a_directory_that_holds_other_files(run, tmp_path: Path) -> None:
    path = tmp_path / "work" / "papers"
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("mine")
    r = run("init", "--light-kdf", "--no-deploy", "--profile", str(path))
    assert r.code == 1
    assert "not a lienchain profile" in r.err and "already exists" not in r.err
    assert [p.name for p in path.iterdir()] == ["notes.txt"]
    assert [p.name for p in path.parent.iterdir()] == ["papers"]  # no half-built profile beside it


def test_init_refuses_an_existing_profile(run, tmp_path: Path) -> None:
    path = str(tmp_path / "p")
    assert run("init", "--light-kdf", "--no-deploy", "--profile", path).code == 0
    r = run("init", "--light-kdf", "--no-deploy", "--profile", path)
    assert r.code == 1 and "a profile already exists" in r.err

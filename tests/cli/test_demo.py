"""`lienchain demo`: the whole story on a throwaway embedded profile, every step as expected."""

from __future__ import annotations

import json


def test_demo_runs_every_step_as_expected(run) -> None:
    r = run("demo", "--json")
    assert r.code == 0, r.err
    steps = json.loads(r.out)["steps"]
    assert all(s["ok"] for s in steps)
    refused = [(s["actor"], s["outcome"].split(")")[0]) for s in steps if s["outcome"].startswith("refused")]
    assert refused == [
        ("lender-b", "refused (RegistryConsentMissing"), ("registrar", "refused (RegistryTitleEncumbered"),
        ("lender-b", "refused (RegistryNotLienholder"), ("lender-b", "refused (NotARecipient"),
        ("lender-b", "refused (NotARecipient"), ("lender-a", "refused (RegistryNoticePeriodRunning"),
        ("lender-b", "refused (AccessRefused"), ("auditor", "refused (DocumentsNotDue"),
        ("auditor", "refused (DocumentErased"),
    ]
    sold = next(s for s in steps if s["action"].startswith("title dispose") and s["outcome"].startswith("sold"))
    assert ("lien 4 recovered 8,000.00, deficiency 0.00; lien 5 recovered 1,500.00, deficiency 500.00; "
            "surplus to Carol 0.00 USD") in sold["outcome"]
    assert "default to sale 11.0 chain days" in next(s for s in steps if s["action"].startswith("report"))["outcome"]
    # The appraisal of the title sold: read through its custodian, erased 91 chain days on, attested by all.
    erased = next(s for s in steps if s["action"].startswith("doc erase") and s["outcome"].startswith("erased"))
    assert "5 of 5 members attest" in erased["outcome"]
    assert steps[-1]["outcome"] == "deposit deposited; grant granted; refuse refused; erase erased"
    verified = next(s for s in steps if s["action"].startswith("proof verify"))
    assert verified["outcome"].startswith("valid: lien 3 on 1M8GDM9AXKP042788: its amount is at most 70%")
    assert "13,000.00 USD" in next(s for s in steps if s["action"] == "lien open 3" and s["actor"] == "auditor")["outcome"]

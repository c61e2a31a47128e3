"""``exchanges.har``: which exchanges a run keeps (``--exchanges``), merged from every worker into one HAR 1.2 file;
and Allure's attachments, in full for the tests that did not pass only."""

from __future__ import annotations

import json

import pytest
from suite_runs import tool

# Half the tests of STATE-03 fail (the owner's own decisions are accepted), the other half pass.
FAILING = ("--fault", "owner-can-approve", "--requirement", "STATE-03", "--no-fuzz")

# --exchanges, workers, and whether the HAR file holds only the failing tests' requests, all, or is absent.
MODES = [
    ("failed", "0", "failed only"),
    ("failed", "2", "failed only"),
    ("all", "2", "every request"),
    ("none", "0", "no file"),
]


@pytest.mark.parametrize("mode, workers, kept", MODES, ids=[f"{m}, -n {w}" for m, w, _ in MODES])
def test_exchanges_chooses_what_the_har_file_keeps(mode, workers, kept, tmp_path):
    completed = tool("run", *FAILING, "--exchanges", mode, reports=tmp_path / "reports", workers=workers)
    assert completed.code == 1, completed.stdout[-2000:]
    run_dir = completed.run_dir
    assert not (run_dir / ".exchanges").exists(), "the workers' parts are merged and deleted"
    har_file = run_dir / "exchanges.har"
    if kept == "no file":
        assert not har_file.exists()
        return
    entries = json.loads(har_file.read_text("utf-8"))["log"]["entries"]
    sent = completed.summary["requests"]["sent"]
    failed_tests = [t for t in completed.summary["tests"].values() if t["outcome"] == "failed"]
    assert failed_tests and entries
    if kept == "every request":
        assert len(entries) >= sent, (len(entries), sent)
    else:
        assert len(entries) < sent, (len(entries), sent)
        accepted = [e for e in entries if e["request"]["method"] == "PATCH" and e["response"]["status"] == 200]
        assert accepted, "the failing exchanges (a decision the owner should not have made, accepted) are in the file"
    assert all(e["request"]["method"] and e["response"]["status"] for e in entries)


def test_allure_attaches_in_full_only_what_did_not_pass(tmp_path):
    completed = tool("run", *FAILING, reports=tmp_path / "reports")
    results = [json.loads(p.read_text("utf-8")) for p in (completed.run_dir / "allure-results").glob("*-result.json")]
    by_status = {status: [r for r in results if r["status"] == status] for status in ("passed", "failed")}
    assert by_status["passed"] and by_status["failed"]
    for result in by_status["failed"]:
        names = [a["name"] for a in result.get("attachments", ())]
        assert "verdicts per requirement" in names and len(names) > 1, names
    for result in by_status["passed"]:
        assert not result.get("attachments"), result["name"]
        assert any(step["name"].endswith("checks)") for step in result.get("steps", ())), result["name"]
    assert not list((completed.run_dir / "allure-results").glob("*-container.json"))

"""Verdicts per check, not per test: a run of a small suite whose tests name two requirements and fail, stop or
break at known checks, and what every report then says of each requirement."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
from suite_runs import HANG_GUARD_S

SUITE = '''
import pytest
from reactor_conformance.checks import expect


@pytest.mark.requirement("SHAPE-04", "CREATE-02")
def test_fails_on_the_first_requirements_check():
    expect.check(False, "SHAPE-04", "the state of a new grant", "pending_approval", "accepted")
    expect.check(True, "CREATE-02", "never reached", "", "")


@pytest.mark.requirement("LIST-01", "EFFECT-01")
def test_holds_one_requirement_then_fails_the_other():
    expect.check(True, "LIST-01", "the grant is listed", "listed", "listed")
    expect.check(False, "EFFECT-01", "the pending package in the catalog", "absent", "listed")


@pytest.mark.requirement("STATE-01")
def test_checks_a_requirement_it_does_not_name():
    expect.check(True, "STATE-01", "approving", "200", "200")
    expect.check(False, "SHAPE-01", "the media type", "application/vnd.api+json", "text/html")


@pytest.mark.requirement("LIST-02")
def test_whose_precondition_is_unmet():
    expect.unmet("the owner could not grant the package")


@pytest.mark.requirement("LIST-03")
def test_that_breaks_outside_its_checks():
    {}["data"]


@pytest.mark.requirement("LIST-05")
def test_that_passes():
    expect.check(True, "LIST-05", "the filter", "approved only", "approved only")
'''
# requirement → (status, start of its message)
EXPECTED = {
    "SHAPE-04": ("failed", "[SHAPE-04] the state of a new grant"),
    "CREATE-02": ("not_run", "not reached: test_fails_on_the_first_requirements_check stopped at a failed check "
                             "of SHAPE-04"),
    "LIST-01": ("passed", ""),
    "EFFECT-01": ("failed", "[EFFECT-01] the pending package in the catalog"),
    "STATE-01": ("passed", ""),
    "SHAPE-01": ("failed", "[SHAPE-01] the media type"),
    "LIST-02": ("not_run", "not reached: the owner could not grant the package"),
    "LIST-03": ("failed", 'the test broke before its verdict: an answer had no member "data" where the test read it'),
    "LIST-05": ("passed", ""),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The small suite, run through the plugin against the embedded server: its summary and JUnit file."""
    root = tmp_path_factory.mktemp("project")
    (root / "tests" / "conformance").mkdir(parents=True)
    (root / "tests" / "conformance" / "test_attribution_cases.py").write_text(SUITE, "utf-8")
    run_dir = root / "reports" / "run"
    # serial: six tests need no workers, and verdicts crossing xdist's workers are test_runs.py's to show
    command = [sys.executable, "-m", "pytest", "-p", "reactor_conformance.harness.plugin", "-p", "no:cacheprovider",
               "-n", "0", "tests/conformance", "--run-dir", str(run_dir), "--junitxml", str(run_dir / "junit.xml"),
               "-o", "junit_family=xunit2", "-q"]
    completed = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=HANG_GUARD_S)
    summary_file = run_dir / "summary.json"
    assert summary_file.is_file(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed, json.loads(summary_file.read_text("utf-8")), ElementTree.parse(run_dir / "junit.xml")


@pytest.mark.parametrize("requirement", sorted(EXPECTED))
def test_each_requirement_is_judged_by_its_own_checks(run, requirement):
    _, summary, _ = run
    record = summary["requirements"][requirement]
    status, message = EXPECTED[requirement]
    assert (record["status"], record["message"][:len(message)]) == (status, message), record


def test_a_failure_of_a_then_b_fails_a_and_never_b(run):
    """The issue's own case: a test marked (A, B) that fails on A's check reports A failed and B not failed."""
    _, summary, _ = run
    assert summary["requirements"]["SHAPE-04"]["checks"]["failed"] == 1
    assert summary["requirements"]["CREATE-02"]["checks"] == {"held": 0, "failed": 0, "broken_tests": 0}
    assert "CREATE-02" not in {rid for rid, r in summary["requirements"].items() if r["status"] == "failed"}


def test_the_run_fails_and_the_test_records_say_which_checks_held(run):
    completed, summary, _ = run
    assert completed.returncode == summary["exit_code"] == 1
    tests = {nodeid.split("::")[-1]: record for nodeid, record in summary["tests"].items()}
    assert tests["test_holds_one_requirement_then_fails_the_other"]["checks"] == {
        "held": {"LIST-01": 1}, "failed": ["EFFECT-01"]}
    assert tests["test_whose_precondition_is_unmet"]["outcome"] == "not_run"


def test_junit_carries_the_sentence_and_each_verdict_without_a_class_name(run):
    _, _, junit = run
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    failure = cases["test_fails_on_the_first_requirements_check"].find("failure")
    message = failure.get("message")  # one line first (the request, when there is one), then the whole story
    assert message.startswith("the state of a new grant: expected pending_approval, observed accepted\n"), message
    assert "\n[SHAPE-04] the state of a new grant\n" in message
    verdicts = [prop.get("value") for prop in cases["test_holds_one_requirement_then_fails_the_other"].iter("property")
                if prop.get("name") == "verdict"]
    assert sorted(verdicts) == ["EFFECT-01 failed", "LIST-01 held 1"]
    assert cases["test_whose_precondition_is_unmet"].find("skipped") is not None
    assert "ConformanceFailure" not in ElementTree.tostring(junit.getroot(), encoding="unicode").split("<system-")[0]

"""The reports: status rules, exit codes per level, the conformance table and the regression classes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reactor_conformance.reporting.matrix import compare_markdown, conformance_markdown
from reactor_conformance.reporting.regression import classify, compare_runs
from reactor_conformance.reporting.summary import TestResult, build_summary, exit_code
from reactor_conformance.requirements import Requirement
from reactor_conformance.schemas import errors as schema_errors

CATALOG = [Requirement("A-01", "MUST", "A", "Group A", "must thing | with a pipe", "doc"),
           Requirement("A-02", "SHOULD", "A", "Group A", "should thing", "doc"),
           Requirement("A-03", "INFO", "A", "Group A", "info thing", "doc")]
START = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def summary_of(outcomes: dict[str, tuple[str, tuple[str, ...]]], level: str = "should", run_id: str = "r1") -> dict:
    results = {nodeid: TestResult(outcome, ids, 0.1, f"message of {nodeid}" if outcome != "passed" else "",
                                  0, (("A-03", "accepted → 422"),) if "A-03" in ids else ())
               for nodeid, (outcome, ids) in outcomes.items()}
    return build_summary(run_id=run_id, started_at=START, finished_at=START + timedelta(seconds=2),
                         target={"base_url": "http://127.0.0.1:1", "embedded": True, "faults": []}, level=level,
                         fuzz={"enabled": True, "examples": 10, "seed": 1}, catalog=CATALOG, test_results=results)


# Status rules: description, test outcomes, expected status per requirement.
STATUS_CASES = [
    ("all passed", {"t1": ("passed", ("A-01",)), "t2": ("passed", ("A-02",)), "t3": ("passed", ("A-03",))},
     {"A-01": "passed", "A-02": "passed", "A-03": "info"}),
    ("one of two tests failed", {"t1": ("passed", ("A-01",)), "t2": ("failed", ("A-01", "A-02"))},
     {"A-01": "failed", "A-02": "failed", "A-03": "not_run"}),
    ("an INFO requirement never fails", {"t1": ("failed", ("A-03",))}, {"A-03": "info"}),
    ("not run when every test was not run", {"t1": ("not_run", ("A-01",))}, {"A-01": "not_run"}),
    ("no test at all is not run", {}, {"A-01": "not_run", "A-02": "not_run"}),
]


@pytest.mark.parametrize("description, outcomes, expected", STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_requirement_status_rules(description, outcomes, expected):
    summary = summary_of(outcomes)
    assert {rid: summary["requirements"][rid]["status"] for rid in expected} == expected
    assert schema_errors("summary", summary) == []


def test_not_run_carries_the_reason_and_info_the_observation():
    summary = summary_of({"t1": ("not_run", ("A-01",)), "t3": ("passed", ("A-03",))})
    assert summary["requirements"]["A-01"]["message"] == "message of t1"
    assert summary["requirements"]["A-03"]["observations"] == ["accepted → 422"]


@pytest.mark.parametrize("level, failing, code", [("should", "A-01", 1), ("should", "A-02", 1), ("must", "A-02", 0),
                                                  ("must", "A-01", 1), ("should", "A-03", 0)])
def test_exit_code_by_level(level, failing, code):
    assert exit_code(summary_of({"t": ("failed", (failing,))}, level=level)) == code


def test_the_conformance_table_escapes_cells_and_shows_every_requirement():
    text = conformance_markdown(summary_of({"t1": ("failed", ("A-01",))}))
    assert "| A-01 | MUST | ❌ failed | must thing \\| with a pipe | message of t1 |" in text
    assert text.count("\n| A-0") == 3


def test_two_targets_side_by_side():
    left, right = summary_of({"t": ("passed", ("A-01",))}), summary_of({"t": ("failed", ("A-01",))}, run_id="r2")
    text = compare_markdown([left, right])
    assert "| A-01 | ✅ | ❌ |" in text


# Regression classes: description, status before, status now, flaky, expected class.
CLASSIFICATION = [
    ("passed then failed", "passed", "failed", False, "new_failure"),
    ("not run then failed", "not_run", "failed", False, "new_failure"),
    ("failed then passed", "failed", "passed", False, "fixed"),
    ("failed twice", "failed", "failed", False, "still_failing"),
    ("passed twice", "passed", "passed", False, "still_passing"),
    ("absent then passed", None, "passed", False, "new"),
    ("absent then failed", None, "failed", False, "new_failure"),
    ("passed then absent", "passed", None, False, "removed"),
    ("passed after a rerun", "passed", "passed", True, "flaky"),
    ("passed then not run", "passed", "not_run", False, "not_run"),
]


@pytest.mark.parametrize("description, before, now, flaky, expected", CLASSIFICATION,
                         ids=[c[0] for c in CLASSIFICATION])
def test_regression_classes(description, before, now, flaky, expected):
    assert classify(before, now, flaky) == expected


def test_a_regression_exits_non_zero_only_on_the_chosen_classes():
    before = summary_of({"t1": ("passed", ("A-01",)), "t2": ("failed", ("A-02",))})
    after = summary_of({"t1": ("failed", ("A-01",)), "t2": ("passed", ("A-02",))}, run_id="r2")
    regression = compare_runs(before, after)
    assert regression.requirements["new_failure"] == ["A-01"] and regression.requirements["fixed"] == ["A-02"]
    assert regression.exit_code == 1
    assert compare_runs(before, after, fail_on=("still_failing",)).exit_code == 0
    assert "A-01" in regression.markdown().split("## Fixed")[0]
    with pytest.raises(ValueError):
        compare_runs(before, after, fail_on=("bogus",))

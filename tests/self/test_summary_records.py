"""``summary.json`` and the regression report, record by record: every member a person or a nightly job reads, and
the files a summary is loaded from."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from test_reporting import CATALOG, CHECK_A01_FAILED, START, UNMET_GRANT, result, summary_of

from reactor_conformance.reporting.regression import classify, compare_runs
from reactor_conformance.reporting.summary import build_summary, judged_line, load_summary
from reactor_conformance.shapes import errors as schema_errors


def test_a_summary_record_by_record():
    summary = summary_of({
        "tests/t.py::t1": result("failed", ("A-01", "A-02"), held={"A-02": 2}, failed={"A-01": "[A-01] x"},
                                 stop=CHECK_A01_FAILED, message="[A-01] x"),
        "tests/t.py::t2": result("passed", ("A-03",), held={}, failed={}),
        "tests/t.py::t3": result("not_run", ("A-02",), held={}, failed={}, stop=UNMET_GRANT, message="skipped")})
    assert schema_errors("summary", summary) == []
    assert summary == {
        "schema_version": 1, "run_id": "r1", "started_at": "2026-11-24T03:00:00.000Z",
        "finished_at": "2026-11-24T03:00:02.000Z", "duration_s": 2.0, "suite_version": "0.1.0",
        "target": {"base_url": "http://127.0.0.1:1", "embedded": True, "faults": []}, "level": "should",
        "fuzz": {"enabled": True, "examples": 10, "seed": 1}, "exit_code": 1,
        "totals": {"passed": 1, "failed": 1, "not_run": 0, "info": 1},
        "judged": {level: {"total": 1, "judged": 1, "passed": int(level != "MUST"), "failed": int(level == "MUST"),
                           "not_run": {"target": 0, "profile": 0, "selection": 0}}
                   for level in ("MUST", "SHOULD", "INFO")},
        "blocked": [],
        "requirements": {
            "A-01": {"level": "MUST", "group": "A", "title": "must thing | with a pipe", "status": "failed",
                     "tests": ["tests/t.py::t1"], "message": "[A-01] x", "observations": [],
                     "checks": {"held": 0, "failed": 1, "broken_tests": 0}},
            "A-02": {"level": "SHOULD", "group": "A", "title": "should thing", "status": "passed",
                     "tests": ["tests/t.py::t1", "tests/t.py::t3"], "message": "", "observations": [],
                     "checks": {"held": 2, "failed": 0, "broken_tests": 0}},
            "A-03": {"level": "INFO", "group": "A", "title": "info thing", "status": "info",
                     "tests": ["tests/t.py::t2"], "message": "", "observations": ["accepted → 422"],
                     "checks": {"held": 0, "failed": 0, "broken_tests": 0}}},
        "requests": {"sent": 0, "retried_429": 0, "retried_503": 0},
        "tests": {
            "tests/t.py::t1": {"outcome": "failed", "requirements": ["A-01", "A-02"], "duration_s": 0.1,
                               "message": "[A-01] x", "reruns": 0, "checks": {"held": {"A-02": 2}, "failed": ["A-01"]}},
            "tests/t.py::t2": {"outcome": "passed", "requirements": ["A-03"], "duration_s": 0.1, "message": "",
                               "reruns": 0, "checks": {"held": {}, "failed": []}},
            "tests/t.py::t3": {"outcome": "not_run", "requirements": ["A-02"], "duration_s": 0.1,
                               "message": "skipped", "reruns": 0, "checks": {"held": {}, "failed": []}}}}


# Why a requirement was not run, in words: description, its tests' results, the reason and its cause.
NOT_RUN_REASONS = [
    ("stopped by another requirement's failed check", {"tests/t.py::Class::t1": result(
        "failed", ("A-02", "A-01"), held={}, failed={"A-02": "[A-02] x"},
        stop={"kind": "check", "requirement": "A-02", "message": "[A-02] x"})},
     "not reached: t1 stopped at a failed check of A-02", "target"),
    ("an unmet step, whatever another test skipped", {
        "t0": result("not_run", ("A-01",), held={}, failed={}, stop={"kind": "skip", "message": "not run: no x"}),
        "t1": result("not_run", ("A-01",), held={}, failed={}, stop=UNMET_GRANT)}, UNMET_GRANT["message"], "target"),
    ("a skip's reason", {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={
        "kind": "skip", "message": "not run: no outsider"})}, "not run: no outsider", "profile"),
    ("the test's message when its stop says nothing", {"t1": result(
        "not_run", ("A-01",), held={}, failed={}, stop={"kind": "skip"}, message="not run: deselected by -k")},
     "not run: deselected by -k", "selection"),
    ("a test that ran without checking it", {"t1": result("passed", ("A-01",), held={}, failed={})},
     "no check of it ran", "target"),
    ("no test", {}, "no test: deselected", "selection"),
]


@pytest.mark.parametrize("description, outcomes, reason, cause", NOT_RUN_REASONS, ids=[c[0] for c in NOT_RUN_REASONS])
def test_why_a_requirement_was_not_run(description, outcomes, reason, cause):
    record = summary_of(outcomes)["requirements"]["A-01"]
    assert (record["status"], record["message"], record["not_run_cause"]) == ("not_run", reason, cause)


def test_an_info_requirement_no_test_ran_is_not_run_with_its_reason():
    record = summary_of({"t1": result("not_run", ("A-03",), held={}, failed={}, stop=UNMET_GRANT)})["requirements"][
        "A-03"]
    assert (record["status"], record["message"], record["not_run_cause"]) == ("not_run", UNMET_GRANT["message"],
                                                                              "target")


def test_a_broken_test_is_counted_and_its_message_is_the_reason():
    broke = {"kind": "crash", "message": "the test broke before its verdict: TypeError"}
    record = summary_of({"t1": result("failed", ("A-01",), held={}, failed={}, stop=broke),
                         "t2": result("failed", ("A-01",), held={}, failed={}, stop=broke)})["requirements"]["A-01"]
    assert (record["status"], record["message"], record["checks"]) == (
        "failed", broke["message"], {"held": 0, "failed": 0, "broken_tests": 2})


def test_a_summary_counts_requests_and_rounds_its_duration():
    other = build_summary(run_id="r", started_at=START, finished_at=START + timedelta(seconds=1, microseconds=234567),
                          target={}, level="must", fuzz={}, catalog=CATALOG, test_results={},
                          requests={"sent": 7, "retried_503": 1})
    assert other["duration_s"] == 1.235 and other["requests"] == {"sent": 7, "retried_429": 0, "retried_503": 1}


# How much was judged, on one line: description, test results, the line.
JUDGED_LINES = [
    ("all passed", {"t1": ("passed", ("A-01",)), "t2": ("passed", ("A-02",))},
     "MUST judged 1/1 · passed 1 | SHOULD judged 1/1 · passed 1"),
    ("failed and not run by cause", {"t1": ("failed", ("A-01",)), "t2": result(
        "not_run", ("A-02",), held={}, failed={}, stop={"kind": "skip", "message": "not run: no outsider"})},
     "MUST judged 1/1 · passed 0 · failed 1 | SHOULD judged 0/1 · passed 0 · not run (profile) 1"),
]


@pytest.mark.parametrize("description, outcomes, line", JUDGED_LINES, ids=[c[0] for c in JUDGED_LINES])
def test_how_much_was_judged_on_one_line(description, outcomes, line):
    assert judged_line(summary_of(outcomes)) == line


def test_a_summary_is_loaded_from_its_file_or_its_run_folder(tmp_path):
    summary = summary_of({"t1": ("passed", ("A-01",))})
    (tmp_path / "summary.json").write_text(json.dumps(summary), "utf-8")
    assert load_summary(tmp_path) == load_summary(tmp_path / "summary.json") == summary


# Files that are not a summary: description, the file's text (None: no file), the message's end.
NOT_SUMMARIES = [
    ("no file", None, "is neither a summary.json nor a run folder holding one"),
    ("not JSON", "{", "is not JSON"),
    ("JSON of something else", "[1]", "is not a reactor-conformance summary (schema_version 1)"),
    ("another schema version", '{"schema_version": 2}', "is not a reactor-conformance summary (schema_version 1)"),
]


@pytest.mark.parametrize("description, text, message", NOT_SUMMARIES, ids=[c[0] for c in NOT_SUMMARIES])
def test_a_file_that_is_not_a_summary_is_refused_in_one_line(tmp_path, description, text, message):
    if text is not None:
        (tmp_path / "summary.json").write_text(text, "utf-8")
    with pytest.raises(ValueError) as refused:
        load_summary(tmp_path)
    assert str(refused.value) == f"{tmp_path / 'summary.json' if text is not None else tmp_path} {message}"


def test_a_regression_report_record_by_record():
    before = summary_of({"t1": ("passed", ("A-01",)), "t2": ("failed", ("A-02",)), "gone": ("passed", ("A-03",)),
                         "t3": ("passed", ("A-03",))})
    before["requirements"]["X-09"] = {"level": "MUST", "status": "passed", "message": "old\nsecond line", "tests": []}
    before["requirements"]["F-01"] = {"level": "MUST", "status": "failed", "message": "", "tests": []}
    after = summary_of({"t1": result("failed", ("A-01",), held={}, failed={"A-01": "[A-01] now | broken\n  more"}),
                        "t2": ("passed", ("A-02",)), "t4": ("passed", ("A-03",)), "t3": ("passed", ("A-03",))},
                       run_id="r2")
    after["tests"]["t2"]["reruns"] = 1  # passed on its second try: flaky, and so is the requirement it names
    after["requirements"]["N-01"] = {"status": "not_run", "message": "", "tests": []}  # a record without its level
    after["requirements"]["F-01"] = {"level": "MUST", "status": "not_run", "message": "not reached: x", "tests": []}
    regression = compare_runs(before, after)
    none = {"no_longer_run": [], "fixed": [], "still_failing": []}
    assert regression.to_json() == {
        "baseline": {"run_id": "r1", "target": "http://127.0.0.1:1"},
        "current": {"run_id": "r2", "target": "http://127.0.0.1:1"},
        "fail_on": ["new_failure", "no_longer_run"], "exit_code": 1,
        "requirements": {"new_failure": ["A-01"], "flaky": ["A-02"], "new": ["N-01"], "removed": ["X-09"],
                         "not_run": ["F-01"], "still_passing": ["A-03"], **none},
        "tests": {"new_failure": ["t1"], "flaky": ["t2"], "new": ["t4"], "removed": ["gone"], "not_run": [],
                  "still_passing": ["t3"], **none}}
    assert list(regression.requirements) == list(regression.tests) == [
        "new_failure", "no_longer_run", "fixed", "still_failing", "flaky", "new", "removed", "not_run", "still_passing"]
    assert regression.markdown() == """# Regressions of the embedded reference server

`r1` → `r2`: 1 new failures · 1 flaky · 1 new · 1 removed · 1 not run now · 1 still passing

## New failures

| ID | level | detail |
|---|---|---|
| A-01 | MUST | [A-01] now \\| broken |

## Flaky

| ID | level | detail |
|---|---|---|
| A-02 | SHOULD |  |

## New

| ID | level | detail |
|---|---|---|
| N-01 |  |  |

## Removed

| ID | level | detail |
|---|---|---|
| X-09 | MUST | old |

## Not run now

| ID | level | detail |
|---|---|---|
| F-01 | MUST | not reached: x |

## Newly failing tests

- `t1`
"""


def test_a_regression_report_of_nothing_says_so():
    empty = summary_of({})
    empty["requirements"] = {}
    regression = compare_runs(empty, empty)
    assert regression.exit_code == 0
    assert regression.markdown().splitlines()[2] == "`r1` → `r1`: no requirements"
    assert "##" not in regression.markdown()


def test_an_unknown_class_to_fail_on_is_named_with_the_classes():
    summary = summary_of({})
    with pytest.raises(ValueError) as refused:
        compare_runs(summary, summary, fail_on=("new_failure", "bogus"))
    assert str(refused.value) == ("unknown class 'bogus' in --fail-on; classes: new_failure, no_longer_run, fixed, "
                                  "still_failing, flaky, new, removed, not_run, still_passing")


def test_an_item_is_flaky_only_when_said_so():
    assert (classify("failed", "passed"), classify("failed", "passed", True)) == ("fixed", "flaky")


def test_every_cause_of_not_run_of_a_level_on_the_judged_line():
    counts = {"total": 5, "judged": 2, "passed": 2, "failed": 0, "not_run": {"target": 1, "profile": 0, "selection": 2}}
    assert judged_line({"judged": {"MUST": counts, "SHOULD": counts}}).split(" | ")[0] == (
        "MUST judged 2/5 · passed 2 · not run (target) 1 · not run (selection) 2")

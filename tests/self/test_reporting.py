"""The reports: status rules, exit codes per level, the conformance table, the regression classes and the
``latest`` link."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from reactor_conformance.checks.requirements import Requirement
from reactor_conformance.harness.run_config import claim_run_dir
from reactor_conformance.reporting import point_latest
from reactor_conformance.reporting.matrix import compare_markdown, conformance_markdown
from reactor_conformance.reporting.regression import classify, compare_runs
from reactor_conformance.reporting.summary import TestResult, build_summary, exit_code
from reactor_conformance.shapes import errors as schema_errors

CATALOG = [Requirement("A-01", "MUST", "A", "Group A", "must thing | with a pipe", "doc"),
           Requirement("A-02", "SHOULD", "A", "Group A", "should thing", "doc"),
           Requirement("A-03", "INFO", "A", "Group A", "info thing", "doc")]
START = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def result(outcome: str, ids: tuple[str, ...], *, held=None, failed=None, stop=None, message="") -> TestResult:
    """A test's result. Without explicit checks: a pass held one check of each named requirement; a failure
    failed the first one's check, which stopped the test before the others were reached."""
    if held is None and failed is None:
        held = {rid: 1 for rid in ids} if outcome == "passed" else {}
        failed = {ids[0]: f"[{ids[0]}] its check failed"} if outcome == "failed" and ids else {}
        if outcome == "failed" and ids and stop is None:
            stop = {"kind": "check", "requirement": ids[0], "message": failed[ids[0]]}
    return TestResult(outcome, ids, 0.1, message, 0, (("A-03", "accepted → 422"),) if "A-03" in ids else (),
                      held=held or {}, failed=failed or {}, stop=stop or {})


def summary_of(outcomes: dict, level: str = "should", run_id: str = "r1") -> dict:
    """``outcomes``: node ID → ``(outcome, ids)`` or a ready ``TestResult``."""
    results = {nodeid: value if isinstance(value, TestResult)
               else result(*value, message=f"message of {nodeid}" if value[0] != "passed" else "")
               for nodeid, value in outcomes.items()}
    return build_summary(run_id=run_id, started_at=START, finished_at=START + timedelta(seconds=2),
                         target={"base_url": "http://127.0.0.1:1", "embedded": True, "faults": []}, level=level,
                         fuzz={"enabled": True, "examples": 10, "seed": 1}, catalog=CATALOG, test_results=results)


CHECK_A01_FAILED = {"kind": "check", "requirement": "A-01", "message": "[A-01] expected 201"}
# Status rules, decided per check: description, test results, expected status per requirement.
STATUS_CASES = [
    ("every check held", {"t1": ("passed", ("A-01",)), "t2": ("passed", ("A-02",)), "t3": ("passed", ("A-03",))},
     {"A-01": "passed", "A-02": "passed", "A-03": "info"}),
    ("a test marked A-01 and A-02 failing on A-01's check fails A-01 only; A-02 was not reached",
     {"t1": result("failed", ("A-01", "A-02"), held={}, failed={"A-01": "[A-01] x"}, stop=CHECK_A01_FAILED)},
     {"A-01": "failed", "A-02": "not_run"}),
    ("A-02's own check in another test decides it",
     {"t1": result("failed", ("A-01", "A-02"), held={}, failed={"A-01": "[A-01] x"}, stop=CHECK_A01_FAILED),
      "t2": ("passed", ("A-02",))},
     {"A-01": "failed", "A-02": "passed"}),
    ("checks that held before the failed one still count",
     {"t1": result("failed", ("A-01", "A-02"), held={"A-02": 2}, failed={"A-01": "[A-01] x"},
                   stop=CHECK_A01_FAILED)},
     {"A-01": "failed", "A-02": "passed"}),
    ("a check of a requirement the test does not name counts for that requirement",
     {"t1": result("failed", ("A-01",), held={"A-01": 1}, failed={"A-02": "[A-02] x"},
                   stop={"kind": "check", "requirement": "A-02", "message": "[A-02] x"})},
     {"A-01": "passed", "A-02": "failed"}),
    ("one of two tests failed the check", {"t1": ("passed", ("A-01",)), "t2": ("failed", ("A-01",))},
     {"A-01": "failed", "A-03": "not_run"}),
    ("a test that broke outside its checks fails every requirement it names, held checks or not",
     {"t1": result("failed", ("A-01", "A-02"), held={"A-01": 1}, failed={},
                   stop={"kind": "crash", "message": "the test broke before its verdict: KeyError: 'data'"})},
     {"A-01": "failed", "A-02": "failed"}),
    ("a requirement one test held and another test naming it broke is failed, not passed",
     {"t1": ("passed", ("A-01",)),
      "t2": result("failed", ("A-01",), held={}, failed={},
                   stop={"kind": "crash", "message": "the test broke before its verdict: TypeError"})},
     {"A-01": "failed"}),
    ("an unmet precondition is not run", {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={
        "kind": "unmet", "message": "not reached: the owner could not grant"})}, {"A-01": "not_run"}),
    ("a test that ran without a check of a named requirement leaves it not run",
     {"t1": result("passed", ("A-01", "A-02"), held={"A-01": 1}, failed={})}, {"A-01": "passed", "A-02": "not_run"}),
    ("an INFO requirement never fails", {"t1": ("failed", ("A-03",))}, {"A-03": "info"}),
    ("not run when every test was not run", {"t1": ("not_run", ("A-01",))}, {"A-01": "not_run"}),
    ("no test at all is not run", {}, {"A-01": "not_run", "A-02": "not_run"}),
]


UNMET_GRANT = {"kind": "unmet", "message": "not reached: REVOKE-01 failed: DELETE of a rejected authorization "
                                            "answered 409"}
# Why a requirement was not run, and whether that fails the run: description, test results, expected cause of A-01
# (None: it ran), the run's exit code.
NOT_RUN_CASES = [
    ("a step the target refused (an unmet precondition) is the target's doing, and fails the run",
     {"t1": result("not_run", ("A-01",), held={}, failed={}, stop=UNMET_GRANT)}, "target", 1),
    ("a check of another requirement that stopped the test is the target's doing",
     {"t1": result("failed", ("A-02", "A-01"), held={}, failed={"A-02": "[A-02] x"},
                   stop={"kind": "check", "requirement": "A-02", "message": "[A-02] x"})}, "target", 1),
    ("a missing identity is the profile's, and a green run may carry it",
     {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={
         "kind": "skip", "message": "not run: no outsider identity configured (add [identities.outsider] ...)"})},
     "profile", 0),
    ("--no-fuzz is the person's selection", {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={
        "kind": "skip", "message": "not run: --no-fuzz"})}, "selection", 0),
    ("--read-only is the person's selection", {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={
        "kind": "skip", "message": "not run: --read-only"})}, "selection", 0),
    ("a deselected requirement (no test) is the person's selection", {}, "selection", 0),
    ("the target's doing wins over the profile's when its tests differ",
     {"t1": result("not_run", ("A-01",), held={}, failed={}, stop={"kind": "skip", "message": "not run: no x"}),
      "t2": result("not_run", ("A-01",), held={}, failed={}, stop=UNMET_GRANT)}, "target", 1),
    ("a requirement that ran has no not-run cause", {"t1": ("passed", ("A-01",))}, None, 0),
    ("tests that ran to their end without judging it, in a full run: the target's answers left nothing to judge",
     {"t1": result("passed", ("A-01", "A-02"), held={"A-02": 1}, failed={})}, "target", 1),
]


@pytest.mark.parametrize("description, outcomes, cause, code", NOT_RUN_CASES, ids=[c[0] for c in NOT_RUN_CASES])
def test_not_run_causes_and_whether_they_fail_the_run(description, outcomes, cause, code):
    summary = summary_of(outcomes)
    assert summary["requirements"]["A-01"].get("not_run_cause") == cause
    assert summary["exit_code"] == code
    assert [b["requirement"] for b in summary["blocked"]] == (["A-01"] if cause == "target" else [])
    assert schema_errors("summary", summary) == []


def test_with_a_selection_tests_that_did_not_judge_it_leave_it_to_the_tests_not_chosen():
    results = {"t1": result("passed", ("A-01", "A-02"), held={"A-02": 1}, failed={})}
    summary = build_summary(run_id="r", started_at=START, finished_at=START, target={"base_url": "x"}, level="should",
                            fuzz={}, catalog=CATALOG, test_results=results, selective=True)
    assert summary["requirements"]["A-01"]["not_run_cause"] == "selection"
    assert summary["exit_code"] == 0


def test_a_should_left_not_run_by_the_target_does_not_fail_the_run():
    summary = summary_of({"t1": result("not_run", ("A-02",), held={}, failed={}, stop=UNMET_GRANT)})
    assert summary["requirements"]["A-02"]["not_run_cause"] == "target"
    assert summary["exit_code"] == 0


def test_how_much_of_the_contract_was_judged():
    summary = summary_of({"t1": ("passed", ("A-01",)), "t2": result("not_run", ("A-02",), held={}, failed={},
                                                                    stop=UNMET_GRANT)})
    assert summary["judged"]["MUST"] == {"total": 1, "judged": 1, "passed": 1, "failed": 0,
                                         "not_run": {"target": 0, "profile": 0, "selection": 0}}
    assert summary["judged"]["SHOULD"]["not_run"]["target"] == 1
    text = conformance_markdown(summary)
    assert "MUST judged 1/1 · passed 1" in text.splitlines()[6]


def test_the_report_leads_with_the_must_requirements_the_target_left_not_run():
    summary = summary_of({"t1": result("not_run", ("A-01",), held={}, failed={}, stop=UNMET_GRANT)})
    text = conformance_markdown(summary)
    head = text[:text.index("| ID |")]
    assert "MUST judged 0/1 · passed 0 · not run (target) 1" in head
    assert "A-01: not reached: REVOKE-01 failed: DELETE of a rejected authorization answered 409" in head


@pytest.mark.parametrize("description, outcomes, expected", STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_requirement_status_rules(description, outcomes, expected):
    summary = summary_of(outcomes)
    assert {rid: summary["requirements"][rid]["status"] for rid in expected} == expected
    assert schema_errors("summary", summary) == []


def test_a_requirement_not_reached_says_which_check_stopped_it():
    summary = summary_of({"t1": result("failed", ("A-01", "A-02"), held={}, failed={"A-01": "[A-01] expected 201"},
                                       stop=CHECK_A01_FAILED)})
    assert summary["requirements"]["A-01"]["message"] == "[A-01] expected 201"
    assert summary["requirements"]["A-02"]["message"] == "not reached: t1 stopped at a failed check of A-01"


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
    assert "| A-01 | MUST | ❌ failed | must thing \\| with a pipe | [A-01] its check failed |" in text
    assert text.count("\n| A-0") == 3


FAILED_CHECK = ("[A-01] the owner grants\n  expected: HTTP 201\n  observed: HTTP 404 with no body\n  exchange:\n"
                "    POST http://127.0.0.1:39071/extension_packages/EP1/grants as owner\n    → 404 in 1 ms\n"
                "  reproduce:\n    curl -sS -X POST http://127.0.0.1:39071/extension_packages/EP1/grants")


def test_the_conformance_report_leads_with_what_failed_and_its_curl_line():
    summary = summary_of({"t1": result("failed", ("A-01",), held={}, failed={"A-01": FAILED_CHECK}),
                          "t2": ("passed", ("A-02",))})
    text = conformance_markdown(summary)
    failed, table = text.index("## Failed (1)"), text.index("## Every requirement")
    assert failed < table
    lead = text[failed:table]
    assert "POST /extension_packages/EP1/grants — the owner grants: expected HTTP 201, observed HTTP 404" in lead
    assert "curl -sS -X POST http://127.0.0.1:39071/extension_packages/EP1/grants" in lead
    assert "A-02" not in lead


# The target a run was aimed at, and the heading of its reports.
HEADINGS = [
    ({"base_url": "http://127.0.0.1:39071", "embedded": True, "faults": []}, "the embedded reference server"),
    ({"base_url": "http://127.0.0.1:39071", "embedded": True, "faults": ["json-content-type"],
      "variants": ["no-etag"]}, "the embedded reference server (fault json-content-type, variant no-etag)"),
    ({"base_url": "https://staging.example.com", "embedded": False, "faults": []}, "https://staging.example.com"),
]


@pytest.mark.parametrize("target, heading", HEADINGS, ids=[h for _, h in HEADINGS])
def test_a_report_names_its_target(target, heading):
    summary = {**summary_of({"t": ("passed", ("A-01",))}), "target": target}
    text = conformance_markdown(summary)
    assert text.startswith(f"# Conformance of {heading}\n"), text.splitlines()[0]
    assert f"{heading} (r1)" in compare_markdown([summary, summary])


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
    ("passed then not run is a regression of its own", "passed", "not_run", False, "no_longer_run"),
    ("failed then not run", "failed", "not_run", False, "not_run"),
    ("not run then, not run now", "not_run", "not_run", False, "not_run"),
]


@pytest.mark.parametrize("description, before, now, flaky, expected", CLASSIFICATION,
                         ids=[c[0] for c in CLASSIFICATION])
def test_regression_classes(description, before, now, flaky, expected):
    assert classify(before, now, flaky) == expected


def test_by_default_a_requirement_that_passed_and_is_not_run_now_fails_the_report():
    before = summary_of({"t": ("passed", ("A-01",))})
    after = summary_of({"t": result("not_run", ("A-01",), held={}, failed={}, stop=UNMET_GRANT)}, run_id="r2")
    regression = compare_runs(before, after)
    assert regression.requirements["no_longer_run"] == ["A-01"]
    assert regression.exit_code == 1
    assert compare_runs(before, after, fail_on=("new_failure",)).exit_code == 0


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


def test_runs_finishing_side_by_side_keep_their_own_reports(tmp_path):
    """The proof's workers finish into one reports folder at once, and so may a nightly job's targets: pointing
    ``latest`` never fails, and no run's files reach another run's folder through it."""
    runs = [tmp_path / f"run-{number}" for number in range(4)]
    for number, run in enumerate(runs):
        run.mkdir()
        (run / "summary.json").write_text(f"run {number}")
    (tmp_path / "latest").mkdir()  # a copy an earlier run left where links could not be made
    with ThreadPoolExecutor(len(runs)) as pool:
        list(pool.map(lambda run: [point_latest(run) for _ in range(200)], runs))  # re-raises what a run raised
    assert [(run / "summary.json").read_text() for run in runs] == [f"run {number}" for number in range(4)]
    assert (tmp_path / "latest").is_symlink() and (tmp_path / "latest").resolve() in runs
    assert sorted(path.name for path in tmp_path.iterdir()) == ["latest", *(run.name for run in runs)]


def test_runs_started_in_the_same_second_each_get_a_folder_of_their_own(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        claimed = list(pool.map(lambda _: claim_run_dir(tmp_path / "reports", START), range(8)))
    assert sorted(path.name for path in claimed) == sorted(
        ["20261124T030000Z", *(f"20261124T030000Z-{number}" for number in range(2, 9))])

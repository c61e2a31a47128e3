"""The proof's verdicts on runs it did not make: when a fault counts as detected, what a run's summary says about
it, how the runs are planned and shared between workers, and the tables people read. No suite runs here: the
summaries are written by hand, the runs and the worker processes are stand-ins."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from reactor_conformance.client import redact
from reactor_conformance.harness import proof, suite
from reactor_conformance.harness.proof import ALL_VARIANTS, CLEAN, Job, Outcome
from reactor_conformance.refserver.faults import FAULTS
from reactor_conformance.refserver.variants import VARIANTS
from reactor_conformance.reporting.proof import proof_json, proof_markdown

TWO = "omit-required-attribute"  # names FUZZ-02, SHAPE-03, SHAPE-02
FLOW = "rejected-cannot-be-deleted"  # a flow fault: REVOKE-01, its run is the whole suite
VARIANT = next(iter(VARIANTS))


def fault(name: str, **outcome) -> Outcome:
    return Outcome(Job(name, "fault", faults=(name,), requirements=() if FAULTS[name].flow
                       else FAULTS[name].requirements), **{"exit_code": 1, "seconds": 2.0, **outcome})


# A fault's run: description, the outcome, detected, ok.
FAULT_VERDICTS = [
    ("every requirement it names failed, exit 1", fault(TWO, failed=("FUZZ-02", "SHAPE-03", "SHAPE-02")), True, True),
    ("and more failed besides", fault(TWO, failed=("SHAPE-01", "FUZZ-02", "SHAPE-03", "SHAPE-02")), True, True),
    ("only the first it names failed", fault(TWO, failed=("FUZZ-02",)), False, False),
    ("all but the first failed", fault(TWO, failed=("SHAPE-03", "SHAPE-02")), False, False),
    ("every one failed, but the run exited 0", fault(TWO, exit_code=0, failed=("FUZZ-02", "SHAPE-03", "SHAPE-02")),
     False, False),
    ("the run broke (exit -1)", fault(TWO, exit_code=-1, failed=("FUZZ-02", "SHAPE-03", "SHAPE-02")), False, False),
    ("nothing failed", fault(FLOW, exit_code=0), False, False),
    ("a MUST left not run for its own requirement's failure", fault(FLOW, failed=("REVOKE-01",), not_run={
        "REVOKE-02": "not reached: REVOKE-01 failed: DELETE of a rejected authorization answered 409"}), True, True),
    ("a MUST left not run for another reason", fault(FLOW, failed=("REVOKE-01",), not_run={
        "LIST-01": "not reached: the owner could not grant"}), True, False),
]


@pytest.mark.parametrize("description, outcome, detected, ok", FAULT_VERDICTS, ids=[c[0] for c in FAULT_VERDICTS])
def test_a_fault_counts_only_when_every_requirement_it_names_fails(description, outcome, detected, ok):
    assert (outcome.detected, outcome.ok) == (detected, ok)


def test_what_a_fault_run_left_not_run_is_unexplained_unless_the_reason_names_its_requirement():
    outcome = fault(FLOW, failed=("REVOKE-01",), not_run={"A-1": "REVOKE-01 failed", "A-2": "no grant"})
    assert outcome.unexplained == {"A-2": "no grant"}
    assert outcome.breaks == ("REVOKE-01",) and Outcome(Job(CLEAN, "clean"), 0, 1.0).breaks == ()


# The clean run and the variants: description, the outcome, ok.
PASS_VERDICTS = [
    ("passed", Outcome(Job(CLEAN, "clean"), 0, 1.0), True),
    ("a requirement failed", Outcome(Job(CLEAN, "clean"), 0, 1.0, failed=("SHAPE-01",)), False),
    ("exit 1 with nothing failed by a check", Outcome(Job(VARIANT, "variant"), 1, 1.0), False),
    ("a run that broke", Outcome(Job(ALL_VARIANTS, "variants"), 0, 1.0, error="no summary (pytest exit 3)"), False),
]


@pytest.mark.parametrize("description, outcome, ok", PASS_VERDICTS, ids=[c[0] for c in PASS_VERDICTS])
def test_the_clean_server_and_every_variant_must_pass(description, outcome, ok):
    assert outcome.ok == ok and not outcome.detected


def test_the_plan_is_the_clean_run_a_run_per_fault_and_variant_and_all_variants_at_once():
    planned = proof.jobs()
    assert planned[0] == Job(CLEAN, "clean") and planned[-1] == Job(ALL_VARIANTS, "variants", variants=tuple(VARIANTS))
    faults = {job.name: job for job in planned if job.kind == "fault"}
    assert list(faults) == list(FAULTS)
    for name, job in faults.items():
        known = FAULTS[name]
        assert job == Job(name, "fault", faults=(name,), requirements=() if known.flow else known.requirements,
                          fuzz=known.fuzz, operations=known.operations)
    assert faults[FLOW].requirements == () and faults[TWO].requirements == FAULTS[TWO].requirements
    assert [job for job in planned if job.kind == "variant"] == [
        Job(name, "variant", variants=(name,), fuzz=False) for name in VARIANTS]
    assert len(planned) == len(FAULTS) + len(VARIANTS) + 2


def test_a_plan_of_chosen_faults_and_variants_keeps_the_clean_run_only():
    assert proof.jobs([VARIANT, FLOW]) == [Job(CLEAN, "clean"), Job(FLOW, "fault", faults=(FLOW,), fuzz=False),
                                           Job(VARIANT, "variant", variants=(VARIANT,), fuzz=False)]


def test_an_unknown_fault_or_variant_is_named():
    with pytest.raises(ValueError, match=r"^unknown fault\(s\) or variant\(s\) a-bogus, z-bogus; `reactor-"
                                         r"conformance serve --list-faults` and `--list-variants` list them$"):
        proof.jobs(["z-bogus", FLOW, "a-bogus"])


# A job's weight, to share the jobs among workers: description, job, cost.
COSTS = [("the whole suite with fuzzing", Job(CLEAN, "clean"), 25),
         ("the whole suite without", Job(VARIANT, "variant", fuzz=False), 1),
         ("some requirements with fuzzing", Job(TWO, "fault", requirements=("FUZZ-02",)), 6),
         ("some requirements without", Job(FLOW, "fault", requirements=("REVOKE-01",), fuzz=False), 1)]


@pytest.mark.parametrize("description, job, cost", COSTS, ids=[c[0] for c in COSTS])
def test_a_job_costs_most_when_it_fuzzes_the_whole_suite(description, job, cost):
    assert job.cost == cost


def test_a_job_runs_the_tests_of_its_requirements_with_its_fault_and_variants(tmp_path):
    job = Job(TWO, "fault", faults=(TWO,), variants=("gzip",), requirements=("FUZZ-02", "SHAPE-03"), fuzz=False,
              operations=("op1", "op2"), fuzz_examples=7)
    args = job.pytest_args(tmp_path / "run")
    assert args == [  # the whole suite, narrowed to the job's requirements by --requirement
        str(suite.FOLDER), "-p", "reactor_conformance.harness.plugin", "--rootdir", str(suite.FOLDER), "-q", "--tb=no",
        "--assert=plain", *proof.UNNEEDED_PLUGINS, "--run-dir", str(tmp_path / "run"), "--reports", str(tmp_path),
        "-o", "console_output_style=classic", "--exchanges", "none", "--fault", TWO, "--variant", "gzip",
        "--requirement", "FUZZ-02", "--requirement", "SHAPE-03", "--operation", "op1", "--operation", "op2", "--no-fuzz",
        "--fuzz-examples", "7"]
    whole = Job(CLEAN, "clean").pytest_args(tmp_path / "run")
    assert whole[0] == str(suite.FOLDER) and whole[1] == "-p"
    assert not {"--fault", "--variant", "--requirement", "--operation", "--no-fuzz", "--fuzz-examples"} & set(whole)
    assert {"xdist", "allure_pytest", "rerunfailures"} <= {arg.removeprefix("no:") for arg in proof.UNNEEDED_PLUGINS}


def record(status: str, failed_checks: int = 0, level: str = "MUST", message: str = "", cause: str | None = None):
    return {"status": status, "level": level, "message": message, "checks": {"failed": failed_checks},
            **({"not_run_cause": cause} if cause else {})}


def test_a_run_is_read_from_its_summary(tmp_path, monkeypatch):
    """Failed requirements are those a check failed (a test that broke is not a detection); the failing tests are
    those whose checks failed a watched requirement; every failed check is a finding; MUST requirements the target
    left not run are listed with their reason."""
    summary = {"exit_code": 1, "totals": {"failed": 2}, "requirements": {
        "SHAPE-03": record("failed", 1), "SHAPE-02": record("failed", 0, message="the test broke"),
        "SHAPE-01": record("failed", 2), "LIST-01": record("not_run", message="not reached: no grant", cause="target"),
        "LIST-02": record("not_run", level="SHOULD", message="not reached", cause="target"),
        "AUTH-02": record("not_run", message="not run: no outsider", cause="profile"), "AUTH-01": record("passed"),
        "SHAPE-04": {"status": "failed", "level": "MUST", "message": "no count of checks: no detection"}},
        "tests": {
            "tests/conformance/test_shape.py::test_a": {"outcome": "failed", "checks": {"failed": ["SHAPE-03"]},
                                                        "message": "[SHAPE-03] x\n  expected: 201\n  observed: 500\n"
                                                                   "  exchange: secret"},
            "tests/conformance/test_shape.py::TestB::test_b": {"outcome": "failed", "checks": {"failed": ["SHAPE-01"]},
                                                        "message": "[SHAPE-01] y\n  expected: a\n  observed: b"},
            "tests/conformance/test_shape.py::test_c": {"outcome": "failed", "checks": {"failed": []},
                                                        "message": "the test broke: KeyError"},
            "tests/conformance/test_shape.py::test_d": {"outcome": "passed", "checks": {"failed": ["SHAPE-03"]},
                                                        "message": ""}}}
    outcome = run(tmp_path, monkeypatch, Job(TWO, "fault", faults=(TWO,), requirements=("SHAPE-03", "SHAPE-02")),
                  summary, code=1)
    assert outcome.exit_code == 1 and outcome.seconds >= 0 and outcome.totals == {"failed": 2}
    assert outcome.failed == ("SHAPE-03", "SHAPE-01")
    assert outcome.failing_tests == ("test_a",)
    assert outcome.findings == ("test_a: [SHAPE-03] x; expected: 201; observed: 500",
                                "TestB::test_b: [SHAPE-01] y; expected: a; observed: b")
    assert outcome.not_run == {"LIST-01": "not reached: no grant"} and outcome.error == ""
    # Watching nothing in particular (the whole suite), every failed requirement is watched.
    whole = run(tmp_path, monkeypatch, Job(CLEAN, "clean"), summary, code=1)
    assert whole.failing_tests == ("test_a", "TestB::test_b")


def test_a_run_that_failed_by_no_check_says_which_tests_broke(tmp_path, monkeypatch):
    summary = {"exit_code": 1, "totals": {}, "requirements": {"SHAPE-02": record("failed", 0)}, "tests": {
        "tests/conformance/test_shape.py::test_c": {"outcome": "failed", "checks": {"failed": []},
                                                    "message": "the test broke: KeyError\nTraceback"},
        "tests/conformance/test_shape.py::test_e": {"outcome": "failed", "message": ""}}}
    outcome = run(tmp_path, monkeypatch, Job(CLEAN, "clean"), summary, code=1)
    assert outcome.failed == () and outcome.findings == ()
    assert outcome.error == "test_c: the test broke: KeyError; test_e: "
    passed = run(tmp_path, monkeypatch, Job(CLEAN, "clean"), {**summary, "exit_code": 0}, code=0)
    assert passed.error == "" and passed.exit_code == 0


def test_a_run_without_a_summary_is_an_error_and_every_run_forgets_its_secrets(tmp_path, monkeypatch, capsys):
    redact.register("RUN_TOKEN", "token-of-this-run-only")
    outcome = run(tmp_path, monkeypatch, Job(CLEAN, "clean"), None, code=4)
    assert capsys.readouterr().out == ""
    assert (outcome.exit_code, outcome.error, outcome.failed) == (4, "no summary (pytest exit 4)", ())
    assert "RUN_TOKEN" not in redact.names()


def run(tmp_path: Path, monkeypatch, job: Job, summary: dict | None, code: int) -> Outcome:
    """``proof.run_job`` with pytest standing in: it checks the arguments and leaves ``summary`` in the run folder."""
    def main(args):
        print("pytest's own output, which the proof's report never shows")
        run_dir = Path(args[args.index("--run-dir") + 1])
        assert args == job.pytest_args(run_dir) and run_dir.parent == tmp_path and run_dir.name.startswith(job.kind)
        if summary is not None:
            (run_dir / "summary.json").write_text(json.dumps(summary), "utf-8")
        return code

    monkeypatch.setattr(pytest, "main", main)
    monkeypatch.setattr(proof, "time", Clock(10.0, 12.5))
    outcome = proof.run_job(job, tmp_path)
    assert outcome.job == job and outcome.seconds == 2.5
    return outcome


class Clock:
    """``time`` that reads the given moments, one per call."""

    def __init__(self, *moments: float):
        self.moments = iter(moments)

    def monotonic(self) -> float:
        return next(self.moments)


# A failure message on one line: description, message, gist.
GISTS = [
    ("a check: what, expected, observed",
     "[A-01] x\n  expected: 201\n  observed: 500\n  exchange:\n    GET /", "[A-01] x; expected: 201; observed: 500"),
    ("a test that broke: its first line", "the test broke: KeyError\nTraceback (most recent call last):\n  File",
     "the test broke: KeyError"),
    ("a check of two lines is still a check", "[A-01] x\n  expected: 201", "[A-01] x; expected: 201"),
    ("one line", "  just this  ", "just this"),
    ("nothing", "", ""),
    ("at most 400 characters", "y" * 500, "y" * 400),
]


@pytest.mark.parametrize("description, message, gist", GISTS, ids=[c[0] for c in GISTS])
def test_a_failure_on_one_line(description, message, gist):
    assert proof.failure_gist(message) == gist


def test_a_worker_runs_its_jobs_in_turn_and_one_that_breaks_hides_no_other(tmp_path, monkeypatch):
    jobs = [Job("first", "fault"), Job("second", "fault", requirements=("A-01",)), Job("third", "clean")]

    def run_job(job, workdir):
        assert workdir == tmp_path
        if job.name == "second":
            raise RuntimeError("the server did not start")
        return Outcome(job, 0, 1.5, failed=("A-01",))

    monkeypatch.setattr(proof, "run_job", run_job)
    plan, results = tmp_path / "plan.json", tmp_path / "results.jsonl"
    plan.write_text(json.dumps({"workdir": str(tmp_path), "jobs": [asdict(job) for job in jobs]}), "utf-8")
    results.write_text(json.dumps({"earlier": True}) + "\n", "utf-8")  # appended to, never overwritten
    proof.worker(plan, results)
    lines = [json.loads(line) for line in results.read_text("utf-8").splitlines()]
    assert lines[0] == {"earlier": True} and [line["job"]["name"] for line in lines[1:]] == ["first", "second", "third"]
    assert lines[2] == as_json(Outcome(jobs[1], -1, 0.0, error="RuntimeError: the server did not start"))
    assert lines[1] == as_json(Outcome(jobs[0], 0, 1.5, failed=("A-01",)))


def as_json(outcome: Outcome) -> dict:
    return json.loads(json.dumps(asdict(outcome)))


class Workers:
    """Stand-in for the worker processes: each runs ``proof.worker`` in this process when it is waited for."""

    def __init__(self, monkeypatch, stopped: set[str] = frozenset()):
        self.plans: list[list[str]] = []
        self.stopped = stopped  # jobs whose worker stops before it reports them
        monkeypatch.setattr(proof, "run_job", lambda job, workdir: Outcome(job, 0, float(job.cost)))
        monkeypatch.setattr(proof.subprocess, "Popen", self.start)

    def start(self, command, stdout, stderr):
        assert command[:3] == [proof.sys.executable, "-m", proof.__name__] and stderr == proof.subprocess.STDOUT
        plan_file, results_file = Path(command[3]), Path(command[4])
        plan = json.loads(plan_file.read_text("utf-8"))
        assert Path(plan["workdir"]).name.startswith("reactor-proof-") and plan_file.parent == Path(plan["workdir"])
        self.plans.append([job["name"] for job in plan["jobs"]])
        plan["jobs"] = [job for job in plan["jobs"] if job["name"] not in self.stopped]
        plan_file.write_text(json.dumps(plan), "utf-8")
        workers = self

        class Process:
            def wait(self):
                stdout.write("a worker's log\n")
                if plan["jobs"]:
                    proof.worker(plan_file, results_file)
                workers.waited = True

        return Process()


def test_jobs_are_shared_longest_first_each_to_the_lightest_worker(monkeypatch):
    workers = Workers(monkeypatch)
    planned = [Job("light-1", "fault", requirements=("A",), fuzz=False), Job(CLEAN, "clean"),
               Job("fuzzing", "fault", requirements=("A",)), Job("light-2", "fault", requirements=("A",), fuzz=False)]
    monkeypatch.setattr(proof, "time", Clock(100.0, 103.5))
    outcomes, seconds = proof.run_all(planned, workers=2)
    assert workers.plans == [[CLEAN], ["fuzzing", "light-1", "light-2"]] and seconds == 3.5
    assert [o.job for o in outcomes] == planned and [o.seconds for o in outcomes] == [1.0, 25.0, 6.0, 1.0]
    assert all(o.exit_code == 0 and not o.error for o in outcomes)


@pytest.mark.parametrize("workers, shares", [(0, 1), (1, 1), (3, 3), (9, 3)])
def test_never_more_workers_than_jobs_nor_fewer_than_one(monkeypatch, workers, shares):
    pool = Workers(monkeypatch)
    planned = [Job(f"f{number}", "fault", requirements=("A",), fuzz=False) for number in range(3)]
    outcomes, _ = proof.run_all(planned, workers)
    assert len(pool.plans) == shares and sorted(sum(pool.plans, [])) == ["f0", "f1", "f2"]
    assert [o.job for o in outcomes] == planned


def test_a_job_whose_worker_stopped_is_reported_so(monkeypatch):
    Workers(monkeypatch, stopped={"f1"})
    planned = [Job(f"f{number}", "fault", requirements=("A",), fuzz=False) for number in range(2)]
    outcomes, _ = proof.run_all(planned, workers=2)
    assert as_json(outcomes[0]) == as_json(Outcome(planned[0], 0, 1.0)) and outcomes[0].job == planned[0]
    assert outcomes[1] == Outcome(planned[1], -1, 0.0, error="the worker running it stopped")


TABLED = [
    fault(TWO, seconds=3.0, failed=("FUZZ-02", "SHAPE-03", "SHAPE-02"), failing_tests=("t1", "t2", "t3", "t4")),
    fault(FLOW, seconds=5.0, failed=("REVOKE-01",), failing_tests=("t|x",), not_run={"LIST-01": "no grant",
                                                                                       "LIST-02": "no grant"}),
    fault("generated-body-500", exit_code=-1, error="no summary (pytest exit 3)", failing_tests=("t8", "t9")),
    fault("deleted-still-readable", exit_code=0, failed=("FUZZ-04", "SHAPE-01"), failing_tests=("t5", "t6", "t7")),
    fault("malformed-filter-refused", exit_code=0),
    Outcome(Job(CLEAN, "clean"), 0, 10.0),
    Outcome(Job(VARIANT, "variant"), 1, 1.25, failed=("SHAPE-01", "SHAPE-02"),
            findings=("test_x: [SHAPE-01] y | z", "other")),
    Outcome(Job("gzip", "variant"), 0, 2.0),
    Outcome(Job("rate-limited", "variant"), 1, 3.0),
    Outcome(Job(ALL_VARIANTS, "variants"), 1, 30.0, error="boom"),
]


def test_the_proof_as_people_read_it():
    assert proof_markdown(TABLED, 61.6) == f"""# Proof of the suite

5 faults, 1 detected by a check of every requirement they break; 4 variant runs, 1 passed with no requirement failed; \
clean run passed. Median time to detect a fault 3.0 s; everything took 62 s.

## Faults: each must fail every requirement it breaks, and leave not run only what depends on it

A flow fault breaks a step the suite's own flow relies on; its run is the whole suite (no fuzzing). *MUST not run*: \
MUST requirements the fault's run left not run because of the target.

| fault | breaks | detected | MUST not run | failed checks in | seconds |
|---|---|---|---|---|---|
| {TWO} | FUZZ-02, SHAPE-03, SHAPE-02 | ✅ yes | 0 | t1, t2 (+2) | 3.0 |
| {FLOW} (flow) | REVOKE-01 | ❌ NO (not run, unexplained: LIST-01, LIST-02) | 2 | t\\|x | 5.0 |
| generated-body-500 | FUZZ-01, CREATE-04 | ❌ NO (no summary (pytest exit 3)) | 0 | t8, t9 | 2.0 |
| deleted-still-readable | FUZZ-04, REVOKE-02 | ❌ NO (failed: FUZZ-04, SHAPE-01; exit 0) | 0 | t5, t6 (+1) | 2.0 |
| malformed-filter-refused | FUZZ-03 | ❌ NO (failed: nothing; exit 0) | 0 | — | 2.0 |

## Legal variations: each must pass, alone and all at once

| variant | passed | failed requirements | seconds |
|---|---|---|---|
| (clean) | ✅ yes | — | 10.0 |
| {VARIANT} | ❌ NO (test_x: [SHAPE-01] y \\| z) | SHAPE-01, SHAPE-02 | 1.2 |
| gzip | ✅ yes | — | 2.0 |
| rate-limited | ❌ NO | — | 3.0 |
| (all variants) | ❌ NO (boom) | — | 30.0 |
"""


@pytest.mark.parametrize("outcomes, head", [
    ([], "0 faults, 0 detected by a check of every requirement they break; 0 variant runs, 0 passed with no requirement "
         "failed; clean run FAILED. Median time to detect a fault 0.0 s; everything took 2 s."),
    ([Outcome(Job(CLEAN, "clean"), 1, 1.0), fault(FLOW, seconds=7.5, failed=("REVOKE-01",))],
     "1 faults, 1 detected by a check of every requirement they break; 0 variant runs, 0 passed with no requirement "
     "failed; clean run FAILED. Median time to detect a fault 7.5 s; everything took 2 s."),
], ids=["nothing ran", "the clean run failed"])
def test_the_proof_leads_with_its_counts(outcomes, head):
    assert proof_markdown(outcomes, 2.4).splitlines()[2] == head


def test_the_proof_as_data():
    runs = proof_json(TABLED, 61.66)
    assert (runs["seconds"], runs["ok"], len(runs["runs"])) == (61.7, False, len(TABLED))
    assert runs["runs"][1] == {
        "name": FLOW, "kind": "fault", "breaks": ["REVOKE-01"], "detected": True, "ok": False, "exit_code": 1,
        "seconds": 5.0, "failed_requirements": ["REVOKE-01"], "failing_tests": ["t|x"], "findings": [], "error": "",
        "must_not_run": {"LIST-01": "no grant", "LIST-02": "no grant"},
        "unexplained_not_run": {"LIST-01": "no grant", "LIST-02": "no grant"}}
    assert runs["runs"][6] == {
        "name": VARIANT, "kind": "variant", "breaks": [], "detected": False, "ok": False, "exit_code": 1,
        "seconds": 1.25, "failed_requirements": ["SHAPE-01", "SHAPE-02"], "failing_tests": [], "findings": [
            "test_x: [SHAPE-01] y | z", "other"], "error": "", "must_not_run": {}, "unexplained_not_run": {}}
    assert Outcome(Job(CLEAN, "clean"), 0, 1.234, not_run={"A": "x"}).not_run and proof_json(
        [Outcome(Job(CLEAN, "clean"), 0, 1.234, not_run={"A": "x"})], 0.04) == {"seconds": 0.0, "ok": True, "runs": [
            {"name": CLEAN, "kind": "clean", "breaks": [], "detected": False, "ok": True, "exit_code": 0,
             "seconds": 1.23, "failed_requirements": [], "failing_tests": [], "findings": [], "error": "",
             "must_not_run": {"A": "x"}, "unexplained_not_run": {}}]}

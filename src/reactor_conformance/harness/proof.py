"""Proving the suite: it fails every named fault of the reference server by a check of the requirement the fault
breaks, and passes the server under every legal variation, one at a time and all at once.

A conformance suite that passes everything proves nothing; one that fails correct servers is worse. The runs
go to worker processes, one per CPU, and each worker runs pytest in-process once per job (imports, spec and
schemas are loaded once per worker, not once per run) against the embedded server started with that job's
fault or variants. A fault changes one behaviour, so its run selects only the tests of the requirements it
names (with the fuzzing when only fuzzing can see it, of the operations where it shows). The clean run and
the run with every variant at once run the whole suite, fuzzing included; each variant alone runs every
scenario — what the fuzzing meets of a variant, the run with all of them meets too.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..client import redact
from ..refserver.faults import FAULTS
from ..refserver.variants import VARIANTS
from . import suite

CLEAN = "(clean)"
ALL_VARIANTS = "(all variants)"
# Plugins a proof run has no use for, besides those no run uses (no reports but the summary, no workers, no
# reruns, no collection of exceptions in threads): not loading them saves part of every run's start and end.
UNNEEDED_PLUGINS = [*suite.UNUSED_PLUGINS, *suite.without_plugins(
    "xdist", "xdist.looponfail", "rerunfailures", "allure_pytest", "junitxml", "pastebin", "doctest",
    "threadexception", "faulthandler")]


@dataclass(frozen=True)
class Job:
    """One run of the suite against the embedded server."""

    name: str
    kind: str  # clean | fault | variant | variants
    faults: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()  # only the tests naming these (empty: the whole suite)
    fuzz: bool = True
    operations: tuple[str, ...] = ()  # only the generated input of these operations (empty: of all)
    fuzz_examples: int | None = None

    @property
    def cost(self) -> int:
        """A rough weight, to spread the jobs evenly over the workers."""
        return (20 if self.fuzz and not self.requirements else 1) + (5 if self.fuzz else 0)

    def pytest_args(self, run_dir: Path) -> list[str]:
        # The whole suite, narrowed by --requirement at collection, where pytest knows each test's markers.
        args = [str(suite.FOLDER), "-p", "reactor_conformance.harness.plugin", "--rootdir", str(suite.FOLDER), "-q", "--tb=no",
                "--assert=plain", *UNNEEDED_PLUGINS,  # as `run` does: the suite has no bare assert to explain
                "--run-dir", str(run_dir), "--reports", str(run_dir.parent), "-o", "console_output_style=classic"]
        args += ["--exchanges", "none"]  # the proof reads verdicts; a HAR file per fault is nobody's
        args += [arg for fault in self.faults for arg in ("--fault", fault)]
        args += [arg for variant in self.variants for arg in ("--variant", variant)]
        args += [arg for rid in self.requirements for arg in ("--requirement", rid)]
        args += [arg for operation in self.operations for arg in ("--operation", operation)]
        args += [] if self.fuzz else ["--no-fuzz"]
        args += ["--fuzz-examples", str(self.fuzz_examples)] if self.fuzz_examples else []
        return args


@dataclass
class Outcome:
    job: Job
    exit_code: int
    seconds: float
    failed: tuple[str, ...] = ()  # requirements failed by a check (never by a test that broke outside checks)
    failing_tests: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()  # checked, expected, observed of each failed check: why a run went wrong
    error: str = ""
    totals: dict = field(default_factory=dict)
    not_run: dict = field(default_factory=dict)  # MUST requirements left not run by the target → the reason

    @property
    def breaks(self) -> tuple[str, ...]:
        return FAULTS[self.job.name].requirements if self.job.kind == "fault" else ()

    @property
    def detected(self) -> bool:
        """A fault: caught by a failed check of every requirement it names, and the run failed (exit 1)."""
        return bool(self.breaks) and set(self.breaks) <= set(self.failed) and self.exit_code == 1

    @property
    def unexplained(self) -> dict:
        """A fault's run: MUST requirements left not run by the target for a reason that names none of the
        fault's requirements (one defect must not quietly disable what does not depend on it)."""
        return {rid: reason for rid, reason in self.not_run.items()
                if not any(breaks in reason for breaks in self.breaks)}

    @property
    def ok(self) -> bool:
        """A fault: detected, and nothing left not run that it does not explain. The clean server and every
        variant: passed, with no requirement failed."""
        if self.job.kind == "fault":
            return self.detected and not self.unexplained
        return self.exit_code == 0 and not self.failed and not self.error


def jobs(only: list[str] | None = None) -> list[Job]:
    """The clean run, a run per fault, a run per variant and one with every variant; ``only``: these faults and
    variants (by name) and the clean run."""
    unknown = sorted(set(only or ()) - FAULTS.keys() - VARIANTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s) or variant(s) {', '.join(unknown)}; `reactor-conformance serve "
                         "--list-faults` and `--list-variants` list them")
    chosen = set(only or ())
    planned = [Job(CLEAN, "clean")]
    planned += [Job(fault.name, "fault", faults=(fault.name,), requirements=() if fault.flow else fault.requirements,
                    fuzz=fault.fuzz, operations=fault.operations)
                for fault in FAULTS.values() if not chosen or fault.name in chosen]
    planned += [Job(variant.name, "variant", variants=(variant.name,), fuzz=False)
                for variant in VARIANTS.values() if not chosen or variant.name in chosen]
    if not chosen:
        planned.append(Job(ALL_VARIANTS, "variants", variants=tuple(VARIANTS)))
    return planned


def run_all(planned: list[Job], workers: int) -> tuple[list[Outcome], float]:
    """Every job, spread over ``workers`` processes; the outcomes in the order planned, and the wall time."""
    started = time.monotonic()
    shares: list[list[Job]] = [[] for _ in range(max(1, min(workers, len(planned))))]
    for job in sorted(planned, key=lambda j: -j.cost):  # longest first, each to the lightest share
        min(shares, key=lambda share: sum(j.cost for j in share)).append(job)
    with tempfile.TemporaryDirectory(prefix="reactor-proof-") as tmp:
        processes = []
        for number, share in enumerate(shares):
            plan, results = Path(tmp) / f"plan-{number}.json", Path(tmp) / f"results-{number}.jsonl"
            plan.write_text(json.dumps({"workdir": tmp, "jobs": [asdict(job) for job in share]}), "utf-8")
            log = (Path(tmp) / f"worker-{number}.log").open("w")
            processes.append((subprocess.Popen([sys.executable, "-m", __name__, str(plan), str(results)],
                                               stdout=log, stderr=subprocess.STDOUT), share, results, log))
        outcomes: dict[str, Outcome] = {}
        for process, share, results, log in processes:
            process.wait()
            log.close()
            for line in results.read_text("utf-8").splitlines() if results.is_file() else []:
                record = json.loads(line)
                outcomes[record["job"]["name"]] = Outcome(**{**record, "job": Job(**_tuples(record["job"]))})
            for job in share:
                outcomes.setdefault(job.name, Outcome(job, -1, 0.0, error="the worker running it stopped"))
    return [outcomes[job.name] for job in planned], time.monotonic() - started


def _tuples(job: dict) -> dict:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in job.items()}


def run_job(job: Job, workdir: Path) -> Outcome:
    """One run, in this process."""
    import pytest

    run_dir = Path(tempfile.mkdtemp(prefix=f"{job.kind}-", dir=workdir))
    started = time.monotonic()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        code = int(pytest.main(job.pytest_args(run_dir)))
    redact.SECRETS.forget()  # the next run's server issues new credentials; this run's reports are written
    seconds = time.monotonic() - started
    summary_file = run_dir / "summary.json"
    if not summary_file.is_file():
        return Outcome(job, code, seconds, error=f"no summary (pytest exit {code})")
    summary = json.loads(summary_file.read_text("utf-8"))
    failed = tuple(rid for rid, record in summary["requirements"].items()
                   if record["status"] == "failed" and record.get("checks", {}).get("failed"))
    watched = set(job.requirements) or set(failed)
    failures = [(nodeid.split("::", 1)[-1], test) for nodeid, test in summary["tests"].items()
                if test["outcome"] == "failed"]
    by_checks = [(name, test) for name, test in failures if test.get("checks", {}).get("failed")]
    failing = tuple(name for name, test in by_checks if watched & set(test["checks"]["failed"]))
    findings = tuple(map(_said, by_checks))  # of every check that failed, whichever requirement it judges
    broken = "" if failed or not summary["exit_code"] else "; ".join(map(_said, failures))  # by no check: which broke
    not_run = {rid: record["message"] for rid, record in summary["requirements"].items()
               if record["level"] == "MUST" and record.get("not_run_cause") == "target"}
    return Outcome(job, summary["exit_code"], seconds, failed, failing, findings, error=broken,
                   totals=summary["totals"], not_run=not_run)


def _said(failure: tuple[str, dict]) -> str:
    name, test = failure
    return f"{name}: {failure_gist(test.get('message') or '')}"


def failure_gist(message: str) -> str:
    """A failure message on one line: what was checked, expected and observed (a check's first three lines, never
    its exchange), or a broken test's first line."""
    lines = message.splitlines()
    head = lines[:3] if len(lines) > 1 and lines[1].lstrip().startswith("expected:") else lines[:1]
    return "; ".join(line.strip() for line in head)[:400]


def worker(plan_file: Path, results_file: Path) -> None:
    """Run the jobs of a plan in this process, one after the other, appending each outcome as a JSON line."""
    plan = json.loads(plan_file.read_text("utf-8"))
    for record in plan["jobs"]:
        job = Job(**_tuples(record))
        try:
            outcome = run_job(job, Path(plan["workdir"]))
        except Exception as error:  # noqa: BLE001 - one broken run must not hide the others' outcomes
            outcome = Outcome(job, -1, 0.0, error=f"{type(error).__name__}: {error}")
        with results_file.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(outcome)) + "\n")


if __name__ == "__main__":
    worker(Path(sys.argv[1]), Path(sys.argv[2]))

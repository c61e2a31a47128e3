"""``summary.json``: one record per requirement and per test, the stable result of a run.

Status rules, decided by each requirement's own checks (every check names the one requirement it checks):

- ``failed`` when one of its checks failed, or a test naming it broke (a crash is never a held check, whatever
  held elsewhere);
- ``passed`` when at least one of its checks ran and none failed, and no test naming it broke;
- ``not_run`` otherwise, with the reason and its cause (``NOT_RUN_CAUSES``): its tests were skipped, their
  preconditions were not met, or an earlier check of another requirement stopped them before its own checks
  were reached;
- INFO requirements are never failed or passed: ``info`` once a test naming them ran.

A run fails (exit 1) on a fatal failure, and on a MUST left not run by what the target did: only the profile
(a missing identity or fixture) and the person's own choices (``--requirement``, ``-k``, ``--no-fuzz``,
``--read-only``, a target without ``--allow-writes``) may leave a MUST not run in a green run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..checks.requirements import LEVELS

SCHEMA_VERSION = 1
STATUSES = ("passed", "failed", "not_run", "info")
# Why a requirement was not run: the target's doing (a refused or failed step of the flow, a check of another
# requirement that stopped the test, a target that stopped answering), the profile's (an identity or fixture
# it does not configure), or the person's selection (deselected, --no-fuzz, --read-only, writes not allowed).
NOT_RUN_CAUSES = ("target", "profile", "selection")
# Skip reasons that are the person's choice; every other skip is a profile that lacks something.
SELECTION_MARKS = ("--no-fuzz", "--read-only", "--allow-writes", "allow_writes", "deselected")


@dataclass(frozen=True)
class TestResult:
    """The outcome of one test, as the plugin collected it."""

    __test__ = False  # not a pytest test class

    outcome: str  # passed | failed | not_run
    requirements: tuple[str, ...]
    duration_s: float = 0.0
    message: str = ""
    reruns: int = 0
    observations: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    held: dict[str, int] = field(default_factory=dict)  # requirement → checks that held
    failed: dict[str, str] = field(default_factory=dict)  # requirement → the failed check's message
    stop: dict = field(default_factory=dict)  # what ended the test early: kind, message (and requirement)

    def touches(self, requirement: str) -> bool:
        return requirement in self.requirements or requirement in self.held or requirement in self.failed

    @property
    def broke(self) -> bool:
        """Failed outside any check (a crash): counted against the requirements it names but did not reach."""
        return self.stop.get("kind") == "crash"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_summary(*, run_id, started_at: datetime, finished_at: datetime, target: dict, level: str, fuzz: dict,
                  catalog, test_results: dict[str, TestResult], requests: dict[str, int] | None = None,
                  selective: bool = False) -> dict:
    """``selective``: the person chose some tests only (``-k``, ``--requirement``, test paths): a requirement whose
    tests ran to their end without judging it was left to the tests not chosen."""
    requirements = {}
    for requirement in catalog:
        tests = {nodeid: r for nodeid, r in test_results.items() if r.touches(requirement.id)}
        requirements[requirement.id] = _requirement_record(requirement, tests, selective)
    totals = {status: sum(1 for r in requirements.values() if r["status"] == status) for status in STATUSES}
    blocked = [{"requirement": rid, "reason": r["message"]} for rid, r in requirements.items()
               if r["level"] == "MUST" and r.get("not_run_cause") == "target"]
    summary = {
        "schema_version": SCHEMA_VERSION, "run_id": run_id,
        "started_at": _iso(started_at), "finished_at": _iso(finished_at),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "suite_version": __version__, "target": target, "level": level, "fuzz": fuzz,
        "exit_code": 0, "totals": totals, "judged": judged(requirements), "blocked": blocked,
        "requirements": requirements,
        "requests": {"sent": 0, "retried_429": 0, "retried_503": 0, **(requests or {})},
        "tests": {nodeid: {"outcome": r.outcome, "requirements": list(r.requirements),
                           "duration_s": r.duration_s, "message": r.message, "reruns": r.reruns,
                           "checks": {"held": dict(r.held), "failed": sorted(r.failed)}}
                  for nodeid, r in test_results.items()},
    }
    summary["exit_code"] = exit_code(summary)
    return summary


def _requirement_record(requirement, tests: dict[str, TestResult], selective: bool = False) -> dict:
    rid = requirement.id
    observations = [text for r in tests.values() for key, text in r.observations if key == rid]
    held = sum(r.held.get(rid, 0) for r in tests.values())
    failed_checks = {n: r.failed[rid] for n, r in tests.items() if rid in r.failed}
    broken = {n: r.stop["message"] for n, r in tests.items() if r.broke and rid in r.requirements
              and rid not in r.failed}
    cause = None
    if requirement.level == "INFO":
        ran = any(r.outcome != "not_run" for r in tests.values())
        status, message = ("info", "") if ran else ("not_run", "")
    elif failed_checks:
        status, message = "failed", next(iter(failed_checks.values()))
    elif broken:
        status, message = "failed", next(iter(broken.values()))
    elif held:
        status, message = "passed", ""
    else:
        status, message = "not_run", ""
    if status == "not_run":
        message, cause = _not_run_reason(tests, selective)
    record = {"level": requirement.level, "group": requirement.group, "title": requirement.title,
              "status": status, "tests": sorted(tests), "message": message, "observations": observations,
              "checks": {"held": held, "failed": len(failed_checks), "broken_tests": len(broken)}}
    return {**record, "not_run_cause": cause} if cause else record


def _not_run_reason(tests: dict[str, TestResult], selective: bool = False) -> tuple[str, str]:
    """Why no check ran, and whose doing that was (``NOT_RUN_CAUSES``): the target's first, since a step the
    target refused is what must not pass for a choice of the person's. Tests that ran to their end without a check
    of it leave it to the person's selection when there was one, else to the target's answers."""
    if not tests:
        return "no test: deselected", "selection"
    for nodeid, result in tests.items():
        if result.stop.get("kind") == "check":
            return (f"not reached: {nodeid.split('::')[-1]} stopped at a failed check of "
                    f"{result.stop['requirement']}"), "target"
    for result in tests.values():
        if result.stop.get("kind") in ("unmet", "crash"):
            return result.stop["message"], "target"
    reasons = [result.stop.get("message") or result.message for result in tests.values()]
    reason = next((text for text in reasons if text), "no check of it ran")
    if any(mark in reason for mark in SELECTION_MARKS):
        return reason, "selection"
    if any(r.stop.get("kind") == "skip" for r in tests.values()):
        return reason, "profile"
    return reason, "selection" if selective else "target"


def judged(requirements: dict[str, dict]) -> dict:
    """Per level, how much of the contract the run judged: ``{"MUST": {"total", "judged", "passed", "failed",
    "not_run": {cause: n}}}`` (INFO: judged when observed)."""
    counts = {}
    for level in LEVELS:
        records = [r for r in requirements.values() if r["level"] == level]
        not_run = [r for r in records if r["status"] == "not_run"]
        counts[level] = {"total": len(records), "judged": len(records) - len(not_run),
                         "passed": sum(r["status"] in ("passed", "info") for r in records),
                         "failed": sum(r["status"] == "failed" for r in records),
                         "not_run": {cause: sum(r.get("not_run_cause") == cause for r in not_run)
                                     for cause in NOT_RUN_CAUSES}}
    return counts


def judged_line(summary: dict) -> str:
    """``MUST judged 38/38 · passed 38`` (and failed, and not run by cause, when any)."""
    parts = []
    for level in ("MUST", "SHOULD"):
        counts = summary["judged"][level]
        text = f"{level} judged {counts['judged']}/{counts['total']} · passed {counts['passed']}"
        text += f" · failed {counts['failed']}" if counts["failed"] else ""
        text += "".join(f" · not run ({cause}) {n}" for cause, n in counts["not_run"].items() if n)
        parts.append(text)
    return " | ".join(parts)


def exit_code(summary: dict) -> int:
    """0 when no MUST failed and, unless the level is ``must``, no SHOULD failed, and no MUST was left not run by
    what the target did; else 1."""
    fatal = ("MUST",) if summary["level"] == "must" else ("MUST", "SHOULD")
    return int(any(r["status"] == "failed" and r["level"] in fatal for r in summary["requirements"].values())
               or bool(summary["blocked"]))


def load_summary(path: Path) -> dict:
    """A run's summary from its folder or its ``summary.json``."""
    path = Path(path)
    file = path / "summary.json" if path.is_dir() else path
    if not file.is_file():
        raise ValueError(f"{path} is neither a summary.json nor a run folder holding one")
    try:
        summary = json.loads(file.read_text("utf-8"))
    except ValueError:
        raise ValueError(f"{file} is not JSON") from None
    if not isinstance(summary, dict) or summary.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{file} is not a reactor-conformance summary (schema_version {SCHEMA_VERSION})")
    return summary

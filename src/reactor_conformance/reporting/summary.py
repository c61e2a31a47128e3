"""``summary.json``: one record per requirement and per test, the stable result of a run.

Status rules: a requirement is ``failed`` when any of its tests failed (INFO requirements never fail:
``info``), ``not_run`` when none of its tests ran (with the reason), else ``passed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import __version__

SCHEMA_VERSION = 1
STATUSES = ("passed", "failed", "not_run", "info")


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


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_summary(*, run_id, started_at: datetime, finished_at: datetime, target: dict, level: str, fuzz: dict,
                  catalog, test_results: dict[str, TestResult]) -> dict:
    requirements = {}
    for requirement in catalog:
        tests = {nodeid: r for nodeid, r in test_results.items() if requirement.id in r.requirements}
        requirements[requirement.id] = _requirement_record(requirement, tests)
    totals = {status: sum(1 for r in requirements.values() if r["status"] == status) for status in STATUSES}
    summary = {
        "schema_version": SCHEMA_VERSION, "run_id": run_id,
        "started_at": _iso(started_at), "finished_at": _iso(finished_at),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "suite_version": __version__, "target": target, "level": level, "fuzz": fuzz,
        "exit_code": 0, "totals": totals, "requirements": requirements,
        "tests": {nodeid: {"outcome": r.outcome, "requirements": list(r.requirements),
                           "duration_s": r.duration_s, "message": r.message, "reruns": r.reruns}
                  for nodeid, r in test_results.items()},
    }
    summary["exit_code"] = exit_code(summary)
    return summary


def _requirement_record(requirement, tests: dict[str, TestResult]) -> dict:
    ran = {n: r for n, r in tests.items() if r.outcome != "not_run"}
    failed = {n: r for n, r in ran.items() if r.outcome == "failed"}
    observations = [text for r in tests.values() for rid, text in r.observations if rid == requirement.id]
    if not tests:
        status, message = "not_run", "no test"
    elif not ran:
        status, message = "not_run", next(iter(tests.values())).message or "not run"
    elif requirement.level == "INFO":
        status, message = "info", ""
    elif failed:
        status, message = "failed", next(iter(failed.values())).message
    else:
        status, message = "passed", ""
    return {"level": requirement.level, "group": requirement.group, "title": requirement.title,
            "status": status, "tests": sorted(tests), "message": message, "observations": observations}


def exit_code(summary: dict) -> int:
    """0 when no MUST failed and, unless the level is ``must``, no SHOULD failed; else 1."""
    fatal = ("MUST",) if summary["level"] == "must" else ("MUST", "SHOULD")
    return int(any(r["status"] == "failed" and r["level"] in fatal for r in summary["requirements"].values()))


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


def write_summary(summary: dict, folder: Path) -> Path:
    path = Path(folder) / "summary.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path

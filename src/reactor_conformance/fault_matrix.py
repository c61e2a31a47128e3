"""The fault matrix: the suite run once clean and once per named defect of the reference server.

A conformance suite proves itself only by failing: each fault breaks one requirement, and the matrix
shows the suite reports exactly that requirement as failed — and passes against the clean server.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .refserver.faults import FAULTS, Fault

CLEAN = "(clean)"


@dataclass
class Outcome:
    fault: str
    breaks: tuple[str, ...]
    exit_code: int
    seconds: float
    failed_requirements: tuple[str, ...] = ()
    failing_tests: tuple[str, ...] = ()
    error: str = ""

    @property
    def detected(self) -> bool:
        """Caught under the requirement the fault is meant to break (the first it names), not merely somewhere."""
        return bool(self.breaks) and self.breaks[0] in self.failed_requirements

    @property
    def ok(self) -> bool:
        """Clean: passes. A fault: its requirement is reported failed."""
        return self.exit_code == 0 if self.fault == CLEAN else self.detected


def run_suite(fault: Fault | None, workdir: Path, fuzz: bool) -> Outcome:
    """One ``reactor-conformance run`` in a fresh process against the embedded server, with ``fault`` on."""
    name = fault.name if fault else CLEAN
    reports = workdir / (fault.name if fault else "clean")
    command = [sys.executable, "-m", "reactor_conformance.cli", "run", "--reports", str(reports), "-q",
               "--tb=no", "-o", "console_output_style=classic"]
    if fault:
        command += ["--fault", fault.name]
    if not (fuzz or (fault and fault.fuzz)):
        command.append("--no-fuzz")
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - started
    summaries = sorted(p for p in reports.glob("*/summary.json") if not p.parent.is_symlink())
    breaks = fault.requirements if fault else ()
    if not summaries:
        tail = (process.stderr or process.stdout).strip().splitlines()[-1:] or ["no output"]
        return Outcome(name, breaks, process.returncode, seconds, error=tail[0])
    summary = json.loads(summaries[-1].read_text("utf-8"))
    # Detected only by a failed check of the requirement: a test that broke outside its checks proves nothing.
    failed = tuple(rid for rid, r in summary["requirements"].items()
                   if r["status"] == "failed" and r.get("checks", {}).get("failed"))
    tests = tuple(nodeid.split("::", 1)[-1] for nodeid, t in summary["tests"].items()
                  if t["outcome"] == "failed" and set(t["requirements"]) & set(breaks))
    return Outcome(name, breaks, process.returncode, seconds, failed, tests)


def run_matrix(*, only: list[str], jobs: int, out: Path, fuzz: bool = False) -> int:
    unknown = [name for name in only if name not in FAULTS]
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; `reactor-conformance serve --list-faults` lists them")
    faults: list[Fault | None] = [None] + [f for f in FAULTS.values() if not only or f.name in only]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as tmp, ThreadPoolExecutor(max(1, jobs)) as pool:
        outcomes = list(pool.map(lambda f: run_suite(f, Path(tmp), fuzz), faults))
    elapsed = time.monotonic() - started
    markdown = matrix_markdown(outcomes, elapsed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown, "utf-8")
    out.with_suffix(".json").write_text(json.dumps([_record(o) for o in outcomes], indent=2), "utf-8")
    print(markdown)
    return 0 if all(o.ok for o in outcomes) else 1


def matrix_markdown(outcomes: list[Outcome], elapsed: float) -> str:
    faults = [o for o in outcomes if o.fault != CLEAN]
    clean = next((o for o in outcomes if o.fault == CLEAN), None)
    detected = [o for o in faults if o.detected]
    median = statistics.median(o.seconds for o in detected) if detected else 0.0
    lines = ["# Fault matrix", "",
             f"{len(faults)} faults, {len(detected)} detected, median time to detect {median:.1f} s; "
             f"clean run {'passed' if clean and clean.ok else 'FAILED'}; matrix took {elapsed:.0f} s.", "",
             "| fault | breaks | detected | by tests | time to detect |", "|---|---|---|---|---|"]
    for o in outcomes:
        if o.fault == CLEAN:
            verdict = "clean pass" if o.ok else f"clean run FAILED ({', '.join(o.failed_requirements) or o.error})"
            lines.append(f"| {CLEAN} | — | {verdict} | — | {o.seconds:.1f} s |")
            continue
        verdict = "✅ yes" if o.detected else "❌ NO" + (f" ({o.error})" if o.error else "")
        by = ", ".join(o.failing_tests[:3]) + (f" (+{len(o.failing_tests) - 3})" if len(o.failing_tests) > 3 else "")
        lines.append(f"| {o.fault} | {', '.join(o.breaks)} | {verdict} | {by or '—'} | {o.seconds:.1f} s |")
    return "\n".join(lines) + "\n"


def _record(o: Outcome) -> dict:
    return {"fault": o.fault, "breaks": list(o.breaks), "detected": o.detected, "ok": o.ok,
            "exit_code": o.exit_code, "seconds": round(o.seconds, 2),
            "failed_requirements": list(o.failed_requirements), "failing_tests": list(o.failing_tests),
            "error": o.error}

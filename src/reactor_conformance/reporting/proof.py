"""The proof of the suite as people read it: the fault table and the variant table, as Markdown and JSON.

Fault table: every named defect of the reference server, the requirement it breaks, and whether a check of
that requirement failed. Variant table: every legal variation, alone and all at once, and whether the suite
passed it with no requirement failed.
"""

from __future__ import annotations

import statistics
from typing import Any

Outcome = Any  # harness.proof.Outcome: read by its members (job, failed, ok …), so that this room imports none back


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _tests(outcome: Outcome) -> str:
    shown = ", ".join(outcome.failing_tests[:2])
    more = len(outcome.failing_tests) - 2
    return _cell(shown + (f" (+{more})" if more > 0 else "")) or "—"


def proof_markdown(outcomes: list[Outcome], elapsed: float) -> str:
    faults = [o for o in outcomes if o.job.kind == "fault"]
    variants = [o for o in outcomes if o.job.kind in ("variant", "variants")]
    clean = next((o for o in outcomes if o.job.kind == "clean"), None)
    detected = [o for o in faults if o.ok]  # detected, and nothing left not run that the fault does not explain
    passed = [o for o in variants if o.ok]
    median = statistics.median(o.seconds for o in detected) if detected else 0.0
    lines = ["# Proof of the suite", "",
             f"{len(faults)} faults, {len(detected)} detected by a check of every requirement they break; "
             f"{len(variants)} variant runs, {len(passed)} passed with no requirement failed; clean run "
             f"{'passed' if clean is not None and clean.ok else 'FAILED'}. Median time to detect a fault "
             f"{median:.1f} s; everything took {elapsed:.0f} s.", "",
             "## Faults: each must fail every requirement it breaks, and leave not run only what depends on it", "",
             "A flow fault breaks a step the suite's own flow relies on; its run is the whole suite (no fuzzing). "
             "*MUST not run*: MUST requirements the fault's run left not run because of the target.", "",
             "| fault | breaks | detected | MUST not run | failed checks in | seconds |", "|---|---|---|---|---|---|"]
    for o in faults:
        verdict = "✅ yes" if o.ok else "❌ NO" + (f" ({_cell(o.error)})" if o.error else
                                                 f" (failed: {', '.join(o.failed) or 'nothing'}; exit {o.exit_code})"
                                                 if not o.detected else
                                                 f" (not run, unexplained: {', '.join(o.unexplained)})")
        flow = " (flow)" if o.job.kind == "fault" and not o.job.requirements else ""
        lines.append(f"| {o.job.name}{flow} | {', '.join(o.breaks)} | {verdict} | {len(o.not_run)} | {_tests(o)} | "
                     f"{o.seconds:.1f} |")
    lines += ["", "## Legal variations: each must pass, alone and all at once", "",
              "| variant | passed | failed requirements | seconds |", "|---|---|---|---|"]
    for o in ([clean] if clean is not None else []) + variants:
        why = o.error or next(iter(o.findings), "")
        verdict = "✅ yes" if o.ok else "❌ NO" + (f" ({_cell(why)})" if why else "")
        lines.append(f"| {o.job.name} | {verdict} | {', '.join(o.failed) or '—'} | {o.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def proof_json(outcomes: list[Outcome], elapsed: float) -> dict:
    def record(o: Outcome) -> dict:
        return {"name": o.job.name, "kind": o.job.kind, "breaks": list(o.breaks), "detected": o.detected,
                "ok": o.ok, "exit_code": o.exit_code, "seconds": round(o.seconds, 2), "failed_requirements":
                list(o.failed), "failing_tests": list(o.failing_tests), "findings": list(o.findings), "error": o.error,
                "must_not_run": o.not_run, "unexplained_not_run": o.unexplained if o.job.kind == "fault" else {}}

    return {"seconds": round(elapsed, 1), "ok": all(o.ok for o in outcomes), "runs": [record(o) for o in outcomes]}

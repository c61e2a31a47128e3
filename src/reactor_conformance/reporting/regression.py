"""Night against night: which requirements and tests newly fail, were fixed, still fail, or are flaky.

Works on two summaries (``summary.json`` or run folders). The exit code is non-zero only for the
classes named in ``fail_on`` — by default, new failures and requirements that passed before and are not run now —
so a nightly job pages on regressions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .matrix import target_name

CLASSES = ("new_failure", "no_longer_run", "fixed", "still_failing", "flaky", "new", "removed", "not_run",
           "still_passing")
HEADINGS = {
    "new_failure": "New failures", "no_longer_run": "Passed before, not run now", "fixed": "Fixed",
    "still_failing": "Still failing", "flaky": "Flaky", "new": "New", "removed": "Removed", "not_run": "Not run now",
    "still_passing": "Still passing",
}
# What fails the report unless --fail-on says otherwise: a new failure, and a requirement that passed before and is
# not run now (a target that broke a step of the flow tests less tonight, and that must not read as green).
DEFAULT_FAIL_ON = ("new_failure", "no_longer_run")


def classify(before: str | None, now: str | None, flaky: bool = False) -> str:
    """One item's class from its status before and now (``None``: absent from that run)."""
    if now is None:
        return "removed"
    if flaky and now == "passed":
        return "flaky"
    if before is None:
        return "new_failure" if now == "failed" else "new"
    if now == "not_run":
        return "no_longer_run" if before == "passed" else "not_run"
    if now == "failed":
        return "still_failing" if before == "failed" else "new_failure"
    if before == "failed":
        return "fixed"
    return "still_passing"


@dataclass
class Regression:
    baseline: dict
    current: dict
    requirements: dict[str, list[str]] = field(default_factory=dict)
    tests: dict[str, list[str]] = field(default_factory=dict)
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON

    @property
    def exit_code(self) -> int:
        return int(any(self.requirements.get(c) or self.tests.get(c) for c in self.fail_on))

    def to_json(self) -> dict:
        return {"baseline": _run(self.baseline), "current": _run(self.current), "fail_on": list(self.fail_on),
                "exit_code": self.exit_code, "requirements": self.requirements, "tests": self.tests}

    def markdown(self) -> str:
        counts = " · ".join(f"{len(self.requirements[c])} {HEADINGS[c].lower()}" for c in CLASSES
                            if self.requirements[c])
        lines = [f"# Regressions of {target_name(self.current)}", "",
                 f"`{self.baseline['run_id']}` → `{self.current['run_id']}`: {counts or 'no requirements'}", ""]
        records = self.current["requirements"]
        for cls in CLASSES[:-1]:
            if not self.requirements[cls]:
                continue
            lines += [f"## {HEADINGS[cls]}", "", "| ID | level | detail |", "|---|---|---|"]
            for rid in self.requirements[cls]:
                record = records.get(rid) or self.baseline["requirements"].get(rid, {})
                detail = (record.get("message") or "").splitlines()[:1]
                lines.append(f"| {rid} | {record.get('level', '')} | {_cell(detail[0] if detail else '')} |")
            lines.append("")
        failing_tests = self.tests["new_failure"]
        if failing_tests:
            lines += ["## Newly failing tests", ""] + [f"- `{nodeid}`" for nodeid in failing_tests] + [""]
        return "\n".join(lines)


def compare_runs(baseline: dict, current: dict, *, fail_on=DEFAULT_FAIL_ON) -> Regression:
    unknown = [c for c in fail_on if c not in CLASSES]
    if unknown:
        raise ValueError(f"unknown class {unknown[0]!r} in --fail-on; classes: {', '.join(CLASSES)}")
    regression = Regression(baseline, current, {c: [] for c in CLASSES}, {c: [] for c in CLASSES}, tuple(fail_on))
    flaky_tests = {n for n, t in current["tests"].items() if t.get("reruns") and t["outcome"] == "passed"}
    for rid in dict.fromkeys([*baseline["requirements"], *current["requirements"]]):
        before = baseline["requirements"].get(rid, {}).get("status")
        now = current["requirements"].get(rid, {}).get("status")
        flaky = bool(set(current["requirements"].get(rid, {}).get("tests", ())) & flaky_tests)
        regression.requirements[classify(before, now, flaky)].append(rid)
    for nodeid in dict.fromkeys([*baseline["tests"], *current["tests"]]):
        before = (baseline["tests"].get(nodeid) or {}).get("outcome")
        now = (current["tests"].get(nodeid) or {}).get("outcome")
        regression.tests[classify(before, now, nodeid in flaky_tests)].append(nodeid)
    return regression


def _run(summary: dict) -> dict:
    return {"run_id": summary["run_id"], "target": summary["target"]["base_url"]}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")

"""Allure results: each test labelled with its requirements; a test that did not pass has each HTTP exchange and
its curl repro attached, a passing one a summary of them.

Everything attached passes through ``redact`` first. The HTML report needs Allure's command-line tool;
without it every other report still works.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import allure

from ..client import redact
from .matrix import failure_sentence, request_line

EPIC = "Reactor extension package usage authorizations"


def label_verdicts(known: dict, named: tuple[str, ...], verdicts, target: str) -> None:
    """Label a finished test by what its checks decided, so that Allure's behaviours group it under the
    requirements it really judged: a story per requirement whose checks ran (held or failed), the named ones
    never reached only as ``not_reached`` labels."""
    judged = [*verdicts.failed, *(rid for rid in verdicts.held if rid not in verdicts.failed)]
    stories = judged or list(named)
    allure.dynamic.epic(EPIC)
    for rid in stories:
        requirement = known.get(rid)
        if requirement is None:
            continue
        allure.dynamic.feature(requirement.section)
        allure.dynamic.story(f"{requirement.id} {requirement.title}")
        allure.dynamic.tag(requirement.level)
        allure.dynamic.label("requirement", requirement.id)
    for rid in named:
        if judged and rid not in judged:
            allure.dynamic.label("not_reached", rid)
    allure.dynamic.label("target", target)


def record_test(named: tuple[str, ...], verdicts, exchanges: list, in_full: bool) -> None:
    """What a finished test gets beside its status. A test that did not pass: each exchange attached in full (request,
    answer, curl line) and its verdicts as text. A passing one: a summary, as steps of its result — one line per
    verdict and per exchange, no attachment file (a run's Allure results stay small enough to keep)."""
    lines = _verdict_lines(named, verdicts)
    if in_full:
        for exchange in exchanges:
            attach_exchange(exchange)
        allure.attach("\n".join(lines), name="verdicts per requirement", attachment_type=allure.attachment_type.TEXT)
        return
    for line in [*lines, *(_summary(exchange) for exchange in exchanges)]:
        with allure.step(line):
            pass


def _verdict_lines(named: tuple[str, ...], verdicts) -> list[str]:
    lines = [f"{rid}: failed" for rid in verdicts.failed]
    lines += [f"{rid}: held ({count} checks)" for rid, count in verdicts.held.items() if rid not in verdicts.failed]
    lines += [f"{rid}: not reached" for rid in named if rid not in verdicts.failed and rid not in verdicts.held]
    return lines


def _summary(exchange) -> str:
    """``GET /extension_packages/EP… as owner → 200 in 3 ms``."""
    return (f"{request_line(exchange.method, exchange.url)} as {exchange.identity} → {exchange.status} in "
            f"{exchange.elapsed_ms:.0f} ms")


def attach_exchange(exchange) -> None:
    """One attachment per exchange: the request and its answer, then the curl line that reproduces it."""
    name = f"{exchange.method} {exchange.url.split('?')[0].rsplit('/', 2)[-2:][-1]} → {exchange.status}"
    text = (redact.redact(exchange.describe()) + "\n\nreproduce:\n"
            + redact.redact(exchange.curl(), placeholders=True))
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def keep_what_tells(results_dir: Path) -> int:
    """Delete the fixture containers that tell nothing (allure-pytest writes one per fixture and test: most of a
    run's files): every set-up and tear-down in them passed and attached nothing. Those of a fixture that broke
    stay. Returns how many were deleted."""
    deleted = 0
    for path in results_dir.glob("*-container.json"):
        try:
            container = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        steps = [*container.get("befores", ()), *container.get("afters", ())]
        if all(step.get("status", "passed") == "passed" and not step.get("attachments") for step in steps):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


_CLASS_PREFIX = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*: ")


def readable_status_details(results_dir: Path) -> None:
    """Allure takes a failure's message from the exception (``module.ClassName: …``); put the suite's own sentence
    there instead — a failed check's request, expected and observed in one line (the whole story stays in the
    trace), a break's readable text — and strip class names from every other status message (skips, fixtures)."""
    for path in [*results_dir.glob("*-result.json"), *results_dir.glob("*-container.json")]:
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if _rewrite(document):
            path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")


def _rewrite(node) -> bool:
    changed = False
    if isinstance(node, dict):
        details = node.get("statusDetails")
        if isinstance(details, dict) and isinstance(details.get("message"), str):
            trace = details.get("trace") if isinstance(details.get("trace"), str) else ""
            readable = trace.split("\n  exchange:")[0].strip() if trace.startswith("the test broke") else ""
            message = readable or failure_sentence(_CLASS_PREFIX.sub("", details["message"], count=1))
            if message != details["message"]:
                details["message"], changed = message, True
        for value in node.values():
            changed = _rewrite(value) or changed
    elif isinstance(node, list):
        for value in node:
            changed = _rewrite(value) or changed
    return changed


def write_environment(results_dir: Path, values: dict) -> None:
    """``environment.properties``: what the run was aimed at, shown on the report's front page."""
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={redact.redact(str(value))}" for key, value in values.items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", "utf-8")


def generate_html(results_dir: Path, report_dir: Path, history_from: Path | None = None) -> Path:
    """Run ``allure generate``; the previous report's history is carried over so trends show."""
    tool = shutil.which("allure")
    if tool is None:
        raise RuntimeError("the Allure command-line tool is not on PATH: install it with "
                           "`npm install -g allure-commandline` (needs Java 8+), see the README")
    if history_from is not None and (history_from / "history").is_dir():
        shutil.copytree(history_from / "history", results_dir / "history", dirs_exist_ok=True)
    completed = subprocess.run([tool, "generate", str(results_dir), "-o", str(report_dir), "--clean"],
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"allure generate failed: {(completed.stderr or completed.stdout).strip()[:300]}")
    return report_dir / "index.html"

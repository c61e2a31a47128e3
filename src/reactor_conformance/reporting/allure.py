"""Allure results: each test labelled with its requirements, each HTTP exchange and its curl repro attached.

Everything attached passes through ``redact`` first. The HTML report needs Allure's command-line tool;
without it every other report still works.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import allure

from .. import redact

EPIC = "Reactor extension package usage authorizations"


def apply_labels(requirements, target: str, identity: str | None = None) -> None:
    """Epic / feature (group) / story (requirement) / tag (level) labels, and the target as a parameter-free label."""
    allure.dynamic.epic(EPIC)
    for requirement in requirements:
        allure.dynamic.feature(requirement.section)
        allure.dynamic.story(f"{requirement.id} {requirement.title}")
        allure.dynamic.tag(requirement.level)
        allure.dynamic.label("requirement", requirement.id)
    allure.dynamic.label("target", target)
    if identity:
        allure.dynamic.label("identity", identity)


def attach_exchange(exchange) -> None:
    name = f"{exchange.method} {exchange.url.split('?')[0].rsplit('/', 2)[-2:][-1]} → {exchange.status}"
    allure.attach(redact.redact(exchange.describe()), name=name, attachment_type=allure.attachment_type.TEXT)
    allure.attach(redact.redact(exchange.curl(), placeholders=True), name="curl repro",
                  attachment_type=allure.attachment_type.TEXT)


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

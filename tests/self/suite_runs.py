"""Running the whole tool as a person would (``reactor-conformance …`` in a fresh process), for the self-tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str
    run_dir: Path | None

    @property
    def summary(self) -> dict:
        assert self.run_dir is not None, f"no run folder; stderr: {self.stderr[-2000:]}"
        return json.loads((self.run_dir / "summary.json").read_text("utf-8"))

    def failed_requirements(self) -> set[str]:
        return {rid for rid, r in self.summary["requirements"].items() if r["status"] == "failed"}


HANG_GUARD_S = 3600  # a guard against a hung process only: a slow, busy machine must never trip it
REQUEST_HANG_GUARD_S = 300  # the same for one HTTP request to a server on loopback


def tool(*args: str, reports: Path | None = None, env: dict | None = None, workers: str | None = "0") -> Completed:
    """``reactor-conformance ARGS`` (``--reports`` added for ``run``); returns exit code, output, run folder.

    A run gets ``-n workers`` (serial by default: the self-tests already keep every CPU busy; ``None`` leaves
    the tool's own choice). A process still running after ``HANG_GUARD_S`` is reported as hung, never as slow."""
    command = [sys.executable, "-m", "reactor_conformance.cli", *args]
    if args and args[0] == "run" and reports is not None:
        command += ["--reports", str(reports)]
    if args and args[0] == "run" and workers is not None:
        command += ["-n", workers]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REACTOR_")}
    environment.update(env or {})
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD_S, env=environment)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"hung: `reactor-conformance {' '.join(args)}` gave no result in {HANG_GUARD_S} s") from None
    run_dir = None
    if reports is not None and reports.is_dir():
        runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())
        run_dir = runs[-1] if runs else None
    return Completed(process.returncode, process.stdout, process.stderr, run_dir)

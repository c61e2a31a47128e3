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


def tool(*args: str, reports: Path | None = None, env: dict | None = None, timeout: float = 300) -> Completed:
    """``reactor-conformance ARGS`` (``--reports`` added for ``run``); returns exit code, output, run folder."""
    command = [sys.executable, "-m", "reactor_conformance.cli", *args]
    if args and args[0] == "run" and reports is not None:
        command += ["--reports", str(reports)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REACTOR_")}
    environment.update(env or {})
    process = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)
    run_dir = None
    if reports is not None and reports.is_dir():
        runs = sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())
        run_dir = runs[-1] if runs else None
    return Completed(process.returncode, process.stdout, process.stderr, run_dir)

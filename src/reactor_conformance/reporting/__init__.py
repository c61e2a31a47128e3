"""Every report the tool writes, registered by kind: a new format is one module that renders it, and one line here.

A kind is a tuple of ``Report``: a file name (``{stem}`` is the output's stem where the person names it) and a
function from the kind's data to the file's text. ``write`` renders them all into a folder.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .matrix import compare_json, compare_markdown, conformance_markdown
from .proof import proof_json, proof_markdown


def _as_json(to_data: Callable) -> Callable[..., str]:
    return lambda *data: json.dumps(to_data(*data), indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Report:
    file: str
    render: Callable[..., str]


RUN = (Report("summary.json", _as_json(lambda summary: summary)), Report("conformance.md", conformance_markdown))
COMPARISON = (Report("comparison.md", compare_markdown), Report("comparison.json", _as_json(compare_json)))
REGRESSION = (Report("regression.md", lambda regression: regression.markdown()),
              Report("regression.json", _as_json(lambda regression: regression.to_json())))
PROOF = (Report("{stem}.md", proof_markdown), Report("{stem}.json", _as_json(proof_json)))


def write(kind: tuple[Report, ...], folder: Path, *data, stem: str = "") -> list[Path]:
    """Render every report of ``kind`` from ``data`` into ``folder``; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for report in kind:
        path = folder / report.file.format(stem=stem)
        path.write_text(report.render(*data), "utf-8")
        written.append(path)
    return written


def point_latest(run_dir: Path) -> None:
    """``<reports>/latest`` names the newest run, for CI steps and people alike.

    Runs may finish side by side into one reports folder (the proof's workers do, and so may a nightly job's
    targets): the link is replaced in one step and nothing is ever copied through it, so one run's files never
    land in another run's folder.
    """
    latest, staged = run_dir.parent / "latest", run_dir.parent / f".latest-{run_dir.name}"
    staged.unlink(missing_ok=True)
    try:
        staged.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:  # no symbolic links here: a copy
        shutil.rmtree(latest, ignore_errors=True)
        shutil.copytree(run_dir, latest, dirs_exist_ok=True)
        return
    if latest.is_dir() and not latest.is_symlink():  # a copy an earlier run left
        shutil.rmtree(latest, ignore_errors=True)
    os.replace(staged, latest)  # a reader sees the previous run or this one, never none

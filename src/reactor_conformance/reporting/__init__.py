"""Every report the tool writes, registered by kind: a new format is one module that renders it, and one line here.

A kind is a tuple of ``Report``: a file name (``{stem}`` is the output's stem where the person names it) and a
function from the kind's data to the file's text. ``write`` renders them all into a folder.
"""

from __future__ import annotations

import json
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

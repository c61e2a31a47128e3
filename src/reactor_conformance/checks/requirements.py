"""The requirement catalog: IDs, levels and sources of everything the suite checks.

The catalog is data (``requirements.toml``, shipped with the package) so that the
CLI, the reports and the self-tests read one source of truth.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

LEVELS = ("MUST", "SHOULD", "INFO")
# A run's --level names the lowest level whose failures fail it: the levels above INFO, in lower case.
RUN_LEVELS = tuple(level.lower() for level in LEVELS[:2])


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    group: str
    section: str
    title: str
    source: str


@cache
def catalog() -> dict[str, Requirement]:
    """Every requirement by ID, in the catalog's order."""
    text = resources.files("reactor_conformance.checks").joinpath("requirements.toml").read_text("utf-8")
    return {rid: Requirement(id=rid, **fields) for rid, fields in tomllib.loads(text).items()}


def unknown_ids(ids) -> list[str]:
    known = catalog()
    return [rid for rid in ids if rid not in known]

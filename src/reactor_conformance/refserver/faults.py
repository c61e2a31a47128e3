"""The catalogue of named defects the reference server can be started with.

A conformance suite proves itself only by failing: each fault is one realistic defect (what a
hand-made mock or a staging regression would do) that breaks one requirement. The server code checks
``if "<name>" in faults`` at the one place where the defect lives, and behaves exactly as specified
when the fault is off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Mapping

ENVIRONMENT_VARIABLE = "REACTOR_REFSERVER_FAULTS"


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    requirements: tuple[str, ...]  # the first one is the requirement the fault is meant to break
    fuzz: bool = False  # only the schemathesis phase can see it


FAULTS: dict[str, Fault] = {fault.name: fault for fault in (
    Fault("owner-can-approve",
          "owner-org users may approve or reject their own grant", ("STATE-03",)),
    Fault("delete-leaves-listed",
          "DELETE answers 204 but the authorization stays readable and listed", ("REVOKE-02",)),
    Fault("plain-text-errors",
          "error responses are plain text (`Not Found`), not JSON:API error documents", ("SHAPE-08",)),
)}


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """The set of fault names, or ValueError naming the unknown ones and the known ones."""
    chosen = frozenset(name.strip() for name in names if name.strip())
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known faults: {', '.join(FAULTS)}")
    return chosen


def faults_from_environment(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """Faults named in ``REACTOR_REFSERVER_FAULTS`` ("a,b"), validated like ``parse_faults``."""
    return parse_faults(environ.get(ENVIRONMENT_VARIABLE, "").split(","))

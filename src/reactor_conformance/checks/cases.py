"""Tables of cases as data: ``cases/<name>.json`` beside the suite, checked against ``schemas/cases.json``.

The suite and the reference server's self-tests run the same files, each judging what it should: the suite a
case's requirement on any target (a 4xx, nothing changed), the self-test the reference server's exact answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from ..shapes import errors as schema_errors
from . import api


@dataclass(frozen=True)
class Case:
    description: str
    reference: dict
    requirement: str | None = None
    body: object = None
    raw: str | bytes | None = None  # bytes: only for a case written in code (a file holds text)
    content_type: str | None = None
    decided: str | None = None

    def request(self, **values) -> dict:
        """The client's keywords for this case (``json`` or ``raw_body``, and ``headers``), ``{name}`` placeholders
        filled from ``values``."""
        keywords: dict = {}
        if isinstance(self.raw, bytes):
            keywords["raw_body"] = self.raw
        elif self.raw is not None:
            keywords["raw_body"] = api.substitute(self.raw, **values)
        else:
            keywords["raw_body"] = json.dumps(api.substitute(self.body, **values))
        if self.content_type is not None:
            keywords["headers"] = {"Content-Type": self.content_type}
        return keywords


def load(name: str, requirement: str | None = None) -> list[Case]:
    """The cases of ``cases/<name>.json`` (only those judged under ``requirement`` when it is given)."""
    document = json.loads(resources.files("reactor_conformance.suite").joinpath("cases", f"{name}.json")
                          .read_text("utf-8"))
    problems = schema_errors("cases", document)
    if problems:
        raise ValueError(f"cases/{name}.json: {problems[0]}")
    cases = [Case(**record) for record in document["cases"]]
    return [case for case in cases if requirement is None or case.requirement == requirement]


def ids(cases: list[Case]) -> list[str]:
    return [case.description for case in cases]

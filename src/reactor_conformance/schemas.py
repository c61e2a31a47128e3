"""The project's JSON Schemas (``schemas/``), loaded once with a registry so cross-file ``$ref``s resolve.

One source of truth for shapes: the OpenAPI spec references these files, the suite validates bodies
with them, and the reference server's answers are tested against them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text("utf-8"))
        resources.append((path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator of ``schemas/<name>.json``."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(name: str, instance) -> list[str]:
    """Human-readable problems of ``instance`` against ``schemas/<name>.json``; empty when valid."""
    problems = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in problems]

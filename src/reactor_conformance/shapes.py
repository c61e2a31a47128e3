"""Validation against the project's JSON Schemas (``schemas/``), loaded once into one registry so that cross-file ``$ref``s

One source of truth for shapes: the OpenAPI spec references these files, the suite validates bodies with
them, and the reference server's answers are tested against them. Each file's ``$id`` is its file name,
so ``"$ref": "common.json#/$defs/timestamp"`` resolves here exactly as it does next to the spec.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .contract import SCHEMAS  # re-exported: where the schemas are


@cache
def registry() -> Registry:
    """Every ``schemas/*.json``, under its file name."""
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text("utf-8")),
                                                    default_specification=DRAFT202012))
                 for path in sorted(SCHEMAS.glob("*.json"))]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator of ``schemas/<name>.json``: ``"authorization"``, ``"error.json"``, or a part of a file such as
    ``"ids#/$defs/authorization_id"``. Formats (``date-time``) are checked."""
    file, _, fragment = name.partition("#")
    file = file if file.endswith(".json") else f"{file}.json"
    if file not in registry():
        raise ValueError(f"no schema {file} in {SCHEMAS}")
    schema = {"$ref": f"{file}#{fragment}"} if fragment else registry().contents(file)
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(name: str, instance) -> list[str]:
    """What is wrong with ``instance`` against ``schemas/<name>.json``, one sentence per problem, each led by
    the JSON pointer of the member at fault; empty when it is valid."""
    problems = sorted(validator(name).iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {_as_json(e)}" for e in problems]


INSTANCE_SHOWN = 80  # characters of the offending value a sentence keeps
_PYTHON_STRING = re.compile(r"'(?:[^'\\]|\\.)*'")


def _as_json(error) -> str:
    """jsonschema's sentence with the values in it as JSON, as the target sent them (``[{"id": ""}] is not of type
    "object"``), never as Python reprs (``[{'id': ''}] is not of type 'object'``)."""
    text, shown = error.message, repr(error.instance)
    lead = ""
    if text.startswith(shown):
        lead = json.dumps(error.instance, ensure_ascii=False, default=str)
        lead = lead if len(lead) <= INSTANCE_SHOWN else lead[:INSTANCE_SHOWN] + "…"
        text = text[len(shown):]
    return lead + _PYTHON_STRING.sub(lambda m: json.dumps(ast.literal_eval(m.group(0)), ensure_ascii=False), text)

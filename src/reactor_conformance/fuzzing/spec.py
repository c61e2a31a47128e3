"""``openapi/reactor.yaml`` with the project's schemathesis settings (``openapi/schemathesis.toml``)."""

from __future__ import annotations

import gc

import schemathesis

from ..contract import SCHEMATHESIS_SETTINGS, SPEC
from . import own_checks  # noqa: F401 - importing it registers the project's checks
from .internals import remember_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "QUERY"})


def load():
    """The spec with the project's settings. What exists after it — modules, the spec and its resolved schemas — lives
    as long as the process: out of the garbage collector's sight, the full collections that drawing cases sets off go
    through only what the run creates."""
    config = schemathesis.Config.from_path(SCHEMATHESIS_SETTINGS)
    schema = schemathesis.openapi.from_path(SPEC, config=config)
    remember_settings(schema.config)
    gc.freeze()
    return schema


def operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", operation.label)


def operations(schema) -> dict:
    """The spec's operations by operation ID."""
    return {operation_id(result.ok()): result.ok() for result in schema.get_all_operations()}

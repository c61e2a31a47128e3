"""What fuzzing works out once per process and keeps for the run: one ``FuzzingState``, made by the suite's
``fuzzing`` fixture and handed to whatever needs it — nothing of it lives in a module."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from . import spec


class _Validations(threading.local):
    """Where schemathesis's ``after_validate`` hook leaves the outcome of each check of the validation under way
    (per thread: the hook runs in the thread that validates)."""

    results: list | None = None


@dataclass
class FuzzingState:
    """The spec aimed at this run's target, and what is worked out once from it (each member says what for)."""

    schema: object = field(default_factory=spec.load)
    aim: object | None = None  # ``sending.Aim``: the run's target, session and pace (``sending.aim``)
    checks: dict = field(default_factory=dict)  # requirement → the checks that serve it (``judging.checks_for``)
    auth_enforced: set = field(default_factory=set)  # operations shown to refuse missing credentials (ignored_auth)
    drawn: dict = field(default_factory=dict)  # what Hypothesis drew, by operation, mode and fixed names
    covered: dict = field(default_factory=dict)  # the coverage cases, by operation and fixed names
    validations: _Validations = field(default_factory=_Validations)
    operations: dict = field(init=False)  # the spec's operations by operation ID

    def __post_init__(self):
        self.operations = spec.operations(self.schema)
        validations = self.validations

        @self.schema.hook("after_validate")
        def keep_results(context, case, response, results) -> None:
            if validations.results is not None:
                validations.results.extend(results)

"""What a search sends: the settings of Hypothesis, schemathesis's deterministic coverage cases, and the cases
Hypothesis draws — each made once per run for a set of fixed names (``FuzzingState``), and handed out as copies
with the caller's values."""

from __future__ import annotations

import copy
from typing import Callable

import hypothesis
from schemathesis import Case, GenerationMode

from ..checks import crashes
from ..client import redact
from .internals import ParameterLocation, coverage_generator
from .spec import SAFE_METHODS, operation_id


class FuzzingError(RuntimeError):
    """The search itself broke, not the target."""


class StillFails(AssertionError):
    """Raised while shrinking: this smaller request still fails the requirement searched for."""


def settings_for(run, *, shrink: bool, examples: int | None = None, **overrides) -> hypothesis.settings:
    """``examples`` (default: the run's budget), no Hypothesis database, and shrinking only where asked (never in
    nightly runs)."""
    phases = [hypothesis.Phase.generate] + ([hypothesis.Phase.shrink] if shrink and not run.nightly else [])
    return hypothesis.settings(max_examples=examples or run.fuzz_examples, database=None, deadline=None,
                               phases=phases, report_multiple_bugs=False,
                               suppress_health_check=list(hypothesis.HealthCheck),
                               print_blob=False, verbosity=hypothesis.Verbosity.quiet, **overrides)


def drawn_budget(run, mode: GenerationMode) -> int:
    """How many requests of ``mode`` a search draws: ``--fuzz-examples`` counts the drawn requests of an operation
    and caller as ``st run --max-examples`` counts an operation's, valid and invalid together — half each, at
    least one of each."""
    half = run.fuzz_examples // 2
    return max(1, run.fuzz_examples - half if mode is GenerationMode.POSITIVE else half)


def strategy(operation, mode: GenerationMode, path_parameters: dict, headers: dict):
    return operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None,
                                 headers=headers or None)


def given(strategy, probe: Callable, settings: hypothesis.settings, seed: int) -> None:
    """Run ``probe`` on each case Hypothesis draws from ``strategy``. An unexpected error comes out as a
    ``FuzzingError`` with a redacted text and without Hypothesis's notes, which print the generated case —
    credentials included."""

    @hypothesis.seed(seed)
    @settings
    @hypothesis.given(case=strategy)
    def search(case):
        probe(case)

    try:
        search()
    except (StillFails, hypothesis.errors.Unsatisfiable):
        raise
    except Exception as error:  # noqa: BLE001 - re-raised, redacted
        raise FuzzingError(redact.redact(f"the generated search broke: {crashes.describe(error)}")) from None


def drawn_cases(state, operation, mode: GenerationMode, path_parameters: dict, headers: dict, run) -> list:
    """The cases Hypothesis draws from ``operation``'s ``mode`` strategy with the run's seed and the mode's budget
    (``drawn_budget``): drawn once per run for a set of fixed path parameters and headers, and handed out as
    copies with the caller's values.

    Fixed values are constants of the strategy that draw nothing, so every caller's search draws the same cases but
    for them: two identities fuzzing one operation get the very requests a search of their own would have drawn,
    for the price of one search. ``Unsatisfiable`` when no case of the mode can be drawn."""
    key = (operation_id(operation), mode.value, tuple(sorted(path_parameters)), tuple(sorted(headers)),
           run.fuzz_seed, run.fuzz_examples)
    if key not in state.drawn:
        cases: list = []
        try:
            given(strategy(operation, mode, path_parameters, headers), cases.append,
                  settings_for(run, shrink=False, examples=drawn_budget(run, mode)), run.fuzz_seed)
        except hypothesis.errors.Unsatisfiable:
            state.drawn[key] = None
            raise
        state.drawn[key] = cases
    if state.drawn[key] is None:
        raise hypothesis.errors.Unsatisfiable(f"{operation.label}: no {mode.value} case can be drawn")
    return [with_values(case, path_parameters, headers) for case in state.drawn[key]]


def with_values(case: Case, path_parameters: dict, headers: dict) -> Case:
    """A copy of a generated case (schemathesis's ``Case``, its metadata copied too), with ``path_parameters`` and
    ``headers`` as its fixed values. Set as attributes, so that schemathesis revalidates what changed before the
    case is sent, as it does after a hook's edit."""
    clone = Case(case.operation, case.method, case.path, path_parameters=copy.deepcopy(case.path_parameters),
                 headers=copy.deepcopy(case.headers), cookies=copy.deepcopy(case.cookies),
                 query=copy.deepcopy(case.query), body=copy.deepcopy(case.body), media_type=case.media_type,
                 multipart_content_types=case.multipart_content_types, meta=copy.deepcopy(case.meta))
    if any(clone.path_parameters.get(name) != value for name, value in path_parameters.items()):
        clone.path_parameters = {**clone.path_parameters, **path_parameters}
    if any(clone.headers.get(name) != value for name, value in headers.items()):
        merged = copy.copy(clone.headers)
        merged.update(headers)
        clone.headers = merged
    return clone


def coverage_cases(state, operation, headers: dict[str, str], path_parameters: dict | None, *,
                   writes: bool) -> list:
    """schemathesis's coverage phase for ``operation`` (what ``st run`` sends before it fuzzes): boundary and
    example values, wrong types, missing parameters and required properties, undeclared methods — positive and
    negative, deterministic, and cheap to make — sent with ``headers`` (the caller's credentials) and the real IDs of
    ``path_parameters``. Left out: cases whose fault would lie in what is fixed (credentials: AUTH's to judge;
    path IDs: FUZZ-05's table), and, when writes are not allowed, undeclared methods that could write. Made once
    per run for a set of fixed names, and handed out as copies with the caller's values."""
    path_parameters = dict(path_parameters or {})
    key = (operation_id(operation), tuple(sorted(path_parameters)), tuple(sorted(headers)), writes)
    if key not in state.covered:
        state.covered[key] = _coverage_cases(operation, headers, path_parameters, writes=writes)
    return [with_values(case, path_parameters, headers) for case in state.covered[key]]


def _coverage_cases(operation, headers: dict[str, str], path_parameters: dict, *, writes: bool) -> list:
    fixed_path = set(path_parameters)
    fixed_headers = {name.lower() for name in headers}
    chosen = []
    for case in coverage_generator(operation, headers, path_parameters):
        method = case.method.upper()
        if not writes and method != operation.method.upper() and method not in SAFE_METHODS:
            continue
        if not _breaks_what_is_fixed(case, fixed_path, fixed_headers):
            chosen.append(case)
    return chosen


def _breaks_what_is_fixed(case, fixed_path: set[str], fixed_headers: set[str]) -> bool:
    """A negative case whose fault is in a fixed path parameter or header (which the fixed value then undoes)."""
    meta = case.meta
    if not meta.generation.mode.is_negative:
        return False
    data = meta.phase.data
    mutated = [(m.parameter_location, m.parameter) for m in getattr(data, "mutations", ())]
    if data.parameter_location is not None:
        mutated.append((data.parameter_location, data.parameter))
    named = {location for location, _ in mutated}
    for location, component in meta.components.items():
        if component.mode.is_negative and location not in named:
            mutated.append((location, None))  # negative, and not told where: assume the worst
    for location, name in mutated:
        if location == ParameterLocation.PATH and fixed_path and (name is None or name in fixed_path):
            return True
        if location == ParameterLocation.HEADER and (name is None or name.lower() in fixed_headers):
            return True
    return False


def coverage_note(case) -> str:
    description = getattr(case.meta.phase.data, "description", "") or "a coverage case"
    return (f"found by schemathesis's coverage phase ({description}): a deterministic case, sent whatever the "
            "--fuzz-seed")

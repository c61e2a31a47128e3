"""The stateless search of one operation as one caller: the coverage cases, then the drawn ones, each requirement
keeping its first failure; outside nightly runs a drawn failure is searched again with shrinking, for the smallest
request that still fails it."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Callable

import hypothesis
from schemathesis import GenerationMode

from ..client import redact
from ..errors import Unreachable
from .findings import EXPECTED, Findings, finding, search_note
from .generation import (FuzzingError, StillFails, coverage_cases, coverage_note, drawn_budget, drawn_cases, given,
                         settings_for, strategy)
from .judging import STATELESS, judge
from .sending import Aim, Caller, Pace, Sent, TargetGone, send_all, send_drawn

SHRINK_REQUESTS = 100  # shrinking a failure stops after this many more requests…
SHRINK_SECONDS = 10.0  # …or this long, whichever comes first


class ShrinkingStopped(BaseException):
    """Raised through Hypothesis (like an interrupt, not like a failure) when a shrink's budget is spent."""


class ShrinkBudget:
    """How far a failure is shrunk: ``SHRINK_REQUESTS`` requests or ``SHRINK_SECONDS`` after it was first seen,
    then the smallest failure so far is the one reported (Hypothesis alone would go on for up to 5 minutes)."""

    def __init__(self, pace: Pace):
        self.pace, self.started_at, self.sent_at_start = pace, None, 0

    def failed(self) -> None:
        if self.started_at is None:
            self.started_at, self.sent_at_start = time.monotonic(), self.pace.sent

    def check(self) -> None:
        if self.started_at is not None and (self.pace.sent - self.sent_at_start >= SHRINK_REQUESTS
                                            or time.monotonic() - self.started_at >= SHRINK_SECONDS):
            raise ShrinkingStopped


def explore(state, operation, caller: Caller, run, target: Aim, *, what: str,
            path_parameters: dict | None = None, adjust: Callable | None = None,
            on_answer: Callable | None = None) -> Findings:
    """Fuzz ``operation`` as ``caller``: first schemathesis's deterministic coverage cases (``coverage_cases``), then
    ``run.fuzz_examples`` requests drawn by Hypothesis, half positive and half negative (``drawn_budget``), seeded by
    ``run.fuzz_seed`` (``drawn_cases``). Each requirement keeps its first failure; outside nightly runs a failure of
    the drawn requests is then searched again with shrinking, for the smallest request that still fails it (a
    coverage case is already minimal: one boundary value or one fault at a time). A target that stops answering ends
    it: ``Unreachable``."""
    try:
        return _explore(state, operation, caller, run, target, what=what, path_parameters=path_parameters,
                        adjust=adjust, on_answer=on_answer)
    except TargetGone as gone:
        raise Unreachable(redact.redact(str(gone))) from None


def _explore(state, operation, caller: Caller, run, target: Aim, *, what: str, path_parameters: dict | None,
             adjust: Callable | None, on_answer: Callable | None) -> Findings:
    result = Findings()
    headers = caller.headers(operation.method)
    path_parameters = dict(path_parameters or {})

    def probe(cases, first: dict, adjusted: bool) -> bool:
        """Send and judge ``cases``; True when one of them hung (the search of the operation ends there)."""
        cases = [adjust(case) if adjust is not None and adjusted(case) else case for case in cases]
        hung = False
        for sent in send_all(cases, caller, target):
            if sent is None:  # unsendable, or not sent after a hang
                continue
            result.sent += 1
            hung = hung or sent.hung
            if on_answer is not None and sent.response is not None:
                on_answer(sent.response)
            for requirement, failures in judge(state, sent).items():
                first.setdefault(requirement, (sent, failures))
        return hung

    covered: dict[str, tuple[Sent, list[str]]] = {}
    hung = probe(coverage_cases(state, operation, headers, path_parameters, writes=run.writes_allowed), covered,
                 lambda case: not case.meta.generation.mode.is_negative)
    for requirement in STATELESS:
        if requirement in covered:
            sent, failures = covered[requirement]
            result.findings[requirement] = asdict(finding(
                requirement, f"{what} ({operation.label}, coverage cases)", EXPECTED[requirement], sent, failures,
                coverage_note(sent.case), caller.name))

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        if hung:  # FUZZ-01 has its finding; every further request would wait out the timeout again
            break
        try:
            cases = drawn_cases(state, operation, mode, path_parameters, headers, run)
        except hypothesis.errors.Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise FuzzingError(f"{operation.label}: no valid request can be generated") from None
            continue  # credentials and a real path are all the request has: nothing left to break
        first: dict[str, tuple[Sent, list[str]]] = {}
        hung = probe(cases, first, lambda case, positive=mode is GenerationMode.POSITIVE: positive)
        for requirement in STATELESS:
            if requirement not in first or requirement in result.findings:
                continue
            smallest = None
            answered = first[requirement][0].response is not None  # a hang is not shrunk: each try waits it out
            if answered and not run.nightly:
                drawing = strategy(operation, mode, path_parameters, headers)
                if adjust is not None and mode is GenerationMode.POSITIVE:
                    drawing = drawing.map(adjust)
                smallest = _shrink(state, drawing, requirement, caller, run, target, on_answer,
                                   drawn_budget(run, mode))
            sent, failures = smallest or first[requirement]
            note = search_note(run, shrunk=smallest is not None)
            result.findings[requirement] = asdict(finding(
                requirement, f"{what} ({operation.label}, {mode.value} generated requests)", EXPECTED[requirement],
                sent, failures, note, caller.name))
    return result


def _shrink(state, drawing, requirement: str, caller: Caller, run, target: Aim, on_answer,
            examples: int) -> tuple | None:
    """The same search again (``examples`` drawn, as the search had), failing at the first request that fails
    ``requirement``, so that Hypothesis shrinks it; the last request that failed is the smallest. None when the
    failure does not come back."""
    failing: list[tuple[Sent, list[str]]] = []
    budget = ShrinkBudget(target.pace)

    def probe(case):
        budget.check()
        sent = send_drawn(case, caller, target)
        if on_answer is not None and sent.response is not None:
            on_answer(sent.response)
        failures = judge(state, sent, (requirement,) if requirement == "FUZZ-01" else ("FUZZ-01", requirement))
        if requirement in failures:
            failing.append((sent, failures[requirement]))
            budget.failed()
            raise StillFails(requirement)

    try:
        given(drawing, probe, settings_for(run, shrink=True, examples=examples), run.fuzz_seed)
    except (Exception, ShrinkingStopped):  # noqa: BLE001 - StillFails as expected, a spent budget, or
        pass  # Hypothesis calling the final replay flaky: `failing` holds what failed either way
    return failing[-1] if failing else None

"""Assertions that read as a sentence when they fail, each one a check of one requirement.

Every failure names the requirement, what was expected, what was observed, the exchange
(method, URL, redacted headers and bodies) and a curl line that reproduces it — the model
is schemathesis's checks: declared beside received.

Every check also leaves its verdict in the running test's ``Verdicts`` (``current()``: held or failed, under
its own requirement ID), so that a requirement's status is decided by its own checks and never by another
requirement's check that happened to run in the same test.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Iterable

import requests

from .. import JSON_API
from ..client import redact
from ..shapes import errors as schema_errors
from . import answers
from .requirements import catalog


class ConformanceFailure(AssertionError):
    """A requirement the target does not meet; ``str()`` is the whole story for a person."""

    def __init__(self, requirement: str, text: str):
        super().__init__(text)
        self.requirement = requirement


class Unmet(Exception):
    """A precondition of a test did not hold (the target refused a setup step): its checks were not reached.

    Not a verdict on the requirements the test checks; the refused step is checked by its own tests."""


@dataclass
class Verdicts:
    """The checks run so far in one test: how many held per requirement, and the ones that failed."""

    held: Counter = field(default_factory=Counter)
    failed: dict[str, str] = field(default_factory=dict)
    deferring: bool = False  # inside ``together()``: a failed check is recorded, the test goes on
    pending: dict[str, str] = field(default_factory=dict)  # findings the test went on after: they fail it at its end

    def to_json(self) -> dict:
        return {"held": dict(self.held), "failed": dict(self.failed)}


_current: ContextVar[Verdicts] = ContextVar("verdicts")  # the running test's, set by ``begin``


def begin() -> Verdicts:
    """Start a new test's record of verdicts (the plugin calls it before each test) and return it."""
    verdicts = Verdicts()
    _current.set(verdicts)
    return verdicts


def current() -> Verdicts:
    """The running test's verdicts. A check judges in the test's own thread: one from another thread would record
    where no test reads it, so it is refused rather than lost."""
    try:
        return _current.get()
    except LookupError:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("a check ran outside its test's thread: judge the answers in the test itself") from None
        return begin()


def fail(requirement: str, what: str, expected: str, observed: str,
         response: requests.Response | None = None) -> None:
    text = _record(requirement, what, expected, observed, response)
    if not current().deferring:
        raise ConformanceFailure(requirement, text)


def finding(requirement: str, what: str, expected: str, observed: str,
            response: requests.Response | None = None) -> str:
    """Record a failed check of ``requirement`` without stopping the test, and return its text: for a step of
    the suite's own flow (a clean-up, a leftover removed) whose failure must be judged while the test goes on.
    The test fails at its end (the plugin raises ``pending`` after its teardown) unless it failed before."""
    text = _record(requirement, what, expected, observed, response)
    postpone({requirement: text})
    return text


def postpone(failures: dict[str, str]) -> None:
    """Failed checks, already recorded, that fail the test at its end."""
    for requirement, text in failures.items():
        current().pending.setdefault(requirement, text)


def _record(requirement: str, what: str, expected: str, observed: str,
            response: requests.Response | None = None) -> str:
    lines = [f"[{requirement}] {what}", f"  expected: {expected}", f"  observed: {observed}"]
    produced_by = answers.intermediary(response) if response is not None else None
    if produced_by:
        lines.append(f"  note: {produced_by}")
    exchange = getattr(response, "exchange", None)
    if exchange is not None:
        lines += ["  exchange:", *("    " + line for line in exchange.describe().splitlines()),
                  "  reproduce:", "    " + exchange.curl()]
    text = redact.redact("\n".join(lines))
    current().failed.setdefault(_known(requirement), text)
    return text


def check(condition: bool, requirement: str, what: str, expected: str, observed: str,
          response: requests.Response | None = None) -> None:
    if not condition:
        fail(requirement, what, expected, observed, response)  # raises, unless judged side by side (deferred)
        return
    current().held[_known(requirement)] += 1


@contextmanager
def together():
    """Checks of several requirements judged side by side: each failure is recorded under its own requirement and
    the others still run; leaving the block, one failure names them all (the first requirement leads). A ``Later``
    settled as the block ends."""
    with Later() as judged:
        yield
    judged.settle()


def apart(*steps: Callable[[], None]) -> None:
    """Steps of several requirements judged apart: a failed check stops its own step (what follows it in the step
    depends on it) and not the next one; after the last step, one failure names them all (the first requirement
    leads). For two walks of one list that share their setup."""
    failures: dict[str, str] = {}
    for step in steps:
        try:
            step()
        except ConformanceFailure as failure:  # recorded under its requirement as it was raised
            failures.setdefault(failure.requirement, str(failure))
    if failures:
        raise ConformanceFailure(next(iter(failures)), "\n\n".join(failures.values()))


class Later:
    """Checks judged now and reported at the end of the test: a defect they find stops nothing after them.

    For a step of a flow the rest does not depend on (a list that should show a new grant): ``with later:`` records
    each failure under its own requirement and goes on; ``later.settle()``, at the test's end, fails with them."""

    def __init__(self):
        self.failed: dict[str, str] = {}

    def __enter__(self) -> Later:
        self._before, self._deferring = dict(current().failed), current().deferring
        current().deferring = True
        return self

    def __exit__(self, *_) -> None:
        current().deferring = self._deferring
        self.failed.update({rid: text for rid, text in current().failed.items() if rid not in self._before})

    def settle(self) -> None:
        if self.failed:
            raise ConformanceFailure(next(iter(self.failed)), "\n\n".join(self.failed.values()))


def unmet(what: str, response: requests.Response | None = None, *, failed: str | None = None) -> None:
    """Stop the test: ``what`` (a setup step) did not happen, so its checks cannot run; ``failed``: the requirement
    whose failure, already recorded, is why ("not reached: REVOKE-01 failed: …")."""
    exchange = getattr(response, "exchange", None)
    detail = f"; the target answered {answers.describe(response)}" if response is not None else ""
    text = f"not reached: {f'{failed} failed: ' if failed else ''}{what}{detail}"
    if exchange is not None:
        text += "\n" + "\n".join("  " + line for line in exchange.describe().splitlines())
    raise Unmet(redact.redact(text))


def _known(requirement: str) -> str:
    if requirement not in catalog():
        raise ValueError(f"a check names {requirement!r}, which is not in the requirement catalog")
    return requirement


def status(response: requests.Response, expected: int | Iterable[int], requirement: str, what: str) -> None:
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    check(response.status_code in allowed, requirement, what,
          "HTTP " + " or ".join(map(str, allowed)), answers.describe(response), response)


def no_content(response: requests.Response, requirement: str, what: str) -> None:
    """No body, neither read nor announced (docs/decisions.md D42): a client reads nothing after a 204 whatever its
    Content-Length says, so the bytes a server sends anyway stay on the connection, to garble the next answer there."""
    length = response.headers.get("Content-Length", "0").strip()
    observed = f"Content-Length: {length}" if length != "0" else answers.describe(response)
    check(response.content == b"" and length == "0", requirement, what, "no body (no Content-Length beyond 0)",
          observed, response)


def client_error(response: requests.Response, requirement: str, what: str) -> None:
    """A 4xx that is a JSON:API error document (SHAPE-08)."""
    check(400 <= response.status_code < 500, requirement, what, "a 4xx refusal", answers.describe(response), response)
    document(response, "error", requirement, what)


def json_body(response: requests.Response, requirement: str, what: str):
    try:
        return response.json()
    except ValueError:
        fail(requirement, what, "a JSON body", answers.describe(response), response)


def member(document, path: str, requirement: str, what: str, response: requests.Response | None = None):
    """``document``'s member at the dotted ``path`` (``data.attributes.state``); a missing one, or one under a
    member that is not an object, fails the check with what was there instead."""
    value, walked = document, []
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            where = ".".join(walked) or "the body"
            found = f"{where} is {_kind(value)}" if not isinstance(value, dict) else f"{where} has no {key}"
            fail(requirement, what, f"a member {path}", found, response)
        value = value[key]
        walked.append(key)
    return value


def _kind(value) -> str:
    """What a JSON value is, in words: null, an array of 2 items, the string "x", the number 3, true."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, list):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str):
        return f"the string {json.dumps(value[:80])}"
    return f"the number {value}"


def media_type(response: requests.Response, requirement: str, what: str) -> None:
    content_type = answers.media_type(response)
    check(content_type == JSON_API, requirement, what, f"Content-Type: {JSON_API}",
          f"Content-Type: {content_type or '(none)'}, {answers.describe(response)}", response)


def document(response: requests.Response, schema: str, requirement: str, what: str):
    """The body parses as JSON, has the JSON:API media type and validates against ``schemas/<schema>.json``."""
    media_type(response, "SHAPE-01" if requirement != "SHAPE-08" else requirement, what)
    body = json_body(response, requirement, what)
    problems = schema_errors(schema, body)
    check(not problems, requirement, what, f"a document valid against schemas/{schema}.json",
          "; ".join(problems[:5]), response)
    return body


def equal(observed, expected, requirement: str, what: str, response: requests.Response | None = None) -> None:
    check(observed == expected, requirement, what, _show(expected), _show(observed), response)


def _show(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)

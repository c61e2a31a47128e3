"""The generated half of the suite: schemathesis, driven by ``openapi/reactor.yaml``, inside the pytest run.

Each process loads the spec once and aims it at the run's target (``aim``): the target's base URL, and a pace
that every request schemathesis sends waits on — generated requests, stateful steps and the probes some checks
send — which is the run's own ``RateLimiter``, so ``--max-rps`` holds for fuzzing and scenarios together.
Answers are judged by schemathesis's default checks and this project's own (registered as schemathesis
checks), each grouped under the FUZZ requirement it serves (``REQUIREMENT_OF_CHECK``). A requirement that
fails is searched again with shrinking (not in nightly runs), so its report shows the smallest failing
request the way the scenarios show theirs: requirement, exchange and a curl line whose secrets are
``$OWNER_TOKEN``-style variables.
"""

from __future__ import annotations

import copy
import gc
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Callable
from urllib.parse import urlsplit

import hypothesis
import requests
import schemathesis
from pyrate_limiter import Limiter
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.transport.requests import ManagedCookiesSession

from ..errors import Unreachable
from ..target import curl, exchanges, redact, transport
from ..target.exchanges import REQUEST_BODY_LIMIT, RESPONSE_BODY_LIMIT, Exchange, text_of
from ..target.transport import RateLimiter, connection_failure
from . import api, crashes, expect, readings
from ..contract import SCHEMATHESIS_SETTINGS, SPEC
from .fuzz_checks import IMS_OPERATIONS  # importing it registers the project's checks
from .fuzz_tolerances import TOLERANT

CONCURRENT_READS = 4  # generated reads in flight at once, per search (``--max-rps`` still holds them all)
MESSAGE_LIMIT = 1500
SHRINK_REQUESTS = 100  # shrinking a failure stops after this many more requests…
SHRINK_SECONDS = 10.0  # …or this long, whichever comes first
_UNSHOWN_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length",
                              "x-schemathesis-testcaseid"})


# -- which requirement each check serves -----------------------------------------------------------------------
REQUIREMENT_OF_CHECK = {
    "not_a_server_error": "FUZZ-01",
    # FUZZ-02: what comes back conforms to the spec (and to the documents' rules the spec cannot state).
    "status_code_conformance": "FUZZ-02", "content_type_conformance": "FUZZ-02",
    "response_headers_conformance": "FUZZ-02", "response_schema_conformance": "FUZZ-02",
    "json_api_media_type": "FUZZ-02", "json_api_error_document": "FUZZ-02", "own_org_data_only": "FUZZ-02",
    "timestamps_well_formed": "FUZZ-02", "object_level_authorization": "FUZZ-02",
    # FUZZ-03: what goes in is refused exactly when it violates the spec.
    "negative_data_rejection": "FUZZ-03", "positive_data_acceptance": "FUZZ-03", "ignored_auth": "FUZZ-03",
    "missing_required_header": "FUZZ-03", "unsupported_method": "FUZZ-03", "allow_header_conformance": "FUZZ-03",
    # FUZZ-04: what sequences through the links leave behind.
    "use_after_free": "FUZZ-04", "ensure_resource_availability": "FUZZ-04",
}
"""A default check of a later schemathesis that is not listed here counts under FUZZ-02."""

STATELESS = ("FUZZ-01", "FUZZ-02", "FUZZ-03")


def checks_for(schema, requirement: str) -> list:
    """The checks the project's schemathesis settings enable (all of them, by default) that serve ``requirement``.

    Worked out once per process and schema (the registry and the settings do not change during a run): judging
    asks for them after every generated request."""
    cached = _checks_of.get(requirement)
    if cached is None or cached[0] is not schema:
        load_all_checks()
        config = schema.config.checks_config_for()
        chosen = []
        for check in CHECKS.get_all():
            name = getattr(check, "__name__", "")
            if isinstance(check, type) or not config.get_by_name(name=name).enabled:
                continue
            if REQUIREMENT_OF_CHECK.get(name, "FUZZ-02") == requirement:
                chosen.append(_REPLACED.get(name, check))
        cached = _checks_of[requirement] = (schema, tuple(chosen))
    return list(cached[1])


_checks_of: dict[str, tuple[object, tuple]] = {}


_auth_enforced: set[str] = set()


def _ignored_auth_once(ctx, response, case):
    """schemathesis's ``ignored_auth``, probing each operation once per process rather than after every 2xx
    (with schemathesis's own memo of the operations shown to refuse missing and invalid credentials)."""
    ctx.auth_enforced_operations = _auth_enforced
    return openapi_checks.ignored_auth(ctx, response, case)


_ignored_auth_once.__name__ = "ignored_auth"
_REPLACED = {"ignored_auth": _ignored_auth_once, **TOLERANT}  # checks judged otherwise than schemathesis's own


# -- the spec, aimed at the target -----------------------------------------------------------------------------
class Pace(Limiter):
    """Where schemathesis asks permission before each request it sends (``transport.send`` consults the
    config's ``rate_limit`` and calls ``try_acquire``): wait for the run's ``RateLimiter``, count the request."""

    def __init__(self, limiter: RateLimiter | None):  # no bucket of its own, so no Limiter.__init__
        self.limiter, self.sent = limiter, 0
        self._lock = threading.Lock()

    def try_acquire(self, name: str = "", weight: int = 1, blocking: bool = True, timeout: float = -1) -> bool:
        if self.limiter is not None:
            self.limiter.wait()
        with self._lock:
            self.sent += 1
        return True


@cache
def spec():
    """``openapi/reactor.yaml`` with the project's schemathesis settings, loaded once per process."""
    schema = schemathesis.openapi.from_path(SPEC, config=SchemathesisConfig.from_path(SCHEMATHESIS_SETTINGS))
    _remember_checks_config(schema.config)
    # What exists now — modules, the spec and its resolved schemas — lives as long as the process. Out of the garbage
    # collector's sight, the full collections that drawing cases sets off go through only what the run creates.
    gc.freeze()
    return schema


def _remember_checks_config(config) -> None:
    """schemathesis works out the checks' settings of an operation and phase anew for every response it validates,
    from settings that do not change during a run: remember each answer."""
    lookup, known = config.checks_config_for, {}

    def checks_config_for(*, operation=None, phase=None):
        key = (operation.label if operation is not None else None, phase)
        if key not in known:
            known[key] = lookup(operation=operation, phase=phase)
        return known[key]

    config.checks_config_for = checks_config_for


def operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", operation.label)


def operations() -> dict:
    return {operation_id(result.ok()): result.ok() for result in spec().get_all_operations()}


@dataclass
class Aim:
    """The spec aimed at one run's target: its base URLs, a reused HTTP session and the pace of its requests."""

    base_url: str
    ims_url: str | None
    pace: Pace
    session: requests.Session
    timeout: float  # seconds before a generated request counts as hung (``--request-timeout``)

    def base_url_of(self, operation) -> str:
        return (self.ims_url or self.base_url) if operation_id(operation) in IMS_OPERATIONS else self.base_url

    def serves_ims(self) -> bool:
        """The IMS endpoint is fuzzed only where the target itself serves it, never on Adobe's IMS."""
        return bool(self.ims_url) and _origin(self.ims_url) == _origin(self.base_url)


class FuzzSession(transport.EnvironmentOnce, ManagedCookiesSession):
    """The generated requests' HTTP session: schemathesis's (cookies dropped between requests), reading the
    environment once per origin."""


_aims: dict[str, Aim] = {}


def aim(run, clients) -> Aim:
    """Once per process: the spec's base URL is the target's, and its rate limit is the clients' ``RateLimiter``."""
    if run.run_id not in _aims:
        limiter = next((client.limiter for client in clients.values()), None)
        schema = spec()
        schema.config.update(base_url=run.base_url)
        pace = Pace(limiter)
        schema.config.rate_limit = pace
        _aims[run.run_id] = Aim(run.base_url, run.profile.target.ims_url, pace,
                               transport.session(into=FuzzSession()), run.options["request_timeout"])
    return _aims[run.run_id]


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass
class Caller:
    """Who sends an operation's generated requests: an identity's client (None: nobody, for the IMS endpoint)."""

    name: str
    client: object | None = None

    def headers(self, method: str) -> dict[str, str]:
        return self.client.headers(method.upper()) if self.client is not None else {}


# -- settings of the search -------------------------------------------------------------------------------------
def settings_for(run, *, shrink: bool, examples: int | None = None, **overrides) -> hypothesis.settings:
    """``examples`` (default: the run's budget), no Hypothesis database, and shrinking only where asked (never in
    nightly runs)."""
    phases = [hypothesis.Phase.generate] + ([hypothesis.Phase.shrink] if shrink and not run.nightly else [])
    return hypothesis.settings(max_examples=examples or run.fuzz_examples, database=None, deadline=None,
                               phases=phases, report_multiple_bugs=False,
                               suppress_health_check=list(hypothesis.HealthCheck),
                               print_blob=False, verbosity=hypothesis.Verbosity.quiet, **overrides)


class TargetGone(BaseException):
    """Raised through Hypothesis (like an interrupt, not like a failure) when the target refuses connections: the
    search stops, and its test is not run — nothing it would have sent could be judged."""


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


def drawn_budget(run, mode: GenerationMode) -> int:
    """How many requests of ``mode`` a search draws: ``--fuzz-examples`` counts the drawn requests of an operation
    and caller as ``st run --max-examples`` counts an operation's, valid and invalid together — half each, at
    least one of each."""
    half = run.fuzz_examples // 2
    return max(1, run.fuzz_examples - half if mode is GenerationMode.POSITIVE else half)


def search_note(run, shrunk: bool) -> str:
    how = "the smallest failing request after shrinking" if shrunk else "the first failing request (not shrunk)"
    return (f"found with --fuzz-seed {run.fuzz_seed} --fuzz-examples {run.fuzz_examples}"
            f"{' --nightly' if run.nightly else ''}: {how}")


# -- what one generated request came to ----------------------------------------------------------------------------
@dataclass
class Sent:
    """One generated request, its answer (None when none came) and the headers it went with."""

    case: object
    response: object | None
    headers: dict
    base_url: str
    error: str = ""
    session: object = None  # the run's transport: the probes some checks send retry and count alike
    timeout: float = 30.0  # the run's request timeout, for those probes too
    hung: bool = False  # no answer within the run's request timeout


class Unsendable(Exception):
    """A generated case this client cannot even encode (e.g. a header value requests refuses): it says nothing
    about the server, so it is neither sent nor counted."""


def send(case, caller: Caller, target: Aim) -> Sent:
    """Send a generated case as ``caller`` (``Unsendable`` when it cannot be encoded). An idempotent one whose
    connection was closed before any answer goes out once more, on a new connection, as the suite's client does
    (D40): a kept-alive connection the target closed as the request went out says nothing of the request."""
    headers = caller.headers(case.method)
    base_url = target.base_url_of(case.operation)
    resent = False
    while True:
        try:
            response = case.call(base_url=base_url, session=target.session, headers=headers, timeout=target.timeout)
        except (requests.ConnectionError, requests.Timeout) as error:
            if not transport.reached(error) and not isinstance(error, requests.exceptions.ConnectTimeout):
                raise TargetGone(f"cannot reach {base_url}: {connection_failure(error, target.timeout)}") from None
            if not resent and case.method.upper() in transport.IDEMPOTENT and transport.dropped(error):
                resent = True
                continue
            failure = connection_failure(error, target.timeout) + (", twice" if resent else "")
            return Sent(case, None, headers, base_url,
                        failure if failure.startswith("no ") else f"no answer: {failure}", target.session,
                        hung=isinstance(error, requests.exceptions.ReadTimeout), timeout=target.timeout)
        except Exception as error:  # noqa: BLE001 - the client refused it, the server never saw it
            raise Unsendable(type(error).__name__) from None
        return Sent(case, response, headers, base_url, session=target.session, timeout=target.timeout)


def send_all(cases: list, caller: Caller, target: Aim) -> list[Sent | None]:
    """Every case sent, answers in the cases' order (None for one that cannot be encoded, or not sent). Reads go
    out ``CONCURRENT_READS`` at a time — against a distant target the waiting is most of a search — while requests
    that write go one after the other, so that what one changes is there for the next, as in a sequential run.
    Once a request hangs (no answer within the run's timeout), the operation's other cases are not sent: the hang is
    FUZZ-01's finding, and waiting it out for every case would only make the run as long as the cases are many."""
    hang = threading.Event()

    def one(case) -> Sent | None:
        if hang.is_set():
            return None
        try:
            sent = send(case, caller, target)
        except Unsendable:
            return None
        if sent.hung:
            hang.set()
        return sent

    answers: list[Sent | None] = [None] * len(cases)
    reads = [index for index, case in enumerate(cases) if case.method.upper() in SAFE_METHODS]
    for index in sorted(set(range(len(cases))) - set(reads)):
        answers[index] = one(cases[index])
    with ThreadPoolExecutor(CONCURRENT_READS) as pool:
        for index, sent in zip(reads, pool.map(one, [cases[index] for index in reads])):
            answers[index] = sent
    return answers


def _send_drawn(case, caller: Caller, target: Aim) -> Sent:
    """``send`` for a case Hypothesis drew: one that cannot be encoded is rejected, so Hypothesis draws another."""
    try:
        return send(case, caller, target)
    except Unsendable:
        hypothesis.reject()


def judge(sent: Sent, requirements=STATELESS, recorder=None) -> dict[str, list[str]]:
    """Each requirement's failed checks for one answer. A 5xx or no answer is FUZZ-01's alone: the other
    requirements judge only answers the server meant to give.

    The checks of all the requirements run in one pass (one schemathesis validation per answer, not one per
    requirement); each failure goes to the requirement of the check that raised it."""
    if sent.response is None:
        return {"FUZZ-01": ["The target gave no answer"]} if "FUZZ-01" in requirements else {}
    if sent.response.status_code >= 500 and "FUZZ-01" in requirements:
        requirements = ("FUZZ-01",)
    schema = sent.case.operation.schema
    requirement_of = {check: requirement for requirement in requirements for check in checks_for(schema, requirement)}
    if not requirement_of:
        return {}
    try:
        failures = _validate(sent, list(requirement_of), recorder)
    except Exception:  # noqa: BLE001 - a check could not run: judge each requirement apart to tell which
        return _judge_apart(sent, requirements, recorder)
    by_name = {check.__name__: requirement for check, requirement in requirement_of.items()}
    if any(name not in by_name for name, _ in failures):  # not told which check failed: judge apart
        return _judge_apart(sent, requirements, recorder)
    failed: dict[str, list[str]] = {}
    for name, failure in failures:
        texts = failed.setdefault(by_name[name], [])
        text = _describe(failure)
        if text not in texts:
            texts.append(text)
    return failed


def _judge_apart(sent: Sent, requirements, recorder) -> dict[str, list[str]]:
    """``judge`` one requirement at a time, so that a check that could not run (a probe got no answer) fails
    its own requirement only."""
    schema = sent.case.operation.schema
    failed = {}
    for requirement in requirements:
        try:
            failures = _validate(sent, checks_for(schema, requirement), recorder)
        except Exception as error:  # noqa: BLE001 - a check that could not run (a probe got no answer) fails it
            failed[requirement] = [f"A check could not run: {crashes.describe(error)[:300]}"]
            continue
        texts = list(dict.fromkeys(_describe(failure) for _, failure in failures))
        if texts:
            failed[requirement] = texts
    return failed


class _Results(threading.local):
    """Where the ``after_validate`` hook leaves the outcome of each check of the validation under way."""

    current: list | None = None


_results = _Results()
_hooked: set[int] = set()


def _keep_results(context, case, response, results) -> None:
    if _results.current is not None:
        _results.current.extend(results)


def _validate(sent: Sent, checks: list, recorder) -> list[tuple[str | None, object]]:
    """Run ``checks`` on the answer with schemathesis (``Case.validate_response``): each failure with the name of
    the check that raised it, as schemathesis's ``after_validate`` hook reports them (None: not reported)."""
    hooks = sent.case.operation.schema.hooks
    if id(hooks) not in _hooked:
        hooks.register_hook_with_name(_keep_results, "after_validate")
        _hooked.add(id(hooks))
    _results.current = results = []
    try:
        sent.case.validate_response(sent.response, checks=checks, headers=sent.headers,
                                    transport_kwargs={"base_url": sent.base_url, "headers": sent.headers,
                                                      "timeout": sent.timeout, "session": sent.session,
                                                      "hooks": {"response": [transport.resend_refused(sent.session)]}},
                                    recorder=recorder)
    except FailureGroup as group:
        named = [(result.name, result.failure) for result in results if result.failure is not None]
        return named or [(None, failure) for failure in group.exceptions]
    finally:
        _results.current = None
    return []


def _describe(failure) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = getattr(failure, "message", "") or ""
    text = f"{title}\n\n{message}" if message else title
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "… (truncated)"


# -- findings and how they are reported -----------------------------------------------------------------------------
@dataclass
class Finding:
    """A requirement's failure: what was fuzzed, what the checks said and the exchange that shows it."""

    requirement: str
    what: str
    expected: str
    observed: str
    exchange: dict | None = None

    def report(self) -> None:
        """Fail the running test the way the scenarios fail (``expect.fail``), the exchange attached."""
        exchange = Exchange(**self.exchange) if self.exchange else None
        if exchange is not None:
            for callback in list(exchanges.on_exchange):
                callback(exchange)
        expect.fail(self.requirement, self.what, self.expected, self.observed, _Answered(exchange))


@dataclass
class _Answered:
    """What ``expect.fail`` reads of a response: its recorded exchange."""

    exchange: Exchange | None


def finding(requirement: str, what: str, expected: str, sent: Sent, failures: list[str], note: str,
            identity: str) -> Finding:
    lines = [*failures, note]
    if sent.response is None:
        lines.insert(0, f"{sent.case.method} {sent.base_url}{sent.case.formatted_path}: {sent.error}")
    request = sent.response.request if sent.response is not None else _prepared(sent)
    return Finding(requirement, what, expected, redact.redact("\n".join(lines)),
                   asdict(exchange_of(identity, request, sent.response)) if request is not None else None)


def _prepared(sent: Sent):
    try:
        kwargs = sent.case.as_transport_kwargs(base_url=sent.base_url, headers=sent.headers)
        kwargs = {key: kwargs[key] for key in ("method", "url", "headers", "params", "data", "json", "files",
                                               "cookies") if key in kwargs}
        return requests.Request(**kwargs).prepare()
    except Exception:  # noqa: BLE001 - the report then goes without the exchange
        return None


def exchange_of(identity: str, request: requests.PreparedRequest, response) -> Exchange:
    """The exchange of a generated request, recorded as the suite's client records its own (redacted; a curl
    line with ``$OWNER_TOKEN``-style variables)."""
    headers = {key: value for key, value in request.headers.items() if key.lower() not in _UNSHOWN_HEADERS}
    body = request.body or b""
    body = body.encode("utf-8") if isinstance(body, str) else body
    answered = response is not None
    return Exchange(
        identity=identity, method=request.method, url=redact.redact(request.url),
        request_headers={key: redact.redact(value) for key, value in headers.items()},
        request_body=redact.redact(text_of(body, REQUEST_BODY_LIMIT)),
        status=response.status_code if answered else 0,
        response_headers={key: redact.redact(", ".join(values)) for key, values in response.headers.items()}
        if answered else {},
        response_body=redact.redact(text_of(response.content, RESPONSE_BODY_LIMIT, response.encoding))
        if answered else "",
        elapsed_ms=response.elapsed * 1000 if answered else 0.0,
        _curl=curl.command(request.method, request.url, headers, body),
    )


# -- the stateless search of one operation as one caller -------------------------------------------------------------
EXPECTED = {
    "FUZZ-01": "no 5xx and an answer to every generated request",
    "FUZZ-02": "status, Content-Type and body as the spec declares; JSON:API error documents; only the caller "
               "org's authorizations; well-formed timestamps",
    "FUZZ-03": "requests that violate the spec refused with a 4xx; requests that satisfy it not refused "
               "with 400/422; no answer without credentials",
}


@dataclass
class Findings:
    """What fuzzing one operation as one caller found: generated requests sent, and a finding per failed
    requirement. Plain data, so that the processes of an xdist run share it through a file."""

    sent: int = 0
    findings: dict[str, dict] = field(default_factory=dict)

    def verdict(self, requirements, what: str) -> None:
        """Each of ``requirements`` judged on this search, side by side: a failure under each requirement that
        failed, a held check under the others; no verdict at all on nothing sent."""
        with expect.together():
            for requirement in requirements:
                expect.check(self.sent > 0, requirement, what, "generated requests sent and judged",
                             "no generated request could be sent")
                if requirement in self.findings:
                    Finding(**self.findings[requirement]).report()


def explore(operation, caller: Caller, run, target: Aim, *, what: str,
            path_parameters: dict | None = None, adjust: Callable | None = None,
            on_answer: Callable | None = None) -> Findings:
    """Fuzz ``operation`` as ``caller``: first schemathesis's deterministic coverage cases (``coverage_cases``), then
    ``run.fuzz_examples`` requests drawn by Hypothesis, half positive and half negative (``drawn_budget``), seeded by
    ``run.fuzz_seed`` (``drawn_cases``). Each requirement keeps its first failure; outside nightly runs a failure of
    the drawn requests is then searched again with shrinking, for the smallest request that still fails it (a
    coverage case is already minimal: one boundary value or one fault at a time). A target that stops answering ends
    it: ``Unreachable``."""
    try:
        return _explore(operation, caller, run, target, what=what, path_parameters=path_parameters, adjust=adjust,
                        on_answer=on_answer)
    except TargetGone as gone:
        raise Unreachable(redact.redact(str(gone))) from None


def _explore(operation, caller: Caller, run, target: Aim, *, what: str, path_parameters: dict | None,
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
            for requirement, failures in judge(sent).items():
                first.setdefault(requirement, (sent, failures))
        return hung

    covered: dict[str, tuple[Sent, list[str]]] = {}
    hung = probe(coverage_cases(operation, headers, path_parameters, writes=run.writes_allowed), covered,
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
            cases = drawn_cases(operation, mode, path_parameters, headers, run)
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
                strategy = _strategy(operation, mode, path_parameters, headers)
                if adjust is not None and mode is GenerationMode.POSITIVE:
                    strategy = strategy.map(adjust)
                smallest = _shrink(strategy, requirement, caller, run, target, on_answer, drawn_budget(run, mode))
            sent, failures = smallest or first[requirement]
            note = search_note(run, shrunk=smallest is not None)
            result.findings[requirement] = asdict(finding(
                requirement, f"{what} ({operation.label}, {mode.value} generated requests)", EXPECTED[requirement],
                sent, failures, note, caller.name))
    return result


def _strategy(operation, mode: GenerationMode, path_parameters: dict, headers: dict):
    return operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None,
                                 headers=headers or None)


_drawn: dict[tuple, list | None] = {}


def drawn_cases(operation, mode: GenerationMode, path_parameters: dict, headers: dict, run) -> list:
    """The cases Hypothesis draws from ``operation``'s ``mode`` strategy with the run's seed and the mode's budget
    (``drawn_budget``): drawn once per process for a set of fixed path parameters and headers, and handed out as
    copies with the caller's values.

    Fixed values are constants of the strategy that draw nothing, so every caller's search draws the same cases but
    for them: two identities fuzzing one operation get the very requests a search of their own would have drawn,
    for the price of one search. ``Unsatisfiable`` when no case of the mode can be drawn."""
    key = (operation_id(operation), mode.value, tuple(sorted(path_parameters)), tuple(sorted(headers)),
           run.fuzz_seed, run.fuzz_examples)
    if key not in _drawn:
        cases: list = []
        try:
            _given(_strategy(operation, mode, path_parameters, headers), cases.append,
                   settings_for(run, shrink=False, examples=drawn_budget(run, mode)), run.fuzz_seed)
        except hypothesis.errors.Unsatisfiable:
            _drawn[key] = None
            raise
        _drawn[key] = cases
    if _drawn[key] is None:
        raise hypothesis.errors.Unsatisfiable(f"{operation.label}: no {mode.value} case can be drawn")
    return [_with_values(case, path_parameters, headers) for case in _drawn[key]]


def _with_values(case, path_parameters: dict, headers: dict):
    """A copy of a generated case, with ``path_parameters`` and ``headers`` as its fixed values. Set as attributes,
    so that schemathesis revalidates what changed before the case is sent, as it does after a hook's edit."""
    clone = object.__new__(type(case))
    memo = {id(case.operation): case.operation, id(NOT_SET): NOT_SET}  # shared, and a sentinel compared by identity
    for name in type(case).__slots__:
        try:
            value = object.__getattribute__(case, name)
        except AttributeError:
            continue
        object.__setattr__(clone, name, copy.deepcopy(value, memo))
    if any(clone.path_parameters.get(name) != value for name, value in path_parameters.items()):
        clone.path_parameters = {**clone.path_parameters, **path_parameters}
    if any(clone.headers.get(name) != value for name, value in headers.items()):
        merged = copy.copy(clone.headers)
        merged.update(headers)
        clone.headers = merged
    return clone


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "QUERY"})


def coverage_cases(operation, headers: dict[str, str], path_parameters: dict | None, *, writes: bool) -> list:
    """schemathesis's coverage phase for ``operation`` (what ``st run`` sends before it fuzzes): boundary and
    example values, wrong types, missing parameters and required properties, undeclared methods — positive and
    negative, deterministic, and cheap to make — sent with ``headers`` (the caller's credentials) and the real IDs of
    ``path_parameters``. Left out: cases whose fault would lie in what is fixed (credentials: AUTH's to judge;
    path IDs: FUZZ-05's table), and, when writes are not allowed, undeclared methods that could write. Made once
    per process for a set of fixed names, and handed out as copies with the caller's values."""
    path_parameters = dict(path_parameters or {})
    key = (operation_id(operation), tuple(sorted(path_parameters)), tuple(sorted(headers)), writes)
    if key not in _covered:
        _covered[key] = _coverage_cases(operation, headers, path_parameters, writes=writes)
    return [_with_values(case, path_parameters, headers) for case in _covered[key]]


_covered: dict[tuple, list] = {}


def _coverage_cases(operation, headers: dict[str, str], path_parameters: dict, *, writes: bool) -> list:
    schema = operation.schema
    generation = schema.config.generation_for(operation=operation, phase="coverage")
    fixed_path = set(path_parameters)
    fixed_headers = {name.lower() for name in headers}
    cases = CoverageGenerator(operation=operation, generation_modes=generation.modes, generation_config=generation,
                              auth_storage=None, feedback=NO_FEEDBACK,
                              override=Override(path_parameters=dict(path_parameters), headers=dict(headers)))
    chosen = []
    for case in cases:
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


class _StillFails(AssertionError):
    """Raised while shrinking: this smaller request still fails the requirement searched for."""


def _shrink(strategy, requirement: str, caller: Caller, run, target: Aim, on_answer, examples: int) -> tuple | None:
    """The same search again (``examples`` drawn, as the search had), failing at the first request that fails
    ``requirement``, so that Hypothesis shrinks it; the last request that failed is the smallest. None when the
    failure does not come back."""
    failing: list[tuple[Sent, list[str]]] = []
    budget = ShrinkBudget(target.pace)

    def probe(case):
        budget.check()
        sent = _send_drawn(case, caller, target)
        if on_answer is not None and sent.response is not None:
            on_answer(sent.response)
        failures = judge(sent, (requirement,) if requirement == "FUZZ-01" else ("FUZZ-01", requirement))
        if requirement in failures:
            failing.append((sent, failures[requirement]))
            budget.failed()
            raise _StillFails(requirement)

    try:
        _given(strategy, probe, settings_for(run, shrink=True, examples=examples), run.fuzz_seed)
    except (Exception, ShrinkingStopped):  # noqa: BLE001 - _StillFails as expected, a spent budget, or
        pass  # Hypothesis calling the final replay flaky: `failing` holds what failed either way
    return failing[-1] if failing else None


class FuzzingError(RuntimeError):
    """The search itself broke, not the target."""


def _given(strategy, probe: Callable, settings: hypothesis.settings, seed: int) -> None:
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
    except (_StillFails, hypothesis.errors.Unsatisfiable):
        raise
    except Exception as error:  # noqa: BLE001 - re-raised, redacted
        raise FuzzingError(redact.redact(f"the generated search broke: {crashes.describe(error)}")) from None


def track_created(response, track: Callable) -> None:
    """Hand what a generated request created (an authorization, an install) to ``track`` (``grants.track``): into
    the ledger at once, deleted at teardown."""
    if response.status_code != 201:
        return
    try:
        resource = response.json().get("data") or {}
    except (ValueError, AttributeError):
        return
    if not isinstance(resource, dict) or not readings.usable_id(resource.get("id")):
        return  # no path reaches it: FUZZ-02 judges the answer
    if resource.get("type") == api.AUTHORIZATION:
        track("owner", api.authorization_path(resource["id"]), resource["id"], kind="authorization")
    elif resource.get("type") == "extensions":
        track("authorized", api.extension_path(resource["id"]), resource["id"], kind="extension")


def steps_of(recorder) -> list[str]:
    """The steps of a recorded scenario, one line each: method, path, status."""
    lines = []
    for number, node in enumerate(recorder.cases.values(), 1):
        case = node.value
        response = recorder.find_response(case_id=case.id)
        status = response.status_code if response is not None else "no answer"
        lines.append(f"{number}. {case.method} {case.formatted_path} → {status}")
    return lines

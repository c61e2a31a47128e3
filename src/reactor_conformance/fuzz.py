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

import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import hypothesis
import requests
import schemathesis
from filelock import FileLock
from pyrate_limiter import Limiter
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.transport.requests import ManagedCookiesSession

from . import api, crashes, expect, redact, transport
from .client import (REQUEST_BODY_LIMIT, RESPONSE_BODY_LIMIT, Exchange, RateLimiter, _curl_command, _reached, _text,
                     connection_failure)
from .errors import Unreachable
from .schemas import errors as schema_errors

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC = PROJECT_ROOT / "openapi" / "reactor.yaml"
SETTINGS = PROJECT_ROOT / "schemathesis.toml"
JSON_API = "application/vnd.api+json"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
GATEWAY_ERROR = {"error_code", "message"}  # Adobe's gateway may answer 401/403 so (SHAPE-08)
IMS_OPERATIONS = {"exchangeImsClientCredentials"}  # plain OAuth JSON on the IMS host, not JSON:API
TIMEOUT_S = 30.0
MESSAGE_LIMIT = 1500
SHRINK_REQUESTS = 100  # shrinking a failure stops after this many more requests…
SHRINK_SECONDS = 10.0  # …or this long, whichever comes first
_UNSHOWN_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length",
                              "x-schemathesis-testcaseid"})


# -- the project's own checks, with schemathesis's check signature ---------------------------------------------------
def _is_ims(case) -> bool:
    return case.operation.definition.raw.get("operationId") in IMS_OPERATIONS


def _json(response):
    try:
        return json.loads(response.content)
    except ValueError:
        return None


@schemathesis.check
def json_api_media_type(ctx, response, case):
    """Every API answer with a body is ``application/vnd.api+json``, errors included (SHAPE-01), but for the
    gateway's own answers to authentication failures (D18)."""
    if _is_ims(case) or not response.content or _gateway_error(response):
        return None
    content_type = header(response, "content-type")
    if content_type.split(";")[0].strip().lower() != JSON_API:
        raise AssertionError(f"Content-Type is {content_type or '(none)'}, not {JSON_API}")
    return None


def _gateway_error(response) -> bool:
    """A 401, or a 403, in the shape of Adobe's gateway (SHAPE-08's exception, D18)."""
    document = _json(response) if response.status_code in (401, 403) else None
    return isinstance(document, dict) and GATEWAY_ERROR <= set(document)


@schemathesis.check
def json_api_error_document(ctx, response, case):
    """Every 4xx of the API is a JSON:API error document whose ``errors[].status`` is the answer's (SHAPE-08)."""
    if not 400 <= response.status_code < 500 or _is_ims(case):
        return None
    document = _json(response) if response.content else None
    if document is None:
        raise AssertionError(f"HTTP {response.status_code} without a JSON body")
    if _gateway_error(response):
        return None
    problems = schema_errors("error", document)
    if problems:
        raise AssertionError(f"HTTP {response.status_code} is not a JSON:API error document: {problems[0]}")
    statuses = sorted({str(error.get("status")) for error in document["errors"]})
    if statuses != [str(response.status_code)]:
        raise AssertionError(f"errors[].status is {', '.join(statuses)} in an HTTP {response.status_code}")
    return None


@schemathesis.check
def own_org_data_only(ctx, response, case):
    """A 2xx carries no authorization of which the caller's org is neither owner nor grantee (ISO)."""
    caller = header_of_request(response, "x-gw-ims-org-id")
    if not 200 <= response.status_code < 300 or not caller:
        return None
    for resource in _resources(_json(response)):
        if resource.get("type") != "extension_package_usage_authorizations":
            continue
        attributes = resource.get("attributes") or {}
        orgs = {attributes.get("owner_org_id"), attributes.get("authorized_org_id")}
        if caller not in orgs:
            raise AssertionError(f"{resource.get('id')} concerns {sorted(map(str, orgs))}, not the caller's org {caller}")
    return None


@schemathesis.check
def timestamps_well_formed(ctx, response, case):
    """``created_at`` and ``updated_at`` are ISO-8601 UTC timestamps with a ``Z``, wherever they appear (SHAPE-03)."""
    if not 200 <= response.status_code < 300:
        return None
    for resource in _resources(_json(response)):
        for key in ("created_at", "updated_at"):
            value = (resource.get("attributes") or {}).get(key)
            if value is not None and not _is_utc_timestamp(value):
                raise AssertionError(f"{resource.get('id')}: {key} = {value!r} is not an ISO-8601 UTC timestamp")
    return None


def _is_utc_timestamp(value) -> bool:
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # a well-shaped but impossible date, such as month 13
        return False
    return True


def header(response, name: str) -> str:
    """A response header, whatever the case of its name (schemathesis keeps lists of values)."""
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


def header_of_request(response, name: str) -> str:
    return {key.lower(): value for key, value in response.request.headers.items()}.get(name, "")


def _resources(document) -> list[dict]:
    data = document.get("data") if isinstance(document, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item for item in items if isinstance(item, dict)]


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
    """The checks the project's schemathesis settings enable (all of them, by default) that serve ``requirement``."""
    load_all_checks()
    config = schema.config.checks_config_for()
    chosen = []
    for check in CHECKS.get_all():
        name = getattr(check, "__name__", "")
        if isinstance(check, type) or not config.get_by_name(name=name).enabled:
            continue
        if REQUIREMENT_OF_CHECK.get(name, "FUZZ-02") == requirement:
            chosen.append(_AUTH_ONCE.get(name, check))
    return chosen


_auth_enforced: set[str] = set()


def _ignored_auth_once(ctx, response, case):
    """schemathesis's ``ignored_auth``, probing each operation once per process rather than after every 2xx
    (with schemathesis's own memo of the operations shown to refuse missing and invalid credentials)."""
    ctx.auth_enforced_operations = _auth_enforced
    return openapi_checks.ignored_auth(ctx, response, case)


_ignored_auth_once.__name__ = "ignored_auth"
_AUTH_ONCE = {"ignored_auth": _ignored_auth_once}


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
    return schemathesis.openapi.from_path(SPEC, config=SchemathesisConfig.from_path(SETTINGS))


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

    def base_url_of(self, operation) -> str:
        return (self.ims_url or self.base_url) if operation_id(operation) in IMS_OPERATIONS else self.base_url

    def serves_ims(self) -> bool:
        """The IMS endpoint is fuzzed only where the target itself serves it, never on Adobe's IMS."""
        return bool(self.ims_url) and _origin(self.ims_url) == _origin(self.base_url)


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
                               transport.session(into=ManagedCookiesSession()))
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
def settings_for(run, *, shrink: bool, **overrides) -> hypothesis.settings:
    """The run's budget, no Hypothesis database, and shrinking only where asked (never in nightly runs)."""
    phases = [hypothesis.Phase.generate] + ([hypothesis.Phase.shrink] if shrink and not run.nightly else [])
    return hypothesis.settings(max_examples=run.fuzz_examples, database=None, deadline=None, phases=phases,
                               report_multiple_bugs=False, suppress_health_check=list(hypothesis.HealthCheck),
                               print_blob=False, verbosity=hypothesis.Verbosity.quiet, **overrides)


class TargetGone(BaseException):
    """Raised through Hypothesis (like an interrupt, not like a failure) when the target refuses connections: the
    search stops, and its test is not run — nothing it would have sent could be judged."""


class TargetHung(BaseException):
    """Raised through Hypothesis when a generated request got no answer: FUZZ-01 has its finding, and every further
    request to an operation that hangs would wait out the full timeout, so its search ends there."""


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


def send(case, caller: Caller, target: Aim) -> Sent:
    """Send a generated case as ``caller``; a case this client cannot even encode is rejected, not counted."""
    headers = caller.headers(case.method)
    base_url = target.base_url_of(case.operation)
    try:
        response = case.call(base_url=base_url, session=target.session, headers=headers, timeout=TIMEOUT_S)
    except (requests.ConnectionError, requests.Timeout) as error:
        if not _reached(error) and not isinstance(error, requests.exceptions.ConnectTimeout):
            raise TargetGone(f"cannot reach {base_url}: {connection_failure(error, TIMEOUT_S)}") from None
        failure = connection_failure(error, TIMEOUT_S)
        return Sent(case, None, headers, base_url, failure if failure.startswith("no ") else f"no answer: {failure}",
                    target.session)
    except Exception:  # noqa: BLE001 - e.g. a header value requests refuses: it says nothing about the server
        hypothesis.reject()
    return Sent(case, response, headers, base_url, session=target.session)


def judge(sent: Sent, requirements=STATELESS, recorder=None) -> dict[str, list[str]]:
    """Each requirement's failed checks for one answer. A 5xx or no answer is FUZZ-01's alone: the other
    requirements judge only answers the server meant to give."""
    if sent.response is None:
        return {"FUZZ-01": ["The target gave no answer"]} if "FUZZ-01" in requirements else {}
    schema = sent.case.operation.schema
    failed = {}
    for requirement in requirements:
        if requirement != "FUZZ-01" and sent.response.status_code >= 500 and "FUZZ-01" in requirements:
            continue
        try:
            sent.case.validate_response(sent.response, checks=checks_for(schema, requirement), headers=sent.headers,
                                        transport_kwargs={"base_url": sent.base_url, "headers": sent.headers,
                                                          "timeout": TIMEOUT_S, "session": sent.session,
                                                          "hooks": {"response": [transport.resend_refused(
                                                              sent.session)]}},
                                        recorder=recorder)
        except FailureGroup as group:
            failed[requirement] = [_describe(failure) for failure in group.exceptions]
        except Exception as error:  # noqa: BLE001 - a check that could not run (a probe got no answer) fails it
            failed[requirement] = [f"A check could not run: {crashes.describe(error)[:300]}"]
    return failed


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
        from . import client

        exchange = Exchange(**self.exchange) if self.exchange else None
        if exchange is not None:
            for callback in list(client.on_exchange):
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
        request_body=redact.redact(_text(body, REQUEST_BODY_LIMIT)),
        status=response.status_code if answered else 0,
        response_headers={key: redact.redact(", ".join(values)) for key, values in response.headers.items()}
        if answered else {},
        response_body=redact.redact(_text(response.content, RESPONSE_BODY_LIMIT, response.encoding))
        if answered else "",
        elapsed_ms=response.elapsed * 1000 if answered else 0.0,
        _curl=_curl_command(request.method, request.url, headers, body),
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

    def verdict(self, requirement: str, what: str) -> None:
        """Fail the running test under ``requirement`` when it failed; and no verdict on nothing sent."""
        expect.check(self.sent > 0, requirement, what, "generated requests sent and judged",
                     "no generated request could be sent")
        if requirement in self.findings:
            Finding(**self.findings[requirement]).report()


def explore(operation, caller: Caller, run, target: Aim, *, what: str,
            path_parameters: dict | None = None, adjust: Callable | None = None,
            on_answer: Callable | None = None) -> Findings:
    """Fuzz ``operation`` as ``caller``: ``run.fuzz_examples`` positive and as many negative requests, seeded by
    ``run.fuzz_seed``. Each requirement keeps its first failure; outside nightly runs each failed requirement is
    then searched again with shrinking, for the smallest request that still fails it."""
    try:
        return _explore(operation, caller, run, target, what=what, path_parameters=path_parameters, adjust=adjust,
                        on_answer=on_answer)
    except TargetGone as gone:
        raise Unreachable(redact.redact(str(gone))) from None


def _explore(operation, caller: Caller, run, target: Aim, *, what: str, path_parameters: dict | None,
             adjust: Callable | None, on_answer: Callable | None) -> Findings:
    result = Findings()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None,
                                         headers=caller.headers(operation.method) or None)
        if adjust is not None and mode is GenerationMode.POSITIVE:
            strategy = strategy.map(adjust)
        first: dict[str, tuple[Sent, list[str]]] = {}

        def probe(case):
            sent = send(case, caller, target)
            result.sent += 1
            if on_answer is not None and sent.response is not None:
                on_answer(sent.response)
            for requirement, failures in judge(sent).items():
                first.setdefault(requirement, (sent, failures))
            if sent.response is None:
                raise TargetHung

        hung = False
        try:
            _given(strategy, probe, settings_for(run, shrink=False), run.fuzz_seed)
        except TargetHung:
            hung = True
        except hypothesis.errors.Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise FuzzingError(f"{operation.label}: no valid request can be generated") from None
            continue  # credentials and a real path are all the request has: nothing left to break
        for requirement in STATELESS:
            if requirement not in first or requirement in result.findings:
                continue
            answered = first[requirement][0].response is not None  # a hang is not shrunk: each try waits it out
            smallest = (_shrink(strategy, requirement, caller, run, target, on_answer)
                        if answered and not run.nightly else None)
            sent, failures = smallest or first[requirement]
            note = search_note(run, shrunk=smallest is not None)
            result.findings[requirement] = asdict(finding(
                requirement, f"{what} ({operation.label}, {mode.value} generated requests)", EXPECTED[requirement],
                sent, failures, note, caller.name))
        if hung:
            break
    return result


class _StillFails(AssertionError):
    """Raised while shrinking: this smaller request still fails the requirement searched for."""


def _shrink(strategy, requirement: str, caller: Caller, run, target: Aim, on_answer) -> tuple | None:
    """The same search again, failing at the first request that fails ``requirement``, so that Hypothesis shrinks
    it; the last request that failed is the smallest. None when the failure does not come back."""
    failing: list[tuple[Sent, list[str]]] = []
    budget = ShrinkBudget(target.pace)

    def probe(case):
        budget.check()
        sent = send(case, caller, target)
        if on_answer is not None and sent.response is not None:
            on_answer(sent.response)
        failures = judge(sent, (requirement,) if requirement == "FUZZ-01" else ("FUZZ-01", requirement))
        if requirement in failures:
            failing.append((sent, failures[requirement]))
            budget.failed()
            raise _StillFails(requirement)

    try:
        _given(strategy, probe, settings_for(run, shrink=True), run.fuzz_seed)
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


# -- sharing findings between the processes of a run -------------------------------------------------------------------
def shared(run, key: str, compute: Callable[[], Findings]) -> Findings:
    """The findings of ``key`` for this run: computed by the first process that asks, read by the others.

    A file per key under the run's folder, behind a file lock, so that the FUZZ-01..03 tests of one operation —
    which xdist may hand to different workers — judge one and the same search."""
    folder = Path(run.run_dir) / "fuzz"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.json"
    stamp = run.started_at.isoformat()
    with FileLock(str(path) + ".lock"):
        if path.is_file():
            stored = json.loads(path.read_text("utf-8"))
            if stored.get("run_started_at") == stamp:
                return Findings(stored["sent"], stored["findings"])
        result = compute()
        path.write_text(json.dumps({"run_started_at": stamp, **asdict(result)}, indent=1), "utf-8")
        return result


def track_created(response, track: Callable) -> None:
    """Hand what a generated request created (an authorization, an install) to ``track`` (``grants.track``): into
    the ledger at once, deleted at teardown."""
    if response.status_code != 201:
        return
    try:
        resource = response.json().get("data") or {}
    except (ValueError, AttributeError):
        return
    if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
        return
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

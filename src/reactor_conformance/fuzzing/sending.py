"""Generated requests sent to the run's target: the spec aimed at it (``Aim``), the pace every request waits on,
and the sending itself, reads several at a time.

The pace is the run's own ``RateLimiter``: every request schemathesis sends — generated requests, stateful steps and
the probes some checks send — asks it first, so ``--max-rps`` holds for fuzzing and scenarios together.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import hypothesis
import requests
from pyrate_limiter import Limiter

from ..client import transport
from ..client.transport import RateLimiter, connection_failure
from .internals import ManagedCookiesSession
from .own_checks import IMS_OPERATIONS
from .spec import SAFE_METHODS, operation_id

CONCURRENT_READS = 4  # generated reads in flight at once, per search (``--max-rps`` still holds them all)


class Pace(Limiter):
    """Where schemathesis asks permission before each request it sends (the configuration's ``rate_limit``, whose
    ``try_acquire`` it calls): wait for the run's ``RateLimiter``, count the request."""

    def __init__(self, limiter: RateLimiter | None):  # no bucket of its own, so no Limiter.__init__
        self.limiter, self.sent = limiter, 0
        self._lock = threading.Lock()

    def try_acquire(self, name: str = "", weight: int = 1, blocking: bool = True, timeout: float = -1) -> bool:
        if self.limiter is not None:
            self.limiter.wait()
        with self._lock:
            self.sent += 1
        return True


@dataclass
class Aim:
    """The spec aimed at one run's target: its base URLs, a reused HTTP session and the pace of its requests."""

    base_url: str
    ims_url: str | None
    serves_ims: bool  # the IMS endpoint is fuzzed only where the target itself serves it, never on Adobe's IMS
    pace: Pace
    session: requests.Session
    timeout: float  # seconds before a generated request counts as hung (``--request-timeout``)

    def base_url_of(self, operation) -> str:
        return (self.ims_url or self.base_url) if operation_id(operation) in IMS_OPERATIONS else self.base_url


class FuzzSession(transport.EnvironmentOnce, ManagedCookiesSession):
    """The generated requests' HTTP session: schemathesis's (cookies dropped between requests), reading the
    environment once per origin."""


def aim(state, run, clients) -> Aim:
    """Once per run: the spec's base URL is the target's, and its rate limit is the clients' ``RateLimiter``."""
    if state.aim is None:
        limiter = next((client.limiter for client in clients.values()), None)
        pace = Pace(limiter)
        state.schema.config.update(base_url=run.base_url)
        state.schema.config.rate_limit = pace
        target = run.profile.target
        state.aim = Aim(target.base_url, target.ims_url, target.serves_ims, pace,
                        transport.session(into=FuzzSession()), run.options["request_timeout"])
    return state.aim


@dataclass
class Caller:
    """Who sends an operation's generated requests: an identity's client (None: nobody, for the IMS endpoint)."""

    name: str
    client: object | None = None

    def headers(self, method: str) -> dict[str, str]:
        return self.client.headers(method.upper()) if self.client is not None else {}


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


class TargetGone(BaseException):
    """Raised through Hypothesis (like an interrupt, not like a failure) when the target refuses connections: the
    search stops, and its test is not run — nothing it would have sent could be judged."""


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
    """Every case sent, answers in the cases' order (None for one that cannot be encoded, or not sent). What changes
    nothing on a server that keeps the contract (``changes_nothing``) goes out ``CONCURRENT_READS`` at a time —
    against a distant target the waiting is most of a search — while requests that may write go first, one after the
    other, so that what one changes is there for the next, as in a sequential run (D95). Once a request hangs (no
    answer within the run's timeout), the operation's other cases are not sent: the hang is FUZZ-01's finding, and
    waiting it out for every case would only make the run as long as the cases are many."""
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
    reads = [index for index, case in enumerate(cases) if changes_nothing(case)]
    for index in sorted(set(range(len(cases))) - set(reads)):
        answers[index] = one(cases[index])
    with ThreadPoolExecutor(CONCURRENT_READS) as pool:
        for index, sent in zip(reads, pool.map(one, [cases[index] for index in reads])):
            answers[index] = sent
    return answers


def changes_nothing(case) -> bool:
    """A read, or a request the contract has the server refuse: a negative case with the operation's own method
    (its fault is in what it sends, so a 4xx answers it and nothing is written). An undeclared method may write on
    a server that implements it, and goes with the writes."""
    method = case.method.upper()
    if method in SAFE_METHODS:
        return True
    meta = case.meta
    return (method == case.operation.method.upper() and meta is not None
            and meta.generation.mode.is_negative)


def send_drawn(case, caller: Caller, target: Aim) -> Sent:
    """``send`` for a case Hypothesis drew: one that cannot be encoded is rejected, so Hypothesis draws another."""
    try:
        return send(case, caller, target)
    except Unsendable:
        hypothesis.reject()

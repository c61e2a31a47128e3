"""The HTTP session every request of a run goes through: scenarios, fuzzing, stateful sequences, IMS, clean-up.

One job: get an answer the target meant. A 429 is retried whatever the method (RFC 6585: the target did not
act on it), a 503 only for idempotent methods; ``Retry-After`` is honoured up to a cap. This is urllib3's
``Retry``, taught those two rules, and counting: ``tally`` holds, per process, how many requests went out
and how many 429/503 answers were retried, so that a run can report them and never count one as a failure.
"""

from __future__ import annotations

import http.client
import os
import ssl
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidChunkLength, NameResolutionError, ProtocolError
from urllib3.util.retry import Retry

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
STATUS_RETRIES = 4  # five tries in all: a target that refuses more than that is shown as it answered
MAX_WAIT_S = 10.0  # no single wait is longer, whatever Retry-After asks
BACKOFF_S = 0.25  # waits without Retry-After: 0, 0.5, 1, 2 s …

tally: Counter = Counter()
"""This process's requests: ``sent`` (every try), ``retried_429``, ``retried_503``."""

HUNG_FLOOR_S = 2.0  # a request is never called hung sooner than this …
HUNG_MULTIPLE = 10  # … nor sooner than ten times the slowest answer the target gave so far …
LEARNING_ANSWERS = 20  # … once it gave this many; before, and never beyond it, the run's --request-timeout


class AnswerTimes:
    """How long to wait for an answer before a request counts as hung, learnt from the target's own answers: a
    mock that answers in milliseconds and never answers one request (Prism, a malformed JSON body) is found hung
    in seconds, while a slow staging, whose every answer raises the bar, is never called hung sooner than ten
    times its slowest answer. ``--request-timeout`` stays the ceiling."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.slowest_s, self.answers, self.learning = 0.0, 0, True

    def note(self, seconds: float) -> None:
        with self._lock:
            self.slowest_s, self.answers = max(self.slowest_s, seconds), self.answers + 1

    def limit(self, ceiling: float) -> float:
        if not self.learning or self.answers < LEARNING_ANSWERS:
            return ceiling
        return min(ceiling, max(HUNG_FLOOR_S, round(HUNG_MULTIPLE * self.slowest_s, 1)))

    def clear(self, learning: bool = True) -> None:
        """Start anew; ``learning=False`` always waits the ceiling (the embedded reference server, the tool's own,
        which answers everything: a hang there is a bug, never a finding worth saving seconds on)."""
        with self._lock:
            self.slowest_s, self.answers, self.learning = 0.0, 0, learning


answer_times = AnswerTimes()
"""This process's answers: what the wait for the next one is learnt from."""


class PoliteRetry(Retry):
    """urllib3's ``Retry`` for answers only (connection errors are the caller's to judge): 429 for every
    method, 503 for idempotent ones, ``Retry-After`` capped at ``max_wait_s``; every retry is counted."""

    max_wait_s = MAX_WAIT_S

    def new(self, **kwargs) -> "PoliteRetry":
        retry = super().new(**kwargs)
        retry.max_wait_s = self.max_wait_s
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return True
        return status_code == 503 and method.upper() in IDEMPOTENT

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_wait_s)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None and error is None:
            tally[f"retried_{response.status}"] += 1
            tally["sent"] += 1  # the retry about to go out
        return super().increment(method, url, response, error, _pool, _stacktrace)


def retry_policy(status_retries: int = STATUS_RETRIES, max_wait_s: float = MAX_WAIT_S) -> PoliteRetry:
    retry = PoliteRetry(total=None, connect=0, read=False, redirect=0, other=0, status=status_retries,
                        backoff_factor=min(BACKOFF_S, max_wait_s), backoff_max=max_wait_s,
                        respect_retry_after_header=True, raise_on_status=False, allowed_methods=None)
    retry.max_wait_s = max_wait_s
    return retry


class EnvironmentOnce:
    """A session mixin that reads the environment's proxy and CA settings, and the netrc file's credentials, once
    per origin: requests reads every environment variable, and looks for the netrc file on disk, on every request
    otherwise, a noticeable share of a request to a server nearby."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._environment: dict[tuple, dict] = {}
        self._netrc: dict[tuple, object] = {}

    def prepare_request(self, request):
        if self.trust_env and not request.auth and not self.auth:
            origin = _origin(request.url)
            if origin not in self._netrc:
                self._netrc[origin] = requests.utils.get_netrc_auth(request.url) or _no_auth
            request.auth = self._netrc[origin]
        return super().prepare_request(request)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        key = (_origin(url), tuple(sorted((proxies or {}).items())), stream, verify, cert)
        if key not in self._environment:
            self._environment[key] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        return {name: dict(value) if isinstance(value, dict) else value for name, value in self._environment[key].items()}

    def send(self, request, **kwargs):
        if kwargs.get("proxies") is None:  # Session.send would resolve them from the environment again
            kwargs["proxies"] = self.merge_environment_settings(request.url, {}, None, None, None)["proxies"]
        return super().send(request, **kwargs)


def _no_auth(request):
    """No netrc credentials for the origin: the request goes as it is (and requests looks for none again)."""
    return request


class Session(EnvironmentOnce, requests.Session):
    """The run's session: ``requests.Session`` reading the environment once per origin."""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


on_answer: list = []
"""Callbacks that see every request of the run that got an answer, as it went on the wire and before anything was
made of it: ``callback(request, response, started_at, elapsed_ms)`` (the run's HAR file takes them from here)."""


class CountingAdapter(HTTPAdapter):
    """Counts every request it sends (its retries are counted by ``PoliteRetry``), waits for its answer as long as
    ``answer_times`` says (the caller's timeout the ceiling), and hands each answered one to ``on_answer``."""

    def send(self, request, **kwargs):
        tally["sent"] += 1
        ceiling = kwargs.get("timeout")
        waited = answer_times.limit(ceiling) if isinstance(ceiling, (int, float)) else ceiling
        if waited != ceiling:
            kwargs["timeout"] = (ceiling, waited)  # connecting keeps the ceiling; only the wait for the answer learns
        started_at, started = datetime.now(timezone.utc), time.perf_counter()
        try:
            response = super().send(request, **kwargs)
        except requests.exceptions.ReadTimeout as error:
            error.waited_s = waited  # what ``connection_failure`` says was waited
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        answer_times.note(elapsed_ms / 1000)
        for callback in list(on_answer):
            callback(request, response, started_at, elapsed_ms)
        return response


def session(status_retries: int = STATUS_RETRIES, into: requests.Session | None = None,
            max_wait_s: float = MAX_WAIT_S) -> requests.Session:
    """A session (``into``, or a new one) whose http and https requests retry and count as described above."""
    http = into if into is not None else Session()
    adapter = CountingAdapter(max_retries=retry_policy(status_retries, max_wait_s))
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def resend_refused(through: requests.Session):
    """A requests response hook for requests the run sends on sessions it does not own (the probes some of
    schemathesis's checks send on fresh sessions): a 429 or 503 this policy retries is sent again ``through``
    the run's session, after its ``Retry-After``, and the answer to that replaces it."""
    policy = retry_policy()

    def hook(response: requests.Response, **kwargs) -> requests.Response | None:
        if not policy.is_retry(response.request.method, response.status_code):
            return None
        tally[f"retried_{response.status_code}"] += 1
        retry_after = response.headers.get("Retry-After")
        time.sleep(policy.parse_retry_after(retry_after) if retry_after else BACKOFF_S)
        return through.send(response.request, timeout=kwargs.get("timeout"), allow_redirects=False)

    return hook


def retries_of(response: requests.Response) -> list[str]:
    """The answers a request got before ``response``, retried here: ``["429: retried", …]``."""
    retry = getattr(getattr(response, "raw", None), "retries", None)
    return [f"{entry.status}: retried" for entry in getattr(retry, "history", ()) if entry.status]


def counts() -> dict[str, int]:
    """This process's tally as plain data."""
    return {"sent": tally["sent"], "retried_429": tally["retried_429"], "retried_503": tally["retried_503"]}


class RateLimiter:
    """At most ``max_rps`` requests per second, for every client and every process of a run: pyrate-limiter's leaky
    bucket of one request per interval, kept in an SQLite file under a file lock when ``shared_file`` is given (the
    xdist workers of a run share it), else in this process's memory."""

    def __init__(self, max_rps: float, shared_file: str | os.PathLike | None = None):
        if not max_rps > 0:
            raise ValueError(f"max_rps must be positive, not {max_rps!r}")
        from pyrate_limiter import InMemoryBucket, Limiter, Rate, SQLiteBucket  # only a run that paces itself (D99)

        rates = [Rate(1, max(1, round(1000 / max_rps)))]  # one request per interval, in milliseconds
        if shared_file is None:
            bucket = InMemoryBucket(rates)
        else:
            Path(shared_file).parent.mkdir(parents=True, exist_ok=True)
            bucket = SQLiteBucket.init_from_file(rates, db_path=str(shared_file), use_file_lock=True)
        self._limiter = Limiter(bucket, buffer_ms=0)

    def wait(self) -> None:
        """Block until the run's pace lets the next request go."""
        self._limiter.try_acquire("requests")


def _causes(error: BaseException):
    """``error`` and everything it wraps: urllib3 and requests nest the OS's error several levels deep."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:  # ssl errors' `reason` is a string
            continue
        seen.add(id(current))
        yield current
        stack += [getattr(current, "reason", None), current.__cause__, current.__context__,
                  *(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))]


def connection_failure(error: BaseException, timeout: float) -> str:
    """What went wrong, in a few words a person understands, told by the types of the errors involved."""
    causes = list(_causes(error))

    def found(*types) -> BaseException | None:
        return next((cause for cause in causes if isinstance(cause, types)), None)

    tls = found(ssl.SSLError)
    if tls is not None or isinstance(error, requests.exceptions.SSLError):
        if found(ssl.SSLCertVerificationError):
            return "TLS certificate not trusted"
        if getattr(tls, "reason", None) in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL"):
            return "TLS handshake failed (does it speak plain HTTP?)"
        return "TLS handshake failed"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(error, requests.exceptions.ReadTimeout):
        waited = getattr(error, "waited_s", timeout)
        learnt = f" ({HUNG_MULTIPLE}× the target's slowest answer, at least {HUNG_FLOOR_S:g} s)" if waited < timeout else ""
        return f"no answer within {waited:g} s{learnt}"
    if found(ConnectionRefusedError):
        return "connection refused"
    if found(NameResolutionError):
        return "unknown host"
    if found(http.client.BadStatusLine) and not found(http.client.RemoteDisconnected) or found(InvalidChunkLength):
        return "the answer is not HTTP"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection closed in the middle of the answer"
    if found(http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "connection closed without an answer"
    return type(error).__name__


def reached(error: requests.RequestException) -> bool:
    """The target accepted the connection, then the answer did not come (whole)."""
    if isinstance(error, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError)):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, ProtocolError)


def dropped(error: requests.RequestException) -> bool:
    """The target accepted the connection and closed it before any answer: also what a kept-alive connection
    looks like when the target closed it, idle, just as a request went out on it (not a timeout, not an answer
    cut short)."""
    if not reached(error) or isinstance(error, (requests.exceptions.ReadTimeout,
                                                requests.exceptions.ChunkedEncodingError)):
        return False
    closed = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    return any(isinstance(cause, closed) for cause in _causes(error))


def transient(error: requests.RequestException) -> bool:
    """Worth another try: a dropped connection or a timeout; not a refused port, an unknown host or bad TLS."""
    return reached(error) or isinstance(error, requests.exceptions.ConnectTimeout)

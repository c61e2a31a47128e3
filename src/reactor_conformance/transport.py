"""The HTTP session every request of a run goes through: scenarios, fuzzing, stateful sequences, IMS, clean-up.

One job: get an answer the target meant. A 429 is retried whatever the method (RFC 6585: the target did not
act on it), a 503 only for idempotent methods; ``Retry-After`` is honoured up to a cap. This is urllib3's
``Retry``, taught those two rules, and counting: ``tally`` holds, per process, how many requests went out
and how many 429/503 answers were retried, so that a run can report them and never count one as a failure.
"""

from __future__ import annotations

import time
from collections import Counter

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
STATUS_RETRIES = 4  # five tries in all: a target that refuses more than that is shown as it answered
MAX_WAIT_S = 10.0  # no single wait is longer, whatever Retry-After asks
BACKOFF_S = 0.25  # waits without Retry-After: 0, 0.5, 1, 2 s …

tally: Counter = Counter()
"""This process's requests: ``sent`` (every try), ``retried_429``, ``retried_503``."""


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


class CountingAdapter(HTTPAdapter):
    """Counts every request it sends (its retries are counted by ``PoliteRetry``)."""

    def send(self, request, **kwargs):
        tally["sent"] += 1
        return super().send(request, **kwargs)


def session(status_retries: int = STATUS_RETRIES, into: requests.Session | None = None,
            max_wait_s: float = MAX_WAIT_S) -> requests.Session:
    """A session (``into``, or a new one) whose http and https requests retry and count as described above."""
    http = into if into is not None else requests.Session()
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

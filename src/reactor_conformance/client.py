"""A JSON:API client on requests, one per org identity: the Reactor headers, politeness, and a record of
every exchange that failure messages and reports can show without leaking a secret.

Retries never hide a failure: only idempotent requests are retried (429/503 with ``Retry-After``,
transient connection errors), a bounded number of times, and every retry is noted on the exchange.
"""

from __future__ import annotations

import json as jsonlib
import shlex
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable

import requests

from . import redact
from .errors import TargetError
from .settings import Identity

JSON_API = "application/vnd.api+json"
ACCEPT = f"{JSON_API};revision=1"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
REQUEST_BODY_LIMIT = 4096
RESPONSE_BODY_LIMIT = 8192

on_exchange: list[Callable[["Exchange"], None]] = []
"""Callbacks that see every exchange (the Allure layer attaches them to the running test)."""


@dataclass(frozen=True)
class Retries:
    status_attempts: int = 3          # tries in all for 429/503 on idempotent requests
    network_attempts: int = 3         # tries in all for connection errors on idempotent requests
    max_wait_s: float = 10.0
    backoff_s: float = 0.5


class RateLimiter:
    """A token bucket shared by every client of a run: at most ``max_rps`` requests per second."""

    def __init__(self, max_rps: float):
        self.interval = 1.0 / max_rps
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


@dataclass
class Exchange:
    identity: str
    method: str
    url: str
    request_headers: dict
    request_body: str
    status: int = 0
    response_headers: dict = field(default_factory=dict)
    response_body: str = ""
    elapsed_ms: float = 0.0
    retries: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"{self.method} {self.url} as {self.identity}"]
        lines += [f"  {k}: {v}" for k, v in self.request_headers.items()]
        if self.request_body:
            lines.append("  " + self.request_body)
        lines.append(f"→ HTTP {self.status} in {self.elapsed_ms:.0f} ms"
                     + (f" after retries: {'; '.join(self.retries)}" if self.retries else ""))
        content_type = self.response_headers.get("Content-Type") or self.response_headers.get("content-type")
        if content_type:
            lines.append(f"  Content-Type: {content_type}")
        if self.response_body:
            lines.append("  " + self.response_body)
        return redact.redact("\n".join(lines))

    def curl(self) -> str:
        """A one-line curl that reproduces the request, secrets replaced by ``$OWNER_TOKEN``-style variables."""
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for key, value in self._raw_headers.items():  # double quotes, so that $OWNER_TOKEN expands
            header = redact.redact(f"{key}: {value}", placeholders=True)
            parts += ["-H", '"' + header.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"']
        if self._raw_body:
            parts += ["--data-raw", shlex.quote(redact.redact(self._raw_body, placeholders=True))]
        return " ".join(parts)

    _raw_headers: dict = field(default_factory=dict, repr=False)
    _raw_body: str = field(default="", repr=False)


class ApiClient:
    """Calls the target as one identity. Methods return the ``requests.Response`` (with ``.exchange``)
    whatever its status; only an unreachable target raises (``TargetError``)."""

    def __init__(self, base_url: str, identity: Identity, tokens, *, session: requests.Session | None = None,
                 timeout: float = 30.0, limiter: RateLimiter | None = None, retries: Retries = Retries()):
        self.base_url = base_url.rstrip("/")
        self.identity, self.tokens = identity, tokens
        self.session = session or requests.Session()
        self.timeout, self.limiter, self.retries = timeout, limiter, retries
        for name, value in identity.secrets().items():
            redact.register(name, value)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def headers(self, method: str = "GET") -> dict[str, str]:
        """The headers an API call of this identity carries."""
        headers = {"Authorization": f"Bearer {self.tokens.token()}", "x-api-key": self.identity.api_key,
                   "x-gw-ims-org-id": self.identity.org_id}
        if method == "GET":
            headers["Accept"] = ACCEPT
        return headers

    def request(self, method: str, path: str, *, params=None, json=None, data=None, files=None,
                headers: dict | None = None, raw_body: bytes | str | None = None,
                omit_headers: tuple[str, ...] = ()) -> requests.Response:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        retried: list[str] = []
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            request = self._prepare(method, url, params, json, data, files, headers, raw_body, omit_headers)
            if self.limiter:
                self.limiter.wait()
            started = time.perf_counter()
            try:
                response = self.session.send(request, timeout=self.timeout, allow_redirects=False)
            except (requests.ConnectionError, requests.Timeout) as error:
                if method in IDEMPOTENT and attempt < self.retries.network_attempts:
                    retried.append(f"{type(error).__name__}")
                    time.sleep(self.retries.backoff_s * attempt)
                    continue
                raise TargetError(f"cannot reach {url.split('?')[0]}: {_reason(error)}") from None
            except requests.RequestException as error:
                raise TargetError(f"request to {url.split('?')[0]} failed: {_reason(error)}") from None
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status_code == 401 and self.tokens.refreshable and not refreshed:
                self.tokens.invalidate()
                refreshed = True
                retried.append("401: token renewed")
                continue
            wait = self._retry_after(response, method, attempt)
            if wait is not None:
                retried.append(f"HTTP {response.status_code}: waited {wait:.1f} s")
                time.sleep(wait)
                continue
            response.exchange = self._record(request, response, elapsed_ms, retried)
            return response

    def _prepare(self, method, url, params, json, data, files, headers, raw_body, omit_headers):
        merged = self.headers(method)
        if json is not None:
            data = jsonlib.dumps(json)
            merged["Content-Type"] = JSON_API
        elif raw_body is not None:
            data = raw_body
            merged["Content-Type"] = JSON_API
        merged.update(headers or {})
        for name in omit_headers:
            for key in [k for k in merged if k.lower() == name.lower()]:
                del merged[key]
        request = requests.Request(method, url, params=params, data=data, files=files, headers=merged)
        prepared = self.session.prepare_request(request)
        for name in omit_headers:  # the session's defaults must not put it back
            prepared.headers.pop(name, None)
        return prepared

    def _retry_after(self, response: requests.Response, method: str, attempt: int) -> float | None:
        if response.status_code not in (429, 503) or method not in IDEMPOTENT:
            return None
        if attempt >= self.retries.status_attempts:
            return None
        header = response.headers.get("Retry-After")
        wait = self.retries.backoff_s * 2 ** (attempt - 1)
        if header:
            try:
                wait = float(header)
            except ValueError:
                try:
                    wait = parsedate_to_datetime(header).timestamp() - time.time()
                except (TypeError, ValueError):
                    pass
        return min(max(wait, 0.0), self.retries.max_wait_s)

    def _record(self, request, response, elapsed_ms: float, retried: list[str]) -> Exchange:
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        shown_headers = {k: v for k, v in request.headers.items()
                         if k.lower() in ("authorization", "x-api-key", "x-gw-ims-org-id", "content-type", "accept")}
        exchange = Exchange(
            identity=self.identity.name, method=request.method, url=request.url,
            request_headers={k: redact.redact(v) if k.lower() != "x-gw-ims-org-id" else v
                             for k, v in shown_headers.items()},
            request_body=redact.redact(body[:REQUEST_BODY_LIMIT]),
            status=response.status_code, response_headers=dict(response.headers),
            response_body=redact.redact(response.text[:RESPONSE_BODY_LIMIT]),
            elapsed_ms=elapsed_ms, retries=list(retried),
            _raw_headers=shown_headers, _raw_body=body[:REQUEST_BODY_LIMIT],
        )
        for callback in list(on_exchange):
            callback(exchange)
        return exchange


def _reason(error: Exception) -> str:
    text = str(error)
    for marker, reason in (("Connection refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"), ("SSLError", "TLS error"),
                           ("timed out", "timed out"), ("Read timed out", "timed out")):
        if marker in text or marker == type(error).__name__:
            return reason
    return type(error).__name__

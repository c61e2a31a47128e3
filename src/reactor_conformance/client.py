"""A JSON:API client on requests, one per org identity: the Reactor headers, politeness, and a record of
every exchange that failure messages and reports can show without leaking a secret.

Retries never hide a failure: 429 and 503 answers are retried by the session's transport (``transport``:
429 for any method, 503 for idempotent ones), transient connection errors by the client for idempotent
requests only, a bounded number of times, and every retry is noted on the exchange. A 401 to a renewable
token is sent once more with a fresh token, whatever its method: it was refused before it did anything. Paths go on the wire as written (``EA…/..`` is not
normalised away), because robustness checks send such paths on purpose.
"""

from __future__ import annotations

import json as jsonlib
import re
import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ProtocolError

from . import redact, transport
from .errors import TargetError, Unreachable
from .settings import Identity

JSON_API = "application/vnd.api+json"
ACCEPT = f"{JSON_API};revision=1"
IDEMPOTENT = transport.IDEMPOTENT
REQUEST_BODY_LIMIT = 4096
RESPONSE_BODY_LIMIT = 8192
_NOISE_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length"})
_SHOWN_RESPONSE_HEADERS = ("Content-Type", "Location", "Retry-After", "WWW-Authenticate")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_CONTROL = re.compile(r"([\x00-\x1f\x7f]+)")

on_exchange: list[Callable[[Exchange], None]] = []
"""Callbacks that see every exchange (the reporting layer attaches them to the running test)."""


@dataclass(frozen=True)
class Retries:
    """How far the client goes with a failed connection before it shows the failure as it is."""

    connection_retries: int = 2    # a transient connection failure on an idempotent request
    max_wait_s: float = 10.0       # no single wait is longer
    backoff_s: float = 0.5         # first wait; doubles each time

    def backoff(self, retry: int) -> float:
        return min(self.backoff_s * 2 ** (retry - 1), self.max_wait_s)


class RateLimiter:
    """A token bucket of one token, shared by every client of a run: at most ``max_rps`` requests per second."""

    def __init__(self, max_rps: float):
        if not max_rps > 0:
            raise ValueError(f"max_rps must be positive, not {max_rps!r}")
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


@dataclass(frozen=True)
class Exchange:
    """One request and its final answer, redacted when recorded: safe to log, attach or print."""

    identity: str
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str
    status: int
    response_headers: Mapping[str, str]
    response_body: str
    elapsed_ms: float
    retries: list[str] = field(default_factory=list)
    _curl: str = field(default="", repr=False)

    def describe(self) -> str:
        """Request, headers, body, status and answer, one item a line, for failure messages."""
        lines = [f"{self.method} {self.url} as {self.identity}"]
        lines += [f"  {key}: {value}" for key, value in self.request_headers.items()]
        lines += _indented(self.request_body)
        took = f"→ {self.status} in {self.elapsed_ms:.0f} ms"
        lines.append(took + (f" (retried: {'; '.join(self.retries)})" if self.retries else ""))
        shown = CaseInsensitiveDict(self.response_headers)
        lines += [f"  {key}: {shown[key]}" for key in _SHOWN_RESPONSE_HEADERS if key in shown]
        lines += _indented(self.response_body)
        return redact.redact("\n".join(lines))

    def curl(self) -> str:
        """A one-line curl that reproduces the request; secrets are ``$OWNER_TOKEN``-style shell variables."""
        return self._curl


class ApiClient:
    """Calls the target as one identity. Methods return the ``requests.Response`` (with ``.exchange``)
    whatever its status; only a target that cannot be reached raises (``TargetError``)."""

    def __init__(self, base_url: str, identity: Identity, tokens, *, session: requests.Session | None = None,
                 timeout: float = 30.0, limiter: RateLimiter | None = None, retries: Retries = Retries()):
        self.base_url = base_url.rstrip("/")
        self.identity, self.tokens = identity, tokens
        self.session = session or transport.session()
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
        return {"Authorization": f"Bearer {self.tokens.token()}", **self._identity_headers(method)}

    def url(self, path: str) -> str:
        """``path`` under the base URL; an absolute URL (a ``links.self``) is used as it is."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def request(self, method: str, path: str, *, params=None, json=None, data=None, files=None,
                headers: Mapping[str, str] | None = None, raw_body: bytes | str | None = None,
                omit_headers: tuple[str, ...] = ()) -> requests.Response:
        """Send one request (and its bounded retries); ``omit_headers`` leaves out headers the client would
        send, ``headers`` overrides them, ``raw_body`` goes out byte for byte as a JSON:API body."""
        method = method.upper()
        url = self.url(path)
        own_token = not _overrides(headers, omit_headers, "Authorization")
        prepared = self._prepare(method, url, own_token, params, json, data, files, headers, raw_body, omit_headers)
        renewable = own_token and self.tokens.refreshable
        retried: list[str] = []
        connection_retries = 0
        while True:
            if self.limiter:
                self.limiter.wait()
            started = time.perf_counter()
            try:
                response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
            except requests.RequestException as error:
                if method in IDEMPOTENT and _transient(error) and connection_retries < self.retries.connection_retries:
                    connection_retries += 1
                    wait = self.retries.backoff(connection_retries)
                    retried.append(f"{connection_failure(error, self.timeout)}: retried after {wait:.1f} s")
                    time.sleep(wait)
                    continue
                kind = TargetError if _reached(error) else Unreachable
                raise kind(_failure_line(method, url, error, self.timeout, retried)) from None
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status_code == 401 and renewable:
                renewable = False
                response.close()
                self.tokens.invalidate()
                prepared.headers["Authorization"] = f"Bearer {self.tokens.token()}"
                retried.append("401: token renewed")
                continue
            response.exchange = self._record(prepared, response, elapsed_ms, [*retried, *transport.retries_of(response)])
            return response

    def _prepare(self, method, url, own_token, params, json, data, files, headers, raw_body, omit_headers):
        merged = CaseInsensitiveDict(self.headers(method) if own_token else self._identity_headers(method))
        if json is not None:
            data = jsonlib.dumps(json).encode("utf-8")
            merged["Content-Type"] = JSON_API
        elif raw_body is not None:
            data = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
            merged["Content-Type"] = JSON_API
        merged.update(headers or {})
        prepared = self.session.prepare_request(
            requests.Request(method, url, params=params, data=data, files=files, headers=merged))
        for name in omit_headers:  # after preparing, so that requests' default headers do not put it back
            prepared.headers.pop(name, None)
        prepared.url = _with_path_as_written(prepared.url, url)
        return prepared

    def _identity_headers(self, method: str) -> dict[str, str]:
        headers = {"x-api-key": self.identity.api_key, "x-gw-ims-org-id": self.identity.org_id}
        if method.upper() == "GET":
            headers["Accept"] = ACCEPT
        return headers

    def _record(self, prepared, response: requests.Response, elapsed_ms: float, retried: list[str]) -> Exchange:
        headers = {key: value for key, value in prepared.headers.items()
                   if key.lower() not in _NOISE_HEADERS and not (key.lower() == "accept" and value == "*/*")}
        body = prepared.body or b""
        body = body.encode("utf-8") if isinstance(body, str) else body
        exchange = Exchange(
            identity=self.identity.name, method=prepared.method, url=redact.redact(prepared.url),
            request_headers={key: redact.redact(value) for key, value in headers.items()},
            request_body=redact.redact(_text(body, REQUEST_BODY_LIMIT)),
            status=response.status_code,
            response_headers={key: redact.redact(value) for key, value in response.headers.items()},
            response_body=redact.redact(_text(response.content, RESPONSE_BODY_LIMIT, response.encoding)),
            elapsed_ms=elapsed_ms, retries=list(retried),
            _curl=_curl_command(prepared.method, prepared.url, headers, body),
        )
        for callback in list(on_exchange):
            callback(exchange)
        return exchange


def connection_failure(error: Exception, timeout: float) -> str:
    """What went wrong, in a few words a person understands."""
    text = str(error)
    if isinstance(error, requests.exceptions.SSLError):
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return "TLS certificate not trusted"
        if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text or "wrong version" in text.lower():
            return "TLS handshake failed (does it speak plain HTTP?)"
        return "TLS handshake failed"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if "Connection refused" in text:
        return "connection refused"
    if "NameResolutionError" in text or "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "BadStatusLine" in text or "InvalidChunkLength" in text:
        return "the answer is not HTTP"
    if "RemoteDisconnected" in text or "Connection aborted" in text or "Connection reset" in text:
        return "connection closed without an answer"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection closed in the middle of the answer"
    return type(error).__name__


def _reached(error: requests.RequestException) -> bool:
    """The target accepted the connection, then the answer did not come (whole)."""
    if isinstance(error, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError)):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, ProtocolError)


def _transient(error: requests.RequestException) -> bool:
    """Worth another try: a dropped connection or a timeout; not a refused port, an unknown host or bad TLS."""
    return _reached(error) or isinstance(error, requests.exceptions.ConnectTimeout)


def _failure_line(method: str, url: str, error: requests.RequestException, timeout: float,
                  retried: list[str]) -> str:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    reason = connection_failure(error, timeout) + (f" (after {len(retried)} retries)" if retried else "")
    if _reached(error):
        return redact.redact(f"{method} {origin}{parts.path} failed: {reason}")
    return redact.redact(f"cannot reach {origin}: {reason}")


def _overrides(headers: Mapping[str, str] | None, omit: tuple[str, ...], name: str) -> bool:
    """Whether the caller replaces or drops header ``name`` (then the client's value is not used)."""
    return name.lower() in {key.lower() for key in (*(headers or {}), *omit)}


def _with_path_as_written(prepared_url: str, url: str) -> str:
    """requests removes ``..`` and ``.`` segments; put the caller's path back, percent-encoding only what
    cannot go on the wire (non-ASCII, spaces)."""
    written = quote(urlsplit(url).path, safe=_PATH_SAFE)
    return urlunsplit(urlsplit(prepared_url)._replace(path=written))


def _text(body: bytes, limit: int, encoding: str | None = None) -> str:
    if not body:
        return ""
    try:
        text = body[:limit].decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        if len(body) <= limit or error.start < limit - 4:  # not merely a character cut in two by the limit
            return f"<{len(body)} bytes of binary data>"
        text = body[:error.start].decode(encoding or "utf-8")
    except LookupError:
        text = body[:limit].decode("utf-8", "replace")
    return text if len(body) <= limit else f"{text}… (truncated; {len(body)} bytes in all)"


def _indented(text: str) -> list[str]:
    return ["  " + line for line in text.splitlines()]


def _curl_command(method: str, url: str, headers: Mapping[str, str], body: bytes) -> str:
    parts = ["curl", "-sS", "--path-as-is", "-X", method, _shell_word(url)]
    for key, value in headers.items():
        parts += ["-H", _shell_word(f"{key}: {value}")]
    if body:
        try:
            parts += ["--data-raw", _shell_word(body.decode("utf-8"))]
        except UnicodeDecodeError:
            parts += ["--data-binary", "@body.bin", f"# the {len(body)}-byte binary body is not reproduced"]
    return " ".join(parts)


def _shell_word(text: str) -> str:
    """``text`` as one word of a one-line POSIX shell command (bash for control characters), secrets as
    ``$NAME`` variables the shell expands."""
    text = redact.redact(text, placeholders=True)
    variables = sorted((name for name in redact.names() if f"${name}" in text), key=len, reverse=True)
    if not variables and not _CONTROL.search(text):
        return shlex.quote(text)
    kept = rf"\$(?:{'|'.join(map(re.escape, variables))})(?![A-Za-z0-9_])|" if variables else ""
    special = re.compile(kept + r"([\\\"`$])")
    word = []
    for i, piece in enumerate(_CONTROL.split(text)):
        if i % 2:  # a run of control characters, outside the double quotes
            word.append("$'" + "".join(f"\\x{ord(char):02x}" for char in piece) + "'")
        elif piece:
            word.append('"' + special.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(0), piece) + '"')
    return "".join(word)

"""A JSON:API client of the target, one per org identity: the Reactor headers and paths as written.

What it sends goes through the run's transport (``transport``: 429/503 retried, requests counted, the run's
pace); the token is an auth hook (``TokenAuth``: a 401 to a renewable token is sent once more with a fresh
one, whatever its method — it was refused before it did anything); every answer comes back with its
``exchange`` (``exchanges``). Transient connection errors are retried here, for idempotent requests only, a
bounded number of times, and each retry is noted on the exchange: a retry never hides a failure. Paths go on
the wire as written (``EA…/..`` is not normalised away), because robustness checks send such paths on purpose.
"""

from __future__ import annotations

import json as jsonlib
import time
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from requests.structures import CaseInsensitiveDict

from .. import JSON_API
from ..errors import TargetError, Unreachable
from . import exchanges, redact, transport
from .profile import Identity
from .transport import RateLimiter, connection_failure

ACCEPT = f"{JSON_API};revision=1"
IDEMPOTENT = transport.IDEMPOTENT
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class Retries:
    """How far the client goes with a failed connection before it shows the failure as it is."""

    connection_retries: int = 2    # a transient connection failure on an idempotent request
    max_wait_s: float = 10.0       # no single wait is longer
    backoff_s: float = 0.5         # first wait; doubles each time

    def backoff(self, retry: int) -> float:
        return min(self.backoff_s * 2 ** (retry - 1), self.max_wait_s)


class TokenAuth(requests.auth.AuthBase):
    """The identity's bearer token on every request; a 401 to a renewable token renews it and sends the request
    once more (noted in the answer's history, so the exchange shows it)."""

    def __init__(self, tokens):
        self.tokens = tokens

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        prepared.headers["Authorization"] = f"Bearer {self.tokens.token()}"
        if self.tokens.refreshable:
            prepared.register_hook("response", self._renew_once)
        return prepared

    def _renew_once(self, response: requests.Response, **send_kwargs) -> requests.Response:
        if response.status_code != 401 or getattr(response.request, "renewed", False):
            return response
        response.close()
        self.tokens.invalidate()
        again = response.request.copy()
        again.headers["Authorization"] = f"Bearer {self.tokens.token()}"
        again.renewed = True
        again.hooks = {"response": []}
        renewed = response.connection.send(again, **send_kwargs)
        renewed.history.append(response)
        renewed.request = again
        return renewed


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
        """``path`` under the base URL. An absolute URL (a ``links.self``) is asked of the target the run is aimed
        at: its path and query under the base URL's origin, so that credentials never go to a host a document
        names (another host, or the server behind a proxy). A path is appended as written, not resolved with
        ``urljoin``: that would drop a base URL's own path (a gateway's ``/reactor``) and resolve the ``..`` of a
        mangled ID (FUZZ-05), which must reach the target as sent."""
        if path.startswith(("http://", "https://")):
            link, base = urlsplit(path), urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def request(self, method: str, path: str, *, params=None, json=None, data=None, files=None,
                headers: Mapping[str, str] | None = None, raw_body: bytes | str | None = None,
                omit_headers: tuple[str, ...] = ()) -> requests.Response:
        """Send one request (and its bounded retries); ``omit_headers`` leaves out headers the client would
        send, ``headers`` overrides them, ``raw_body`` goes out byte for byte as a JSON:API body."""
        method = method.upper()
        url = self.url(path)
        outgoing = self._outgoing(method, url, params=params, json=json, data=data, files=files, headers=headers,
                                  raw_body=raw_body, own_token=not _overrides(headers, omit_headers, "Authorization"))
        prepared = self._prepare(outgoing, omit_headers=omit_headers)
        retried: list[str] = []
        connection_retries = 0
        while True:
            if self.limiter:
                self.limiter.wait()
            started = time.perf_counter()
            try:
                response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
            except requests.RequestException as error:
                if method in IDEMPOTENT and transport.transient(error) and connection_retries < self.retries.connection_retries:
                    connection_retries += 1
                    wait = self.retries.backoff(connection_retries)
                    retried.append(f"{connection_failure(error, self.timeout)}: retried after {wait:.1f} s")
                    time.sleep(wait)
                    continue
                kind = TargetError if transport.reached(error) else Unreachable
                raise kind(_failure_line(method, url, error, self.timeout, retried)) from None
            elapsed_ms = (time.perf_counter() - started) * 1000
            renewed = ["401: token renewed"] if response.history and response.history[-1].status_code == 401 else []
            response.exchange = exchanges.record(self.identity.name, response.request, response, elapsed_ms,
                                                 [*retried, *renewed, *transport.retries_of(response)])
            return response

    def _outgoing(self, method: str, url: str, *, params, json, data, files, headers: Mapping[str, str] | None,
                  raw_body: bytes | str | None, own_token: bool) -> requests.Request:
        """The request as the caller asked for it: the identity's headers under the caller's, a JSON:API body."""
        merged = CaseInsensitiveDict(self._identity_headers(method))
        if json is not None:
            data = jsonlib.dumps(json).encode("utf-8")
            merged["Content-Type"] = JSON_API
        elif raw_body is not None:
            data = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
            merged["Content-Type"] = JSON_API
        merged.update(headers or {})
        return requests.Request(method, url, params=params, data=data, files=files, headers=merged,
                                auth=TokenAuth(self.tokens) if own_token else None)

    def _prepare(self, outgoing: requests.Request, *, omit_headers: tuple[str, ...]) -> requests.PreparedRequest:
        prepared = self.session.prepare_request(outgoing)
        for name in omit_headers:  # after preparing, so that requests' default headers do not put it back
            prepared.headers.pop(name, None)
        prepared.url = _with_path_as_written(prepared.url, outgoing.url)
        return prepared

    def _identity_headers(self, method: str) -> dict[str, str]:
        headers = {"x-api-key": self.identity.api_key, "x-gw-ims-org-id": self.identity.org_id}
        if method.upper() == "GET":
            headers["Accept"] = ACCEPT
        return headers

def _failure_line(method: str, url: str, error: requests.RequestException, timeout: float,
                  retried: list[str]) -> str:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    reason = connection_failure(error, timeout) + (f" (after {len(retried)} retries)" if retried else "")
    if transport.reached(error):
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



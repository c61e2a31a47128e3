"""The record of one request and its answer, redacted as it is made: what failure messages, Allure attachments
and curl lines show, and never a secret."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import requests
from requests.structures import CaseInsensitiveDict

from . import curl, redact

REQUEST_BODY_LIMIT = 4096
RESPONSE_BODY_LIMIT = 8192
_NOISE_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length"})
_SHOWN_RESPONSE_HEADERS = ("Content-Type", "Location", "Retry-After", "WWW-Authenticate")

on_exchange: list[Callable[[Exchange], None]] = []
"""Callbacks that see every exchange (the reporting layer attaches them to the running test)."""


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


def record(identity: str, prepared: requests.PreparedRequest, response: requests.Response, elapsed_ms: float,
           retries: list[str]) -> Exchange:
    """The exchange of ``prepared`` and its final ``response``, announced to ``on_exchange``."""
    headers = {key: value for key, value in prepared.headers.items()
               if key.lower() not in _NOISE_HEADERS and not (key.lower() == "accept" and value == "*/*")}
    body = body_bytes(prepared.body)
    exchange = Exchange(
        identity=identity, method=prepared.method, url=redact.redact(prepared.url),
        request_headers={key: redact.redact(header_text(value)) for key, value in headers.items()},
        request_body=redact.redact(text_of(body, REQUEST_BODY_LIMIT)),
        status=response.status_code,
        response_headers={key: redact.redact(value) for key, value in response.headers.items()},
        response_body=redact.redact(text_of(response.content, RESPONSE_BODY_LIMIT, response.encoding)),
        elapsed_ms=elapsed_ms, retries=list(retries),
        _curl=curl.command(prepared.method, prepared.url, headers, body),
    )
    for callback in list(on_exchange):
        callback(exchange)
    return exchange


def header_text(value) -> str:
    """A header value as text: one a test sends as bytes (a non-ASCII token) is shown byte for byte."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


def body_bytes(body) -> bytes:
    """A prepared request's body as bytes (requests keeps a JSON or form body as text, an upload as bytes)."""
    body = body or b""
    return body.encode("utf-8") if isinstance(body, str) else body


def text_of(body: bytes, limit: int, encoding: str | None = None) -> str:
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

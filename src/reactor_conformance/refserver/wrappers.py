"""What the reference server does to every exchange, around the application: ASGI wrappers, one per behaviour.

Transport-level variations (gzip, ``Connection: close``, 429s, media type parameters), the simulated distance
of ``--latency``, and the one fault that lives at this level (``json-content-type``). ``wrap`` stacks the ones
a server was started with.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from urllib.parse import parse_qsl

from starlette.middleware.gzip import GZipMiddleware

from .errors import ApiError, error_document
from .faults import FaultName
from .responses import JSON_API, encode
from .variants import VariantName

RATE_LIMIT_EVERY = 5  # the `rate-limited` variant refuses every fifth request
LARGEST_INTEGER = 2**31 - 1  # beyond any realistic page: the `huge-integers-refused` variant refuses more
KNOWN_PLAIN_PARAMETERS = frozenset({"sort", "include"})  # JSON:API's own names without brackets


def wrap(app, *, faults: frozenset[str], variants: frozenset[str], latency_ms: float = 0.0):
    """``app`` inside the wrappers its faults, variants and latency ask for (innermost first)."""
    if VariantName.NEWER_API_MEMBERS in variants:
        app = NewerMembers(app)
    if FaultName.JSON_CONTENT_TYPE in faults:
        app = ContentType(app, "application/json")
    if VariantName.MEDIA_TYPE_PARAMETERS in variants:
        app = ContentType(app, f"{JSON_API};revision=1", only=JSON_API)
    if VariantName.CONNECTION_CLOSE in variants:
        app = ConnectionClose(app)
    if VariantName.GZIP in variants:  # every body but an empty one: a 204 has no content (RFC 9110 §15.3.5)
        app = GZipMiddleware(app, minimum_size=1)
    if variants & {VariantName.HUGE_INTEGERS_REFUSED, VariantName.UNKNOWN_QUERY_REFUSED}:
        app = StrictQuery(app, huge_integers=VariantName.HUGE_INTEGERS_REFUSED in variants,
                          unknown_names=VariantName.UNKNOWN_QUERY_REFUSED in variants)
    if VariantName.RATE_LIMITED in variants:
        app = RateLimited(app, RATE_LIMIT_EVERY)
    if latency_ms > 0:
        app = Latency(app, latency_ms / 1000)
    return app


class _Wrapper:
    def __init__(self, app):
        self.app = app

    def __getattr__(self, name):  # `state`, `router`… of the application inside
        return getattr(self.app, name)


class ContentType(_Wrapper):
    """Every answer's Content-Type becomes ``media_type`` (only where it was ``only``, when given)."""

    def __init__(self, app, media_type: str, only: str | None = None):
        super().__init__(app)
        self.media_type, self.only = media_type.encode(), only.encode() if only else None

    async def __call__(self, scope, receive, send):
        async def relabel(message):
            if message["type"] == "http.response.start":
                message["headers"] = [(key, self.media_type) if key.lower() == b"content-type"
                                      and (self.only is None or value == self.only) else (key, value)
                                      for key, value in message["headers"]]
            await send(message)

        await self.app(scope, receive, relabel)


class ConnectionClose(_Wrapper):
    """``Connection: close`` on every answer; the HTTP server then closes the connection after it."""

    async def __call__(self, scope, receive, send):
        async def closing(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"connection", b"close")]
            await send(message)

        await self.app(scope, receive, closing)


class RateLimited(_Wrapper):
    """Every ``every``-th request is answered 429 with ``Retry-After: 0`` without reaching the application."""

    def __init__(self, app, every: int):
        super().__init__(app)
        self.counter, self.every = itertools.count(1), every

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or next(self.counter) % self.every:
            await self.app(scope, receive, send)
            return
        body = encode(error_document(ApiError(429, "too-many-requests", "Too many requests; retry later.")))
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", JSON_API.encode()), (b"retry-after", b"0"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class Latency(_Wrapper):
    """Every answer comes ``seconds`` later: a distant target, simulated on loopback."""

    def __init__(self, app, seconds: float):
        super().__init__(app)
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


async def _refuse(send, error: ApiError) -> None:
    body = encode(error_document(error))
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", JSON_API.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class StrictQuery(_Wrapper):
    """Refuses with 400 what a stricter deployment may: integers beyond ``LARGEST_INTEGER`` in ``page[…]``, and
    query parameters named in lower-case letters only that it does not know (JSON:API 1.0, "Query Parameters")."""

    def __init__(self, app, *, huge_integers: bool, unknown_names: bool):
        super().__init__(app)
        self.huge_integers, self.unknown_names = huge_integers, unknown_names

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
                if self.huge_integers and name.startswith("page[") and _beyond_range(value):
                    return await _refuse(send, ApiError(400, "invalid-parameter", f"{name} is out of range.",
                                                        parameter=name))
                if self.unknown_names and re.fullmatch("[a-z]+", name) and name not in KNOWN_PLAIN_PARAMETERS:
                    return await _refuse(send, ApiError(400, "invalid-parameter", f"Unknown query parameter {name}.",
                                                        parameter=name))
        await self.app(scope, receive, send)


def _beyond_range(value: str) -> bool:
    digits = value.strip().lstrip("-+")
    return digits.isascii() and digits.isdigit() and (len(digits) > 12 or int(digits) > LARGEST_INTEGER)


class NewerMembers(_Wrapper):
    """Adds to every JSON:API document the members a newer API version may add, which a client must ignore:
    top-level ``jsonapi`` and ``meta``, and on every resource ``meta``, a new attribute and a new link."""

    async def __call__(self, scope, receive, send):
        start: dict = {}
        chunks: list[bytes] = []

        async def collect(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = dict((key.lower(), value) for key, value in start["headers"])
            if body and headers.get(b"content-type", b"").startswith(JSON_API.encode()):
                body = encode(_newer(json.loads(body)))
            start["headers"] = [(key, value) for key, value in start["headers"] if key.lower() != b"content-length"]
            start["headers"].append((b"content-length", str(len(body)).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collect)


def _newer(document):
    if not isinstance(document, dict):
        return document
    document = {"jsonapi": {"version": "1.0"}, **document}
    document["meta"] = {**(document.get("meta") or {}), "api_revision": 2}
    data = document.get("data")
    for resource in data if isinstance(data, list) else [data] if isinstance(data, dict) else []:
        resource["meta"] = {**(resource.get("meta") or {}), "revision": 2}
        if isinstance(resource.get("attributes"), dict):
            resource["attributes"]["review_status"] = "unreviewed"
        links = resource.get("links") if isinstance(resource.get("links"), dict) else {}
        if links.get("self"):
            resource["links"] = {**links, "audit_events": links["self"] + "/audit_events"}
    return document

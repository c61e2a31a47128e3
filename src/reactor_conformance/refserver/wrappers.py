"""What the reference server does to every exchange, around the application: ASGI wrappers, one per behaviour.

Transport-level variations (gzip, chunked bodies, ``Connection: close``, 429s, 501s, media type parameters, cache
headers, JSON:API documents written otherwise), the simulated distance
of ``--latency``, and the one fault that lives at this level (``json-content-type``). ``wrap`` stacks the ones
a server was started with.
"""

from __future__ import annotations

import asyncio
import hashlib
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
    edits = [edit for variant, edit in JSON_EDITS if variant in variants]
    if edits:  # one decoding and one writing of each body, however many variants edit it
        app = JsonBodies(app, edits, dump=_formatted if VariantName.JSON_FORMATTING in variants else encode)
    if FaultName.JSON_CONTENT_TYPE in faults:
        app = ContentType(app, "application/json")
    if VariantName.MEDIA_TYPE_PARAMETERS in variants:
        app = ContentType(app, f"{JSON_API};revision=1", only=JSON_API)
    if VariantName.CHARSET_PARAMETER in variants:
        app = ContentType(app, f"{JSON_API}; charset=utf-8", only=JSON_API)
    if VariantName.TYPED_NO_CONTENT in variants:
        app = TypedNoContent(app)
    if VariantName.CACHE_HEADERS in variants:
        app = CacheHeaders(app)
    if VariantName.CONNECTION_CLOSE in variants:
        app = ConnectionClose(app)
    if VariantName.GZIP in variants:  # every body but an empty one: a 204 has no content (RFC 9110 §15.3.5)
        app = GZipMiddleware(app, minimum_size=1)
    if VariantName.CHUNKED in variants:
        app = Chunked(app)
    if variants & {VariantName.HUGE_INTEGERS_REFUSED, VariantName.UNKNOWN_QUERY_REFUSED}:
        app = StrictQuery(app, huge_integers=VariantName.HUGE_INTEGERS_REFUSED in variants,
                          unknown_names=VariantName.UNKNOWN_QUERY_REFUSED in variants)
    if VariantName.METHODS_NOT_IMPLEMENTED in variants:
        app = MethodsNotImplemented(app)
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


class _WholeAnswer(_Wrapper):
    """A wrapper that sees an answer whole: its status, headers and body, collected before it goes out
    (``rewrite`` gives the headers and body sent instead)."""

    def rewrite(self, status: int, headers: list, body: bytes) -> tuple[list, bytes]:
        raise NotImplementedError

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
            start["headers"], body = self.rewrite(start["status"], start["headers"], b"".join(chunks))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collect)


class JsonBodies(_WholeAnswer):
    """Every JSON:API document answered, edited (``edits``: document → document, in order) and written again
    (``dump``)."""

    def __init__(self, app, edits, dump=encode):
        super().__init__(app)
        self.edits, self.dump = edits, dump

    def rewrite(self, status: int, headers: list, body: bytes) -> tuple[list, bytes]:
        if body and dict((key.lower(), value) for key, value in headers).get(b"content-type", b"").startswith(
                JSON_API.encode()):
            document = json.loads(body)
            for edit in self.edits:
                document = edit(document)
            body = self.dump(document)
        headers = [(key, value) for key, value in headers if key.lower() != b"content-length"]
        return [*headers, (b"content-length", str(len(body)).encode())], body


def _newer(document):
    """The members a newer API version may add, which a client must ignore: top-level ``jsonapi`` and ``meta``,
    and on every resource ``meta``, a new attribute and a new link."""
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


def _offset_timestamps(document):
    """``created_at`` and ``updated_at`` with microseconds and ``+00:00`` (RFC 3339 allows both)."""
    if isinstance(document, list):
        return [_offset_timestamps(item) for item in document]
    if not isinstance(document, dict):
        return document
    edited = {}
    for key, value in document.items():
        if key in ("created_at", "updated_at") and isinstance(value, str) and (stamp := MILLISECONDS.fullmatch(value)):
            edited[key] = f"{stamp[1]}{stamp[2]}000+00:00"
        else:
            edited[key] = _offset_timestamps(value)
    return edited


MILLISECONDS = re.compile(r"(.*T[0-9:]{8})(\.[0-9]{3})Z")


def _reordered(document):
    """Every object's members in the opposite order (RFC 8259: an object is unordered)."""
    if isinstance(document, list):
        return [_reordered(item) for item in document]
    if isinstance(document, dict):
        return {key: _reordered(value) for key, value in reversed(document.items())}
    return document


def _formatted(document) -> bytes:
    """Indented, non-ASCII characters as UTF-8 (RFC 8259 allows both); escaped where a lone surrogate echoed back
    could not be written as UTF-8."""
    try:
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document, indent=2).encode()


# The variants that edit every JSON:API document, in the order they edit it.
JSON_EDITS = [(VariantName.NEWER_API_MEMBERS, _newer), (VariantName.OFFSET_TIMESTAMPS, _offset_timestamps),
              (VariantName.JSON_FORMATTING, _reordered)]


class TypedNoContent(_Wrapper):
    """A 204 says ``Content-Type: application/vnd.api+json``; it still has no body."""

    async def __call__(self, scope, receive, send):
        async def typed(message):
            if message["type"] == "http.response.start" and message["status"] == 204:
                message["headers"] = [*message["headers"], (b"content-type", JSON_API.encode())]
            await send(message)

        await self.app(scope, receive, typed)


class CacheHeaders(_WholeAnswer):
    """What a deployment or its proxy adds to every answer: ``Vary``, ``Cache-Control`` and, on a 2xx with a body,
    a weak ``ETag`` of the body."""

    def rewrite(self, status: int, headers: list, body: bytes) -> tuple[list, bytes]:
        headers = [*headers, (b"vary", b"Accept, Accept-Encoding, Authorization"),
                   (b"cache-control", b"private, no-cache")]
        if body and 200 <= status < 300:
            headers.append((b"etag", b'W/"' + hashlib.sha256(body).hexdigest()[:16].encode() + b'"'))
        return headers, body


class Chunked(_Wrapper):
    """Bodies go out in two chunks without ``Content-Length``: the HTTP server then sends them with
    ``Transfer-Encoding: chunked`` (RFC 9112 §7.1). Answers without a body are left as they are."""

    async def __call__(self, scope, receive, send):
        start: dict = {}

        async def chunked(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body = message.get("body", b"")
            if start:
                if body and scope.get("method") != "HEAD" and start["status"] not in (204, 304):
                    start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                await send(dict(start))
                start.clear()
            if len(body) > 1:
                half = len(body) // 2
                await send({"type": "http.response.body", "body": body[:half], "more_body": True})
                message = {**message, "body": body[half:]}
            await send(message)

        await self.app(scope, receive, chunked)


IMPLEMENTED_METHODS = frozenset({"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"})


class MethodsNotImplemented(_Wrapper):
    """A method the server implements for no resource is answered 501 Not Implemented (RFC 9110 §15.6.2), before
    any routing; the others go on, and one a path does not offer is still 405 with ``Allow``."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in IMPLEMENTED_METHODS:
            return await _refuse(send, ApiError(501, "not-implemented",
                                                f"{scope['method']} is not implemented by this server."))
        await self.app(scope, receive, send)

"""Responses in the JSON:API media type: every answer with a body carries it, errors included."""

from __future__ import annotations

import json

from starlette.responses import Response

from .. import JSON_API


def encode(body) -> bytes:
    """Compact JSON; ASCII-escaped so that no input echoed back can break the encoding."""
    return json.dumps(body, separators=(",", ":")).encode()


def json_api(body, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(body), status_code=status, headers=headers, media_type=JSON_API)


def no_content() -> Response:
    return Response(status_code=204)

"""Reading request bodies as JSON:API documents, refusing anything else with the right error.

Order: media type (415), size (413), JSON syntax (400 ``invalid-json``), document structure (422
``invalid-document``), then the resource's ``type`` and ``id`` (409). Handlers check attributes.
"""

from __future__ import annotations

import json

from starlette.requests import Request

from .errors import ApiError
from .variants import VariantName

JSON_MEDIA_TYPES = frozenset({"application/vnd.api+json", "application/json"})
MAX_JSON_BYTES = 1 << 20
TOP_LEVEL_MEMBERS = frozenset({"data", "meta", "jsonapi"})


class _DuplicateMember(ValueError):
    pass


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) to a body member."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 beyond ``limit`` bytes without reading all of it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "request-too-large", f"The request body is larger than {limit} bytes.")


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateMember
    return result


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


async def json_document(request: Request) -> dict:
    """The body as a JSON:API request document: an object whose top-level members are all known."""
    strict = VariantName.JSON_API_BODIES_ONLY in request.app.state.variants  # JSON:API 1.0's media type only
    if media_type(request) not in (JSON_MEDIA_TYPES - {"application/json"} if strict else JSON_MEDIA_TYPES):
        raise ApiError(415, "unsupported-media-type", "The body must be application/vnd.api+json.")
    body = await read_body(request, MAX_JSON_BYTES)
    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=_object_without_duplicates,
                              parse_constant=_refuse_constant)
    except _DuplicateMember:
        raise ApiError(422, "invalid-document", "An object of the body repeats a member name.") from None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "invalid-json", "The body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise ApiError(422, "invalid-document", "The body must be a JSON object.", pointer="")
    for member in document:
        if member not in TOP_LEVEL_MEMBERS:
            raise ApiError(422, "invalid-document", "The body has an unknown top-level member.",
                           pointer=pointer(member))
    return document


def resource_object(document: dict, resource_type: str, resource_id: str | None = None) -> dict:
    """``data`` as a resource object of ``resource_type``; for an update, its ``id`` must be ``resource_id``;
    for a creation there must be no ``id`` (client-generated IDs are not supported)."""
    data = document.get("data")
    if not isinstance(data, dict):
        raise ApiError(422, "invalid-document", "The body needs a data object.", pointer="/data")
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise ApiError(422, "invalid-document", "data.type is required.", pointer="/data/type")
    if kind != resource_type:
        raise ApiError(409, "type-mismatch", f"data.type must be {resource_type}.", pointer="/data/type")
    if resource_id is None:
        if "id" in data:
            raise ApiError(422, "invalid-document", "Client-generated IDs are not supported.", pointer="/data/id")
    else:
        given = data.get("id")
        if not isinstance(given, str) or not given:
            raise ApiError(422, "invalid-document", "data.id is required.", pointer="/data/id")
        if given != resource_id:
            raise ApiError(409, "id-mismatch", "data.id differs from the ID in the path.", pointer="/data/id")
    return data


def attributes_of(data: dict) -> dict:
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise ApiError(422, "invalid-document", "data.attributes must be an object.", pointer="/data/attributes")
    return attributes


def storable(value, max_length: int) -> bool:
    """A non-empty string of bounded length, without NUL, that encodes as UTF-8 (no lone surrogate)."""
    if not isinstance(value, str) or not value or len(value) > max_length or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

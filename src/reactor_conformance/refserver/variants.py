"""The catalogue of legal variations the reference server can be started with: the dual of faults.

Each variant is something a conformant deployment may do where Adobe's documents and JSON:API 1.0 leave room
(``docs/decisions.md`` says where). The suite must pass the server under each of them, and under all of them at
once, with no requirement failed. The server code checks ``if "<name>" in variants`` at the one place where
the variation lives, and behaves as the reference when it is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Iterable

from .faults import parse_names


@unique
class VariantName(StrEnum):
    """Every variant's name, as ``FaultName`` is every fault's."""

    GATEWAY_AUTH_ERRORS = "gateway-auth-errors"
    NOT_FOUND_FOR_FORBIDDEN = "not-found-for-forbidden"
    ORG_HEADER_REQUIRED = "org-header-required"
    RATE_LIMITED = "rate-limited"
    GZIP = "gzip"
    CONNECTION_CLOSE = "connection-close"
    NEWER_API_MEMBERS = "newer-api-members"
    HUGE_INTEGERS_REFUSED = "huge-integers-refused"
    UNKNOWN_QUERY_REFUSED = "unknown-query-refused"
    MEDIA_TYPE_PARAMETERS = "media-type-parameters"
    PAGING_CLAMPED = "paging-clamped"
    NO_LIST_LINKS = "no-list-links"
    METHODS_NOT_IMPLEMENTED = "methods-not-implemented"
    PAGING_PAST_END_REFUSED = "paging-past-end-refused"
    OFFSET_TIMESTAMPS = "offset-timestamps"
    RELATIVE_LINKS = "relative-links"
    NEWEST_FIRST = "newest-first"
    BAD_REQUEST_FOR_BAD_CONTENT = "bad-request-for-bad-content"
    UNPROCESSABLE_PAGING = "unprocessable-paging"
    CHUNKED = "chunked"
    CACHE_HEADERS = "cache-headers"
    CHARSET_PARAMETER = "charset-parameter"
    TYPED_NO_CONTENT = "typed-no-content"
    OPTIONS_ANSWERED = "options-answered"
    ERRORS_CODE_ONLY = "errors-code-only"
    ERRORS_TITLE_ONLY = "errors-title-only"
    FULL_LIST_LINKS = "full-list-links"
    JSON_FORMATTING = "json-formatting"
    JSON_API_BODIES_ONLY = "json-api-bodies-only"


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    decision: str  # the entry of docs/decisions.md that makes it legal


VARIANTS: dict[str, Variant] = {variant.name: variant for variant in (
    Variant(VariantName.GATEWAY_AUTH_ERRORS, "a 401, and a 403 for a missing or unknown API key, come from Adobe's gateway: "
            '{"error_code", "message"} as application/json', "D18"),
    Variant(VariantName.NOT_FOUND_FOR_FORBIDDEN, "a right missing toward an org that does not own the package answers 404 "
            "instead of 403, so that org learns nothing", "D19"),
    Variant(VariantName.ORG_HEADER_REQUIRED, "a request without x-gw-ims-org-id is refused with 400 instead of served for "
            "the token's own org", "D20"),
    Variant(VariantName.RATE_LIMITED, "every fifth request is answered 429 with Retry-After: 0, whatever it is", "D21"),
    Variant(VariantName.GZIP, "every body is gzip-compressed (Content-Encoding: gzip) for a client that accepts it", "D22"),
    Variant(VariantName.CONNECTION_CLOSE, "every response says Connection: close and the server closes the connection",
            "D22"),
    Variant(VariantName.NEWER_API_MEMBERS, "documents carry members a newer API version may add: top-level jsonapi and "
            "meta, resource meta, a new attribute and a new link", "D23"),
    Variant(VariantName.HUGE_INTEGERS_REFUSED, "a page[number] or page[size] beyond 2^31-1 is refused with 400", "D24"),
    Variant(VariantName.UNKNOWN_QUERY_REFUSED, "an unknown query parameter of lower-case letters only is refused with 400, "
            "as JSON:API 1.0 asks", "D25"),
    Variant(VariantName.MEDIA_TYPE_PARAMETERS, "answers say Content-Type: application/vnd.api+json;revision=1", "D26"),
    Variant(VariantName.PAGING_CLAMPED, "out-of-range page[size] and page[number] (0, -1, 101, abc) are clamped into range "
            "instead of refused", "D27"),
    Variant(VariantName.NO_LIST_LINKS, "list documents carry no links member, only meta.pagination", "D27"),
    Variant(VariantName.METHODS_NOT_IMPLEMENTED, "a method the server implements for no resource (PUT, TRACE, QUERY, "
            "any unknown one) is answered 501 Not Implemented, without Allow", "D50"),
    Variant(VariantName.PAGING_PAST_END_REFUSED, "a page[number] past the last page is refused with 400 instead of "
            "answered as an empty page", "D51"),
    Variant(VariantName.OFFSET_TIMESTAMPS, "timestamps are written with microseconds and +00:00 "
            "(2026-12-05T05:11:56.012000+00:00) instead of milliseconds and Z", "D52"),
    Variant(VariantName.RELATIVE_LINKS, "links (links.self, related, list links) and Location are paths without "
            "scheme and host", "D53"),
    Variant(VariantName.NEWEST_FIRST, "lists come newest first (created_at, then ID, descending) instead of oldest "
            "first", "D54"),
    Variant(VariantName.BAD_REQUEST_FOR_BAD_CONTENT, "a well-formed body with bad content is refused with 400 "
            "instead of 422", "D55"),
    Variant(VariantName.UNPROCESSABLE_PAGING, "out-of-range paging parameters are refused with 422 instead of 400",
            "D55"),
    Variant(VariantName.CHUNKED, "bodies are sent with Transfer-Encoding: chunked instead of Content-Length",
            "D56"),
    Variant(VariantName.CACHE_HEADERS, "answers carry Vary, Cache-Control: private, no-cache and a weak ETag",
            "D56"),
    Variant(VariantName.CHARSET_PARAMETER, "answers say Content-Type: application/vnd.api+json; charset=utf-8",
            "D57"),
    Variant(VariantName.TYPED_NO_CONTENT, "a 204 carries Content-Type: application/vnd.api+json (and still no body)",
            "D57"),
    Variant(VariantName.OPTIONS_ANSWERED, "OPTIONS is answered 204 with Allow naming the path's methods instead of "
            "405", "D58"),
    Variant(VariantName.ERRORS_CODE_ONLY, "error objects carry only status and code: no id, title, detail, source "
            "or meta", "D59"),
    Variant(VariantName.ERRORS_TITLE_ONLY, "error objects carry only status and title: no id, code, detail, source "
            "or meta", "D59"),
    Variant(VariantName.FULL_LIST_LINKS, "list documents carry links first, prev, next and last, null where there "
            "is no such page", "D60"),
    Variant(VariantName.JSON_FORMATTING, "JSON bodies are indented, their members in another order and non-ASCII "
            "characters unescaped UTF-8", "D61"),
    Variant(VariantName.JSON_API_BODIES_ONLY, "a request body sent as application/json is refused with 415: only "
            "application/vnd.api+json (and multipart uploads) are accepted", "D62"),
)}


if set(VARIANTS) != set(VariantName):  # checked on import, as the faults are
    raise RuntimeError(f"variants and VariantName disagree: {sorted(set(VARIANTS) ^ set(VariantName))}")


def parse_variants(names: Iterable[str]) -> frozenset[str]:
    """The set of variant names, or ValueError naming the unknown ones and the known ones."""
    return parse_names(names, VARIANTS, "variant")

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
)}


if set(VARIANTS) != set(VariantName):  # checked on import, as the faults are
    raise RuntimeError(f"variants and VariantName disagree: {sorted(set(VARIANTS) ^ set(VariantName))}")


def parse_variants(names: Iterable[str]) -> frozenset[str]:
    """The set of variant names, or ValueError naming the unknown ones and the known ones."""
    return parse_names(names, VARIANTS, "variant")

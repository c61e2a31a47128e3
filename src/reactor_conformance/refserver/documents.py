"""JSON:API documents the server answers: authorizations, packages, extensions and paginated lists.

Links use the base URL the request came in on, so they resolve for whoever follows them. Users of the
other org appear as ``Restricted`` in an authorization, so no email crosses org lines.
"""

from __future__ import annotations

import sqlite3
import time
from urllib.parse import urlencode

from starlette.requests import Request

from .errors import ApiError
from .faults import FaultName
from .query_params import Page
from .variants import VariantName

AUTHORIZATION = "extension_package_usage_authorizations"
PACKAGE = "extension_packages"
EXTENSION = "extensions"
RESTRICTED = "Restricted"


def timestamp(ms: int) -> str:
    """UTC, millisecond precision, ``Z``."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def base_url(request: Request) -> str:
    """Where links start: scheme and host as the request came in, or nothing (links are paths) under the
    `relative-links` variant."""
    if VariantName.RELATIVE_LINKS in request.app.state.variants:
        return ""
    host = request.headers.get("host")
    if not host:
        server_host, port = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"{server_host}:{port}"
    return f"{request.scope['scheme']}://{host}"


def authorization_resource(row, base: str, viewer_org: str, faults: frozenset[str] = frozenset()) -> dict:
    authorization_id = row["id"].upper() if FaultName.UPPERCASE_IDS in faults else row["id"]
    self_link = f"{base}/{AUTHORIZATION}/{authorization_id}"
    leak = FaultName.EMAILS_LEAKED in faults
    created_by_visible = leak or row["created_by_org_id"] == viewer_org
    updated_by_visible = leak or row["updated_by_org_id"] == viewer_org
    resource = {
        "id": authorization_id,
        "type": AUTHORIZATION,
        "attributes": {
            "created_at": timestamp(row["created_at"]),
            "updated_at": timestamp(row["updated_at"]),
            "name": row["name"],
            "platform": row["platform"],
            "owner_org_id": row["owner_org_id"],
            "owner_org_name": row["owner_org_name"],
            "authorized_org_id": row["authorized_org_id"],
            "authorized_org_name": row["authorized_org_name"],
            "state": row["state"],
            "created_by_email": row["created_by_email"] if created_by_visible else RESTRICTED,
            "created_by_display_name": row["created_by_display_name"] if created_by_visible else RESTRICTED,
            "updated_by_email": row["updated_by_email"] if updated_by_visible else RESTRICTED,
            "updated_by_display_name": row["updated_by_display_name"] if updated_by_visible else RESTRICTED,
        },
        "relationships": {"extension_package": {
            "links": {"related": f"{self_link}/extension_package"},
            "data": {"id": row["package_id"], "type": PACKAGE}}},
        "links": {"self": self_link},
    }
    return distort_authorization(resource, row, base, faults) if faults else resource


def distort_authorization(resource: dict, row, base: str, faults: frozenset[str]) -> dict:
    """The shape defects of the fault catalogue (``faults.py``), each one small and in one place."""
    attributes, package = resource["attributes"], resource["relationships"]["extension_package"]
    if FaultName.MISSING_UPDATED_BY in faults:
        del attributes["updated_by_email"]
    if FaultName.OMIT_REQUIRED_ATTRIBUTE in faults:
        del attributes["platform"]
    if FaultName.CREATED_AT_EPOCH in faults:
        attributes["created_at"] = row["created_at"]
    if FaultName.WRONG_RESOURCE_TYPE in faults:
        resource["type"] = "extension_package_usage_authorization"
    if FaultName.NO_SELF_LINK in faults:
        del resource["links"]
    if FaultName.BROKEN_RELATED_LINK in faults:
        package["links"]["related"] = f"{base}/{PACKAGE}/{row['id']}"
    if FaultName.RELATIONSHIP_DATA_MISSING in faults:
        del package["data"]
    return resource


def package_resource(row: sqlite3.Row, base: str) -> dict:
    return {
        "id": row["id"],
        "type": PACKAGE,
        "attributes": {
            "name": row["name"],
            "display_name": row["display_name"],
            "platform": row["platform"],
            "version": row["version"],
            "availability": row["availability"],
            "status": "succeeded",
            "owner_org_id": row["owner_org_id"],
            "created_at": timestamp(row["created_at"]),
            "updated_at": timestamp(row["updated_at"]),
        },
        "links": {"self": f"{base}/{PACKAGE}/{row['id']}"},
    }


def extension_resource(row: sqlite3.Row, base: str) -> dict:
    return {
        "id": row["id"],
        "type": EXTENSION,
        "attributes": {
            "name": row["name"],
            "display_name": row["display_name"],
            "version": row["version"],
            "delegate_descriptor_id": row["delegate_descriptor_id"],
            "settings": row["settings"],
            "enabled": bool(row["enabled"]),
            "created_at": timestamp(row["created_at"]),
            "updated_at": timestamp(row["updated_at"]),
        },
        "relationships": {
            "extension_package": {"data": {"id": row["package_id"], "type": PACKAGE}},
            "property": {"data": {"id": row["property_id"], "type": "properties"}},
        },
        "links": {"self": f"{base}/{EXTENSION}/{row['id']}"},
    }


def list_document(request: Request, resources: list[dict], page: Page, total: int) -> dict:
    """``data``, ``meta.pagination`` and ``links`` (self, next when there is one, last; every one of first, prev,
    next and last, null where there is no such page, under `full-list-links`). A page past the end is an empty
    page, or refused under `paging-past-end-refused`."""
    total_pages = -(-total // page.size)
    variants = request.app.state.variants
    if VariantName.PAGING_PAST_END_REFUSED in variants and page.number > max(total_pages, 1):
        raise ApiError(400, "invalid-parameter", "page[number] is past the last page.", parameter="page[number]")
    next_page = page.number + 1 if page.number < total_pages else None
    prev_page = min(page.number - 1, total_pages) or None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page[number]", "page[size]")]
    prefix = f"{base_url(request)}{request.scope['path']}?"

    def link(number: int) -> str:
        return prefix + urlencode([*kept, ("page[number]", number), ("page[size]", page.size)])

    faults = request.app.state.faults
    links = {"self": link(page.number)}
    if next_page is not None:
        links["next"] = link(page.number if FaultName.NEXT_LINK_SAME_PAGE in faults else next_page)
    links["last"] = link(max(total_pages, 1))
    if VariantName.FULL_LIST_LINKS in variants:
        links = {"first": link(1), "prev": link(prev_page) if prev_page else None, **links,
                 "next": links.get("next")}
    document = {
        "data": resources,
        "meta": {"pagination": {"current_page": page.number, "next_page": next_page, "prev_page": prev_page,
                                "total_pages": total_pages, "total_count": total}},
        "links": links,
    }
    if FaultName.TOTAL_COUNT_WRONG in faults:
        document["meta"]["pagination"]["total_count"] = len(resources)
    if FaultName.LIST_WITHOUT_PAGINATION in faults:
        del document["meta"]
    if VariantName.NO_LIST_LINKS in variants:
        del document["links"]
    return document

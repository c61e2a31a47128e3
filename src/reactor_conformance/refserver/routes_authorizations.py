"""Extension package usage authorizations: grant, list, read, approve or reject, revoke.

Every handler checks in the contract's order: who is calling (401/403/400), whether the caller may know
the thing exists (404), whether the caller may do this to it (403), then the body (400/409/415/422).
"""

from __future__ import annotations

import re
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from . import access
from .auth import authenticate
from .bodies import attributes_of, json_document, pointer, resource_object
from .documents import AUTHORIZATION, authorization_resource, base_url, list_document, package_resource
from .errors import ApiError, not_authorized, not_found
from .ids import well_formed
from .query_params import filters_of, page_of
from .responses import json_api, no_content
from .routing import route
from .store import Conflict, Store, User

ORG_ID = re.compile(r"[0-9A-Za-z]{1,64}@AdobeOrg")
DECISIONS = ("approved", "rejected")
ATTRIBUTES = frozenset({"created_at", "updated_at", "name", "platform", "owner_org_id", "owner_org_name",
                        "authorized_org_id", "authorized_org_name", "state", "created_by_email",
                        "created_by_display_name", "updated_by_email", "updated_by_display_name"})
FILTERS = {name: name for name in ("state", "authorized_org_id", "owner_org_id", "name", "platform")}


def _store(request: Request) -> Store:
    return request.app.state.store


def _developed_package(request: Request, user: User) -> sqlite3.Row:
    """The path's package, when the caller's org owns it and the caller has develop_extensions."""
    store, package_id = _store(request), request.path_params["package_id"]
    package = store.package(package_id) if well_formed("EP", package_id) else None
    if package is None or not access.can_read_package(store, user, package):
        raise not_found("extension package")
    if not access.develops(user, package):
        raise not_authorized("Only the package owner's users with develop_extensions manage its authorizations.")
    return package


def _known_authorization(request: Request, user: User) -> sqlite3.Row:
    """The path's authorization, when the caller's org is its owner or authorized org."""
    authorization_id = request.path_params["authorization_id"]
    row = _store(request).authorization(authorization_id) if well_formed("EA", authorization_id) else None
    if row is None or not access.party_to(user, row):
        raise not_found("extension package usage authorization")
    return row


def _visible_authorization(request: Request, user: User) -> sqlite3.Row:
    row = _known_authorization(request, user)
    if not access.sees(user, row):
        raise not_authorized("Reading authorizations needs develop_extensions (owner org) or manage_properties "
                             "(authorized org).")
    return row


def _authorized_org(store: Store, package: sqlite3.Row, attributes: dict) -> str:
    where = "/data/attributes/authorized_org_id"
    if "authorized_org_id" not in attributes:
        raise ApiError(422, "invalid-attribute", "authorized_org_id is required.", pointer=where)
    org_id = attributes["authorized_org_id"]
    if not isinstance(org_id, str) or not org_id:
        raise ApiError(422, "invalid-attribute", "authorized_org_id must be a non-empty string.", pointer=where)
    if ORG_ID.fullmatch(org_id) is None or store.org_name(org_id) is None:
        raise ApiError(422, "invalid-attribute", "authorized_org_id names no known org.", pointer=where)
    if org_id == package["owner_org_id"]:
        raise ApiError(422, "invalid-attribute", "A package cannot be granted to its owner's own org.",
                       pointer=where)
    for name in attributes:
        if name != "authorized_org_id":
            code = "read-only" if name in ATTRIBUTES else "invalid-attribute"
            raise ApiError(422, code, "Only authorized_org_id can be given when granting.",
                           pointer=pointer("data", "attributes", name))
    return org_id


async def create(request: Request) -> Response:
    user = authenticate(request)
    store = _store(request)
    package = _developed_package(request, user)
    attributes = attributes_of(resource_object(await json_document(request), AUTHORIZATION))
    org_id = _authorized_org(store, package, attributes)
    try:
        row = store.create_authorization(package, org_id, user)
    except Conflict:
        raise ApiError(409, "not-unique", "This org holds an authorization for this package already.") from None
    resource = authorization_resource(row, base_url(request), user.org_id)
    return json_api({"data": resource}, 201, {"Location": resource["links"]["self"]})


async def list_for_package(request: Request) -> Response:
    user = authenticate(request)
    package = _developed_package(request, user)
    page, filters = page_of(request.query_params), filters_of(request.query_params, FILTERS)
    rows, total = _store(request).authorizations(
        family=(package["owner_org_id"], package["name"], package["platform"]), filters=filters,
        offset=page.offset, limit=page.size)
    base = base_url(request)
    return json_api(list_document(request, [authorization_resource(r, base, user.org_id) for r in rows], page, total))


async def list_visible(request: Request) -> Response:
    """Owner-side authorizations (develop_extensions) and authorized-side ones (manage_properties)."""
    user = authenticate(request)
    if not (user.develop_extensions or user.manage_properties):
        raise not_authorized("Listing authorizations needs develop_extensions or manage_properties.")
    page, filters = page_of(request.query_params), filters_of(request.query_params, FILTERS)
    rows, total = _store(request).authorizations(
        owner_org=user.org_id if user.develop_extensions else None,
        authorized_org=user.org_id if user.manage_properties else None,
        filters=filters, offset=page.offset, limit=page.size)
    base = base_url(request)
    return json_api(list_document(request, [authorization_resource(r, base, user.org_id) for r in rows], page, total))


async def read(request: Request) -> Response:
    user = authenticate(request)
    row = _visible_authorization(request, user)
    return json_api({"data": authorization_resource(row, base_url(request), user.org_id)})


async def read_package(request: Request) -> Response:
    user = authenticate(request)
    row = _visible_authorization(request, user)
    package = _store(request).package(row["package_id"])
    return json_api({"data": package_resource(package, base_url(request))})


def _decision(document: dict, authorization_id: str) -> str:
    data = resource_object(document, AUTHORIZATION, authorization_id)
    attributes = attributes_of(data)
    if "relationships" in data:
        raise ApiError(422, "read-only", "The related package cannot be changed.", pointer="/data/relationships")
    for name in attributes:
        if name != "state":
            raise ApiError(422, "read-only", "Only state can be changed.", pointer=pointer("data", "attributes", name))
    where = "/data/attributes/state"
    if "state" not in attributes:
        raise ApiError(422, "invalid-attribute", "state is required.", pointer=where)
    state = attributes["state"]
    if state == "pending_approval":
        raise ApiError(422, "invalid-state-transition", "An authorization cannot go back to pending_approval.",
                       pointer=where)
    if state not in DECISIONS:
        raise ApiError(422, "invalid-attribute", "state must be approved or rejected.", pointer=where)
    return state


async def decide(request: Request) -> Response:
    user = authenticate(request)
    row = _known_authorization(request, user)
    owner_may_decide = "owner-can-approve" in request.app.state.faults and row["owner_org_id"] == user.org_id
    if not (access.decides(user, row) or owner_may_decide):
        raise not_authorized("Only the authorized org's users with manage_properties approve or reject.")
    state = _decision(await json_document(request), row["id"])
    updated = _store(request).decide(row["id"], state, user)
    if updated is None:
        raise not_found("extension package usage authorization")
    return json_api({"data": authorization_resource(updated, base_url(request), user.org_id)})


async def revoke(request: Request) -> Response:
    user = authenticate(request)
    row = _known_authorization(request, user)
    if not access.revokes(user, row):
        raise not_authorized("Only the owner org's users with develop_extensions revoke an authorization.")
    if "delete-leaves-listed" in request.app.state.faults:
        return no_content()
    if not _store(request).delete_authorization(row["id"]):
        raise not_found("extension package usage authorization")
    return no_content()


ROUTES = [
    route(f"/extension_packages/{{package_id}}/{AUTHORIZATION}", GET=list_for_package, POST=create),
    route(f"/{AUTHORIZATION}", GET=list_visible),
    route(f"/{AUTHORIZATION}/{{authorization_id}}", GET=read, PATCH=decide, DELETE=revoke),
    route(f"/{AUTHORIZATION}/{{authorization_id}}/extension_package", GET=read_package),
]

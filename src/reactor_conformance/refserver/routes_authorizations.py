"""Extension package usage authorizations: grant, list, read, approve or reject, revoke.

Every handler checks in the contract's order: who is calling (401/403/400), whether the caller may know
the thing exists (404), whether the caller may do this to it (403), then the body (400/409/415/422).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from . import access
from .auth import authenticate
from .bodies import attributes_of, json_document, pointer, resource_object
from .documents import (
    AUTHORIZATION,
    authorization_resource,
    base_url,
    list_document,
    package_resource,
)
from .errors import ApiError, not_authorized, not_found
from .faults import FaultName
from .ids import well_formed
from .query_params import filters_of, page_of
from .responses import json_api, no_content
from .routing import route
from .store import AUTHORIZATION_FILTERS, Conflict, Filter, Store, User, family_of

ORG_ID = re.compile(r"[0-9A-Za-z]{1,64}@AdobeOrg")
DECISIONS = ("approved", "rejected")
ATTRIBUTES = frozenset({"created_at", "updated_at", "name", "platform", "owner_org_id", "owner_org_name",
                        "authorized_org_id", "authorized_org_name", "state", "created_by_email",
                        "created_by_display_name", "updated_by_email", "updated_by_display_name"})


def _store(request: Request) -> Store:
    return request.app.state.store


def _faults(request: Request) -> frozenset[str]:
    return request.app.state.faults


def _developed_package(request: Request, user: User, granting: bool = False) -> sqlite3.Row:
    """The path's package, when the caller's org owns it and the caller has develop_extensions."""
    store, package_id, faults = _store(request), request.path_params["package_id"], _faults(request)
    package = store.package(package_id) if well_formed("EP", package_id) else None
    if package is None and granting and FaultName.UNKNOWN_PACKAGE_403 in faults:
        raise not_authorized("You may not grant this package.")
    if package is None or not access.can_read_package(store, user, package):
        raise not_found("extension package")
    limited_owner = granting and FaultName.LIMITED_OWNER_CAN_GRANT in faults and package["owner_org_id"] == user.org_id
    if not (access.develops(user, package) or limited_owner):
        raise not_authorized("Only the package owner's users with develop_extensions manage its authorizations.",
                             foreign=package["owner_org_id"] != user.org_id)
    return package


def _known_authorization(request: Request, user: User) -> sqlite3.Row:
    """The path's authorization, when the caller's org is its owner or authorized org."""
    authorization_id, faults = request.path_params["authorization_id"], _faults(request)
    if FaultName.LONG_ID_500 in faults and len(authorization_id) > 1000:
        raise RuntimeError("ID column overflow")
    if FaultName.UPPERCASE_IDS in faults:  # the upper-case IDs it prints must still find their rows
        authorization_id = authorization_id[:2] + authorization_id[2:].lower()
    row = _store(request).authorization(authorization_id) if well_formed("EA", authorization_id) else None
    if row is None and FaultName.DELETED_STILL_READABLE in faults and request.method == "GET":
        row = request.app.state.revoked.get(authorization_id)
    if row is None and FaultName.UNKNOWN_AUTHORIZATION_403 in faults:
        raise not_authorized("You may not touch this authorization.")
    if row is None or not (access.party_to(user, row) or FaultName.OUTSIDER_CAN_READ_AUTHORIZATION in faults):
        raise not_found("extension package usage authorization")
    return row


def _visible_authorization(request: Request, user: User) -> sqlite3.Row:
    row = _known_authorization(request, user)
    if FaultName.OUTSIDER_CAN_READ_AUTHORIZATION in _faults(request) and not access.party_to(user, row):
        return row
    if not access.sees(user, row):
        raise not_authorized("Reading authorizations needs develop_extensions (owner org) or manage_properties "
                             "(authorized org).")
    return row


def _authorized_org(store: Store, package: sqlite3.Row, attributes: dict, faults: frozenset[str]) -> str:
    where = "/data/attributes/authorized_org_id"
    if "authorized_org_id" not in attributes:
        raise ApiError(422, "invalid-attribute", "authorized_org_id is required.", pointer=where)
    org_id = attributes["authorized_org_id"]
    if not isinstance(org_id, str) or not org_id:
        raise ApiError(422, "invalid-attribute", "authorized_org_id must be a non-empty string.", pointer=where)
    if ORG_ID.fullmatch(org_id) is None or store.org_name(org_id) is None:
        raise ApiError(422, "invalid-attribute", "authorized_org_id names no known org.", pointer=where)
    if org_id == package["owner_org_id"] and FaultName.SELF_GRANT_ACCEPTED not in faults:
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
    store, faults = _store(request), _faults(request)
    package = _developed_package(request, user, granting=True)
    document = await json_document(request)
    try:
        attributes = attributes_of(resource_object(document, AUTHORIZATION))
        org_id = _authorized_org(store, package, attributes, faults)
    except ApiError:
        if FaultName.REFUSED_GRANT_STILL_CREATED in faults:
            _create_anyway(store, package, document, user)
        if FaultName.GENERATED_BODY_500 in faults:
            raise RuntimeError("the grant handler assumed a well-formed body") from None
        raise
    granted_before = (org_id, family_of(package)) in request.app.state.ever_granted
    if FaultName.REGRANT_AFTER_REVOKE_REFUSED in faults and granted_before:
        raise ApiError(409, "not-unique", "This org holds an authorization for this package already.")
    try:
        row = store.create_authorization(package, org_id, user)
        request.app.state.ever_granted.add((org_id, family_of(package)))
    except Conflict:
        if FaultName.DUPLICATES_ACCEPTED in faults:
            row = store.authorizations(family=family_of(package),
                                       filters=[Filter("authorized_org_id", (org_id,))])[0][0]
        else:
            raise ApiError(409, "not-unique", "This org holds an authorization for this package already.") from None
    if FaultName.CREATED_APPROVED in faults:
        row = store.decide(row["id"], "approved", user)
    resource = authorization_resource(row, base_url(request), user.org_id, faults)
    if FaultName.WRONG_OWNER_RECORDED in faults:
        resource["attributes"]["owner_org_id"] = org_id
    if FaultName.GRANT_ANSWERS_EMPTY_ID in faults:
        resource["id"] = ""
    status = 200 if FaultName.CREATE_ANSWERS_200 in faults else 201
    return json_api({"data": resource}, status, {"Location": resource["links"]["self"]} if "links" in resource else None)


def _create_anyway(store: Store, package: sqlite3.Row, document: dict, user: User) -> None:
    """The ``refused-grant-still-created`` defect: a refused body whose org is valid still creates."""
    data = document.get("data") if isinstance(document, dict) else None
    org_id = ((data or {}).get("attributes") or {}).get("authorized_org_id") if isinstance(data, dict) else None
    if isinstance(org_id, str) and store.org_name(org_id) and org_id != package["owner_org_id"]:
        try:
            store.create_authorization(package, org_id, user)
        except Conflict:
            pass


async def list_for_package(request: Request) -> Response:
    user = authenticate(request)
    package = _developed_package(request, user)
    faults = _faults(request)
    if FaultName.PAGE_SIZE_ZERO_500 in faults and request.query_params.get("page[size]") == "0":
        raise ZeroDivisionError("page size 0")
    page, filters = page_of(request), filters_of(request, AUTHORIZATION_FILTERS)
    if FaultName.FILTER_IGNORED in faults:
        filters = []
    if FaultName.PACKAGE_LIST_ONLY_DECIDED in faults:
        filters = [*filters, Filter("state", ("pending_approval",), True)]
    if FaultName.PACKAGE_LIST_REFUSED in faults:
        raise not_found("route")
    family = None if FaultName.PACKAGE_SCOPE_IGNORED in faults else family_of(package)
    offset = page.offset + 1 if FaultName.PAGINATION_OFF_BY_ONE in faults and page.number > 1 else page.offset
    if FaultName.PACKAGE_LIST_OMITS_NEWEST in faults:
        rows, total = _without_newest(_store(request), package, family, filters, offset, page.size)
    else:
        rows, total = _store(request).authorizations(owner_org=package["owner_org_id"], family=family,
                                                     filters=filters, offset=offset, limit=page.size)
    base = base_url(request)
    items = [authorization_resource(r, base, user.org_id, faults) for r in rows]
    if FaultName.FILTERED_ITEMS_WITHOUT_ATTRIBUTES in faults and request.query_params.get("filter[state]"):
        items = [{key: value for key, value in item.items() if key != "attributes"} for item in items]
    return json_api(list_document(request, items, page, total))


def _without_newest(store: Store, package: sqlite3.Row, family, filters: list, offset: int,
                    size: int) -> tuple[list, int]:
    """The ``package-list-omits-newest`` defect: the package's list (the same query), less its newest
    authorization."""
    every, total = store.authorizations(owner_org=package["owner_org_id"], family=family, filters=filters,
                                        limit=10_000)
    newest = max(every, key=lambda row: (row["created_at"], row["id"]), default=None)
    kept = [row for row in every if row is not newest]
    return kept[offset:offset + size], total - (newest is not None)


async def list_visible(request: Request) -> Response:
    """Owner-side authorizations (develop_extensions) and authorized-side ones (manage_properties)."""
    user = authenticate(request)
    if not (user.develop_extensions or user.manage_properties):
        raise not_authorized("Listing authorizations needs develop_extensions or manage_properties.")
    faults = _faults(request)
    page, filters = page_of(request), filters_of(request, AUTHORIZATION_FILTERS)
    authorized_side = user.manage_properties and FaultName.AUTHORIZED_LIST_EMPTY not in faults
    if FaultName.OUTSIDER_SEES_ALL_AUTHORIZATIONS in faults:
        owner_org, authorized_org = None, None
    else:
        owner_org = user.org_id if user.develop_extensions else None
        authorized_org = user.org_id if authorized_side else None
        owner_org = owner_org or (None if authorized_org else "nobody")
    rows, total = _store(request).authorizations(owner_org=owner_org, authorized_org=authorized_org,
                                                 filters=filters, offset=page.offset, limit=page.size)
    base = base_url(request)
    return json_api(list_document(
        request, [authorization_resource(r, base, user.org_id, faults) for r in rows], page, total))


async def read(request: Request) -> Response:
    user = authenticate(request)
    row = _visible_authorization(request, user)
    return json_api({"data": authorization_resource(row, base_url(request), user.org_id, _faults(request))})


async def read_package(request: Request) -> Response:
    user = authenticate(request)
    row = _visible_authorization(request, user)
    package = _store(request).package(row["package_id"])
    if FaultName.RELATED_PACKAGE_NULL in _faults(request):
        return json_api({"data": None})
    return json_api({"data": package_resource(package, base_url(request))})


def _decision(document: dict, authorization_id: str, faults: frozenset[str]) -> str:
    if FaultName.ID_MISMATCH_ACCEPTED in faults and isinstance(document.get("data"), dict):
        document["data"]["id"] = authorization_id
    data = resource_object(document, AUTHORIZATION, authorization_id)
    attributes = attributes_of(data)
    if "relationships" in data:
        raise ApiError(422, "read-only", "The related package cannot be changed.", pointer="/data/relationships")
    for name in attributes:
        if name != "state" and FaultName.READ_ONLY_WRITTEN not in faults:
            raise ApiError(422, "read-only", "Only state can be changed.", pointer=pointer("data", "attributes", name))
    where = "/data/attributes/state"
    if "state" not in attributes:
        raise ApiError(422, "invalid-attribute", "state is required.", pointer=where)
    state = attributes["state"]
    if state == "pending_approval" and FaultName.BACK_TO_PENDING_ALLOWED not in faults:
        raise ApiError(422, "invalid-state-transition", "An authorization cannot go back to pending_approval.",
                       pointer=where)
    echoed = state == "accepted" and FaultName.ACCEPTED_ANSWERED_202 in faults
    if state not in DECISIONS and state != "pending_approval" and FaultName.UNKNOWN_STATE_ACCEPTED not in faults \
            and not echoed:
        raise ApiError(422, "invalid-attribute", "state must be approved or rejected.", pointer=where)
    return state


async def decide(request: Request) -> Response:
    user = authenticate(request)
    row = _known_authorization(request, user)
    owner_may_decide = FaultName.OWNER_CAN_APPROVE in request.app.state.faults and row["owner_org_id"] == user.org_id
    if not (access.decides(user, row) or owner_may_decide):
        raise not_authorized("Only the authorized org's users with manage_properties approve or reject.")
    faults, store = _faults(request), _store(request)
    document = await json_document(request)
    state = _decision(document, row["id"].upper() if FaultName.UPPERCASE_IDS in faults else row["id"], faults)
    if FaultName.ACCEPTED_ANSWERED_202 in faults and state == "accepted":
        shown = {**dict(row), "state": state}
        return json_api({"data": authorization_resource(shown, base_url(request), user.org_id, faults)}, status=202)
    if FaultName.CONCURRENT_PATCH_500 in faults:
        await asyncio.sleep(0.005)  # read, yield, write: the race a careless server has
        if store.authorization(row["id"])["updated_at"] != row["updated_at"]:
            raise RuntimeError("lost update")
    if FaultName.REJECT_STORED_AS_APPROVED in faults and state == "rejected":
        state = "approved"
    if FaultName.APPROVED_SPELLED_ACCEPTED in faults and state == "approved":
        state = "accepted"
    if FaultName.PATCH_NOT_PERSISTED in faults:
        updated = {**dict(row), "state": state, "updated_at": row["updated_at"] + 1}
    else:
        updated = store.decide(row["id"], state if isinstance(state, str) else str(state), user)
    if updated is None:
        raise not_found("extension package usage authorization")
    if FaultName.READ_ONLY_WRITTEN in faults:
        updated = store.overwrite(row["id"], document["data"]["attributes"]) or updated
    if FaultName.UPDATED_AT_FROZEN in faults:
        updated = {**dict(updated), "updated_at": row["updated_at"]}
    if FaultName.DECISION_ANSWERS_204 in faults:
        return no_content()
    return json_api({"data": authorization_resource(updated, base_url(request), user.org_id, faults)})


async def revoke(request: Request) -> Response:
    user = authenticate(request)
    row, faults, store = _known_authorization(request, user), _faults(request), _store(request)
    authorized_deletes = FaultName.AUTHORIZED_CAN_DELETE in faults and row["authorized_org_id"] == user.org_id
    if not (access.revokes(user, row) or authorized_deletes):
        raise not_authorized("Only the owner org's users with develop_extensions revoke an authorization.")
    if FaultName.APPROVED_CANNOT_BE_DELETED in faults and row["state"] == "approved":
        raise ApiError(409, "conflict", "An approved authorization cannot be deleted.")
    if FaultName.REJECTED_CANNOT_BE_DELETED in faults and row["state"] == "rejected":
        raise ApiError(409, "conflict", "A rejected authorization cannot be deleted.")
    if FaultName.DELETE_LEAVES_LISTED in faults:
        return no_content()
    if FaultName.DELETED_STILL_READABLE in faults or FaultName.REVOKED_STILL_IN_CATALOG in faults:
        request.app.state.revoked[row["id"]] = row
    if FaultName.REVOKE_UNINSTALLS in faults:
        store.delete_extensions_of_family(row)
    if not store.delete_authorization(row["id"]):
        raise not_found("extension package usage authorization")
    if faults & {FaultName.DELETE_ANSWERS_200_WITH_BODY, FaultName.DELETE_204_WITH_BODY}:
        answer = json_api({"data": authorization_resource(row, base_url(request), user.org_id)})
        if FaultName.DELETE_204_WITH_BODY in faults:  # a client reads no body after a 204: the bytes stay on the wire
            answer.status_code = 204  # the body and the Content-Length counted for the 200 stay
        return answer
    return no_content()


ROUTES = [
    route(f"/extension_packages/{{package_id}}/{AUTHORIZATION}", GET=list_for_package, POST=create),
    route(f"/{AUTHORIZATION}", GET=list_visible),
    route(f"/{AUTHORIZATION}/{{authorization_id}}", GET=read, PATCH=decide, DELETE=revoke),
    route(f"/{AUTHORIZATION}/{{authorization_id}}/extension_package", GET=read_package),
]

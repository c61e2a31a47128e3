"""Extension packages: the catalog, one version, a family's versions, upload, re-upload and private release.

A package family is (owner org, name, platform); every version has its own EP ID. What an org may read
and find in its catalog follows from the family's authorization to it (see ``access``).
"""

from __future__ import annotations

import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from . import access
from .auth import authenticate
from .bodies import json_document, media_type, resource_object
from .documents import PACKAGE, base_url, list_document, package_resource
from .errors import ApiError, not_authorized, not_found
from .faults import FaultName
from .ids import well_formed
from .query_params import filters_of, page_of
from .responses import json_api
from .routing import route
from .store import PACKAGE_FILTERS, Conflict, Store, User, family_of
from .uploads import MULTIPART, uploaded_manifest

RELEASE_PRIVATE = "release_private"


def _store(request: Request) -> Store:
    return request.app.state.store


def _readable_package(request: Request, user: User) -> sqlite3.Row:
    store, package_id = _store(request), request.path_params["package_id"]
    package = store.package(package_id) if well_formed("EP", package_id) else None
    if package is None:
        raise not_found("extension package")
    faults = request.app.state.faults
    if not (access.can_read_package(store, user, package) or FaultName.OUTSIDER_READS_PACKAGE in faults
            or (FaultName.NEVER_GRANTED_READS_PACKAGE in faults
                and (user.org_id, family_of(package)) not in request.app.state.ever_granted)):
        raise not_found("extension package")
    return package


async def catalog(request: Request) -> Response:
    user = authenticate(request)
    faults = request.app.state.faults
    page, filters = page_of(request), filters_of(request, PACKAGE_FILTERS)
    states = () if FaultName.APPROVED_NOT_IN_CATALOG in faults else \
        ("approved", "pending_approval") if FaultName.PENDING_IN_CATALOG in faults else ("approved",)
    rows, total = _store(request).catalog(user.org_id, filters, page.offset, page.size, states)
    if FaultName.REVOKED_STILL_IN_CATALOG in faults and page.number == 1:
        rows = [*rows, *_revoked_but_listed(request, user, rows)]
    base = base_url(request)
    return json_api(list_document(request, [package_resource(row, base) for row in rows], page, total))


def _revoked_but_listed(request: Request, user: User, shown: list[sqlite3.Row]) -> list[sqlite3.Row]:
    """The ``revoked-still-in-catalog`` defect: a stale catalog entry. The package of an approved authorization
    revoked from the caller's org stays listed until the org is granted the package again."""
    store, seen, stale = _store(request), {row["id"] for row in shown}, []
    for revoked in request.app.state.revoked.values():
        package = store.package(revoked["package_id"])
        if (revoked["authorized_org_id"] == user.org_id and revoked["state"] == "approved"
                and package["id"] not in seen and not store.family_granted(package, user.org_id)):
            seen.add(package["id"])
            stale.append(package)
    return stale


async def read(request: Request) -> Response:
    user = authenticate(request)
    return json_api({"data": package_resource(_readable_package(request, user), base_url(request))})


async def versions(request: Request) -> Response:
    """The family's versions the caller may read: all for the owner org, else private ones when the family
    is granted to the caller's org, and public ones."""
    user = authenticate(request)
    store = _store(request)
    package = _readable_package(request, user)
    if package["owner_org_id"] == user.org_id:
        availabilities = None
    elif store.family_granted(package, user.org_id):
        availabilities = ("private", "public")
    else:
        availabilities = ("public",)
    page = page_of(request)
    rows, total = store.versions(package, availabilities, page.offset, page.size)
    if FaultName.APPROVAL_MISSES_NEW_VERSIONS in request.app.state.faults and package["owner_org_id"] != user.org_id:
        rows = [row for row in rows if row["created_at"] <= package["created_at"]]
    base = base_url(request)
    return json_api(list_document(request, [package_resource(row, base) for row in rows], page, total))


async def upload(request: Request) -> Response:
    """A new version in development; same name and platform as an existing family of the org: a new version."""
    user = authenticate(request)
    if not user.develop_extensions:
        raise not_authorized("Uploading an extension package needs develop_extensions.")
    manifest = await uploaded_manifest(request)
    try:
        package = _store(request).add_package(user.org_id, manifest.name, manifest.display_name, manifest.platform,
                                              manifest.version, "development")
    except Conflict:
        raise ApiError(409, "not-unique", "This version of the package exists already.") from None
    resource = package_resource(package, base_url(request))
    return json_api({"data": resource}, 201, {"Location": resource["links"]["self"]})


async def update(request: Request) -> Response:
    """PATCH: a multipart body re-uploads a version in development (Adobe's uploader); any other body is the
    JSON:API release document (Adobe's releaser), refused with 415 when it is not JSON."""
    if media_type(request) == MULTIPART:
        return await reupload(request)
    return await release(request)


async def reupload(request: Request) -> Response:
    """The owner's version in development, replaced in place by a new archive of the same name and platform:
    a developer uploads again until the version is ready for release (docs/decisions.md D16)."""
    user = authenticate(request)
    package = _readable_package(request, user)
    if not access.develops(user, package):
        raise not_authorized("Only the package owner's users with develop_extensions upload it.")
    if package["availability"] != "development":
        raise _not_in_development(package)
    manifest = await uploaded_manifest(request)
    if (manifest.name, manifest.platform) != (package["name"], package["platform"]):
        raise ApiError(422, "package-mismatch",
                       f"The archive is {manifest.name} ({manifest.platform}), the package is {package['name']} "
                       f"({package['platform']}): upload another package with POST /{PACKAGE}.")
    try:
        replaced = _store(request).replace_in_development(package["id"], manifest.display_name, manifest.version)
    except Conflict:
        raise ApiError(409, "not-unique", f"Version {manifest.version} of this package exists already.") from None
    if replaced is None:  # released while the archive was read
        raise _not_in_development(_store(request).package(package["id"]))
    return json_api({"data": package_resource(replaced, base_url(request))})


def _not_in_development(package: sqlite3.Row) -> ApiError:
    return ApiError(409, "not-in-development",
                    f"The package is {package['availability']}: only a version in development can be uploaded "
                    f"again; upload a new version with POST /{PACKAGE}.")


async def release(request: Request) -> Response:
    """``meta.action = release_private``: a development version becomes private (a private one stays)."""
    user = authenticate(request)
    package = _readable_package(request, user)
    if not access.develops(user, package):
        raise not_authorized("Only the package owner's users with develop_extensions release it.")
    data = resource_object(await json_document(request), PACKAGE, package["id"])
    if data.get("attributes"):
        raise ApiError(422, "read-only", "A package's attributes cannot be changed.", pointer="/data/attributes")
    meta = data.get("meta")
    if not isinstance(meta, dict) or meta.get("action") != RELEASE_PRIVATE:
        raise ApiError(422, "invalid-document", f"meta.action must be {RELEASE_PRIVATE}.", pointer="/data/meta/action")
    if package["availability"] == "public":
        raise ApiError(422, "invalid-state-transition", "A public package cannot be released privately.",
                       pointer="/data/meta/action")
    return json_api({"data": package_resource(_store(request).release_private(package["id"]), base_url(request))})


ROUTES = [
    route(f"/{PACKAGE}", GET=catalog, POST=upload),
    route(f"/{PACKAGE}/{{package_id}}", GET=read, PATCH=update),
    route(f"/{PACKAGE}/{{package_id}}/versions", GET=versions),
]

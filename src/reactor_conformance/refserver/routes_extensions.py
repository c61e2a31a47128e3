"""Extensions: a package installed on a property. Installing is where an authorization's state bites:
only an approved (or the org's own, or a public) package installs; an installed one outlives a revocation."""

from __future__ import annotations

import json
import sqlite3

from starlette.requests import Request
from starlette.responses import Response

from . import access
from .auth import authenticate
from .bodies import json_document, resource_object, storable
from .documents import EXTENSION, PACKAGE, base_url, extension_resource
from .errors import ApiError, not_authorized, not_found
from .faults import FaultName
from .ids import well_formed
from .responses import json_api, no_content
from .routing import route
from .store import Store, User

PACKAGE_POINTER = "/data/relationships/extension_package/data/id"
MAX_SETTINGS = 64 * 1024


def _store(request: Request) -> Store:
    return request.app.state.store


def _own_property(request: Request, user: User) -> sqlite3.Row:
    property_id = request.path_params["property_id"]
    prop = _store(request).property(property_id) if well_formed("PR", property_id) else None
    if prop is None or prop["org_id"] != user.org_id:
        raise not_found("property")
    return prop


def _own_extension(request: Request, user: User) -> sqlite3.Row:
    extension_id = request.path_params["extension_id"]
    row = _store(request).extension(extension_id) if well_formed("EX", extension_id) else None
    if row is None or row["org_id"] != user.org_id:
        raise not_found("extension")
    return row


def _related_package_id(data: dict) -> str:
    relationships = data.get("relationships")
    related = relationships.get("extension_package") if isinstance(relationships, dict) else None
    linkage = related.get("data") if isinstance(related, dict) else None
    if not isinstance(linkage, dict):
        raise ApiError(422, "invalid-document", "relationships.extension_package.data is required.",
                       pointer="/data/relationships/extension_package/data")
    if linkage.get("type") != PACKAGE:
        raise ApiError(409, "type-mismatch", f"The related package's type must be {PACKAGE}.",
                       pointer="/data/relationships/extension_package/data/type")
    package_id = linkage.get("id")
    if not isinstance(package_id, str) or not package_id:
        raise ApiError(422, "invalid-document", "The related package's id is required.", pointer=PACKAGE_POINTER)
    return package_id


def _settings(attributes: dict) -> tuple[str | None, str]:
    """``delegate_descriptor_id`` (None: Reactor's default for the package) and ``settings`` (a JSON object
    encoded as a string, default ``{}``)."""
    descriptor = attributes.get("delegate_descriptor_id")
    if descriptor is not None and not storable(descriptor, 1024):
        raise ApiError(422, "invalid-attribute", "delegate_descriptor_id must be a non-empty string.",
                       pointer="/data/attributes/delegate_descriptor_id")
    settings = attributes.get("settings", "{}")
    try:
        valid = storable(settings, MAX_SETTINGS) and isinstance(json.loads(settings), dict)
    except (ValueError, RecursionError):
        valid = False
    if not valid:
        raise ApiError(422, "invalid-attribute", "settings must be a JSON object encoded as a string.",
                       pointer="/data/attributes/settings")
    return descriptor, settings


async def install(request: Request) -> Response:
    user = authenticate(request)
    store = _store(request)
    prop = _own_property(request, user)
    if not user.manage_properties:
        raise not_authorized("Installing an extension needs manage_properties.")
    data = resource_object(await json_document(request), EXTENSION)
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict):
        raise ApiError(422, "invalid-document", "data.attributes must be an object.", pointer="/data/attributes")
    descriptor, settings = _settings(attributes)
    package_id = _related_package_id(data)
    package = store.package(package_id) if well_formed("EP", package_id) else None
    if package is None or not access.can_read_package(store, user, package):
        raise ApiError(404, "not-found", "The extension package does not exist or is not visible to the caller's "
                       "org.", pointer=PACKAGE_POINTER)
    faults = request.app.state.faults
    lenient = tuple(state for state, fault in (("pending_approval", FaultName.PENDING_INSTALLABLE),
                                               ("rejected", FaultName.REJECTED_INSTALLABLE)) if fault in faults)
    if not access.can_install_package(store, user, package) and not (
            lenient and store.family_granted(package, user.org_id, lenient)):
        raise not_authorized("The package's authorization to this org is not approved.",
                             foreign=package["owner_org_id"] != user.org_id)
    descriptor = descriptor or f"{package['name']}::extensionConfiguration::config"
    row = store.add_extension(prop, package, descriptor, settings)
    resource = extension_resource(row, base_url(request))
    return json_api({"data": resource}, 201, {"Location": resource["links"]["self"]})


async def read(request: Request) -> Response:
    user = authenticate(request)
    return json_api({"data": extension_resource(_own_extension(request, user), base_url(request))})


async def remove(request: Request) -> Response:
    user = authenticate(request)
    row = _own_extension(request, user)
    if not user.manage_properties:
        raise not_authorized("Deleting an extension needs manage_properties.")
    _store(request).delete_extension(row["id"])
    return no_content()


ROUTES = [
    route("/properties/{property_id}/extensions", POST=install),
    route(f"/{EXTENSION}/{{extension_id}}", GET=read, DELETE=remove),
]

"""The Reactor endpoints the suite drives: paths, request documents and list walking.

Kept apart from the tests so that the scenarios, the fuzzing, the preflight and the
clean-up all build the same requests.
"""

from __future__ import annotations

import io
import json
import zipfile

AUTHORIZATION = "extension_package_usage_authorizations"
PACKAGE = "extension_packages"
AUTHORIZATIONS = f"/{AUTHORIZATION}"
PACKAGES = f"/{PACKAGE}"
STATES = ("pending_approval", "approved", "rejected")


class UnusableId(ValueError):
    """An ID that cannot name a resource in a path: empty, not a string, or holding a separator.

    A target that answers such an ID has a finding where it gave it; a path built from it would ask for another
    resource (``/extension_package_usage_authorizations/`` is the list, not the authorization), and a refusal of
    that path would pass for a check's expected 404."""


def segment(resource_id) -> str:
    """``resource_id`` as one path segment, or UnusableId."""
    if not isinstance(resource_id, str) or not resource_id.strip() or any(c in resource_id for c in "/?#"):
        raise UnusableId(f"an ID the target gave cannot name a resource: {json.dumps(resource_id)}")
    return resource_id


def package_path(package_id: str) -> str:
    return f"{PACKAGES}/{segment(package_id)}"


def package_versions_path(package_id: str) -> str:
    return f"{package_path(package_id)}/versions"


def package_authorizations_path(package_id: str) -> str:
    return f"{package_path(package_id)}/{AUTHORIZATION}"


def authorization_path(authorization_id: str) -> str:
    return f"{AUTHORIZATIONS}/{segment(authorization_id)}"


def related_package_path(authorization_id: str) -> str:
    return f"{authorization_path(authorization_id)}/extension_package"


def property_extensions_path(property_id: str) -> str:
    return f"/properties/{segment(property_id)}/extensions"


def extension_path(extension_id: str) -> str:
    return f"/extensions/{segment(extension_id)}"


def grant_document(authorized_org_id) -> dict:
    return {"data": {"type": AUTHORIZATION, "attributes": {"authorized_org_id": authorized_org_id}}}


def decision_document(authorization_id: str, state, **attributes) -> dict:
    return {"data": {"id": authorization_id, "type": AUTHORIZATION,
                     "attributes": {"state": state, **attributes}}}


def install_document(package_id: str, name: str = "extension") -> dict:
    return {"data": {"type": "extensions",
                     "attributes": {"delegate_descriptor_id": f"{name}::extensionConfiguration::config",
                                    "settings": "{}"},
                     "relationships": {"extension_package":
                                       {"data": {"id": package_id, "type": PACKAGE}}}}}


def release_private_document(package_id: str) -> dict:
    return {"data": {"id": package_id, "type": PACKAGE, "meta": {"action": "release_private"}}}


def package_zip(name: str, version: str, platform: str = "web", display_name: str | None = None) -> bytes:
    """A minimal extension package upload: a zip holding ``extension.json``, as Adobe's uploader sends."""
    manifest = {"name": name, "platform": platform, "version": version,
                "displayName": display_name or name, "description": "conformance test upload"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("extension.json", json.dumps(manifest))
    return buffer.getvalue()


def walk(client, path: str, *, params: dict | None = None, page_size: int = 100, max_pages: int = 1000):
    """Every page of a list, in order: yields ``(response, body)``; a refused page or one that is no list
    document yields ``(response, None)`` and ends the walk. It goes on only while ``next_page`` is the next
    number, so a target announcing the same page again (or any number at all) cannot keep it walking."""
    number = 1
    while number <= max_pages:
        response = client.get(path, params={**(params or {}), "page[number]": number, "page[size]": page_size})
        body = _json(response) if response.status_code == 200 else None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            yield response, None
            return
        yield response, body
        pagination = (body.get("meta") or {}).get("pagination") if isinstance(body.get("meta"), dict) else None
        following = pagination.get("next_page") if isinstance(pagination, dict) else None
        if following != number + 1 or isinstance(following, bool):
            return
        number = following


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


def list_items(client, path: str, **params) -> tuple[list[dict], object | None]:
    """Every item of a list across its pages, and the answer to a page the target refused or garbled (None when
    every page answered a list), so that a refusal is never mistaken for an empty list."""
    items: list[dict] = []
    for response, body in walk(client, path, params=params):
        if body is None:
            return items, response
        items.extend(item for item in body["data"] if isinstance(item, dict))
    return items, None


def list_ids(client, path: str, **params) -> list[str] | None:
    """IDs of every item of a list, or None when the target refuses to list."""
    items, refused = list_items(client, path, **params)
    return None if refused is not None else [item.get("id") for item in items]


def substitute(document, **values):
    """A copy of ``document`` with ``{name}`` placeholders in its strings replaced (for tables of bodies)."""
    if isinstance(document, dict):
        return {key: substitute(value, **values) for key, value in document.items()}
    if isinstance(document, list):
        return [substitute(value, **values) for value in document]
    if isinstance(document, str):
        for name, value in values.items():
            document = document.replace("{" + name + "}", value)
    return document

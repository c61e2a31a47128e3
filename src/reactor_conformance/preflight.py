"""Checks made once, before any test, so that a wrong target or profile ends in one clear sentence.

A run against the wrong port, an HTML page, refused credentials or a fixture package the owner does
not own would otherwise fail every test for the same reason.
"""

from __future__ import annotations

from . import api
from .clients import clients_for
from .errors import ConfigError, TargetError
from .settings import Profile

JSON_TYPES = ("application/vnd.api+json", "application/json")


def check_target(profile: Profile) -> None:
    owner = profile.identities["owner"]
    client = clients_for(profile, timeout=15.0)["owner"]
    package_id = profile.fixtures["extension_package_id"]
    response = client.get(api.package_path(package_id))
    where = profile.target.base_url
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        shown = content_type or "no Content-Type"
        raise TargetError(f"{where} answered HTTP {response.status_code} with {shown}, not JSON:API: "
                          "is this the base URL of a Reactor API?")
    try:
        body = response.json()
    except ValueError:
        raise TargetError(f"{where} answered a body that is not JSON: is this the base URL of a Reactor API?") from None
    if response.status_code in (401, 403):
        raise ConfigError(f"{where} refused the owner identity's credentials (HTTP {response.status_code}): "
                          "check identities.owner in the profile")
    if response.status_code == 404:
        raise ConfigError(f"fixtures.extension_package_id {package_id} does not exist on {where}, "
                          "or the owner identity cannot see it")
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise TargetError(f"{where} answered HTTP {response.status_code} to GET {api.package_path(package_id)}: "
                          "expected the fixture package")
    owner_org = (body["data"].get("attributes") or {}).get("owner_org_id")
    if owner_org is not None and owner_org != owner.org_id:
        raise ConfigError(f"fixtures.extension_package_id {package_id} belongs to org {owner_org}, "
                          f"not to the owner identity's org {owner.org_id}")

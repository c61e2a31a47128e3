"""Checks made once, before any test: can this target be tested at all?

Only a target the suite cannot talk to stops a run (exit 2, one line saying which): it cannot be reached, it
does not speak HTTP, it answers no request with JSON (an HTML or text page everywhere), or it refuses the
owner's credentials on every request. Anything else a target gets wrong — a fixture package it says belongs
to another org, an endpoint answering nonsense — is what the suite exists to report: the run goes on and
the requirement concerned fails in the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..checks import api
from ..errors import ConfigError, TargetError
from ..target.identities import clients_for
from ..target.profile import Profile

PREFLIGHT_TIMEOUT_S = 15.0
REFUSALS = (401, 403)


@dataclass(frozen=True)
class Probe:
    """One answer of the preflight: which request, its status and media type, and whether its body is JSON."""

    request: str
    status: int
    media_type: str
    json: bool

    @property
    def refused(self) -> bool:
        return self.status in REFUSALS


def probe_paths(package_id: str) -> list[str]:
    """Reads the owner may make on any Reactor API: its package, its catalog and both lists of grants."""
    return [api.package_path(package_id), api.PACKAGES, api.AUTHORIZATIONS, api.package_authorizations_path(package_id)]


def probe(client, path: str) -> Probe:
    response = client.get(path)  # a target that cannot be reached raises TargetError: one line, exit 2
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return Probe(f"GET {path}", response.status_code, media_type or "no Content-Type", _is_json(response.content))


def _is_json(content: bytes) -> bool:
    try:
        return isinstance(json.loads(content), (dict, list))
    except ValueError:
        return False


def untestable(probes: list[Probe], where: str) -> Exception | None:
    """The one reason a target cannot be tested, or None when the suite can run and report what it finds."""
    if all(p.refused for p in probes):
        statuses = ", ".join(sorted({f"HTTP {p.status}" for p in probes}))
        return ConfigError(f"{where} refused the owner identity's credentials on every request ({statuses} to "
                           f"{len(probes)} reads): check identities.owner in the profile")
    if not any(p.json for p in probes):
        shown = ", ".join(sorted({p.media_type for p in probes}))
        return TargetError(f"{where} answered {shown} to every request, never JSON: "
                           "is this the base URL of a Reactor API?")
    return None


def check_target(profile: Profile) -> list[Probe]:
    """Raise ``TargetError`` or ``ConfigError`` when the target cannot be tested; else return what it answered."""
    client = clients_for(profile, timeout=PREFLIGHT_TIMEOUT_S)["owner"]
    probes = [probe(client, path) for path in probe_paths(profile.fixtures["extension_package_id"])]
    problem = untestable(probes, profile.target.base_url)
    if problem is not None:
        raise problem
    return probes

"""Checks made once, before any test: can this target be tested at all?

Only a target the suite cannot talk to stops a run (exit 2, one line saying which and what it answered): it
cannot be reached, it does not speak HTTP, nothing it answers is JSON — neither by its media type nor by its
body (an HTML or text page everywhere: not the base URL of an API) — or it refuses the owner's credentials on
every request. Anything else a target gets wrong — a fixture package it says belongs to another org, a mock
answering JSON:API-typed junk such as ``""`` to everything — is what the suite exists to report: the run goes on
and the requirements concerned fail in the table.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..checks import answers, api
from ..client.identities import clients_for
from ..client.profile import Profile
from ..errors import ConfigError, TargetError

PREFLIGHT_TIMEOUT_S = 15.0
REFUSALS = (401, 403)


BODY_SHOWN = 60  # characters of a body the one line shows


@dataclass(frozen=True)
class Probe:
    """One answer of the preflight: which request, its status, media type and the start of its body, and whether
    it is JSON (by its media type or by its body)."""

    request: str
    status: int
    media_type: str
    json: bool
    body: str = ""

    @property
    def refused(self) -> bool:
        return self.status in REFUSALS

    def seen(self) -> str:
        """``GET /path → HTTP 200, text/html, "<html>…"``: what the person would have seen."""
        body = answers.snippet(self.body, BODY_SHOWN) if self.body else "no body"
        return f"{self.request} → HTTP {self.status}, {self.media_type}, {body}"


def probe_paths(package_id: str) -> list[str]:
    """Reads the owner may make on any Reactor API: its package, its catalog and both lists of grants."""
    return [api.package_path(package_id), api.PACKAGES, api.AUTHORIZATIONS, api.package_authorizations_path(package_id)]


def probe(client, path: str) -> Probe:
    response = client.get(path)  # a target that cannot be reached raises TargetError: one line, exit 2
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = " ".join(response.content[:4 * BODY_SHOWN].decode("utf-8", "replace").split())
    return Probe(f"GET {path}", response.status_code, media_type or "no Content-Type",
                 _is_json_type(media_type) or _is_json(response.content), body)


def _is_json_type(media_type: str) -> bool:
    """``application/json``, ``application/vnd.api+json``, ``application/problem+json`` …"""
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _is_json(content: bytes) -> bool:
    try:
        json.loads(content)
    except ValueError:  # also an empty body
        return False
    return True


def untestable(probes: list[Probe], where: str) -> Exception | None:
    """The one reason a target cannot be tested, or None when the suite can run and report what it finds."""
    if all(p.refused for p in probes):
        return ConfigError(f"{where} refused the owner identity's credentials on every request ({len(probes)} reads): "
                           f"check identities.owner in the profile. It answered {_answers(probes)}")
    if not any(p.json for p in probes):
        return TargetError(f"{where} answered none of {len(probes)} reads with JSON: is this the base URL of a "
                           f"Reactor API? It answered {_answers(probes)}")
    return None


def _answers(probes: list[Probe]) -> str:
    """The first answer as seen, and whether the others were alike (status and media type)."""
    first, others = probes[0], probes[1:]
    alike = [p for p in others if (p.status, p.media_type) == (first.status, first.media_type)]
    if len(alike) == len(others):
        return first.seen() + (f" (and the same to the other {len(others)})" if others else "")
    different = next(p for p in others if p not in alike)
    return f"{first.seen()}; {different.seen()}" + (" …" if len(others) > 1 else "")


def check_target(profile: Profile) -> list[Probe]:
    """Raise ``TargetError`` or ``ConfigError`` when the target cannot be tested; else return what it answered.
    The reads go out at once: every run waits for them, a round trip each against a distant target."""
    client = clients_for(profile, timeout=PREFLIGHT_TIMEOUT_S)["owner"]
    paths = probe_paths(profile.fixtures["extension_package_id"])
    with ThreadPoolExecutor(len(paths)) as pool:
        probes = list(pool.map(lambda path: probe(client, path), paths))
    problem = untestable(probes, profile.target.base_url)
    if problem is not None:
        raise problem
    return probes

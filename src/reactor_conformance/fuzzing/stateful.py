"""What the generated link sequences (FUZZ-04) need beside sending and judging: what they created handed to the
ledger, and a recorded sequence written out."""

from __future__ import annotations

from typing import Callable

from ..checks import api, readings


def track_created(response, track: Callable) -> None:
    """Hand what a generated request created (an authorization, an install) to ``track`` (``grants.track``): into
    the ledger at once, deleted at teardown."""
    if response.status_code != 201:
        return
    try:
        resource = response.json().get("data") or {}
    except (ValueError, AttributeError):
        return
    if not isinstance(resource, dict) or not readings.usable_id(resource.get("id")):
        return  # no path reaches it: FUZZ-02 judges the answer
    if resource.get("type") == api.AUTHORIZATION:
        track("owner", api.authorization_path(resource["id"]), resource["id"], kind="authorization")
    elif resource.get("type") == "extensions":
        track("authorized", api.extension_path(resource["id"]), resource["id"], kind="extension")


def steps_of(recorder) -> list[str]:
    """The steps of a recorded scenario, one line each: method, path, status."""
    lines = []
    for number, node in enumerate(recorder.cases.values(), 1):
        case = node.value
        response = recorder.find_response(case_id=case.id)
        status = response.status_code if response is not None else "no answer"
        lines.append(f"{number}. {case.method} {case.formatted_path} → {status}")
    return lines

"""What a test reads out of the target's answers, read as checks: an ID fit to build a path, a timestamp, the items
of a list. An answer the test cannot read fails the requirement being judged, saying what was there, instead of
breaking the test or letting a check hold on nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

import requests

from . import answers, api, expect


def dig(value, *keys):
    """``value[k1][k2]…``, or None where a member is missing or not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def usable_id(value) -> bool:
    """An ID the suite may put in a path (``api.segment``): a non-empty string without a separator (an empty one
    would name the collection instead)."""
    try:
        api.segment(value)
    except api.UnusableId:
        return False
    return True


def resource_id(value, requirement: str, what: str, response: requests.Response | None = None) -> str:
    """``value`` when it is a usable ID; else ``requirement`` fails: the target gave no ID a path can be built from."""
    expect.check(usable_id(value), requirement, what, "an ID: a non-empty string naming one resource",
                 "no ID (null or missing)" if value is None else f"the ID {_show(value)}", response)
    return value


def item_ids(items, requirement: str, what: str, response: requests.Response | None = None) -> list[str]:
    """The IDs of a list's items; an item that is no object, or has no usable ID, fails ``requirement``."""
    expect.check(isinstance(items, list), requirement, what, "data: an array", _show(items), response)
    return [resource_id(item.get("id") if isinstance(item, dict) else None, requirement,
                        f"{what}: the ID of item {number}", response) for number, item in enumerate(items, 1)]


def resources(document, requirement: str, what: str, response: requests.Response | None = None) -> list[dict]:
    """The resources of a document's ``data`` (one, or a list's items), each an object; ``data`` null or missing, or
    an item that is no object, fails ``requirement``: no check of them may hold on what is not there."""
    data = document.get("data") if isinstance(document, dict) else None
    found = data if isinstance(data, list) else [data]
    bad = [number for number, item in enumerate(found, 1) if not isinstance(item, dict)]
    expect.check(not bad, requirement, what, "data: a resource, or an array of resources",
                 f"data is {_show(data)}" if not isinstance(data, list) else f"items {bad} are no objects", response)
    return found


def find(items: list, resource_id_: str) -> list[dict]:
    """The items of a list that are the resource ``resource_id_``."""
    return [item for item in items if isinstance(item, dict) and item.get("id") == resource_id_]


def listed(items: list, resource_id_: str, requirement: str, what: str,
           response: requests.Response | None = None) -> list[dict]:
    """The items of a list that are the resource ``resource_id_``; none fails ``requirement``, whose check of that
    resource would otherwise hold on nothing."""
    own = find(items, resource_id_)
    expect.check(bool(own), requirement, what, f"{resource_id_} listed", f"{len(items)} items without it", response)
    return own


def states_answered(response: requests.Response, requirement: str, what: str) -> list:
    """The states an answer to a decision shows, whatever its status: a 2xx with a body must carry the authorization
    and its ``attributes.state`` (or ``requirement`` fails); any other answer is judged when it carries a resource
    all the same (a 204, or a refusal, carries none)."""
    body = answers.body_of(response)
    data = body.get("data") if isinstance(body, dict) else None
    if 200 <= response.status_code < 300 and answers.raw(response):
        return [expect.member(body, "data.attributes.state", requirement, what, response)]
    if isinstance(data, dict):
        return [data["attributes"].get("state") if isinstance(data.get("attributes"), dict) else None]
    return []


def instant(value, requirement: str, what: str, response: requests.Response | None = None) -> datetime:
    """The moment an ISO-8601 timestamp names; any other value fails ``requirement`` (it cannot be compared)."""
    moment = None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    expect.check(moment is not None and moment.tzinfo is not None, requirement, what, "an ISO-8601 UTC timestamp",
                 _show(value), response)
    return moment


def _show(value) -> str:
    return json.dumps(value, default=str)[:200]

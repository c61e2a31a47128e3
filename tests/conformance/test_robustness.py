"""FUZZ-05 and FUZZ-06: a mangled ID never reaches a resource, and concurrent decisions never leave one in a
state nobody asked for.

Mangled paths go on the wire as written: the client does not resolve ``..`` or ``.`` segments and
percent-encodes only what cannot be sent as it is (non-ASCII, braces), so the target sees each case.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from reactor_conformance.checks import answers, api, expect, readings

# Mangled authorization IDs built from a real one ({ea}): description, the path after the collection.
MANGLED_IDS = [
    ("a trailing slash", "{ea}/"),
    ("a dot-dot segment after the ID", "{ea}/.."),
    ("an encoded dot-dot", "%2e%2e"),
    ("an encoded question mark", "{ea}%3Fx=1"),
    ("10 000 characters", "EA" + "f" * 9998),
    ("a non-ASCII character", "{ea}é"),
    ("braces", "{}"),
    ("an encoded slash", "{ea}%2Fextension_package"),
]
# Who sends each method: the identity that may do it to the real authorization.
SENDERS = {"GET": "authorized", "PATCH": "authorized", "DELETE": "owner"}


def resources_in(response) -> list:
    """IDs of the resources a body carries (a list's items too)."""
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        return []
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item.get("id") if isinstance(item, dict) else item for item in items]


@pytest.mark.requirement("FUZZ-05")
@pytest.mark.parametrize("method", list(SENDERS))
@pytest.mark.parametrize("description, template", MANGLED_IDS, ids=[case[0] for case in MANGLED_IDS])
def test_a_mangled_id_answers_400_or_404(description, template, method, as_identity, owner, grant):
    ea = grant["id"]
    path = f"{api.AUTHORIZATIONS}/{api.substitute(template, ea=ea)}"
    body = api.decision_document(ea, "approved") if method == "PATCH" else None
    response = as_identity(SENDERS[method]).request(method, path, json=body)
    what = f"{method} on an ID with {description}"
    expect.check(response.status_code < 500, "FUZZ-05", what, "no 5xx", answers.describe(response), response)
    # Only the real authorization may be named, and only when the mangling starts from it (EA…/ is EA…).
    others = [rid for rid in resources_in(response) if "{ea}" not in template or rid != ea]
    expect.equal(others, [], "FUZZ-05", f"{what}: resources in the answer other than the one asked for", response)
    expect.status(response, (400, 404), "FUZZ-05", what)
    after = owner.get(api.authorization_path(ea))
    expect.status(after, 200, "FUZZ-05", f"the real authorization after {what}")
    attributes = expect.member(expect.json_body(after, "FUZZ-05", what), "data.attributes", "FUZZ-05", what, after)
    attributes = attributes if isinstance(attributes, dict) else {}
    granted = expect.member({"data": grant}, "data.attributes", "FUZZ-05", "the created authorization, to compare with")
    granted = granted if isinstance(granted, dict) else {}
    changed = sorted(key for key in {*attributes, *granted} if attributes.get(key) != granted.get(key))
    expect.equal(changed, [], "FUZZ-05", f"attributes of the real authorization that changed after {what}", after)


@pytest.mark.requirement("FUZZ-05")
def test_a_query_string_after_a_valid_id_may_be_ignored(authorized, grant):
    ea = grant["id"]
    response = authorized.get(f"{api.authorization_path(ea)}?x=1")
    expect.status(response, (200, 400, 404), "FUZZ-05", "GET EA…?x=1")
    if response.status_code == 200:
        expect.equal(resources_in(response), [ea], "FUZZ-05", "GET EA…?x=1 answers that authorization", response)


def moment(resource: dict) -> datetime:
    return readings.instant(resource["attributes"].get("updated_at"), "FUZZ-06", f"updated_at of {resource.get('id')}")


@pytest.mark.requirement("FUZZ-06")
def test_concurrent_decisions_end_in_one_well_formed_state(authorized, owner, grant):
    ea, path = grant["id"], api.authorization_path(grant["id"])
    decisions = ["approved", "rejected"] * 5
    start = threading.Barrier(len(decisions))

    def decide(state: str):
        start.wait()
        return state, authorized.patch(path, json=api.decision_document(ea, state))

    with ThreadPoolExecutor(len(decisions)) as pool:
        answered = list(pool.map(decide, decisions))
    accepted = []
    for state, response in answered:
        what = f"one of {len(decisions)} concurrent decisions ({state})"
        expect.check(response.status_code == 200 or 400 <= response.status_code < 500, "FUZZ-06", what,
                     "200, or a 4xx such as 409", answers.describe(response), response)
        if response.status_code == 200:
            data = expect.document(response, "authorization", "FUZZ-06", what)["data"]
            expect.equal(data["attributes"]["state"], state, "FUZZ-06", f"the answer to {what}", response)
            accepted.append(data)
    final = owner.get(path)
    data = expect.document(final, "authorization", "FUZZ-06", "the authorization after concurrent decisions")["data"]
    expect.check(data["attributes"]["state"] in ("approved", "rejected"), "FUZZ-06",
                 "the state after concurrent decisions", "approved or rejected", str(data["attributes"]["state"]),
                 final)
    expect.check(bool(accepted), "FUZZ-06", "the state after concurrent decisions, all of them refused",
                 "the state nobody was answered 200 for left unchanged", str(data["attributes"]["state"]), final)
    # A target that serialises the decisions gives each a distinct updated_at; the one that came last is what stays.
    moments = [moment(resource) for resource in accepted]
    if len(set(moments)) == len(moments):
        last = max(accepted, key=moment)
        expect.equal({key: data["attributes"][key] for key in ("state", "updated_at")},
                     {key: last["attributes"][key] for key in ("state", "updated_at")}, "FUZZ-06",
                     "the authorization after concurrent decisions: the decision answered last (latest updated_at)",
                     final)

"""FUZZ-05 and FUZZ-06: mangled IDs never reach another resource, concurrent decisions never corrupt one."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from reactor_conformance import api, expect, redact

# Mangled authorization IDs, sent byte for byte (no client-side normalisation): description, path suffix.
MANGLED_IDS = [
    ("a trailing slash", "{ea}/"),
    ("a dot-dot segment", "{ea}/.."),
    ("encoded dot-dot", "%2e%2e"),
    ("an encoded query", "{ea}%3Fx=1"),
    ("10 000 characters", "EA" + "f" * 9998),
    ("non-ASCII", "EA%C3%A9%E2%9C%93"),
    ("braces", "%7B%7D"),
    ("an encoded slash", "{ea}%2Fextension_package"),
]


def send_raw(client, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
    """One request whose path goes on the wire exactly as given: (status, content type, body)."""
    target = urlsplit(client.base_url)
    connection = http.client.HTTPSConnection(target.hostname, target.port, timeout=30) \
        if target.scheme == "https" else http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    headers = client.headers(method)
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/vnd.api+json"
    try:
        connection.request(method, target.path.rstrip("/") + path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.requirement("FUZZ-05", "FUZZ-01")
@pytest.mark.parametrize("description, suffix", MANGLED_IDS, ids=[c[0] for c in MANGLED_IDS])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_mangled_ids_answer_400_or_404(description, suffix, method, authorized, owner, grant):
    client = owner if method == "DELETE" else authorized
    path = api.AUTHORIZATIONS + "/" + suffix.format(ea=grant["id"])
    body = api.decision_document(grant["id"], "approved") if method == "PATCH" else None
    status, content_type, text = send_raw(client, method, path, body)
    shown = redact.redact(f"{method} {path[:120]} as {client.identity.name} → HTTP {status} {content_type}: {text[:300]}")
    expect.check(status < 500, "FUZZ-01", f"{method} with {description}", "no 5xx", shown)
    expect.check(status in (400, 404, 405), "FUZZ-05", f"{method} with {description}", "400 or 404", shown)
    still = owner.get(api.authorization_path(grant["id"]))
    expect.status(still, 200, "FUZZ-05", f"the real authorization after {method} with {description}")
    expect.equal(still.json()["data"]["attributes"]["state"], "pending_approval", "FUZZ-05",
                 f"the real authorization is untouched by {method} with {description}", still)


@pytest.mark.requirement("FUZZ-05")
def test_a_query_string_after_a_valid_id_is_ignored_or_refused(owner, grant):
    status, _, text = send_raw(owner, "GET", api.authorization_path(grant["id"]) + "?x=1")
    shown = f"HTTP {status}: {text[:200]}"
    expect.check(status in (200, 400, 404), "FUZZ-05", "GET EA…?x=1", "the resource itself, 400 or 404", shown)
    if status == 200:
        expect.equal(json.loads(text)["data"]["id"], grant["id"], "FUZZ-05", "GET EA…?x=1 answers that resource")


@pytest.mark.requirement("FUZZ-06", "SHAPE-04")
def test_concurrent_decisions_end_in_one_well_formed_state(authorized, owner, grant):
    path = api.authorization_path(grant["id"])
    decisions = ["approved", "rejected"] * 5
    with ThreadPoolExecutor(len(decisions)) as pool:
        responses = list(pool.map(lambda state: authorized.patch(path, json=api.decision_document(grant["id"], state)),
                                  decisions))
    for response in responses:
        expect.check(response.status_code < 500, "FUZZ-06", "one of 10 concurrent decisions", "no 5xx",
                     f"HTTP {response.status_code}", response)
        if response.status_code == 200:
            expect.document(response, "authorization", "FUZZ-06", "the answer to a concurrent decision")
    final = owner.get(path)
    body = expect.document(final, "authorization", "FUZZ-06", "the authorization after concurrent decisions")
    expect.check(body["data"]["attributes"]["state"] in ("approved", "rejected"), "FUZZ-06",
                 "the state after concurrent decisions", "approved or rejected",
                 body["data"]["attributes"]["state"], final)

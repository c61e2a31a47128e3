"""Every legal variation of the reference server shows over HTTP when it is on, and only then; and each is a
decision of ``docs/decisions.md``.

The dual of ``test_faults.py``: a probe is one focused exchange that returns True when the variation shows. It runs
against the clean server (it must not show there) and against a server started with its variant alone. That the
suite passes each variant is the proof's job (``test_proof.py``).
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from project import ROOT
from suite_runs import REQUEST_HANG_GUARD_S
from test_faults import AUTHORIZATIONS, TYPE, UNKNOWN_EA, call, decide, grant, granted, grants_path, read, revoke
from test_faults import clean, clean_server  # noqa: F401 - the fixtures: the clean server, emptied after each probe

from reactor_conformance.refserver.server import start_server
from reactor_conformance.refserver.variants import VARIANTS

DECISIONS = ROOT / "docs" / "decisions.md"


def error_of(response) -> dict:
    return response.json()["errors"][0]


def raw(server, method: str, path: str, content_type: str, body: dict):
    headers = {**server.headers("owner"), "Content-Type": content_type}
    return requests.request(method, server.base_url + path, headers=headers, data=json.dumps(body),
                            timeout=REQUEST_HANG_GUARD_S)


def _rate_limited(server) -> bool:
    return any(call(server, "owner", "GET", AUTHORIZATIONS).status_code == 429 for _ in range(6))


def _newest_first(server) -> bool:
    first, second = granted(server, "authorized")["id"], granted(server, "outsider")["id"]
    listed = [item["id"] for item in call(server, "owner", "GET", grants_path(server)).json()["data"]]
    return listed.index(second) < listed.index(first)


def _chunked(server) -> bool:
    response = call(server, "owner", "GET", AUTHORIZATIONS)
    return response.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in response.headers


def _grant_as_plain_json(server):
    body = {"data": {"type": TYPE, "attributes": {"authorized_org_id": server.seed.orgs["authorized"]}}}
    return raw(server, "POST", grants_path(server), "application/json", body)


# variant → a probe that returns True when the variation shows
VARIANT_PROBES = {
    "gateway-auth-errors": lambda s: "error_code" in call(s, "owner", "GET", AUTHORIZATIONS,
                                                          headers={"Authorization": "Bearer made-up"}).json(),
    "not-found-for-forbidden": lambda s: granted(s) and grant(s, "outsider", identity="authorized").status_code == 404,
    "org-header-required": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                          headers={"x-gw-ims-org-id": None}).status_code == 400,
    "rate-limited": _rate_limited,
    "gzip": lambda s: call(s, "owner", "GET", AUTHORIZATIONS).headers.get("Content-Encoding") == "gzip",
    "connection-close": lambda s: call(s, "owner", "GET", AUTHORIZATIONS).headers.get("Connection") == "close",
    "newer-api-members": lambda s: "jsonapi" in call(s, "owner", "GET", AUTHORIZATIONS).json(),
    "huge-integers-refused": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                            params={"page[number]": 2**31}).status_code == 400,
    "unknown-query-refused": lambda s: call(s, "owner", "GET", AUTHORIZATIONS, params={"x": "1"}).status_code == 400,
    "media-type-parameters": lambda s: "revision=1" in call(s, "owner", "GET", AUTHORIZATIONS).headers["Content-Type"],
    "paging-clamped": lambda s: call(s, "owner", "GET", AUTHORIZATIONS, params={"page[size]": 0}).status_code == 200,
    "no-list-links": lambda s: "links" not in call(s, "owner", "GET", AUTHORIZATIONS).json(),
    "methods-not-implemented": lambda s: call(s, "owner", "PUT", AUTHORIZATIONS).status_code == 501,
    "paging-past-end-refused": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                              params={"page[number]": 2147483647}).status_code == 400,
    "offset-timestamps": lambda s: re.fullmatch(r".*T.*\.[0-9]{6}\+00:00",
                                                read(s, "owner", granted(s)["id"]).json()["data"]["attributes"]
                                                ["created_at"]) is not None,
    "relative-links": lambda s: granted(s)["links"]["self"].startswith(f"{AUTHORIZATIONS}/"),
    "newest-first": _newest_first,
    "bad-request-for-bad-content": lambda s: decide(s, "authorized", granted(s)["id"], "bogus").status_code == 400,
    "unprocessable-paging": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                           params={"page[size]": 0}).status_code == 422,
    "chunked": _chunked,
    "cache-headers": lambda s: (lambda headers: all(name in headers for name in ("ETag", "Vary", "Cache-Control")))(
        read(s, "owner", granted(s)["id"]).headers),
    "charset-parameter": lambda s: "charset=utf-8" in call(s, "owner", "GET", AUTHORIZATIONS).headers["Content-Type"],
    "typed-no-content": lambda s: "Content-Type" in revoke(s, granted(s)["id"]).headers,
    "options-answered": lambda s: (lambda r: r.status_code == 204 and "DELETE" in r.headers.get("Allow", ""))(
        call(s, "owner", "OPTIONS", f"{AUTHORIZATIONS}/{UNKNOWN_EA}")),
    "errors-code-only": lambda s: set(error_of(read(s, "owner", UNKNOWN_EA))) == {"status", "code"},
    "errors-title-only": lambda s: set(error_of(read(s, "owner", UNKNOWN_EA))) == {"status", "title"},
    "full-list-links": lambda s: {"first", "prev", "next"} <= set(call(s, "owner", "GET", AUTHORIZATIONS)
                                                                 .json()["links"]),
    "json-formatting": lambda s: b"\n" in call(s, "owner", "GET", AUTHORIZATIONS).content,
    "json-api-bodies-only": lambda s: _grant_as_plain_json(s).status_code == 415,
}


def test_every_variant_has_exactly_one_probe():
    assert sorted(VARIANT_PROBES) == sorted(VARIANTS)


def test_the_audit_more_than_doubled_the_variations():
    assert len(VARIANTS) >= 25


def test_every_variant_names_a_decision_that_names_it():
    """Each variant's decision is a row of docs/decisions.md whose last cell names the variant."""
    rows = {match[1]: match[2] for match in re.finditer(r"^\| (D\d+) \|.*\| ([^|]*) \|$", DECISIONS.read_text("utf-8"),
                                                        re.MULTILINE)}
    missing = {name: variant.decision for name, variant in VARIANTS.items()
               if f"`{name}`" not in rows.get(variant.decision, "")}
    assert not missing


@pytest.mark.parametrize("variant", sorted(VARIANT_PROBES))
def test_the_clean_server_does_not_vary(variant, clean):
    assert not VARIANT_PROBES[variant](clean), f"the clean server shows {variant}"


@pytest.mark.parametrize("variant", sorted(VARIANT_PROBES))
def test_the_variation_shows_when_its_variant_is_on(variant):
    with start_server(variants=(variant,)) as varied:
        assert varied.variants == {variant}
        assert VARIANT_PROBES[variant](varied), f"{variant} ({VARIANTS[variant].description}) does not show"

"""SHAPE: every document the target answers has the documented form — media type, members, links, IDs, errors."""

from __future__ import annotations

import re

import pytest

from reactor_conformance import api, expect
from reactor_conformance.schemas import errors as schema_errors

# Requests whose answers must carry the JSON:API media type: description, identity, method, path template.
ANSWERS_WITH_A_BODY = [
    ("one authorization", "owner", "GET", "/extension_package_usage_authorizations/{ea}"),
    ("the package's list", "owner", "GET", "/extension_packages/{ep}/extension_package_usage_authorizations"),
    ("the org's list", "authorized", "GET", "/extension_package_usage_authorizations"),
    ("the related package", "authorized", "GET", "/extension_package_usage_authorizations/{ea}/extension_package"),
    ("a 404 error", "owner", "GET", "/extension_package_usage_authorizations/EA" + "0" * 32),
    ("a 403 error", "authorized", "DELETE", "/extension_package_usage_authorizations/{ea}"),
    ("a 422 error", "authorized", "PATCH", "/extension_package_usage_authorizations/{ea}"),
]


@pytest.mark.requirement("SHAPE-01")
@pytest.mark.parametrize("description, identity, method, template", ANSWERS_WITH_A_BODY,
                         ids=[c[0] for c in ANSWERS_WITH_A_BODY])
def test_every_answer_with_a_body_is_json_api(description, identity, method, template, as_identity, grant,
                                              package_id):
    path = template.format(ea=grant["id"], ep=package_id)
    body = api.decision_document(grant["id"], "bogus") if method == "PATCH" else None
    response = as_identity(identity).request(method, path, json=body)
    expect.check(bool(response.content), "SHAPE-01", description, "a body", "an empty body", response)
    expect.media_type(response, "SHAPE-01", description)


@pytest.mark.requirement("SHAPE-06")
def test_links_resolve(owner, authorized, grant, package_id):
    self_link = grant["links"]["self"]
    response = owner.get(self_link)
    expect.status(response, 200, "SHAPE-06", "GET links.self")
    expect.equal(response.json()["data"]["id"], grant["id"], "SHAPE-06", "links.self is the same resource", response)
    related = grant["relationships"]["extension_package"]["links"]["related"]
    for client, who in ((owner, "the owner"), (authorized, "the authorized org")):
        response = client.get(related)
        expect.status(response, 200, "SHAPE-06", f"{who} follows relationships.extension_package.links.related")
        data = expect.document(response, "extension-package", "SHAPE-06", "the related package")["data"]
        expect.equal(data["id"], package_id, "SHAPE-06", "the related package is the granted one", response)


@pytest.mark.requirement("SHAPE-07")
def test_ids_follow_the_reactor_form(grant):
    expect.check(re.fullmatch(r"EA[0-9a-f]{32}", grant["id"]) is not None, "SHAPE-07", "an authorization ID",
                 "EA + 32 hex digits", grant["id"])
    package = grant["relationships"]["extension_package"].get("data") or {}
    expect.check(re.fullmatch(r"EP[0-9a-f]{32}", package.get("id", "")) is not None, "SHAPE-07", "a package ID",
                 "EP + 32 hex digits", str(package.get("id")))


# Error answers the suite provokes: description, identity, method, path template, body, omitted headers.
ERRORS = [
    ("401 without a token", "owner", "GET", "/extension_package_usage_authorizations", None, ("Authorization",)),
    ("403 for a missing right", "authorized", "DELETE", "/extension_package_usage_authorizations/{ea}", None, ()),
    ("404 for an unknown authorization", "owner", "GET", "/extension_package_usage_authorizations/EA" + "0" * 32,
     None, ()),
    ("422-or-4xx for a bad state", "authorized", "PATCH", "/extension_package_usage_authorizations/{ea}",
     api.decision_document("{ea}", "bogus"), ()),
]
GATEWAY_SHAPE = {"error_code", "message"}


@pytest.mark.requirement("SHAPE-08")
@pytest.mark.parametrize("description, identity, method, template, body, omit", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_are_json_api_error_documents(description, identity, method, template, body, omit, as_identity,
                                             grant, observe):
    path = template.format(ea=grant["id"])
    response = as_identity(identity).request(method, path, json=api.substitute(body, ea=grant["id"]),
                                             omit_headers=omit)
    expect.check(400 <= response.status_code < 500, "SHAPE-08", description, "a 4xx",
                 f"HTTP {response.status_code}", response)
    document = expect.json_body(response, "SHAPE-08", description)
    if response.status_code in (401, 403) and isinstance(document, dict) and GATEWAY_SHAPE <= set(document):
        observe("SHAPE-08", f"{description}: gateway error shape {sorted(document)}")
        return
    expect.media_type(response, "SHAPE-08", description)
    problems = schema_errors("error", document)
    expect.check(not problems, "SHAPE-08", description, "a JSON:API error document", "; ".join(problems), response)
    expect.check(all(error["status"] == str(response.status_code) for error in document["errors"]), "SHAPE-08",
                 description, f"errors[].status = \"{response.status_code}\"",
                 str([error.get("status") for error in document["errors"]]), response)

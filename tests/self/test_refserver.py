"""The reference server over real HTTP: the seeded flow end to end, who may do what, bad input that
changes nothing, pagination, filters, Restricted masking and concurrent decisions.

Every JSON answer is checked for the JSON:API media type and, once the project's schemas are there,
against ``schemas/<name>.json``.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import threading
import uuid
import zipfile

import pytest
import requests
from suite_runs import REQUEST_HANG_GUARD_S

from reactor_conformance import JSON_API
from reactor_conformance.checks import api, cases
from reactor_conformance.client.api_client import ApiClient
from reactor_conformance.client.identities import clients_for
from reactor_conformance.client.profile import profile_of
from reactor_conformance.refserver.faults import ENVIRONMENT_VARIABLE
from reactor_conformance.refserver.seed import IDENTITIES
from reactor_conformance.refserver.server import start_server
from reactor_conformance.shapes import errors as schema_errors

AUTHORIZATIONS = "/extension_package_usage_authorizations"
IDENTITY_NAMES = tuple(IDENTITIES)


# -- checking every answer ------------------------------------------------------------------------
def check_answer(response: requests.Response, schema: str | None) -> None:
    """204 has no body; anything else is a JSON:API document of ``schema`` (an error document for 4xx/5xx)."""
    what = f"{response.request.method} {response.request.path_url} → {response.status_code}"
    if response.status_code == 204:
        assert response.content == b"", f"{what}: a 204 with a body"
        return
    assert response.headers.get("content-type", "").split(";")[0] == JSON_API, \
        f"{what}: Content-Type {response.headers.get('content-type')!r}"
    if response.request.method == "HEAD":
        return
    document = response.json()
    if response.status_code >= 400:
        schema = "error"
        error = document["errors"][0]
        assert error["status"] == str(response.status_code) and error["code"] and error["title"], what
        assert error["meta"]["request_id"], what
    assert schema, f"{what}: the test names no schema for this answer"
    problems = schema_errors(schema, document)
    assert not problems, f"{what}: not a valid {schema} document: {problems[:3]}"


class Caller:
    """One seeded identity talking to the server through the suite's own client (``ApiClient``: its headers,
    paths sent as written); every answer goes through ``check_answer``."""

    def __init__(self, client: ApiClient):
        self.client, self.identity = client, client.identity.name

    def call(self, method: str, path: str, *, schema: str | None = None, body=None, content_type: str = JSON_API,
             headers: dict | None = None, **kwargs) -> requests.Response:
        extra = dict(headers or {})
        if body is not None:
            kwargs["raw_body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            extra.setdefault("Content-Type", content_type)
        response = self.client.request(method, path, headers=extra, **kwargs)
        check_answer(response, schema)
        return response

    def get(self, path: str, schema: str | None = None, **kwargs) -> requests.Response:
        return self.call("GET", path, schema=schema, **kwargs)

    def data(self, path: str, schema: str, **kwargs):
        response = self.get(path, schema, **kwargs)
        assert response.status_code == 200, f"GET {path} as {self.identity}: {response.status_code} {response.text}"
        return response.json()["data"]


# -- the server and its seeded world -------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    saved = os.environ.pop(ENVIRONMENT_VARIABLE, None)
    try:
        running = start_server()
    finally:
        if saved is not None:
            os.environ[ENVIRONMENT_VARIABLE] = saved
    with running:
        yield running


@pytest.fixture(scope="module")
def callers(server) -> dict[str, Caller]:
    clients = clients_for(profile_of(server.profile(), "the reference server"), timeout=REQUEST_HANG_GUARD_S)
    return {name: Caller(clients[name]) for name in IDENTITY_NAMES}


@pytest.fixture(scope="module")
def ids(server) -> dict[str, str]:
    """Fixture IDs and org IDs by name: ``ids["extension_package_id"]``, ``ids["org:authorized"]``."""
    return {**server.seed.fixtures, **{f"org:{key}": org for key, org in server.seed.orgs.items()}}


def package_zip(name: str, version: str, **manifest) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("extension.json", json.dumps({"name": name, "platform": "web", "version": version,
                                                       "displayName": name.title(), **manifest}))
    return buffer.getvalue()


def grant(callers, ids, package: str, org: str, state: str | None = None) -> dict:
    """The owner grants ``ids[package]`` to org ``org`` (a seed org key); when ``state`` is given, that org's
    identity of the same name decides it. Returns the resource."""
    response = callers["owner"].call("POST", api.package_authorizations_path(ids[package]), schema="authorization",
                                     body=api.grant_document(ids[f"org:{org}"]))
    assert response.status_code == 201, response.text
    resource = response.json()["data"]
    if state:
        decided = callers[org].call("PATCH", f"{AUTHORIZATIONS}/{resource['id']}", schema="authorization",
                                    body=api.decision_document(resource["id"], state))
        assert decided.status_code == 200, decided.text
        resource = decided.json()["data"]
    return resource


def snapshot(callers) -> list:
    """Every authorization as the owner sees it: what a refused request must leave untouched."""
    return sorted((item["id"], item["attributes"]["state"], item["attributes"]["updated_at"],
                   item["attributes"]["authorized_org_id"])
                  for item in callers["owner"].data(AUTHORIZATIONS, "authorization-list",
                                                    params={"page[size]": 100}))


@pytest.fixture
def clean(callers):
    """Each test starts and ends with no authorization at all."""

    def revoke_all():
        for item in callers["owner"].data(AUTHORIZATIONS, "authorization-list", params={"page[size]": 100}):
            assert callers["owner"].call("DELETE", f"{AUTHORIZATIONS}/{item['id']}").status_code == 204

    revoke_all()
    yield
    revoke_all()


@pytest.fixture
def pending(callers, ids, clean) -> dict:
    """A pending authorization of the seeded private package to the authorized org."""
    return grant(callers, ids, "extension_package_id", "authorized")


# -- the seeded flow end to end ------------------------------------------------------------------
def test_grant_approve_release_and_revoke_end_to_end(callers, ids, clean):
    owner, authorized = callers["owner"], callers["authorized"]
    package, prop = ids["extension_package_id"], ids["property_id"]
    package_path, install_path = f"/extension_packages/{package}", f"/properties/{prop}/extensions"

    def catalog_ids():
        return {item["id"] for item in authorized.data("/extension_packages", "extension-package-list",
                                                       params={"page[size]": 100})}

    created = owner.call("POST", api.package_authorizations_path(package), schema="authorization",
                         body=api.grant_document(ids["org:authorized"]))
    assert created.status_code == 201
    resource = created.json()["data"]
    attributes = resource["attributes"]
    assert (attributes["state"], attributes["owner_org_id"], attributes["authorized_org_id"]) == \
           ("pending_approval", ids["org:owner"], ids["org:authorized"])
    assert attributes["created_at"] == attributes["updated_at"]
    assert resource["relationships"]["extension_package"]["data"] == {"id": package, "type": "extension_packages"}
    authorization = f"{AUTHORIZATIONS}/{resource['id']}"
    assert created.headers["Location"] == resource["links"]["self"] == owner.client.base_url + authorization

    assert [i["id"] for i in owner.data(api.package_authorizations_path(package), "authorization-list")] == [resource["id"]]
    assert [i["id"] for i in authorized.data(AUTHORIZATIONS, "authorization-list")] == [resource["id"]]

    # pending: readable, not in the catalog, not installable
    assert authorized.data(package_path, "extension-package")["id"] == package
    assert authorized.data(f"{authorization}/extension_package", "extension-package")["id"] == package
    assert package not in catalog_ids()
    assert authorized.call("POST", install_path, body=api.install_document(package)).status_code == 403

    approved = authorized.call("PATCH", authorization, schema="authorization",
                               body=api.decision_document(resource["id"], "approved"))
    assert approved.status_code == 200
    assert approved.json()["data"]["attributes"]["state"] == "approved"
    assert approved.json()["data"]["attributes"]["updated_at"] > attributes["updated_at"]
    assert authorized.data(authorization, "authorization")["attributes"]["state"] == "approved"

    # approved: in the catalog, installable
    assert package in catalog_ids()
    installed = authorized.call("POST", install_path, schema="extension", body=api.install_document(package))
    assert installed.status_code == 201
    extension = installed.json()["data"]
    assert extension["relationships"]["property"]["data"] == {"id": prop, "type": "properties"}

    # a private version released later is covered too
    uploaded = owner.call("POST", "/extension_packages", schema="extension-package",
                          files={"package": ("package.zip", package_zip("acme-private", "1.1.0"), "application/zip")})
    assert uploaded.status_code == 201
    new_version = uploaded.json()["data"]
    assert new_version["attributes"]["availability"] == "development"
    assert authorized.get(f"/extension_packages/{new_version['id']}").status_code == 404
    released = owner.call("PATCH", f"/extension_packages/{new_version['id']}", schema="extension-package",
                          body={"data": {"id": new_version["id"], "type": "extension_packages",
                                         "meta": {"action": "release_private"}}})
    assert released.status_code == 200 and released.json()["data"]["attributes"]["availability"] == "private"
    assert authorized.data(f"/extension_packages/{new_version['id']}", "extension-package")["attributes"][
               "version"] == "1.1.0"
    assert {package, new_version["id"]} <= catalog_ids()
    versions = authorized.data(f"{package_path}/versions", "extension-package-list")
    assert {v["id"] for v in versions} == {package, new_version["id"]}
    assert authorized.call("POST", install_path, schema="extension",
                           body=api.install_document(new_version["id"])).status_code == 201

    # revoked: gone from catalog and reads, no new install, the installed extension unchanged
    assert owner.call("DELETE", authorization).status_code == 204
    assert not {package, new_version["id"]} & catalog_ids()
    assert authorized.get(package_path).status_code == 404
    assert authorized.get(authorization).status_code == 404
    assert authorized.call("POST", install_path, body=api.install_document(package)).status_code == 404
    assert authorized.data(f"/extensions/{extension['id']}", "extension") == extension
    assert owner.call("DELETE", authorization).status_code == 404
    assert authorized.call("PATCH", authorization, body=api.decision_document(resource["id"], "rejected")).status_code \
           == 404


# -- who may do what -------------------------------------------------------------------------------
def _grant_to_outsider(caller, ids, authorization_id):
    return caller.call("POST", api.package_authorizations_path(ids["extension_package_id"]), schema="authorization",
                       body=api.grant_document(ids["org:outsider"]))


def _list_for_package(caller, ids, authorization_id):
    return caller.get(api.package_authorizations_path(ids["extension_package_id"]), "authorization-list")


def _list_visible(caller, ids, authorization_id):
    return caller.get(AUTHORIZATIONS, "authorization-list")


def _read(caller, ids, authorization_id):
    return caller.get(f"{AUTHORIZATIONS}/{authorization_id}", "authorization")


def _read_related_package(caller, ids, authorization_id):
    return caller.get(f"{AUTHORIZATIONS}/{authorization_id}/extension_package", "extension-package")


def _approve(caller, ids, authorization_id):
    return caller.call("PATCH", f"{AUTHORIZATIONS}/{authorization_id}", schema="authorization",
                       body=api.decision_document(authorization_id, "approved"))


def _revoke(caller, ids, authorization_id):
    return caller.call("DELETE", f"{AUTHORIZATIONS}/{authorization_id}")


def _read_package(caller, ids, authorization_id):
    return caller.get(f"/extension_packages/{ids['extension_package_id']}", "extension-package")


def _catalog(caller, ids, authorization_id):
    return caller.get("/extension_packages", "extension-package-list", params={"page[size]": 100})


def _install(caller, ids, authorization_id):
    return caller.call("POST", f"/properties/{ids['property_id']}/extensions", schema="extension",
                       body=api.install_document(ids["extension_package_id"]))


# (description, identity, operation, expected status, whether a 200 list holds the grant / package)
# with a pending authorization of the seeded package to the authorized org in place.
RIGHTS = [
    ("the owner grants", "owner", _grant_to_outsider, 201, None),
    ("an owner-org user without develop_extensions cannot grant", "owner_limited", _grant_to_outsider, 403, None),
    ("the authorized org cannot grant", "authorized", _grant_to_outsider, 403, None),
    ("the authorized org's developer cannot grant", "authorized_limited", _grant_to_outsider, 403, None),
    ("an outsider cannot see the package", "outsider", _grant_to_outsider, 404, None),
    ("the owner lists the package's grants", "owner", _list_for_package, 200, True),
    ("the limited owner user may not list them", "owner_limited", _list_for_package, 403, None),
    ("the authorized org sees the package but may not list its grants", "authorized", _list_for_package, 403, None),
    ("the authorized org's developer may not either", "authorized_limited", _list_for_package, 403, None),
    ("an outsider does not see the package", "outsider", _list_for_package, 404, None),
    ("the owner's list holds the grant", "owner", _list_visible, 200, True),
    ("the limited owner user's list does not (it has only manage_properties)", "owner_limited", _list_visible, 200,
     False),
    ("the authorized org's list holds the grant", "authorized", _list_visible, 200, True),
    ("the authorized org's developer's list does not", "authorized_limited", _list_visible, 200, False),
    ("an outsider's list does not", "outsider", _list_visible, 200, False),
    ("the owner reads the grant", "owner", _read, 200, None),
    ("the limited owner user may not", "owner_limited", _read, 403, None),
    ("the authorized org reads the grant", "authorized", _read, 200, None),
    ("the authorized org's developer may not", "authorized_limited", _read, 403, None),
    ("an outsider learns nothing", "outsider", _read, 404, None),
    ("the owner reads the related package", "owner", _read_related_package, 200, None),
    ("the limited owner user may not", "owner_limited", _read_related_package, 403, None),
    ("the authorized org reads the related package", "authorized", _read_related_package, 200, None),
    ("the authorized org's developer may not", "authorized_limited", _read_related_package, 403, None),
    ("an outsider learns nothing", "outsider", _read_related_package, 404, None),
    ("the owner cannot approve its own grant", "owner", _approve, 403, None),
    ("nor can the limited owner user", "owner_limited", _approve, 403, None),
    ("the authorized org approves", "authorized", _approve, 200, None),
    ("the authorized org's developer cannot approve", "authorized_limited", _approve, 403, None),
    ("an outsider cannot see the grant", "outsider", _approve, 404, None),
    ("the owner revokes", "owner", _revoke, 204, None),
    ("the limited owner user cannot revoke", "owner_limited", _revoke, 403, None),
    ("the authorized org cannot revoke", "authorized", _revoke, 403, None),
    ("the authorized org's developer cannot revoke", "authorized_limited", _revoke, 403, None),
    ("an outsider cannot see the grant", "outsider", _revoke, 404, None),
    ("the owner reads its package", "owner", _read_package, 200, None),
    ("so does the limited owner user", "owner_limited", _read_package, 200, None),
    ("the authorized org reads it while pending", "authorized", _read_package, 200, None),
    ("so does the authorized org's developer", "authorized_limited", _read_package, 200, None),
    ("an outsider cannot", "outsider", _read_package, 404, None),
    ("the owner's catalog holds its package", "owner", _catalog, 200, True),
    ("the limited owner user's catalog too", "owner_limited", _catalog, 200, True),
    ("a pending grant is not in the authorized org's catalog", "authorized", _catalog, 200, False),
    ("nor in its developer's", "authorized_limited", _catalog, 200, False),
    ("nor in an outsider's", "outsider", _catalog, 200, False),
    ("the owner has no access to the authorized org's property", "owner", _install, 404, None),
    ("nor has the limited owner user", "owner_limited", _install, 404, None),
    ("a pending package cannot be installed", "authorized", _install, 403, None),
    ("installing needs manage_properties", "authorized_limited", _install, 403, None),
    ("an outsider has no access to the property", "outsider", _install, 404, None),
]


@pytest.mark.parametrize("description, identity, operation, expected, holds", RIGHTS,
                         ids=[f"{case[1]}-{case[2].__name__.strip('_')}" for case in RIGHTS])
def test_rights(description, identity, operation, expected, holds, callers, ids, pending):
    before = snapshot(callers)
    response = operation(callers[identity], ids, pending["id"])
    assert response.status_code == expected, f"{description}: {response.status_code} {response.text}"
    if holds is not None:
        listed = {item["id"] for item in response.json()["data"]}
        wanted = ids["extension_package_id"] if operation is _catalog else pending["id"]
        assert (wanted in listed) is holds, description
    if expected >= 400:
        assert snapshot(callers) == before, f"{description}: a refusal changed the authorizations"


# -- bad input changes nothing ---------------------------------------------------------------------
DEEP = "[" * 100_000 + "]" * 100_000

# The suite's table of bad grants (cases/bad-grants.json), each judged here by its exact answer, and bodies too
# large to keep in a file: what the reference server refuses without reading them whole.
BAD_GRANTS = [*cases.load("bad-grants"),
              cases.Case("bytes that are not UTF-8", {"status": 400, "code": "invalid-json"}, raw=b'{"data": "\xff\xfe"}'),
              cases.Case("nesting deeper than any parser allows", {"status": 400, "code": "invalid-json"}, raw=DEEP),
              cases.Case("authorized_org_id 100 000 characters long", {"status": 422, "code": "invalid-attribute"},
                         body=api.grant_document("A" * 100_000)),
              cases.Case("a body over 1 MiB", {"status": 413, "code": "request-too-large"},
                         body={**api.grant_document("{authorized}"), "meta": {"pad": "x" * (1 << 20)}})]


def orgs(ids: dict) -> dict[str, str]:
    """The org placeholders of the case files."""
    return {"authorized": ids["org:authorized"], "owner": ids["org:owner"], "outsider": ids["org:outsider"],
            "nobody": "0" * 24 + "@AdobeOrg"}


@pytest.mark.parametrize("case", BAD_GRANTS, ids=cases.ids(BAD_GRANTS))
def test_bad_grants_are_refused_and_create_nothing(case, callers, ids, pending):
    before = snapshot(callers)
    request = case.request(**orgs(ids))
    response = callers["owner"].call("POST", api.package_authorizations_path(ids["extension_package_id"]),
                                     body=request["raw_body"], content_type=request.get("headers", {}).get(
                                         "Content-Type", JSON_API))
    assert (response.status_code, response.json()["errors"][0]["code"]) == \
           (case.reference["status"], case.reference["code"]), case.description
    assert snapshot(callers) == before, f"{case.description}: the refused grant changed the authorizations"


BAD_DECISIONS = cases.load("bad-decisions")  # the suite's table, each judged here by its exact answer


@pytest.mark.parametrize("case", BAD_DECISIONS, ids=cases.ids(BAD_DECISIONS))
def test_bad_decisions_are_refused_and_change_nothing(case, callers, ids, clean):
    authorization = grant(callers, ids, "extension_package_id", "authorized", case.decided)
    before = snapshot(callers)
    request = case.request(ea=authorization["id"], **orgs(ids))
    response = callers["authorized"].call("PATCH", f"{AUTHORIZATIONS}/{authorization['id']}", body=request["raw_body"],
                                          content_type=request.get("headers", {}).get("Content-Type", JSON_API))
    assert (response.status_code, response.json()["errors"][0]["code"]) == \
           (case.reference["status"], case.reference["code"]), case.description
    assert snapshot(callers) == before, f"{case.description}: the refused decision changed the authorization"


def test_application_json_bodies_are_accepted(callers, pending):
    response = callers["authorized"].call("PATCH", f"{AUTHORIZATIONS}/{pending['id']}", schema="authorization",
                                          body=api.decision_document(pending["id"], "rejected"),
                                          content_type="application/json; charset=utf-8")
    assert response.status_code == 200 and response.json()["data"]["attributes"]["state"] == "rejected"


@pytest.mark.parametrize("first, second", [("approved", "rejected"), ("rejected", "approved"),
                                           ("approved", "approved")])
def test_decisions_can_change_and_always_move_updated_at(first, second, callers, ids, clean):
    authorization = grant(callers, ids, "extension_package_id", "authorized", first)
    response = callers["authorized"].call("PATCH", f"{AUTHORIZATIONS}/{authorization['id']}", schema="authorization",
                                          body=api.decision_document(authorization["id"], second))
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert attributes["state"] == second
    assert attributes["updated_at"] > authorization["attributes"]["updated_at"]


# (description, path, query parameters, the parameter at fault): each is refused with 400 invalid-parameter
BAD_QUERIES = [
    ("page[size] 0", AUTHORIZATIONS, {"page[size]": "0"}, "page[size]"),
    ("page[size] 101", AUTHORIZATIONS, {"page[size]": "101"}, "page[size]"),
    ("page[size] -1", AUTHORIZATIONS, {"page[size]": "-1"}, "page[size]"),
    ("page[size] abc", AUTHORIZATIONS, {"page[size]": "abc"}, "page[size]"),
    ("page[size] empty", AUTHORIZATIONS, {"page[size]": ""}, "page[size]"),
    ("page[size] 1.5", AUTHORIZATIONS, {"page[size]": "1.5"}, "page[size]"),
    ("page[number] 0", AUTHORIZATIONS, {"page[number]": "0"}, "page[number]"),
    ("page[number] -1", AUTHORIZATIONS, {"page[number]": "-1"}, "page[number]"),
    ("page[number] abc", AUTHORIZATIONS, {"page[number]": "abc"}, "page[number]"),
    ("page[number] in Arabic-Indic digits", AUTHORIZATIONS, {"page[number]": "١"}, "page[number]"),
    ("page[number] with 5 000 digits", AUTHORIZATIONS, {"page[number]": "9" * 5000}, "page[number]"),
    ("page[size] 0 on the catalog", "/extension_packages", {"page[size]": "0"}, "page[size]"),
    ("page[size] 0 on a package's grants", "/extension_packages/{EP}" + AUTHORIZATIONS, {"page[size]": "0"},
     "page[size]"),
]


@pytest.mark.parametrize("description, path, params, parameter", BAD_QUERIES, ids=[c[0] for c in BAD_QUERIES])
def test_bad_page_parameters_are_refused(description, path, params, parameter, callers, ids):
    response = callers["owner"].get(path.replace("{EP}", ids["extension_package_id"]), params=params)
    error = response.json()["errors"][0]
    assert (response.status_code, error["code"], error["source"]) == \
           (400, "invalid-parameter", {"parameter": parameter}), description


# (description, headers to change (None: drop), status, code) — checked in this order: token, key, org.
BAD_HEADERS = [
    ("no headers at all", {"Authorization": None, "x-api-key": None, "x-gw-ims-org-id": None}, 401,
     "authentication-failure"),
    ("no Authorization", {"Authorization": None}, 401, "authentication-failure"),
    ("a Basic scheme", {"Authorization": "Basic b3duZXI6c2VjcmV0"}, 401, "authentication-failure"),
    ("Bearer without a token", {"Authorization": "Bearer "}, 401, "authentication-failure"),
    ("an unknown token", {"Authorization": "Bearer not-a-token"}, 401, "authentication-failure"),
    ("a token with non-ASCII bytes", {"Authorization": "Bearer tök€n".encode()}, 401, "authentication-failure"),
    ("an unknown token and no API key", {"Authorization": "Bearer x", "x-api-key": None}, 401,
     "authentication-failure"),
    ("no x-api-key", {"x-api-key": None}, 403, "invalid-api-key"),
    ("an unknown x-api-key", {"x-api-key": "not-a-key"}, 403, "invalid-api-key"),
    ("another org's x-gw-ims-org-id", {"x-gw-ims-org-id": "{authorized}"}, 403, "invalid-org"),
    ("an org header of no org", {"x-gw-ims-org-id": "nobody@AdobeOrg"}, 403, "invalid-org"),
    ("an empty org header", {"x-gw-ims-org-id": ""}, 403, "invalid-org"),
    ("Adobe's public key naming another org", {"x-api-key": "Activation-DTM", "x-gw-ims-org-id": "{authorized}"}, 403,
     "invalid-org"),
    ("Adobe's public key, an unknown token", {"x-api-key": "Activation-DTM", "Authorization": "Bearer x",
                                              "x-gw-ims-org-id": None}, 401, "authentication-failure"),
]


@pytest.mark.parametrize("description, changes, status, code", BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_bad_credentials_are_refused_in_order(description, changes, status, code, callers, ids, pending):
    headers = {name: api.substitute(value, **orgs(ids)) if isinstance(value, str) else value for name, value in changes.items()}
    for path in (AUTHORIZATIONS, f"{AUTHORIZATIONS}/{pending['id']}"):
        response = callers["owner"].get(path, headers=headers)
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), description
        assert "data" not in response.json()


# Headers as Adobe's own clients send them (the uploader, the releaser, the JavaScript SDK: the public Launch key,
# no org header), served for the token's own org. (description, identity, headers to change (None: drop))
ADOBE_CLIENT_HEADERS = [
    ("no x-gw-ims-org-id, the owner", "owner", {"x-gw-ims-org-id": None}),
    ("no x-gw-ims-org-id, the authorized org", "authorized", {"x-gw-ims-org-id": None}),
    ("no x-gw-ims-org-id, the outsider", "outsider", {"x-gw-ims-org-id": None}),
    ("Adobe's public key with the own org header", "owner", {"x-api-key": "Activation-DTM"}),
    ("the uploader's headers, the owner", "owner",
     {"x-api-key": "Activation-DTM", "x-gw-ims-org-id": None, "Cache-control": "no-cache"}),
    ("the uploader's headers, the authorized org", "authorized",
     {"x-api-key": "Activation-DTM", "x-gw-ims-org-id": None, "Cache-control": "no-cache"}),
]


@pytest.mark.parametrize("description, identity, changes", ADOBE_CLIENT_HEADERS,
                         ids=[c[0] for c in ADOBE_CLIENT_HEADERS])
def test_adobe_clients_headers_are_served_for_the_tokens_own_org(description, identity, changes, callers, ids,
                                                                  server, clean):
    grant(callers, ids, "extension_package_id", "authorized")
    grant(callers, ids, "other_extension_package_id", "outsider")
    org = server.profile()["identities"][identity]["org_id"]
    listed = callers[identity].data(AUTHORIZATIONS, "authorization-list", headers=changes)
    assert all(org in (item["attributes"]["owner_org_id"], item["attributes"]["authorized_org_id"])
               for item in listed), description
    assert listed == callers[identity].data(AUTHORIZATIONS, "authorization-list"), description
    if identity == "owner":
        package = callers[identity].data(f"/extension_packages/{ids['extension_package_id']}", "extension-package",
                                          headers=changes)
        assert package["attributes"]["owner_org_id"] == org, description


# Paths that name no resource: each answers 404 and never another resource.
# (description, raw path with "{EA}" for an existing authorization's ID)
MANGLED_PATHS = [
    ("an unknown authorization", f"{AUTHORIZATIONS}/EA{'0' * 32}"),
    ("a trailing slash", f"{AUTHORIZATIONS}/{{EA}}/"),
    ("a dot-dot segment after the ID", f"{AUTHORIZATIONS}/{{EA}}/.."),
    ("an encoded dot-dot", f"{AUTHORIZATIONS}/%2e%2e"),
    ("an encoded dot-dot after the ID", f"{AUTHORIZATIONS}/{{EA}}/%2e%2e"),
    ("dots inside the ID", f"{AUTHORIZATIONS}/EA..{'0' * 30}"),
    ("an encoded question mark", f"{AUTHORIZATIONS}/{{EA}}%3Fx=1"),
    ("an encoded slash", f"{AUTHORIZATIONS}/{{EA}}%2Fextension_package"),
    ("10 000 characters", f"{AUTHORIZATIONS}/EA{'a' * 10_000}"),
    ("non-ASCII", f"{AUTHORIZATIONS}/EA%C3%A9%E2%82%AC"),
    ("an invalid UTF-8 escape", f"{AUTHORIZATIONS}/EA%ff%fe"),
    ("braces", f"{AUTHORIZATIONS}/%7B%7D"),
    ("upper-case hex", f"{AUTHORIZATIONS}/{{EA_UPPER}}"),
    ("a NUL byte", f"{AUTHORIZATIONS}/{{EA}}%00"),
    ("the ID doubled", f"{AUTHORIZATIONS}/{{EA}}{{EA}}"),
    ("a package ID where an authorization's goes", f"{AUTHORIZATIONS}/{{EP}}"),
    ("a malformed package", "/extension_packages/not-a-package"),
    ("an unknown endpoint", "/extension_package_usage_authorization"),
    ("the root", "/"),
]


def raw_get(server, caller: str, path: str) -> tuple[int, str, dict]:
    """GET exactly ``path`` (no client-side normalisation): status, Content-Type, JSON body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_HANG_GUARD_S)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in server.headers(caller).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize("description, path", MANGLED_PATHS, ids=[c[0] for c in MANGLED_PATHS])
def test_mangled_paths_name_nothing(description, path, server, ids, pending):
    path = path.replace("{EA_UPPER}", "EA" + pending["id"][2:].upper()).replace("{EA}", pending["id"]).replace(
        "{EP}", ids["extension_package_id"])
    status, content_type, document = raw_get(server, "owner", path)
    assert (status, content_type.split(";")[0]) == (404, JSON_API), description
    assert document["errors"][0]["code"] == "not-found" and "data" not in document
    problems = schema_errors("error", document)
    assert not problems, problems


def test_a_query_string_after_a_valid_id_is_ignored(callers, pending):
    data = callers["owner"].data(f"{AUTHORIZATIONS}/{pending['id']}", "authorization", params={"x": "1"})
    assert data["id"] == pending["id"]


def test_a_method_a_path_does_not_offer_is_405(callers, pending):
    response = callers["owner"].call("PUT", f"{AUTHORIZATIONS}/{pending['id']}",
                                     body=api.decision_document(pending["id"], "approved"))
    assert (response.status_code, response.json()["errors"][0]["code"]) == (405, "method-not-allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}


def test_head_answers_like_get_without_a_body(callers, pending):
    response = callers["owner"].call("HEAD", f"{AUTHORIZATIONS}/{pending['id']}")
    assert response.status_code == 200 and response.content == b""


# -- packages: bad uploads and releases -----------------------------------------------------------
def _zip_without_manifest() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "no manifest")
    return buffer.getvalue()


def _zip_with(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("extension.json", text)
    return buffer.getvalue()


# (description, identity, multipart files (None: a JSON body instead), status, code)
BAD_UPLOADS = [
    ("not a zip", "owner", {"package": ("p.zip", b"plain text", "application/zip")}, 422, "invalid-document"),
    ("a zip without extension.json", "owner", {"package": ("p.zip", _zip_without_manifest(), "application/zip")},
     422, "invalid-document"),
    ("extension.json not JSON", "owner", {"package": ("p.zip", _zip_with("{nope"), "application/zip")}, 422,
     "invalid-document"),
    ("extension.json a list", "owner", {"package": ("p.zip", _zip_with("[]"), "application/zip")}, 422,
     "invalid-document"),
    ("extension.json without a version", "owner",
     {"package": ("p.zip", _zip_with('{"name": "x", "platform": "web", "displayName": "X"}'), "application/zip")},
     422, "invalid-document"),
    ("an unknown platform", "owner",
     {"package": ("p.zip", package_zip("x", "1.0.0", platform="tv"), "application/zip")}, 422, "invalid-document"),
    ("no package field", "owner", {"other": ("p.zip", package_zip("x", "1.0.0"), "application/zip")}, 422,
     "invalid-document"),
    ("a version that exists", "owner",
     {"package": ("p.zip", package_zip("acme-private", "1.0.0"), "application/zip")}, 409, "not-unique"),
    ("a JSON body", "owner", None, 415, "unsupported-media-type"),
    ("a user without develop_extensions", "owner_limited",
     {"package": ("p.zip", package_zip("x", "9.0.0"), "application/zip")}, 403, "not-authorized"),
]


@pytest.mark.parametrize("description, identity, files, status, code", BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_bad_uploads_are_refused(description, identity, files, status, code, callers):
    caller = callers[identity]
    before = caller.data("/extension_packages", "extension-package-list", params={"page[size]": 100})
    if files is None:
        response = caller.call("POST", "/extension_packages", body={"data": {"type": "extension_packages"}})
    else:
        response = caller.call("POST", "/extension_packages", files=files)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), description
    assert caller.data("/extension_packages", "extension-package-list", params={"page[size]": 100}) == before


# (description, identity, meta, status, code)
BAD_RELEASES = [
    ("another action", "owner", {"action": "release_public"}, 422, "invalid-document"),
    ("no meta", "owner", None, 422, "invalid-document"),
    ("the authorized org", "authorized", {"action": "release_private"}, 404, "not-found"),
    ("an owner-org user without develop_extensions", "owner_limited", {"action": "release_private"}, 403,
     "not-authorized"),
]


@pytest.mark.parametrize("description, identity, meta, status, code", BAD_RELEASES, ids=[c[0] for c in BAD_RELEASES])
def test_bad_releases_are_refused(description, identity, meta, status, code, callers):
    uploaded = callers["owner"].call("POST", "/extension_packages", schema="extension-package",
                                     files={"package": ("p.zip", package_zip(f"draft-{uuid.uuid4().hex[:8]}", "0.1.0"),
                                                        "application/zip")})
    package = uploaded.json()["data"]
    body = {"data": {"id": package["id"], "type": "extension_packages", **({"meta": meta} if meta else {})}}
    response = callers[identity].call("PATCH", f"/extension_packages/{package['id']}", body=body)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), description
    after = callers["owner"].data(f"/extension_packages/{package['id']}", "extension-package")
    assert after["attributes"]["availability"] == "development"


# -- packages: re-uploads of a version in development (Adobe's uploader: multipart PATCH) ---------------------------
ADOBE_UPLOADER_HEADERS = {"x-api-key": "Activation-DTM", "x-gw-ims-org-id": None, "Cache-control": "no-cache"}


def draft(callers, name: str, version: str = "0.1.0") -> dict:
    """A new package version in development, uploaded by the owner."""
    uploaded = callers["owner"].call("POST", "/extension_packages", schema="extension-package",
                                     files={"package": ("p.zip", package_zip(name, version), "application/zip")})
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["data"]


def as_upload(archive: bytes, field: str = "package") -> dict:
    return {field: ("package.zip", archive, "application/zip")}


def test_a_reupload_replaces_the_version_in_development_in_place(callers):
    owner, name = callers["owner"], f"draft-{uuid.uuid4().hex[:8]}"
    package = draft(callers, name)
    path = f"/extension_packages/{package['id']}"
    response = owner.call("PATCH", path, schema="extension-package", headers=ADOBE_UPLOADER_HEADERS,
                          files=as_upload(package_zip(name, "0.2.0", displayName="Draft Renamed")))
    assert response.status_code == 200, response.text
    replaced = response.json()["data"]
    assert (replaced["id"], replaced["attributes"]["version"], replaced["attributes"]["display_name"],
            replaced["attributes"]["availability"]) == (package["id"], "0.2.0", "Draft Renamed", "development")
    assert replaced["attributes"]["updated_at"] >= package["attributes"]["updated_at"]
    assert owner.data(path, "extension-package") == replaced
    assert [v["id"] for v in owner.data(f"{path}/versions", "extension-package-list")] == [package["id"]]
    released = owner.call("PATCH", path, schema="extension-package", headers=ADOBE_UPLOADER_HEADERS,
                          body={"data": {"id": package["id"], "type": "extension_packages",
                                         "meta": {"action": "release_private"}}})
    assert (released.status_code, released.json()["data"]["attributes"]["version"],
            released.json()["data"]["attributes"]["availability"]) == (200, "0.2.0", "private")


# (description, identity, release the package first, the body as multipart files for the package's name, or a
# (content type, text) body, status, code); the package has a sibling version 0.9.0 in its family.
BAD_REUPLOADS = [
    ("a released package", "owner", True, lambda name: as_upload(package_zip(name, "0.2.0")), 409,
     "not-in-development"),
    ("another package's name", "owner", False, lambda name: as_upload(package_zip(name + "-other", "0.2.0")), 422,
     "package-mismatch"),
    ("another platform", "owner", False, lambda name: as_upload(package_zip(name, "0.2.0", platform="mobile")), 422,
     "package-mismatch"),
    ("the version of a sibling", "owner", False, lambda name: as_upload(package_zip(name, "0.9.0")), 409,
     "not-unique"),
    ("not a zip", "owner", False, lambda name: as_upload(b"plain text"), 422, "invalid-document"),
    ("a zip without extension.json", "owner", False, lambda name: as_upload(_zip_without_manifest()), 422,
     "invalid-document"),
    ("extension.json without a version", "owner", False,
     lambda name: as_upload(_zip_with(json.dumps({"name": name, "platform": "web", "displayName": "X"}))), 422,
     "invalid-document"),
    ("no package field", "owner", False, lambda name: as_upload(package_zip(name, "0.2.0"), field="other"), 422,
     "invalid-document"),
    ("a plain-text body", "owner", False, lambda name: ("text/plain", "0.2.0"), 415, "unsupported-media-type"),
    ("a user without develop_extensions", "owner_limited", False, lambda name: as_upload(package_zip(name, "0.2.0")),
     403, "not-authorized"),
    ("the authorized org, never granted", "authorized", False, lambda name: as_upload(package_zip(name, "0.2.0")),
     404, "not-found"),
    ("the outsider", "outsider", False, lambda name: as_upload(package_zip(name, "0.2.0")), 404, "not-found"),
]


@pytest.mark.parametrize("description, identity, released, body, status, code", BAD_REUPLOADS,
                         ids=[c[0] for c in BAD_REUPLOADS])
def test_bad_reuploads_are_refused_and_change_nothing(description, identity, released, body, status, code,
                                                      callers):
    name = f"draft-{uuid.uuid4().hex[:8]}"
    package = draft(callers, name)
    draft(callers, name, "0.9.0")
    path = f"/extension_packages/{package['id']}"
    if released:
        callers["owner"].call("PATCH", path, schema="extension-package", body={"data": {
            "id": package["id"], "type": "extension_packages", "meta": {"action": "release_private"}}})
    before = callers["owner"].data(path, "extension-package")
    sent = body(name)
    if isinstance(sent, tuple):
        response = callers[identity].call("PATCH", path, body=sent[1], content_type=sent[0])
    else:
        response = callers[identity].call("PATCH", path, files=sent, headers=ADOBE_UPLOADER_HEADERS)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), description
    assert callers["owner"].data(path, "extension-package") == before, description


def test_the_documented_post_reupload_is_not_offered(callers, ids):
    """Adobe's reference documents a multipart POST; its uploader sends PATCH, which the server follows (D16)."""
    response = callers["owner"].call("POST", f"/extension_packages/{ids['extension_package_id']}",
                                     files=as_upload(package_zip("acme-private", "9.9.9")))
    assert (response.status_code, response.json()["errors"][0]["code"]) == (405, "method-not-allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "PATCH"}


def test_a_reupload_of_an_unknown_package_is_not_found(callers):
    response = callers["owner"].call("PATCH", f"/extension_packages/EP{'0' * 32}",
                                     files=as_upload(package_zip("acme-private", "9.9.9")))
    assert (response.status_code, response.json()["errors"][0]["code"]) == (404, "not-found")


# (description, body, status, code) — the authorized org installs on its property
BAD_INSTALLS = [
    ("no relationships", {"data": {"type": "extensions"}}, 422, "invalid-document"),
    ("the wrong type", {"data": {**api.install_document("{EP}")["data"], "type": "properties"}}, 409, "type-mismatch"),
    ("a related package of the wrong type",
     {"data": {"type": "extensions", "relationships": {"extension_package": {"data": {"id": "{EP}",
                                                                                        "type": "properties"}}}}},
     409, "type-mismatch"),
    ("settings that are not a JSON object", {"data": {**api.install_document("{EP}")["data"],
                                                      "attributes": {"settings": "[1]"}}}, 422, "invalid-attribute"),
    ("an unknown package", api.install_document("EP" + "0" * 32), 404, "not-found"),
    ("a malformed package ID", api.install_document("../EP"), 404, "not-found"),
    ("the owner's other private package", api.install_document("{EP2}"), 404, "not-found"),
]


@pytest.mark.parametrize("description, body, status, code", BAD_INSTALLS, ids=[c[0] for c in BAD_INSTALLS])
def test_bad_installs_are_refused(description, body, status, code, callers, ids, pending):
    text = json.dumps(body).replace("{EP}", ids["public_extension_package_id"]).replace(
        "{EP2}", ids["other_extension_package_id"])
    response = callers["authorized"].call("POST", f"/properties/{ids['property_id']}/extensions", body=text)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), description


def test_public_packages_install_without_any_grant(callers, ids):
    response = callers["outsider"].call("POST", f"/properties/{ids['outsider_property_id']}/extensions",
                                        schema="extension", body=api.install_document(ids["public_extension_package_id"]))
    assert response.status_code == 201
    extension = response.json()["data"]
    assert extension["attributes"]["delegate_descriptor_id"] == "extension::extensionConfiguration::config"
    path = f"/extensions/{extension['id']}"
    assert callers["authorized"].get(path).status_code == 404
    assert callers["outsider"].call("DELETE", path).status_code == 204
    assert callers["outsider"].get(path).status_code == 404


# -- lists: pagination, filters, masking ---------------------------------------------------------
@pytest.fixture
def five_grants(callers, ids, clean) -> dict[str, dict]:
    """Grants of both owner packages: (package, org, state) → resource."""
    plan = [("extension_package_id", "authorized", "approved"), ("extension_package_id", "outsider", None),
            ("extension_package_id", "publisher", None), ("other_extension_package_id", "authorized", "rejected"),
            ("other_extension_package_id", "outsider", "approved")]
    return {(package, org, state): grant(callers, ids, package, org, state)
            for package, org, state in plan}


def test_walking_pages_by_links_yields_every_item_once(callers, five_grants):
    owner, seen, pages = callers["owner"], [], []
    url = f"{owner.client.base_url}{AUTHORIZATIONS}?page%5Bsize%5D=2"
    while url:
        response = owner.client.get(url)
        check_answer(response, "authorization-list")
        document = response.json()
        pages.append(document["meta"]["pagination"])
        seen += [item["id"] for item in document["data"]]
        again = owner.client.get(document["links"]["self"]).json()
        assert again["data"] == document["data"]
        url = document["links"].get("next")
    assert sorted(seen) == sorted(g["id"] for g in five_grants.values())
    assert [p["current_page"] for p in pages] == [1, 2, 3]
    assert pages[0]["prev_page"] is None and pages[-1]["next_page"] is None
    assert all(p["total_count"] == 5 and p["total_pages"] == 3 for p in pages)
    assert document["links"]["last"] == document["links"]["self"]
    created = [g["attributes"]["created_at"] for g in five_grants.values()]
    listed = [owner.data(f"{AUTHORIZATIONS}/{i}", "authorization")["attributes"]["created_at"] for i in seen]
    assert listed == sorted(created)


# (description, identity, page number, size, expected meta.pagination, items on the page)
PAGES_PAST_THE_END = [
    ("a page past the end", "owner", 7, 2, {"current_page": 7, "next_page": None, "prev_page": 3, "total_pages": 3,
                                            "total_count": 5}, 0),
    ("the last page", "owner", 3, 2, {"current_page": 3, "next_page": None, "prev_page": 2, "total_pages": 3,
                                      "total_count": 5}, 1),
    ("an empty list", "authorized_limited", 4, 10, {"current_page": 4, "next_page": None, "prev_page": None,
                                                    "total_pages": 0, "total_count": 0}, 0),
    ("a page number with 60 digits", "owner", 10 ** 60, 2,
     {"current_page": 10 ** 60, "next_page": None, "prev_page": 3, "total_pages": 3, "total_count": 5}, 0),
]


@pytest.mark.parametrize("description, identity, number, size, meta, items", PAGES_PAST_THE_END,
                         ids=[c[0] for c in PAGES_PAST_THE_END])
def test_pages_past_the_end_are_empty_and_consistent(description, identity, number, size, meta, items, callers,
                                                     five_grants):
    response = callers[identity].get(AUTHORIZATIONS, "authorization-list",
                                     params={"page[number]": str(number), "page[size]": size})
    assert response.status_code == 200
    assert response.json()["meta"]["pagination"] == meta and len(response.json()["data"]) == items, description


# (description, path key, filter parameters, expected grants as (package, org, state) keys)
FILTERS = [
    ("EQ approved", None, {"filter[state]": "EQ approved"},
     {("extension_package_id", "authorized", "approved"), ("other_extension_package_id", "outsider", "approved")}),
    ("EQ any of two states", None, {"filter[state]": "EQ approved,rejected"},
     {("extension_package_id", "authorized", "approved"), ("other_extension_package_id", "outsider", "approved"),
      ("other_extension_package_id", "authorized", "rejected")}),
    ("NOT approved", None, {"filter[state]": "NOT approved"},
     {("extension_package_id", "outsider", None), ("extension_package_id", "publisher", None),
      ("other_extension_package_id", "authorized", "rejected")}),
    ("a malformed filter is ignored", None, {"filter[state]": "approved"}, "all"),
    ("an unknown operator is ignored", None, {"filter[state]": "LIKE approved"}, "all"),
    ("a filter on an unknown attribute is ignored", None, {"filter[colour]": "EQ red"}, "all"),
    ("an unknown state matches nothing", None, {"filter[state]": "EQ accepted"}, set()),
    ("by authorized org", None, {"filter[authorized_org_id]": "EQ {authorized}"},
     {("extension_package_id", "authorized", "approved"), ("other_extension_package_id", "authorized", "rejected")}),
    ("two filters together", None, {"filter[authorized_org_id]": "EQ {authorized}", "filter[state]": "EQ rejected"},
     {("other_extension_package_id", "authorized", "rejected")}),
    ("pending under one package", "extension_package_id", {"filter[state]": "EQ pending_approval"},
     {("extension_package_id", "outsider", None), ("extension_package_id", "publisher", None)}),
]


@pytest.mark.parametrize("description, package, params, expected", FILTERS, ids=[c[0] for c in FILTERS])
def test_filters(description, package, params, expected, callers, ids, five_grants):
    path = api.package_authorizations_path(ids[package]) if package else AUTHORIZATIONS
    params = {key: api.substitute(value, **orgs(ids)) for key, value in params.items()}
    listed = {item["id"] for item in callers["owner"].data(path, "authorization-list", params=params)}
    wanted = {g["id"] for key, g in five_grants.items() if expected == "all" or key in expected}
    assert listed == wanted, description


def test_a_package_list_shows_only_that_package_family(callers, ids, five_grants):
    listed = {item["id"] for item in callers["owner"].data(api.package_authorizations_path(ids["other_extension_package_id"]),
                                                           "authorization-list")}
    assert listed == {g["id"] for key, g in five_grants.items() if key[0] == "other_extension_package_id"}


def test_each_org_lists_only_its_own_grants(callers, ids, five_grants):
    for identity in ("authorized", "outsider"):
        listed = {item["id"] for item in callers[identity].data(AUTHORIZATIONS, "authorization-list")}
        assert listed == {g["id"] for key, g in five_grants.items() if key[1] == identity}, identity


def test_users_of_the_other_org_are_restricted(callers, pending):
    email = {name: spec[1] for name, spec in IDENTITIES.items()}
    path = f"{AUTHORIZATIONS}/{pending['id']}"

    def people(caller):
        attributes = caller.data(path, "authorization")["attributes"]
        return attributes["created_by_email"], attributes["updated_by_email"], attributes["created_by_display_name"]

    assert people(callers["owner"]) == (email["owner"], email["owner"], "Olivia Owner")
    assert people(callers["authorized"]) == ("Restricted", "Restricted", "Restricted")
    callers["authorized"].call("PATCH", path, schema="authorization", body=api.decision_document(pending["id"], "approved"))
    assert people(callers["owner"]) == (email["owner"], "Restricted", "Olivia Owner")
    assert people(callers["authorized"]) == ("Restricted", email["authorized"], "Restricted")


# -- concurrency -----------------------------------------------------------------------------------
def test_concurrent_decisions_end_in_one_well_formed_state(server, callers, pending):
    path = f"{server.base_url}{AUTHORIZATIONS}/{pending['id']}"
    start, answers = threading.Barrier(10), [None] * 10

    def decide(index: int) -> None:
        state = ("approved", "rejected")[index % 2]
        with requests.Session() as connection:
            start.wait()
            answers[index] = connection.patch(path, data=json.dumps(api.decision_document(pending["id"], state)),
                                              headers={**server.headers("authorized"), "Content-Type": JSON_API},
                                              timeout=REQUEST_HANG_GUARD_S)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for answer in answers:
        check_answer(answer, "authorization")
        assert answer.status_code == 200
    results = [answer.json()["data"]["attributes"] for answer in answers]
    assert len({r["updated_at"] for r in results}) == 10, "two decisions got the same updated_at"
    last = max(results, key=lambda r: r["updated_at"])
    final = callers["authorized"].data(f"{AUTHORIZATIONS}/{pending['id']}", "authorization")["attributes"]
    assert (final["state"], final["updated_at"]) == (last["state"], last["updated_at"])

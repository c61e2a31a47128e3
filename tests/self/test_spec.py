"""The contract itself: the spec is valid OpenAPI 3.1 with every documented operation and the errors each one
answers, every ``$ref`` resolves (for this project's registry and for schemathesis alike), the schemas are valid
JSON Schema 2020-12, and the documents of the Reactor documentation are what the schemas accept."""

from __future__ import annotations

import copy
import json

import pytest
import schemathesis
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from project import ROOT
from reactor_conformance.suite.test_fuzz import CALLERS, NEVER_GIVEN_THE_PACKAGE, WRITES_UNDER_THE_PACKAGE

from reactor_conformance import JSON_API
from reactor_conformance.shapes import SCHEMAS, errors, registry

SPEC = ROOT / "openapi" / "reactor.yaml"
RAW = yaml.safe_load(SPEC.read_text("utf-8"))
IMS = "/ims/token/v3"
GRANTS = "/extension_packages/{EXTENSION_PACKAGE_ID}/extension_package_usage_authorizations"
AUTHORIZATION = "/extension_package_usage_authorizations/{ID}"
PACKAGE = "/extension_packages/{EXTENSION_PACKAGE_ID}"
EXTENSION = "/extensions/{EXTENSION_ID}"
# Every API operation also declares "4XX": any other refusal, as RFC 9110 and JSON:API 1.0 allow (docs/tolerances.md).
READ, WRITE = {"400", "401", "403", "404", "4XX"}, {"400", "401", "403", "404", "409", "413", "415", "422", "4XX"}

# Every documented operation: method, path, operationId (Adobe's where it has one), declared statuses.
OPERATIONS = [
    ("GET", GRANTS, "retrieveExtensionPackageUsageAuthorizationForPackage", {"200"} | READ),
    ("POST", GRANTS, "createExtensionPackageUsageAuthorization", {"201"} | WRITE),
    ("GET", "/extension_package_usage_authorizations", "retrieveExtensionPackageUsageAuthorization",
     {"200", "400", "401", "403", "4XX"}),
    ("GET", AUTHORIZATION, "retrieveExtensionPackageUsageAuthorizationById", {"200"} | READ),
    ("PATCH", AUTHORIZATION, "updateExtensionPackageUsageAuthorization", {"200"} | WRITE),
    ("DELETE", AUTHORIZATION, "deletePackageUsageAuthorization", {"204"} | READ),
    ("GET", AUTHORIZATION + "/extension_package", "retrieveDataExtensionPackageUsageAuthorization", {"200"} | READ),
    ("GET", "/extension_packages", "listExtensionPackages", {"200", "400", "401", "403", "4XX"}),
    ("POST", "/extension_packages", "createExtensionPackage", {"201"} | WRITE - {"404"}),
    ("GET", PACKAGE, "retrieveExtensionPackage", {"200"} | READ),
    ("PATCH", PACKAGE, "privateReleaseExtensionPackage", {"200"} | WRITE),
    ("GET", PACKAGE + "/versions", "retrieveExtensionPackageVersion", {"200"} | READ),
    ("POST", "/properties/{PROPERTY_ID}/extensions", "createExtension", {"201"} | WRITE),
    ("GET", EXTENSION, "retrieveExtension", {"200"} | READ),
    ("DELETE", EXTENSION, "deleteExtension", {"204"} | READ),
    ("POST", IMS, "exchangeImsClientCredentials", {"200", "400", "401"}),
]
ERROR_SCHEMA = {"$ref": "../schemas/error.json"}


@pytest.fixture(scope="module")
def operations():
    """The spec as schemathesis loads it from its path: (method, path) → operation."""
    loaded = [result.ok() for result in schemathesis.openapi.from_path(SPEC).get_all_operations()]
    return {(op.method.upper(), op.path): op for op in loaded}


def test_the_spec_is_valid_openapi_3_1():
    document, base_uri = read_from_filename(str(SPEC))
    assert document["openapi"] == "3.1.0"
    validate(document, base_uri=base_uri)  # follows the ../schemas/ references from the spec's own location


def test_the_spec_has_exactly_the_documented_operations(operations):
    declared = {key: op.definition.raw.get("operationId") for key, op in operations.items()}
    assert declared == {(method, path): operation_id for method, path, operation_id, _ in OPERATIONS}


def test_every_operation_is_fuzzed_as_someone_and_only_the_spec_s(operations):
    """The generated requests' table (``CALLERS``: description, operation, identity, resource) and the spec agree."""
    declared = {op.definition.raw.get("operationId") for op in operations.values()}
    assert {row[1] for row in CALLERS} == declared


def test_the_searches_said_to_write_under_their_package_are_the_spec_s(operations):
    """test_fuzz's ``WRITES_UNDER_THE_PACKAGE`` (which searches hold a package, and so the workers' layout) is what the
    spec says: the fuzzed operations that write under a path naming the package, less the releases."""
    fuzzed = {row[1] for row in CALLERS} - NEVER_GIVEN_THE_PACKAGE
    writes = {op.definition.raw["operationId"] for (method, path), op in operations.items()
              if method.upper() != "GET" and "{EXTENSION_PACKAGE_ID}" in path}
    assert WRITES_UNDER_THE_PACKAGE == writes & fuzzed


@pytest.mark.parametrize("method, path, operation_id, statuses", OPERATIONS, ids=[row[2] for row in OPERATIONS])
def test_each_operation_declares_every_status_the_contract_gives_it(method, path, operation_id, statuses,
                                                                    operations):
    assert set(operations[method, path].definition.raw["responses"]) == statuses


@pytest.mark.parametrize("method, path, operation_id, statuses", OPERATIONS, ids=[row[2] for row in OPERATIONS])
def test_refusals_the_contract_applies_everywhere_are_declared(method, path, operation_id, statuses, operations):
    """401/403 on every API operation (credentials are checked first); 404 wherever the path names a resource."""
    declared = set(operations[method, path].definition.raw["responses"])
    if path != IMS:
        assert {"400", "401", "403"} <= declared
    if "{" in path:
        assert "404" in declared


@pytest.mark.parametrize("method, path, operation_id, statuses", OPERATIONS, ids=[row[2] for row in OPERATIONS])
def test_answers_have_the_declared_media_type_and_errors_the_error_schema(method, path, operation_id, statuses,
                                                                         operations):
    media_type = "application/json" if path == IMS else JSON_API
    for status, response in operations[method, path].responses.items():
        content = response.definition.get("content")
        if status == "204":
            assert content is None, "204 has no body"
            continue
        gateway = status in ("401", "403") and path != IMS  # Adobe's gateway may answer these (D14)
        assert list(content) == ([media_type, "application/json"] if gateway else [media_type]), status
        if gateway:
            assert content["application/json"]["schema"] == {"$ref": "../schemas/gateway-error.json"}, status
        if status.startswith("4") and path != IMS:
            assert content[JSON_API]["schema"] == ERROR_SCHEMA, status


def test_every_api_operation_requires_a_token_and_an_api_key_the_org_header_optional_and_ims_none(operations):
    """The org header may be left out (Adobe's own tools send none: docs/decisions.md D15): a second
    security requirement without it, which schemathesis reads as an optional header."""
    everywhere = RAW["security"]
    assert everywhere == [{"bearer": [], "apiKey": [], "orgId": []}, {"bearer": [], "apiKey": []}]
    schemes = RAW["components"]["securitySchemes"]
    assert (schemes["bearer"]["scheme"], schemes["apiKey"]["name"], schemes["orgId"]["name"]) == \
        ("bearer", "x-api-key", "x-gw-ims-org-id")
    for method, path, _, _ in OPERATIONS:
        security = RAW["paths"][path][method.lower()].get("security", everywhere)
        assert security == ([] if path == IMS else everywhere), (method, path)
        required = {p.name: p.definition["required"] for p in operations[method, path].security.iter_parameters()}
        assert required == ({} if path == IMS else
                            {"Authorization": True, "x-api-key": True, "x-gw-ims-org-id": False}), (method, path)


# The media types of each request body: the JSON:API documents, the archives Adobe's uploader sends as multipart
# (a new package, and a re-upload of a version in development beside the releaser's JSON:API release), IMS's form.
MULTIPART, FORM = "multipart/form-data", "application/x-www-form-urlencoded"
REQUEST_MEDIA_TYPES = [
    ("POST", GRANTS, [JSON_API]),
    ("PATCH", AUTHORIZATION, [JSON_API]),
    ("POST", "/extension_packages", [MULTIPART]),
    ("PATCH", PACKAGE, [JSON_API, MULTIPART]),
    ("POST", "/properties/{PROPERTY_ID}/extensions", [JSON_API]),
    ("POST", IMS, [FORM]),
]


def test_request_bodies_are_exactly_those_listed():
    with_body = sorted((method, path) for method, path, _, _ in OPERATIONS
                       if "requestBody" in RAW["paths"][path][method.lower()])
    assert with_body == sorted((method, path) for method, path, _ in REQUEST_MEDIA_TYPES)


@pytest.mark.parametrize("method, path, media_types", REQUEST_MEDIA_TYPES,
                         ids=[f"{method} {path}" for method, path, _ in REQUEST_MEDIA_TYPES])
def test_each_request_body_takes_the_media_types_its_clients_send(method, path, media_types, operations):
    assert [body.media_type for body in operations[method, path].body] == media_types


@pytest.mark.parametrize("method, path", [("POST", "/extension_packages"), ("PATCH", PACKAGE)])
def test_archives_are_a_package_field_holding_a_zip(method, path, operations):
    archive = next(body for body in operations[method, path].body if body.media_type == MULTIPART)
    schema = archive.definition["schema"]
    assert schema["required"] == ["package"]
    assert (schema["properties"]["package"]["format"], schema["properties"]["package"]["contentMediaType"]) == \
        ("binary", "application/zip")
    assert archive.definition["encoding"]["package"]["contentType"] == "application/zip"


# Parameters: name → expected schema. Path IDs take any string (an unknown ID must reach the server: 404);
# filters take any string (a malformed filter is ignored, not refused).
PARAMETERS = [
    ("EXTENSION_PACKAGE_ID", {"type": "string"}),
    ("ID", {"type": "string"}),
    ("PROPERTY_ID", {"type": "string"}),
    ("EXTENSION_ID", {"type": "string"}),
    ("page[number]", {"type": "integer", "minimum": 1, "maximum": 2147483647, "default": 1}),
    ("page[size]", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
    ("filter[state]", {"type": "string"}),
]


@pytest.mark.parametrize("name, schema", PARAMETERS, ids=[row[0] for row in PARAMETERS])
def test_parameters_take_what_the_server_must_answer_itself(name, schema):
    found = [p for p in RAW["components"]["parameters"].values() if p["name"] == name]
    assert [p["schema"] for p in found] == [schema]


def test_no_operation_declares_the_accept_header():
    """Accept is sent by every client, not a parameter that fuzzing should vary."""
    parameters = [p for p in RAW["components"]["parameters"].values()]
    for item in RAW["paths"].values():
        for operation in (item[m] for m in ("get", "post", "patch", "delete") if m in item):
            parameters += operation.get("parameters", [])
    assert all(p.get("name", "").lower() != "accept" for p in parameters)


def links():
    for path, item in RAW["paths"].items():
        for method in ("get", "post", "patch", "delete"):
            for status, response in item.get(method, {}).get("responses", {}).items():
                for name, link in response.get("links", {}).items():
                    yield f"{RAW['paths'][path][method]['operationId']} {status} {name}", link


def test_the_grant_links_to_reading_deciding_deleting_it_and_its_package():
    created = RAW["paths"][GRANTS]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in created.values()} == {
        "retrieveExtensionPackageUsageAuthorizationById", "updateExtensionPackageUsageAuthorization",
        "deletePackageUsageAuthorization", "retrieveDataExtensionPackageUsageAuthorization"}
    assert all(link["parameters"] == {"ID": "$response.body#/data/id"} for link in created.values())


@pytest.mark.parametrize("label, link", list(links()), ids=[label for label, _ in links()])
def test_every_link_names_an_operation_and_its_path_parameters(label, link, operations):
    target = next(op for op in operations.values() if op.definition.raw["operationId"] == link["operationId"])
    path_parameters = {p.name for p in target.path_parameters}
    assert set(link["parameters"]) == path_parameters, label


def references(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def pointer_target(document, pointer: str):
    for part in filter(None, pointer.split("/")):
        document = document[part.replace("~1", "/").replace("~0", "~")]
    return document


@pytest.mark.parametrize("ref", sorted(set(references(RAW))))
def test_every_ref_of_the_spec_resolves(ref):
    if ref.startswith("#"):
        assert pointer_target(RAW, ref[1:]) is not None
    else:
        assert ref.startswith("../schemas/"), "the spec names schema files relative to itself"
        assert registry().resolver().lookup(ref.removeprefix("../schemas/")).contents is not None


SCHEMA_FILES = sorted(SCHEMAS.glob("*.json"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_ref_of_a_schema_resolves(path):
    resolver = registry().resolver(base_uri=path.name)
    for ref in references(json.loads(path.read_text("utf-8"))):
        assert resolver.lookup(ref).contents is not None, ref


def test_schemathesis_resolves_every_request_and_response_schema(operations):
    for op in operations.values():
        for status, response in op.responses.items():
            if response.definition.get("content"):
                resolved = response.get_schema()
                assert resolved.schema is not None and resolved.unresolvable_reference is None, (op.label, status)
        for body in op.body:
            assert "$ref" not in json.dumps(body.definition["schema"]), op.label


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_is_valid_json_schema_2020_12_named_by_its_file(path):
    schema = json.loads(path.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == path.name
    assert schema["title"] and schema["description"]


# The Reactor documentation's own examples (the endpoint guide), as printed, and the contract's error document.
ADOBE_CREATED = {"data": {
    "id": "EA35d0e731f73645e6972df9fcac101434", "type": "extension_package_usage_authorizations",
    "attributes": {"created_at": "2024-06-05T23:17:30.308Z", "updated_at": "2024-06-05T23:17:30.308Z",
                   "name": "Acme", "platform": "web", "owner_org_id": "{ORG_ID}", "owner_org_name": "Reactor QE",
                   "authorized_org_id": "{ORG_ID}", "authorized_org_name": "Platform UI - INT",
                   "state": "pending_approval", "created_by_email": "example@adobe.com",
                   "created_by_display_name": "George Ciltaru", "updated_by_email": "Restricted",
                   "updated_by_display_name": "Restricted"},
    "relationships": {"extension_package": {
        "links": {"related": "https://reactor.adobe.io/extension_package_usage_authorizations/"
                             "EA35d0e731f73645e6972df9fcac101434/extension_package"},
        "data": {"id": "EP43649cc8856d4f09a7c2a21a4b1e449d", "type": "extension_packages"}}},
    "links": {"self": "https://reactor.adobe.io/extension_package_usage_authorizations/"
                      "EA35d0e731f73645e6972df9fcac101434"}}}
ADOBE_LIST = {
    "data": [{
        "id": "EA722482c30fe44b54aa6a7317890b3bdb", "type": "extension_package_usage_authorizations",
        "attributes": {"created_at": "2024-06-05T23:17:35.776Z", "updated_at": "2024-06-05T23:17:35.776Z",
                       "name": "Acme", "platform": "web", "owner_org_id": "{ORG_ID}", "owner_org_name": "Reactor QE",
                       "authorized_org_id": "{ORG_ID}", "authorized_org_name": "Platform UI - INT",
                       "state": "pending_approval", "created_by_email": "example@adobe.com",
                       "created_by_display_name": "George Ciltaru", "updated_by_email": "Restricted",
                       "updated_by_display_name": "Restricted"},
        "relationships": {"extension_package": {
            "links": {"related": "https://reactor.adobe.io/extension_package_usage_authorizations/"
                                 "EA722482c30fe44b54aa6a7317890b3bdb/extension_package"},
            "data": {"id": "EPecefc8291ae346c3b3887d5b2da533b8", "type": "extension_packages"}}},
        "links": {"self": "https://reactor.adobe.io/extension_package_usage_authorizations/"
                          "EA722482c30fe44b54aa6a7317890b3bdb"}}],
    "meta": {"pagination": {"current_page": 1, "next_page": None, "prev_page": None, "total_pages": 1,
                            "total_count": 1}}}
ADOBE_GRANT = {"data": {"attributes": {"authorized_org_id": "{ORG_ID}"},
                        "type": "extension_package_usage_authorizations"}}
ADOBE_DECISION = {"data": {"attributes": {"state": "approved"}, "id": ":extension_package_usage_authorization_id",
                           "type": "extension_package_usage_authorizations"}}
# What @adobe/reactor-releaser 4.0.0 sends to release a package privately.
ADOBE_RELEASE = {"data": {"id": "EP43649cc8856d4f09a7c2a21a4b1e449d", "type": "extension_packages",
                          "meta": {"action": "release_private"}}}
NOT_FOUND = {"errors": [{"id": "0b5f0f4e-4b44-4a8e-9d6c-1e8f3c2a7b10", "status": "404", "code": "not-found",
                         "title": "Not Found", "detail": "The extension package usage authorization does not exist.",
                         "source": {"pointer": "/data/attributes/state"},
                         "meta": {"request_id": "5d1c3e0a-8f7b-4c2d-9e6a-3b4f5a6c7d8e"}}]}


def changed(document: dict, change) -> dict:
    """A deep copy of ``document`` after ``change(copy)``."""
    result = copy.deepcopy(document)
    change(result)
    return result


def attributes(document: dict) -> dict:
    return document["data"]["attributes"]


# Documents the schemas accept: description, schema, document.
ACCEPTED = [
    ("the endpoint guide's created authorization", "authorization", ADOBE_CREATED),
    ("the endpoint guide's list", "authorization-list", ADOBE_LIST),
    ("the endpoint guide's grant request", "authorization-create-request", ADOBE_GRANT),
    ("the guide's approval request", "authorization-update-request", ADOBE_DECISION),
    ("a rejection", "authorization-update-request",
     changed(ADOBE_DECISION, lambda d: attributes(d).update(state="rejected"))),
    ("the contract's 404 error document", "error", NOT_FOUND),
    ("Adobe's releaser's release request", "extension-package-release-request", ADOBE_RELEASE),
    ("an error with a code and no title", "error", {"errors": [{"status": "403", "code": "not-authorized"}]}),
    ("an empty last page", "authorization-list", {"data": [], "meta": {"pagination": {
        "current_page": 3, "next_page": None, "prev_page": 1, "total_pages": 1, "total_count": 1}}}),
    ("an attribute beyond the documented ones", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(revision_number=2))),
    ("no relationship data (SHAPE-09 is a SHOULD, checked apart)", "authorization",
     changed(ADOBE_CREATED, lambda d: d["data"]["relationships"]["extension_package"].pop("data"))),
    ("an ID of another form (SHAPE-07 is a SHOULD, checked apart)", "authorization",
     changed(ADOBE_CREATED, lambda d: d["data"].update(id="42"))),
    ("a timestamp with +00:00 and microseconds (SHAPE-03)", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(created_at="2026-12-05T05:11:56.012000+00:00"))),
    ("a timestamp with Z and no fraction", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(updated_at="2026-12-05T05:11:56Z"))),
    ("an error with only a status and a title", "error", {"errors": [{"status": "404", "title": "Not Found"}]}),
    ("an error whose id is a number (JSON:API gives it no type)", "error",
     {"errors": [{"id": 7, "status": "404", "code": "not-found"}]}),
    ("a package of a platform Adobe may add", "extension-package",
     {"data": {"id": "EP1", "type": "extension_packages", "attributes": {
         "name": "acme", "platform": "edge", "version": "1.0.0", "availability": "development",
         "created_at": "2026-12-05T05:11:56Z", "updated_at": "2026-12-05T05:11:56Z"}}}),
    ("a Reactor authorization ID", "ids#/$defs/authorization_id", ADOBE_CREATED["data"]["id"]),
    ("a Reactor package ID", "ids#/$defs/package_id", "EP43649cc8856d4f09a7c2a21a4b1e449d"),
    ("an IMS token", "ims-token", {"access_token": "eyJhbGciOi", "token_type": "bearer", "expires_in": 86399}),
    ("an IMS refusal", "ims-error", {"error": "invalid_client", "error_description": "Unknown client."}),
]

# Documents the schemas refuse: description, schema, document.
REFUSED = [
    ("an authorization without state", "authorization", changed(ADOBE_CREATED, lambda d: attributes(d).pop("state"))),
    ("the note's word accepted as a state", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(state="accepted"))),
    ("a singular type", "authorization",
     changed(ADOBE_CREATED, lambda d: d["data"].update(type="extension_package_usage_authorization"))),
    ("a timestamp as a number", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(created_at=1717629450308))),
    ("a timestamp not in UTC", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(updated_at="2024-06-06T01:17:30.308+02:00"))),
    ("a month 13, which only the date-time format refuses", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(created_at="2024-13-05T23:17:30.308Z"))),
    ("a timestamp with -00:00, not UTC as SHAPE-03 words it", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(created_at="2024-06-05T23:17:30.308-00:00"))),
    ("a platform other than web or mobile", "authorization",
     changed(ADOBE_CREATED, lambda d: attributes(d).update(platform="ios"))),
    ("no links.self", "authorization", changed(ADOBE_CREATED, lambda d: d["data"].pop("links"))),
    ("no related link", "authorization",
     changed(ADOBE_CREATED, lambda d: d["data"]["relationships"]["extension_package"].pop("links"))),
    ("a list without pagination", "authorization-list", changed(ADOBE_LIST, lambda d: d["meta"].pop("pagination"))),
    ("a page count as a string", "authorization-list",
     changed(ADOBE_LIST, lambda d: d["meta"]["pagination"].update(total_pages="1"))),
    ("an empty errors array", "error", {"errors": []}),
    ("an error status as a number", "error", {"errors": [{"status": 404, "title": "Not Found"}]}),
    ("an error with neither title nor code", "error", {"errors": [{"status": "404", "detail": "gone"}]}),
    ("the gateway's error shape", "error", {"error_code": "401013", "message": "Oauth token is not valid"}),
    ("a grant with an unknown top-level member", "authorization-create-request", {**ADOBE_GRANT, "bogus": 1}),
    ("a grant to an empty org ID", "authorization-create-request",
     changed(ADOBE_GRANT, lambda d: attributes(d).update(authorized_org_id=""))),
    ("a grant naming its org as a number", "authorization-create-request",
     changed(ADOBE_GRANT, lambda d: attributes(d).update(authorized_org_id=42))),
    ("a grant that sets its state", "authorization-create-request",
     changed(ADOBE_GRANT, lambda d: attributes(d).update(state="approved"))),
    ("a grant without data", "authorization-create-request", {}),
    ("a decision back to pending_approval", "authorization-update-request",
     changed(ADOBE_DECISION, lambda d: attributes(d).update(state="pending_approval"))),
    ("a decision that renames the package", "authorization-update-request",
     changed(ADOBE_DECISION, lambda d: attributes(d).update(name="other"))),
    ("a decision without the authorization's id", "authorization-update-request",
     changed(ADOBE_DECISION, lambda d: d["data"].pop("id"))),
    ("an ID of another form", "ids#/$defs/authorization_id", "EA35D0E731F73645E6972DF9FCAC101434"),
    ("an IMS token without its lifetime", "ims-token", {"access_token": "eyJhbGciOi", "token_type": "bearer"}),
    ("a release with another action", "extension-package-release-request",
     changed(ADOBE_RELEASE, lambda d: d["data"]["meta"].update(action="release_public"))),
    ("a release that changes attributes", "extension-package-release-request",
     changed(ADOBE_RELEASE, lambda d: d["data"].update(attributes={"version": "2.0.0"}))),
]


@pytest.mark.parametrize("description, schema, document", ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_documents_the_schemas_accept(description, schema, document):
    assert errors(schema, document) == [], description


@pytest.mark.parametrize("description, schema, document", REFUSED, ids=[row[0] for row in REFUSED])
def test_documents_the_schemas_refuse(description, schema, document):
    assert errors(schema, document), description


def test_a_refusal_names_the_member_at_fault():
    problems = errors("authorization", changed(ADOBE_CREATED, lambda d: attributes(d).update(state="accepted")))
    assert problems == ['/data/attributes/state: "accepted" is not one of '
                        '["pending_approval", "approved", "rejected"]']

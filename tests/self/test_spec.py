"""The contract itself: the spec is valid OpenAPI 3.1, the schemas are valid JSON Schema, and the documented
examples are what the schemas accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from reactor_conformance.schemas import SCHEMAS
from reactor_conformance.schemas import errors as schema_errors

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "reactor.yaml"
DOCUMENTED = {
    ("GET", "/extension_packages/{EXTENSION_PACKAGE_ID}/extension_package_usage_authorizations"),
    ("POST", "/extension_packages/{EXTENSION_PACKAGE_ID}/extension_package_usage_authorizations"),
    ("GET", "/extension_package_usage_authorizations"),
    ("GET", "/extension_package_usage_authorizations/{ID}"),
    ("PATCH", "/extension_package_usage_authorizations/{ID}"),
    ("DELETE", "/extension_package_usage_authorizations/{ID}"),
    ("GET", "/extension_package_usage_authorizations/{ID}/extension_package"),
    ("GET", "/extension_packages"), ("POST", "/extension_packages"),
    ("GET", "/extension_packages/{EXTENSION_PACKAGE_ID}"), ("PATCH", "/extension_packages/{EXTENSION_PACKAGE_ID}"),
    ("GET", "/extension_packages/{EXTENSION_PACKAGE_ID}/versions"),
    ("POST", "/properties/{PROPERTY_ID}/extensions"),
    ("GET", "/extensions/{EXTENSION_ID}"), ("DELETE", "/extensions/{EXTENSION_ID}"),
    ("POST", "/ims/token/v3"),
}
# The endpoint guide's example of a created authorization (seed2), as Adobe prints it.
ADOBE_EXAMPLE = {"data": {
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


def test_the_spec_is_valid_openapi_3_1():
    document, base_uri = read_from_filename(str(SPEC))
    assert document["openapi"].startswith("3.1")
    validate(document, base_uri=base_uri)


def test_the_spec_has_every_documented_operation_with_its_errors():
    operations = [result.ok() for result in schemathesis.openapi.from_path(SPEC).get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} == DOCUMENTED
    for op in operations:
        declared = set(op.definition.raw["responses"])
        if op.path != "/ims/token/v3":
            assert {"401", "403"} <= declared, op.label
        if "{" in op.path:
            assert "404" in declared, op.label
        assert op.definition.raw.get("operationId"), op.label


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_json_schema_2020_12(path):
    Draft202012Validator.check_schema(json.loads(path.read_text("utf-8")))


def mutate(document: dict, change) -> dict:
    copy = json.loads(json.dumps(document))
    change(copy)
    return copy


# Documents the schemas must refuse: description, schema, document.
REFUSED = [
    ("an authorization without state", "authorization",
     mutate(ADOBE_EXAMPLE, lambda d: d["data"]["attributes"].pop("state"))),
    ("the note's word accepted as a state", "authorization",
     mutate(ADOBE_EXAMPLE, lambda d: d["data"]["attributes"].update(state="accepted"))),
    ("a singular type", "authorization",
     mutate(ADOBE_EXAMPLE, lambda d: d["data"].update(type="extension_package_usage_authorization"))),
    ("a timestamp as a number", "authorization",
     mutate(ADOBE_EXAMPLE, lambda d: d["data"]["attributes"].update(created_at=1717629450308))),
    ("an empty errors array", "error", {"errors": []}),
    ("an error status as a number", "error", {"errors": [{"status": 404, "title": "Not Found"}]}),
    ("a list without pagination", "authorization-list", {"data": [], "meta": {}}),
]


def test_adobes_own_example_is_accepted():
    assert schema_errors("authorization", ADOBE_EXAMPLE) == []
    listing = {"data": [ADOBE_EXAMPLE["data"]], "meta": {"pagination": {
        "current_page": 1, "next_page": None, "prev_page": None, "total_pages": 1, "total_count": 1}}}
    assert schema_errors("authorization-list", listing) == []


@pytest.mark.parametrize("description, schema, document", REFUSED, ids=[c[0] for c in REFUSED])
def test_broken_documents_are_refused(description, schema, document):
    assert schema_errors(schema, document), description

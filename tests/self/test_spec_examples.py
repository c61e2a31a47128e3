"""The spec's examples are what a mock answers, so they must be documents the contract accepts and one coherent
world: the same package, authorization, property, extension and orgs everywhere, and ``examples/prism.toml``
the profile of that world."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from project import ROOT

from reactor_conformance.shapes import errors

SPEC = yaml.safe_load((ROOT / "openapi" / "reactor.yaml").read_text("utf-8"))
PROFILE = tomllib.loads((ROOT / "examples" / "prism.toml").read_text("utf-8"))
EXAMPLES = SPEC["components"]["examples"]

# The world of the examples: what each ID is.
WORLD = {
    "EP43649cc8856d4f09a7c2a21a4b1e449d": "the owner's private package Acme",
    "EPecefc8291ae346c3b3887d5b2da533b8": "the public package Core, in the authorized org's catalog",
    "EA35d0e731f73645e6972df9fcac101434": "the grant of Acme to Platform UI - INT",
    "PR7a4a5b3e0c3d4f2a9b8e1c6d5f4a3b2c": "the authorized org's property",
    "EX0d3c5b7a9e1f4c2d8b6a4e2c0f9d7b5a": "Acme installed on that property",
    "C6D1A0B53F2E4A8B9D7E6F10@AdobeOrg": "the owner org, Reactor QE",
    "5E8F3A2B1C0D4E9FA7B6C5D4@AdobeOrg": "the authorized org, Platform UI - INT",
    "0F9E8D7C6B5A493827161504@AdobeOrg": "the org that publishes Core",
}
ID = re.compile(r"\b(?:E[PAX]|PR)[0-9a-f]{32}\b|\b[0-9A-F]{24}@AdobeOrg\b")


def media_examples():
    """Every (where, schema file, example) of a response or request body in the spec."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            schema = (node.get("schema") or {}).get("$ref", "") if isinstance(node.get("schema"), dict) else ""
            if schema.startswith("../schemas/") and ("examples" in node or "example" in node):
                named = {name: EXAMPLES[ref["$ref"].rsplit("/", 1)[-1]]["value"] if "$ref" in ref else ref["value"]
                         for name, ref in (node.get("examples") or {}).items()}
                if "example" in node:
                    named["example"] = node["example"]
                found.extend((f"{where} {name}", schema.removeprefix("../schemas/"), value)
                             for name, value in named.items())
            for key, value in node.items():
                if key not in ("examples", "example"):
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for number, value in enumerate(node):
                walk(value, f"{where}/{number}")

    walk(SPEC["paths"], "paths")
    walk({key: SPEC["components"][key] for key in ("responses", "requestBodies")}, "components")
    return found


CASES = media_examples()


def test_every_answer_a_mock_gives_has_an_example():
    referenced = {schema for _, schema, _ in CASES}
    assert {"authorization.json", "authorization-list.json", "extension-package.json", "extension-package-list.json",
            "extension.json", "error.json", "gateway-error.json", "ims-token.json", "ims-error.json"} <= referenced


@pytest.mark.parametrize("where, schema, example", CASES, ids=[case[0] for case in CASES])
def test_each_example_is_a_document_its_schema_accepts(where, schema, example):
    assert errors(schema, example) == []


@pytest.mark.parametrize("where, schema, example", CASES, ids=[case[0] for case in CASES])
def test_each_example_names_only_the_ids_of_its_world(where, schema, example):
    assert set(ID.findall(str(example))) <= set(WORLD)


def test_error_examples_carry_their_own_status():
    for name, example in EXAMPLES.items():
        for error in example["value"].get("errors", []):
            status = name.removeprefix("Gateway")
            assert error["status"] in {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403",
                                       "NotFound": "404", "Conflict": "409", "ContentTooLarge": "413",
                                       "UnsupportedMediaType": "415", "UnprocessableContent": "422"}[status], name


# What the profile must name for the examples' world: profile key → the ID it holds there.
PROFILE_NAMES = [
    (("fixtures", "extension_package_id"), "EP43649cc8856d4f09a7c2a21a4b1e449d"),
    (("fixtures", "property_id"), "PR7a4a5b3e0c3d4f2a9b8e1c6d5f4a3b2c"),
    (("identities", "owner", "org_id"), "C6D1A0B53F2E4A8B9D7E6F10@AdobeOrg"),
    (("identities", "owner_limited", "org_id"), "C6D1A0B53F2E4A8B9D7E6F10@AdobeOrg"),
    (("identities", "authorized", "org_id"), "5E8F3A2B1C0D4E9FA7B6C5D4@AdobeOrg"),
    (("identities", "authorized_limited", "org_id"), "5E8F3A2B1C0D4E9FA7B6C5D4@AdobeOrg"),
]


@pytest.mark.parametrize("keys, value", PROFILE_NAMES, ids=[".".join(keys) for keys, _ in PROFILE_NAMES])
def test_the_prism_profile_is_the_profile_of_that_world(keys, value):
    node = PROFILE
    for key in keys:
        node = node[key]
    assert node == value


def test_the_outsider_and_the_second_package_are_outside_that_world():
    """The outsider org must be one the examples never name, and the second package one they never show."""
    assert PROFILE["identities"]["outsider"]["org_id"] not in WORLD
    assert PROFILE["fixtures"]["other_extension_package_id"] not in WORLD

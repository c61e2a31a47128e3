"""FUZZ-01..03: every operation of the spec, fuzzed with positive and negative generated requests, as the
identity that may call it. One fuzzing pass per operation serves its three tests."""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode

from reactor_conformance import api, expect, fuzz

SPEC = fuzz.load_spec()
OPERATIONS = {fuzz.operation_id(result.ok()): result.ok() for result in SPEC.get_all_operations()}
REQUIREMENTS = {
    "FUZZ-01": "no 5xx for any generated request",
    "FUZZ-02": "every answer conforms to the spec (status, Content-Type, body, JSON:API errors, own org's data)",
    "FUZZ-03": "requests violating the spec are refused with a 4xx, valid ones are not refused with 400/422",
}
_findings: dict[str, fuzz.Findings] = {}


def identity_for(operation_id: str) -> str | None:
    if operation_id in fuzz.UNAUTHENTICATED_OPERATIONS:
        return None
    return "authorized" if operation_id in fuzz.AUTHORIZED_OPERATIONS else "owner"


@pytest.fixture
def findings(request, run, clients, grants, fixture_id, fuzz_transport):
    """Fuzz one operation once per process (positive cases aimed at real IDs, negative cases as generated)."""
    if not run.fuzz_enabled:
        pytest.skip("not run: --no-fuzz")

    def of(operation_id: str) -> fuzz.Findings:
        if operation_id not in _findings:
            _findings[operation_id] = explore(operation_id, run, clients, grants, fixture_id, fuzz_transport)
        return _findings[operation_id]

    return of


def explore(operation_id, run, clients, grants, fixture_id, transport) -> fuzz.Findings:
    operation = OPERATIONS[operation_id]
    identity = identity_for(operation_id)
    headers = clients[identity].headers(operation.method.upper()) if identity else {}
    package = run.profile.fixtures.get("other_extension_package_id") or fixture_id("extension_package_id")
    grant = grants.create("authorized", package=package) if "{ID}" in operation.path else None
    known = {"EXTENSION_PACKAGE_ID": package, "ID": grant and grant["id"],
             "PROPERTY_ID": run.profile.fixtures.get("property_id")}

    def created(op, response):
        resource = response.json().get("data") or {}
        if resource.get("type") == api.AUTHORIZATION:
            grants.track("owner", api.authorization_path(resource["id"]), resource["id"], kind="authorization")
        elif resource.get("type") == "extensions":
            grants.track("authorized", api.extension_path(resource["id"]), resource["id"], kind="extension")

    session, _ = transport
    combined = fuzz.Findings()
    # Real IDs in the path, so that generated bodies and queries reach the checks behind it (mangled IDs are
    # FUZZ-05's table); negative cases still break everything else the spec declares.
    path_parameters = fuzz.path_parameters_of(operation, known)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        result = fuzz.fuzz_operation(operation, run=run, headers=headers, session=session, mode=mode,
                                     path_parameters=path_parameters, on_created=created)
        combined.cases += result.cases
        for requirement, text in result.failures.items():
            combined.record(requirement, f"[{mode.value}] {text}")
    return combined


def check(findings, operation_id: str, requirement: str) -> None:
    result = findings(operation_id)
    failure = result.failures.get(requirement)
    expect.check(failure is None, requirement, f"{OPERATIONS[operation_id].label}: {REQUIREMENTS[requirement]}",
                 f"no failure in {result.cases} generated requests", failure or "")


@pytest.mark.requirement("FUZZ-01")
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_generated_requests_never_get_a_server_error(operation_id, findings):
    check(findings, operation_id, "FUZZ-01")


@pytest.mark.requirement("FUZZ-02")
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_answers_to_generated_requests_conform_to_the_spec(operation_id, findings):
    check(findings, operation_id, "FUZZ-02")


@pytest.mark.requirement("FUZZ-03")
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_invalid_requests_are_refused_and_valid_ones_accepted(operation_id, findings):
    check(findings, operation_id, "FUZZ-03")

"""FUZZ-01..03: every operation of the spec fuzzed with positive and negative generated requests, as each
identity that may call it, with schemathesis's default checks and the project's own (``reactor_conformance.fuzzing``).

One test per operation and caller: its one search is judged under the three requirements side by side, each
failure under the requirement of the check that failed.
Real IDs go into the paths — the second fixture package, a fresh grant of it, the fixture property, a fresh
install — so that generated bodies and queries reach the checks behind a path that exists; mangled IDs are
FUZZ-05's table.

The fuzzing package (schemathesis, Hypothesis) is imported by the first search, not when the module is collected:
every xdist worker collects every module, and the run's first test waits until the last worker has (D99).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest

from reactor_conformance.checks import answers, api, readings

if TYPE_CHECKING:
    from reactor_conformance.fuzzing import findings

# Who fuzzes what: description, operation, identity (None: nobody's credentials), and the real resource the
# operation's path is given: "grant" (a fresh grant of the fuzzed package to the authorized org), "install"
# (a fresh install of the public fixture package on the fixture property), or None.
CALLERS = [
    ("the owner lists a package's grants", "retrieveExtensionPackageUsageAuthorizationForPackage", "owner", "grant"),
    ("the owner grants the package", "createExtensionPackageUsageAuthorization", "owner", None),
    ("the owner lists the authorizations it sees", "retrieveExtensionPackageUsageAuthorization", "owner", "grant"),
    ("the authorized org lists the authorizations it sees", "retrieveExtensionPackageUsageAuthorization",
     "authorized", "grant"),
    ("the owner reads a grant", "retrieveExtensionPackageUsageAuthorizationById", "owner", "grant"),
    ("the authorized org reads a grant", "retrieveExtensionPackageUsageAuthorizationById", "authorized", "grant"),
    ("the authorized org decides on a grant", "updateExtensionPackageUsageAuthorization", "authorized", "grant"),
    ("the owner revokes a grant", "deletePackageUsageAuthorization", "owner", "grant"),
    ("the owner reads a grant's package", "retrieveDataExtensionPackageUsageAuthorization", "owner", "grant"),
    ("the authorized org reads a grant's package", "retrieveDataExtensionPackageUsageAuthorization", "authorized",
     "grant"),
    ("the owner lists its catalog", "listExtensionPackages", "owner", None),
    ("the authorized org lists its catalog", "listExtensionPackages", "authorized", None),
    ("the owner uploads a package", "createExtensionPackage", "owner", None),
    ("the owner reads its package", "retrieveExtensionPackage", "owner", None),
    ("the authorized org reads a granted package", "retrieveExtensionPackage", "authorized", "grant"),
    ("the owner releases a version", "privateReleaseExtensionPackage", "owner", None),
    ("the owner lists its package's versions", "retrieveExtensionPackageVersion", "owner", None),
    ("the authorized org lists a granted package's versions", "retrieveExtensionPackageVersion", "authorized",
     "grant"),
    ("the authorized org installs a package", "createExtension", "authorized", None),
    ("the authorized org reads an install", "retrieveExtension", "authorized", "install"),
    ("the authorized org uninstalls", "deleteExtension", "authorized", "install"),
    ("a client exchanges its credentials at IMS", "exchangeImsClientCredentials", None, None),
]
# That CALLERS names every operation of the spec, and only those, is the project's own test to check (test_spec.py).
# A release is permanent on a real Reactor (docs/decisions.md D8): generated releases never aim at a real package.
NEVER_GIVEN_THE_PACKAGE = {"privateReleaseExtensionPackage"}
DECISION = "updateExtensionPackageUsageAuthorization"
GRANTING = "createExtensionPackageUsageAuthorization"
# The searches that write under the path of the package they are given (a POST, PUT, PATCH or DELETE on a path with
# {EXTENSION_PACKAGE_ID}), less the releases; test_spec.py pins this against the spec.
WRITES_UNDER_THE_PACKAGE = {GRANTING}


def holds_a_package(operation_id: str, needs: str | None) -> bool:
    """Whether the search may grant or change the package in its path (a fresh grant of it, a generated grant, a
    write under its path): it then holds one of the pool's packages until teardown. The others read the profile's
    package, shared, or never name one (the catalog, uploads, installs, IMS), so parallel workers grant meanwhile."""
    return needs == "grant" or operation_id in WRITES_UNDER_THE_PACKAGE


@pytest.fixture
def explored(run, clients, as_identity, grants, fuzzing):
    """``explored(row)``: the findings of fuzzing the row's operation as its identity, searched once per run."""
    if not run.fuzz_enabled:
        pytest.skip("not run: --no-fuzz")
    from reactor_conformance.fuzzing import sending  # at the first search, not at collection (module docstring)
    from reactor_conformance.fuzzing.own_checks import IMS_OPERATIONS

    target = sending.aim(fuzzing, run, clients)

    def of(description, operation_id, identity, needs) -> findings.Findings:
        operation = fuzzing.operations[operation_id]
        caller = sending.Caller(identity, as_identity(identity)) if identity else sending.Caller("anonymous")
        if operation.method.upper() != "GET" and not run.writes_allowed:
            pytest.skip(run.writes_refusal())
        if operation_id in IMS_OPERATIONS and not target.serves_ims:
            pytest.skip(f"not run: IMS is not served by the target ({run.profile.target.ims_url or 'no ims_url'})")
        return search(fuzzing, description, operation, caller, needs, run=run, target=target, clients=clients,
                      grants=grants)

    return of


def search(fuzzing, description, operation, caller, needs, *, run, target, clients, grants) -> findings.Findings:
    from reactor_conformance.fuzzing import search as searching
    from reactor_conformance.fuzzing import spec, stateful

    operation_id = spec.operation_id(operation)
    package = fixture_package(operation_id, needs, run, grants)
    given = {"PROPERTY_ID": run.profile.fixtures.get("property_id")}
    if operation_id not in NEVER_GIVEN_THE_PACKAGE:
        given["EXTENSION_PACKAGE_ID"] = package
    adjust = None
    if run.writes_allowed and needs == "grant":
        given["ID"] = grants.create("authorized", package=package)["id"]
        if operation_id == DECISION:
            adjust = same_id(given["ID"])
    if run.writes_allowed and needs == "install":
        given["EXTENSION_ID"] = install(run, clients, grants)
    granting = grants.keeping_what_is_granted(package) if operation_id == GRANTING else contextlib.nullcontext()
    with granting:
        return searching.explore(fuzzing, operation, caller, run, target, what=description, adjust=adjust,
                                 path_parameters={name: value for name, value in given.items()
                                                  if value and "{" + name + "}" in operation.path},
                                 on_answer=lambda response: stateful.track_created(response, grants.track))


def fixture_package(operation_id: str, needs: str | None, run, grants) -> str:
    """The package in the operation's path: one leased from the pool, its grants this test's until teardown, when the
    search holds one (``holds_a_package``); else the profile's package, shared, as reading it conflicts with no other
    test."""
    if run.writes_allowed and holds_a_package(operation_id, needs):
        return grants.package
    return run.profile.fixtures["extension_package_id"]


def same_id(authorization_id: str):
    """Positive decisions name the grant in the path also in ``data.id`` (409 otherwise), so that they decide."""

    def adjust(case):
        data = case.body.get("data") if isinstance(case.body, dict) else None
        if isinstance(data, dict):
            case.body = {**case.body, "data": {**data, "id": authorization_id}}
        return case

    return adjust


def install(run, clients, grants) -> str | None:
    """A fresh install of the public fixture package on the authorized org's property, or None without them."""
    public, prop = (run.profile.fixtures.get(key) for key in ("public_extension_package_id", "property_id"))
    if not (public and prop and "authorized" in clients):
        return None
    response = clients["authorized"].post(api.property_extensions_path(prop), json=api.install_document(public))
    if response.status_code != 201:
        return None  # the fuzzing still runs, on generated IDs; installing is EFFECT's to judge
    what = "setup: the authorized org installs the public fixture package"
    extension_id = readings.resource_id(readings.dig(answers.body_of(response), "data", "id"), "FUZZ-02",
                                        f"{what}: the created extension's ID (the spec's 201 carries it)", response)
    grants.track("authorized", api.extension_path(extension_id), extension_id, kind="extension")
    return extension_id


def rows():
    """CALLERS, each row marked when its search holds a package (``holds_a_package``): the workers' layout reads it."""
    return pytest.mark.parametrize("description, operation_id, identity, needs", [
        pytest.param(*row, id=row[0], marks=[pytest.mark.holds_a_package] if holds_a_package(row[1], row[3]) else [])
        for row in CALLERS])


@pytest.mark.requirement("FUZZ-01", "FUZZ-02", "FUZZ-03")
@rows()
def test_generated_requests_get_no_server_error_conform_to_the_spec_and_are_refused_when_invalid(
        description, operation_id, identity, needs, explored):
    from reactor_conformance.fuzzing.judging import STATELESS

    explored(description, operation_id, identity, needs).verdict(STATELESS, description)

"""CREATE: the owner grants its private package to another org; nobody else can, and bad bodies create nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from reactor_conformance.checks import answers, api, cases, expect, readings

CLOCK_SKEW = timedelta(minutes=5)


@pytest.mark.requirement("CREATE-01")
def test_the_fixture_package_is_the_owners(owner, package_id, org_of, run):
    """The owner grants *its own* private package: a package the target says is another org's (or none at all)
    is a finding of the run, whether the profile or the target is wrong, never a reason to stop it. Part of the
    grant's requirement, so it runs where grants do."""
    if not run.writes_allowed:
        pytest.skip(run.writes_refusal())
    what = f"the owner reads its package (fixtures.extension_package_id {package_id})"
    response = owner.get(api.package_path(package_id))
    expect.status(response, 200, "CREATE-01", what)
    data = expect.member(expect.json_body(response, "CREATE-01", what), "data", "CREATE-01", what, response)
    attributes = data.get("attributes") if isinstance(data, dict) else None
    owner_org = attributes.get("owner_org_id") if isinstance(attributes, dict) else None
    if owner_org is not None:  # owner_org_id is an optional attribute of a package
        expect.check(owner_org == org_of("owner"), "CREATE-01", f"{what}: whose package it is",
                     f"owner_org_id {org_of('owner')}, the owner identity's org",
                     f"owner_org_id {json.dumps(owner_org)}: another org's package, or the target does not "
                     "know whose it is", response)


@pytest.mark.requirement("CREATE-01", "CREATE-02", "SHAPE-02", "SHAPE-09")
def test_owner_grants_the_package_to_the_authorized_org(owner, grants, package_id, org_of):
    grants.clear("authorized")
    response = owner.post(api.package_authorizations_path(package_id), json=api.grant_document(org_of("authorized")))
    grants.keep(response, org_of("authorized"))
    expect.status(response, 201, "CREATE-01", "the owner grants its package to the authorized org")
    data = expect.document(response, "authorization", "SHAPE-02", "the created authorization")["data"]
    attributes = data["attributes"]
    what = "a new authorization"
    expect.equal(attributes["state"], "pending_approval", "CREATE-02", f"{what} starts pending", response)
    expect.equal(attributes["owner_org_id"], org_of("owner"), "CREATE-02", f"{what} names the owner org", response)
    expect.equal(attributes["authorized_org_id"], org_of("authorized"), "CREATE-02",
                 f"{what} names the authorized org", response)
    expect.equal(data["relationships"]["extension_package"].get("data"),
                 {"id": package_id, "type": "extension_packages"}, "SHAPE-09", f"{what} relates to the package",
                 response)
    expect.equal(attributes["created_at"], attributes["updated_at"], "CREATE-02",
                 f"{what} has created_at = updated_at", response)
    now = datetime.now(timezone.utc)
    created = readings.instant(attributes["created_at"], "CREATE-02", f"{what}: created_at", response)
    expect.check(created <= now + CLOCK_SKEW, "CREATE-02",
                 f"{what} is not created in the future", f"created_at ≤ {now.isoformat()} + 5 min",
                 attributes["created_at"], response)


# Who may not grant: identity, the statuses that are a correct refusal, and why.
REFUSED_GRANTERS = [
    ("owner_limited", (403,), "an owner-org user without develop_extensions"),
    ("authorized", (403, 404), "the authorized org, which does not own the package"),
    ("outsider", (403, 404), "an outsider org"),
]


@pytest.mark.requirement("CREATE-03", "SHAPE-08")
@pytest.mark.parametrize("identity, refusals, description", REFUSED_GRANTERS,
                         ids=[case[0] for case in REFUSED_GRANTERS])
def test_only_the_owner_with_develop_extensions_can_grant(identity, refusals, description, as_identity, owner,
                                                          grants, package_id, org_of):
    caller = as_identity(identity)
    target_org = org_of("outsider") if identity != "outsider" else org_of("authorized")
    grants.clear("outsider" if identity != "outsider" else "authorized")
    response = caller.post(api.package_authorizations_path(package_id), json=api.grant_document(target_org))
    created = grants.adopt(target_org, answer=response)
    expect.status(response, refusals, "CREATE-03", f"{description} tries to grant the package")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    expect.equal(len(created), 0, "CREATE-03", f"nothing is created when {description} tries to grant", response)


BAD_GRANTS = cases.load("bad-grants", requirement="CREATE-04")  # cases/bad-grants.json


@pytest.mark.requirement("CREATE-04", "SHAPE-08")
@pytest.mark.parametrize("case", BAD_GRANTS, ids=cases.ids(BAD_GRANTS))
def test_bad_grant_bodies_are_refused_and_create_nothing(case, owner, grants, package_id, org_of):
    org = org_of("authorized")
    grants.clear("authorized")
    response = owner.post(api.package_authorizations_path(package_id), **case.request(authorized=org))
    created = grants.adopt(org, answer=response)
    expect.client_error(response, "CREATE-04", f"a grant with {case.description}")
    expect.equal(len(created), 0, "CREATE-04", f"a grant with {case.description} creates nothing", response)


MISSING_PACKAGES = [
    ("unknown package", "EP" + "0" * 32),
    ("malformed package id", "not-a-package"),
    ("package id with dots", "EP..%2e"),
]


@pytest.mark.requirement("CREATE-05", "SHAPE-08")
@pytest.mark.parametrize("description, package", MISSING_PACKAGES, ids=[case[0] for case in MISSING_PACKAGES])
def test_grant_on_unknown_package_is_not_found(description, package, owner, org_of, run):
    if not run.writes_allowed:
        pytest.skip(run.writes_refusal())
    response = owner.post(api.package_authorizations_path(package), json=api.grant_document(org_of("authorized")))
    expect.status(response, 404, "CREATE-05", f"a grant on an {description}")
    expect.document(response, "error", "SHAPE-08", "the refusal")


@pytest.mark.requirement("CREATE-06")
def test_second_grant_to_the_same_org_is_refused(owner, grant, grants, package_id, org_of):
    response = owner.post(api.package_authorizations_path(package_id), json=api.grant_document(org_of("authorized")))
    found = grants.adopt(org_of("authorized"), answer=response)
    expect.client_error(response, "CREATE-06", "a second grant of the same package to the same org")
    expect.equal([item["id"] for item in found], [grant["id"]], "CREATE-06",
                 "the first authorization stays the only one", response)
    expect.equal(found[0]["attributes"].get("state"), "pending_approval", "CREATE-06",
                 "the first authorization is unchanged", response)


@pytest.mark.requirement("CREATE-07")
def test_grant_to_the_owners_own_org_is_refused(owner, grants, package_id, org_of):
    grants.clear("owner")
    response = owner.post(api.package_authorizations_path(package_id), json=api.grant_document(org_of("owner")))
    grants.adopt(org_of("owner"), answer=response)
    expect.client_error(response, "CREATE-07", "the owner grants its package to its own org")


@pytest.mark.requirement("CREATE-08", "FUZZ-01")
def test_grant_to_an_org_that_does_not_exist(owner, grants, package_id, observe):
    ghost = "0" * 24 + "@AdobeOrg"
    grants.hold()
    response = owner.post(api.package_authorizations_path(package_id), json=api.grant_document(ghost))
    grants.adopt(ghost, answer=response)
    observe("CREATE-08", f"grant to a non-existent org {ghost} → HTTP {response.status_code}")
    expect.check(response.status_code < 500, "FUZZ-01", "a grant to an org that does not exist",
                 "no 5xx", answers.describe(response), response)

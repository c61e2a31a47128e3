"""ISO: each org sees its own authorizations only, under the right package, without other orgs' users' emails."""

from __future__ import annotations

import json

import pytest

from reactor_conformance import api, expect

# What an outsider tries on the authorized org's authorization: description, method, path template, body.
OUTSIDER_ATTEMPTS = [
    ("reads it", "GET", "/extension_package_usage_authorizations/{ea}", None),
    ("reads its package through it", "GET", "/extension_package_usage_authorizations/{ea}/extension_package", None),
    ("approves it", "PATCH", "/extension_package_usage_authorizations/{ea}", api.decision_document("{ea}", "approved")),
    ("deletes it", "DELETE", "/extension_package_usage_authorizations/{ea}", None),
]


@pytest.mark.requirement("ISO-01")
@pytest.mark.parametrize("description, method, template, body", OUTSIDER_ATTEMPTS,
                         ids=[c[0] for c in OUTSIDER_ATTEMPTS])
def test_an_outsider_cannot_touch_another_orgs_authorization(description, method, template, body, outsider, owner,
                                                             grant):
    response = outsider.request(method, template.format(ea=grant["id"]), json=api.substitute(body, ea=grant["id"]))
    expect.status(response, (403, 404), "ISO-01", f"an outsider org {description}")
    after = owner.get(api.authorization_path(grant["id"]))
    expect.status(after, 200, "ISO-01", f"the authorization exists after an outsider {description}")
    expect.equal(after.json()["data"]["attributes"]["state"], "pending_approval", "ISO-01",
                 f"the authorization is unchanged after an outsider {description}", after)
    ids = api.list_ids(outsider, api.AUTHORIZATIONS) or []
    expect.check(grant["id"] not in ids, "ISO-01", "the outsider org's list", f"without {grant['id']}",
                 "it is listed")


@pytest.mark.requirement("ISO-02")
def test_each_authorized_org_lists_only_its_own(authorized, outsider, grants, org_of):
    to_authorized = grants.create("authorized")["id"]
    to_outsider = grants.create("outsider")["id"]
    for client, mine, theirs, who in ((authorized, to_authorized, to_outsider, "authorized"),
                                      (outsider, to_outsider, to_authorized, "outsider")):
        response = client.get(api.AUTHORIZATIONS, params={"page[size]": 100})
        expect.status(response, 200, "ISO-02", f"the {who} org lists its authorizations")
        ids = api.list_ids(client, api.AUTHORIZATIONS) or []
        expect.check(mine in ids and theirs not in ids, "ISO-02", f"the {who} org's list",
                     f"{mine} and not {theirs}", f"{ids}", response)
        foreign = [item["id"] for item in response.json()["data"]
                   if org_of(who) not in (item["attributes"]["authorized_org_id"], item["attributes"]["owner_org_id"])]
        expect.equal(foreign, [], "ISO-02", f"the {who} org's list holds no other org's authorization", response)


@pytest.mark.requirement("ISO-03")
def test_a_packages_list_never_shows_another_packages_authorizations(owner, grant, fixture_id):
    other = fixture_id("other_extension_package_id")
    response = owner.get(api.package_authorizations_path(other), params={"page[size]": 100})
    expect.status(response, (200, 403, 404), "ISO-03", "the owner lists another package's authorizations")
    ids = api.list_ids(owner, api.package_authorizations_path(other)) or []
    expect.check(grant["id"] not in ids, "ISO-03", "the other package's list", f"without {grant['id']}",
                 "it is listed", response)


@pytest.mark.requirement("ISO-04")
def test_other_orgs_users_appear_restricted(owner, authorized, grant, grants, run):
    owner_email = grant["attributes"]["created_by_email"]
    seen_by_authorized = authorized.get(api.authorization_path(grant["id"]))
    attributes = seen_by_authorized.json()["data"]["attributes"]
    for key in ("created_by_email", "created_by_display_name"):
        expect.equal(attributes[key], "Restricted", "ISO-04", f"{key} of the owner's user, seen by the authorized org",
                     seen_by_authorized)
    expect.check(owner_email == "Restricted" or owner_email not in seen_by_authorized.text, "ISO-04",
                 "the authorized org's view", "no email of the owner's user", owner_email, seen_by_authorized)
    decided = grants.decide(grant["id"], "approved")
    seen_by_owner = owner.get(api.authorization_path(grant["id"]))
    attributes = seen_by_owner.json()["data"]["attributes"]
    for key in ("updated_by_email", "updated_by_display_name"):
        expect.equal(attributes[key], "Restricted", "ISO-04", f"{key} of the authorized org's user, seen by the owner",
                     seen_by_owner)
    approver_email = decided["attributes"]["updated_by_email"]
    expect.check(approver_email == "Restricted" or approver_email not in json.dumps(seen_by_owner.json()), "ISO-04",
                 "the owner's view", "no email of the authorized org's user", approver_email, seen_by_owner)

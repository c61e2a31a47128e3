"""ISO: each org sees and touches only what concerns it — its own authorizations, under the package they belong
to — and learns nothing about the other org's users but that they exist ("Restricted")."""

from __future__ import annotations

import json
import re

import pytest

from reactor_conformance.checks import answers, api, expect, readings

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
USER_ATTRIBUTES = ("created_by_email", "created_by_display_name", "updated_by_email", "updated_by_display_name")


def listed(client, path: str, requirement: str, what: str) -> list[dict]:
    """Every item on every page; a refused page fails the requirement (it is no empty list)."""
    items, refused = api.list_items(client, path)
    if refused is not None:
        expect.status(refused, 200, requirement, what)
    return items


def related_package(item: dict):
    return readings.dig(item, "relationships", "extension_package", "data", "id")


def carries_data(response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("data"))


# What an outsider org tries on an authorization granted to the authorized org: description, method, path
# template, body.
OUTSIDER_ATTEMPTS = [
    ("reads it", "GET", "/extension_package_usage_authorizations/{ea}", None),
    ("reads its package through it", "GET", "/extension_package_usage_authorizations/{ea}/extension_package", None),
    ("approves it", "PATCH", "/extension_package_usage_authorizations/{ea}", api.decision_document("{ea}", "approved")),
    ("rejects it", "PATCH", "/extension_package_usage_authorizations/{ea}", api.decision_document("{ea}", "rejected")),
    ("deletes it", "DELETE", "/extension_package_usage_authorizations/{ea}", None),
]


@pytest.mark.requirement("ISO-01")
@pytest.mark.parametrize("description, method, template, body", OUTSIDER_ATTEMPTS,
                         ids=[case[0] for case in OUTSIDER_ATTEMPTS])
def test_an_outsider_cannot_touch_another_orgs_authorization(description, method, template, body, outsider, owner,
                                                             grant):
    ea = grant["id"]
    response = outsider.request(method, api.substitute(template, ea=ea), json=api.substitute(body, ea=ea))
    expect.status(response, (403, 404), "ISO-01", f"an outsider org {description}")
    expect.check(not carries_data(response), "ISO-01", f"the refusal when an outsider org {description}", "no data",
                 "data was returned", response)
    after = owner.get(api.authorization_path(ea))
    expect.status(after, 200, "ISO-01", f"the owner reads the authorization after an outsider org {description}")
    what = f"the owner reads the authorization after an outsider org {description}"
    read = expect.member(expect.json_body(after, "ISO-01", what), "data.attributes", "ISO-01", what, after)
    expect.equal(read, expect.member({"data": grant}, "data.attributes", "ISO-01", "the created authorization"),
                 "ISO-01",
                 f"the authorization after an outsider org {description}: unchanged", after)


@pytest.mark.requirement("ISO-01")
def test_an_outsiders_lists_never_hold_another_orgs_authorization(outsider, grant, package_id):
    ea = grant["id"]
    ids = [item.get("id") for item in listed(outsider, api.AUTHORIZATIONS, "ISO-01",
                                             "the outsider org lists its authorizations")]
    expect.check(ea not in ids, "ISO-01", "the outsider org's list of authorizations", f"without {ea}",
                 "it is listed")
    items, refused = api.list_items(outsider, api.package_authorizations_path(package_id))
    if refused is not None:  # a refusal shows nothing: judged as a refusal, not as a list without the grant
        expect.status(refused, (403, 404), "ISO-01", "the outsider org lists the private package's authorizations")
    else:
        expect.check(ea not in [item.get("id") for item in items], "ISO-01",
                     "the outsider org's list under the private package", f"without {ea}", "it is listed")


@pytest.mark.requirement("ISO-02")
def test_each_authorized_org_lists_only_its_own(authorized, outsider, grants, org_of):
    granted = {"authorized": grants.create("authorized")["id"], "outsider": grants.create("outsider")["id"]}
    for who, client, other in (("authorized", authorized, "outsider"), ("outsider", outsider, "authorized")):
        items = listed(client, api.AUTHORIZATIONS, "ISO-02", f"the {who} org lists its authorizations")
        ids = [item.get("id") for item in items]
        expect.check(granted[who] in ids, "ISO-02", f"the {who} org's list", f"holds {granted[who]}",
                     "it does not")
        expect.check(granted[other] not in ids, "ISO-02", f"the {who} org's list",
                     f"without the {other} org's {granted[other]}", "it is listed")
        foreign = [item.get("id") for item in items
                   if org_of(who) not in (readings.dig(item, "attributes", "authorized_org_id"),
                                          readings.dig(item, "attributes", "owner_org_id"))]
        expect.equal(foreign, [], "ISO-02", f"authorizations in the {who} org's list that concern another org")


# Lists under a package other than the granted one: description, fixture naming that package.
OTHER_PACKAGES = [
    ("another private package of the owner org", "other_extension_package_id"),
    ("a public package of another org", "public_extension_package_id"),
]


@pytest.mark.requirement("ISO-03")
@pytest.mark.parametrize("description, fixture", OTHER_PACKAGES, ids=[case[0] for case in OTHER_PACKAGES])
def test_a_packages_list_never_shows_another_packages_authorizations(description, fixture, owner, grant,
                                                                     fixture_id, package_id):
    other = fixture_id(fixture)
    items, refused = api.list_items(owner, api.package_authorizations_path(other))
    if refused is not None:  # a refusal shows nothing: judged as a refusal, not as a list without the grant
        expect.check(400 <= refused.status_code < 500, "ISO-03", f"the owner lists under {description}",
                     "200 or a 4xx refusal", answers.describe(refused), refused)
        return
    shown = [item.get("id") for item in items if item.get("id") == grant["id"] or related_package(item) == package_id]
    expect.equal(shown, [], "ISO-03", f"authorizations of {package_id} in the list under {description} ({other})")


def foreign_emails(text: str, own: str) -> set[str]:
    """Email addresses in ``text`` other than the viewer's own user's."""
    return {email for email in EMAIL.findall(text) if email.lower() != own.lower()}


def user_email(resource: dict, key: str, what: str) -> str:
    """The viewer's own user's email in a resource its org answered (the only address that view may show)."""
    email = expect.member({"data": resource}, f"data.attributes.{key}", "ISO-04", what)
    expect.check(isinstance(email, str), "ISO-04", f"{what}: {key}", "a string", repr(email))
    return email


def view(client, ea: str, what: str):
    response = client.get(api.authorization_path(ea))
    expect.status(response, 200, "ISO-04", what)
    return response


@pytest.mark.requirement("ISO-04")
def test_the_other_orgs_users_appear_restricted(owner, authorized, grant, grants, package_id):
    ea = grant["id"]
    owner_email = user_email(grant, "created_by_email", "the created authorization")  # the owner's view names its user
    pending = view(authorized, ea, "the authorized org reads the grant")
    for key in USER_ATTRIBUTES:  # created and, so far, last updated by the owner's user
        expect.equal(readings.dig(answers.body_of(pending), "data", "attributes", key), "Restricted", "ISO-04",
                     f"{key} of the owner's user, seen by the authorized org", pending)
    expect.equal(sorted(foreign_emails(pending.text, "")), [], "ISO-04",
                 "email addresses in the authorized org's view of a grant it has not decided", pending)

    approver_email = user_email(grants.decide(ea, "approved"), "updated_by_email",
                                "the answer to the approval")  # A's own view names its user
    approved = view(owner, ea, "the owner reads the approved authorization")
    for key in ("updated_by_email", "updated_by_display_name"):
        expect.equal(readings.dig(answers.body_of(approved), "data", "attributes", key), "Restricted", "ISO-04",
                     f"{key} of the authorized org's approver, seen by the owner", approved)
    views = ((approved, owner_email, "the owner's view"),
             (view(authorized, ea, "the authorized org reads what it approved"), approver_email,
              "the authorized org's view once it approved"))
    for response, own, what in views:
        expect.equal(sorted(foreign_emails(response.text, own)), [], "ISO-04",
                     f"email addresses of another org's users in {what}", response)
    lists = ((owner, api.package_authorizations_path(package_id), owner_email, "the owner's list under the package"),
             (owner, api.AUTHORIZATIONS, owner_email, "the owner org's list"),
             (authorized, api.AUTHORIZATIONS, approver_email, "the authorized org's list"))
    unlisted = []
    for client, path, own, what in lists:
        item = readings.find(listed(client, path, "ISO-04", what), ea)
        if not item:
            unlisted.append(what)
            continue
        expect.equal(sorted(foreign_emails(json.dumps(item, ensure_ascii=False), own)), [], "ISO-04",
                     f"email addresses of another org's users in {what}")
    if unlisted:  # the grant's users in those lists were not read
        expect.unmet(f"the grant's users in {' and '.join(unlisted)}: it was not listed (LIST-01 and LIST-02 judge "
                     "what a list holds)")

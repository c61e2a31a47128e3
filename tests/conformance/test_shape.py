"""SHAPE: every document the target answers has the documented form — media type, members, links, IDs, errors.

MUST and SHOULD checks live in separate tests, so that a SHOULD defect never fails a MUST requirement.
"""

from __future__ import annotations

import json

import pytest

from reactor_conformance.checks import answers, api, expect, readings, timestamps
from reactor_conformance.checks.readings import dig
from reactor_conformance.shapes import errors as schema_errors

ONE = "/extension_package_usage_authorizations/{ea}"
RELATED = "/extension_package_usage_authorizations/{ea}/extension_package"
PACKAGE_LIST = "/extension_packages/{ep}/extension_package_usage_authorizations"
ORG_LIST = "/extension_package_usage_authorizations"
UNKNOWN = "/extension_package_usage_authorizations/EA" + "0" * 32
ATTRIBUTES = ("created_at", "updated_at", "name", "platform", "owner_org_id", "owner_org_name", "authorized_org_id",
              "authorized_org_name", "state", "created_by_email", "created_by_display_name", "updated_by_email",
              "updated_by_display_name")


def send(client, method: str, template: str, request: dict, **values):
    """One request of a table row: ``{name}`` placeholders in the path and the request filled in."""
    return client.request(method, template.format(**values), **api.substitute(request, **values))


def row_values(fixtures: pytest.FixtureRequest, template: str, request_: dict) -> dict:
    """The values a table row's placeholders stand for. A fresh grant only for the rows that name one (``{ea}``):
    the others leave the fixture packages to the tests that grant them."""
    values = {"other_org": fixtures.getfixturevalue("org_of")("authorized")}
    if "{ea}" in template + json.dumps(request_, default=str):
        values["ea"] = fixtures.getfixturevalue("grant")["id"]
        values["ep"] = fixtures.getfixturevalue("grants").package
    else:
        values["ep"] = fixtures.getfixturevalue("fixture_id")("extension_package_id")
    return values


def gateway_error(response) -> bool:
    """Adobe's gateway answers some authentication failures with ``{"error_code", "message"}`` (SHAPE-08)."""
    return answers.in_gateway_shape(answers.body_of(response))


# Answers of every kind: description, identity, method, path template, request, whether Adobe's gateway may
# answer it (a 401, or a 403 for the API key). The status in the description is what the contract answers.
ANSWERS = [
    ("200 one authorization", "owner", "GET", ONE, {}, False),
    ("200 the package's list", "owner", "GET", PACKAGE_LIST, {}, False),
    ("200 the org's list", "authorized", "GET", ORG_LIST, {}, False),
    ("200 the related package", "authorized", "GET", RELATED, {}, False),
    ("200 a decision", "authorized", "PATCH", ONE, {"json": api.decision_document("{ea}", "approved")}, False),
    ("400 a body that is not JSON", "authorized", "PATCH", ONE, {"raw_body": "{not json"}, False),
    ("401 no token", "owner", "GET", ORG_LIST, {"omit_headers": ("Authorization",)}, True),
    ("401 an unknown token", "owner", "GET", ORG_LIST, {"headers": {"Authorization": "Bearer not-a-token"}}, True),
    ("403 no API key", "owner", "GET", ORG_LIST, {"omit_headers": ("x-api-key",)}, True),
    ("403 an unknown API key", "owner", "GET", ORG_LIST, {"headers": {"x-api-key": "not-an-api-key"}}, True),
    ("403 another org's header", "owner", "GET", ORG_LIST, {"headers": {"x-gw-ims-org-id": "{other_org}"}}, False),
    ("403 a missing right", "authorized", "DELETE", ONE, {}, False),
    ("404 an unknown authorization", "owner", "GET", UNKNOWN, {}, False),
    ("404 a malformed authorization ID", "owner", "GET", "/extension_package_usage_authorizations/not-an-id", {},
     False),
    ("404 an unknown path", "owner", "GET", "/no_such_collection", {}, False),
    ("405 a method the path does not offer", "owner", "PUT", ONE,
     {"json": api.decision_document("{ea}", "approved")}, False),
    ("409 a body id other than the path's", "authorized", "PATCH", ONE,
     {"json": api.decision_document("EA" + "0" * 32, "approved")}, False),
    ("415 a text/plain body", "authorized", "PATCH", ONE,
     {"raw_body": json.dumps(api.decision_document("{ea}", "approved")), "headers": {"Content-Type": "text/plain"}},
     False),
    ("422 an unknown state", "authorized", "PATCH", ONE, {"json": api.decision_document("{ea}", "bogus")}, False),
]
ERRORS = [case for case in ANSWERS if not case[0].startswith("2")]
# The methods the API uses; a server may answer any other one 501 Not Implemented (RFC 9110 §15.6.2).
API_METHODS = frozenset({"GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"})


def every_item(client, path: str, requirement: str, what: str) -> tuple[list, object]:
    """The items of every page of a list, each page answered 200 with a list document (else ``requirement`` fails),
    and the last page's answer."""
    items, response = [], None
    for response, page in api.walk(client, path):
        expect.status(response, 200, requirement, what)
        expect.check(page is not None, requirement, what, "a list document", answers.describe(response), response)
        items += page["data"]
    return items, response


@pytest.mark.requirement("SHAPE-01")
@pytest.mark.parametrize("description, identity, method, template, request_, gateway", ANSWERS,
                         ids=[case[0] for case in ANSWERS])
def test_every_answer_with_a_body_is_json_api(description, identity, method, template, request_, gateway,
                                              as_identity, request, observe):
    response = send(as_identity(identity), method, template, request_, **row_values(request, template, request_))
    contract = description.split()[0]  # each row's description starts with the status the contract answers
    expect.check(bool(response.content), "SHAPE-01", description, f"an answer with a body (the contract's is HTTP "
                 f"{contract} with a JSON:API document)", answers.describe(response), response)
    if gateway and response.status_code in (401, 403) and gateway_error(response):
        observe("SHAPE-01", f"{description}: HTTP {response.status_code} in the gateway's shape (SHAPE-08's "
                            f"exception), Content-Type {response.headers.get('Content-Type')}")
        return
    expect.media_type(response, "SHAPE-01", description)


# Where authorization resources come from: description, identity, method, path template, decision (PATCH).
SINGLE_SOURCES = [
    ("read by the owner", "owner", "GET", ONE, None),
    ("read by the authorized org", "authorized", "GET", ONE, None),
    ("approved by the authorized org", "authorized", "PATCH", ONE, "approved"),
    ("rejected by the authorized org", "authorized", "PATCH", ONE, "rejected"),
]
LIST_SOURCES = [
    ("listed for the owner", "owner", "GET", PACKAGE_LIST, None),
    ("listed for the authorized org", "authorized", "GET", ORG_LIST, None),
]


def resources_from(as_identity, grant, package_id, source, requirement):
    """The answer of one source (a row of the tables above) and the authorization resources in it (``data`` null is
    no resource, and a list that holds none leaves nothing to judge: not run, LIST-01/LIST-02 judge what it holds)."""
    description, identity, method, template, decision = source
    what = f"an authorization {description}"
    request = {"json": api.decision_document(grant["id"], decision)} if decision else {}
    response = send(as_identity(identity), method, template, request, ea=grant["id"], ep=package_id)
    expect.status(response, 200, requirement, what)
    resources = readings.resources(expect.json_body(response, requirement, what), requirement, what, response)
    if not resources:
        expect.unmet(f"{what}: the list held no authorization to judge (LIST-01 and LIST-02 judge what it holds)",
                     response)
    return response, resources


SOURCES = SINGLE_SOURCES + LIST_SOURCES


@pytest.mark.requirement("SHAPE-02")
@pytest.mark.parametrize("description, identity, method, template, decision", SOURCES, ids=[c[0] for c in SOURCES])
def test_authorizations_have_the_documented_members(description, identity, method, template, decision, as_identity,
                                                    grant, package_id):
    source = (description, identity, method, template, decision)
    response, resources = resources_from(as_identity, grant, package_id, source, "SHAPE-02")
    for resource in resources:
        what = f"an authorization {description} ({dig(resource, 'id')})"
        expect.check(isinstance(dig(resource, "id"), str) and bool(resource["id"]), "SHAPE-02", what,
                     "id: a non-empty string", repr(dig(resource, "id")), response)
        expect.equal(dig(resource, "type"), api.AUTHORIZATION, "SHAPE-02", f"{what}: type", response)
        expect.check(isinstance(dig(resource, "attributes"), dict), "SHAPE-02", what, "an attributes object",
                     repr(dig(resource, "attributes")), response)
        for member in (("relationships", "extension_package", "links", "related"), ("links", "self")):
            link = dig(resource, *member)
            expect.check(isinstance(link, str) and bool(link), "SHAPE-02", what, f"a link {'.'.join(member)}",
                         repr(link), response)


@pytest.mark.requirement("SHAPE-03")
@pytest.mark.parametrize("description, identity, method, template, decision", SOURCES, ids=[c[0] for c in SOURCES])
def test_authorizations_have_the_documented_attributes(description, identity, method, template, decision,
                                                       as_identity, grant, package_id):
    source = (description, identity, method, template, decision)
    response, resources = resources_from(as_identity, grant, package_id, source, "SHAPE-03")
    for resource in resources:
        what = f"an authorization {description} ({dig(resource, 'id')})"
        attributes = resource["attributes"] if isinstance(resource.get("attributes"), dict) else {}
        expect.equal([name for name in ATTRIBUTES if not isinstance(attributes.get(name), str)], [], "SHAPE-03",
                     f"{what}: documented attributes that are missing or not strings", response)
        for name in ("created_at", "updated_at"):
            expect.check(timestamps.instant(attributes[name]) is not None, "SHAPE-03", f"{what}: {name}",
                         timestamps.FORM, attributes[name], response)
        expect.check(attributes["platform"] in ("web", "mobile"), "SHAPE-03", f"{what}: platform", "web or mobile",
                     attributes["platform"], response)


# What happens to an authorization before its state is read: description, decisions the authorized org sends
# (the first must succeed; later ones may be refused).
STATE_HISTORIES = [
    ("a new grant", ()),
    ("an approval", ("approved",)),
    ("a rejection", ("rejected",)),
    ("a decision spelled accepted", ("accepted",)),
    ("an approval, then a rejection", ("approved", "rejected")),
    ("a rejection, then an approval", ("rejected", "approved")),
]


# Where the state is read back afterwards: description, identity, path template.
STATE_READS = [
    ("the owner reads it", "owner", ONE),
    ("the authorized org reads it", "authorized", ONE),
    ("the owner lists it", "owner", PACKAGE_LIST),
    ("the authorized org lists it", "authorized", ORG_LIST),
]


@pytest.mark.requirement("SHAPE-04")
@pytest.mark.parametrize("description, decisions", STATE_HISTORIES, ids=[case[0] for case in STATE_HISTORIES])
def test_state_is_always_one_of_the_three(description, decisions, as_identity, authorized, grant, grants,
                                          package_id):
    """Whatever the authorized org sends, no answer and no read-back shows a state outside the three. Every answer
    that carries the authorization is judged, whatever its status, and every page of the lists; a list that leaves
    the grant out leaves its state there not judged, and the test says so (docs/decisions.md D91, D92)."""
    answered = []
    for number, decision in enumerate(decisions):
        if number == 0 and decision in api.STATES:
            answered.append(dig(grants.decide(grant["id"], decision), "attributes", "state"))
            continue
        response = authorized.patch(api.authorization_path(grant["id"]),
                                    json=api.decision_document(grant["id"], decision))
        answered += readings.states_answered(response, "SHAPE-04", f"the answer to a decision {decision}")
    unlisted = []
    for who, identity, template in STATE_READS:
        what = f"{who} after {description}"
        if template == ONE:
            response = as_identity(identity).get(template.format(ea=grant["id"]))
            expect.status(response, 200, "SHAPE-04", what)
            resources = readings.resources(expect.json_body(response, "SHAPE-04", what), "SHAPE-04", what, response)
        else:
            items, response = every_item(as_identity(identity), template.format(ep=package_id), "SHAPE-04", what)
            resources = readings.find(items, grant["id"])
            if not resources:
                unlisted.append(who)
                continue
        answered += [dig(resource, "attributes", "state") for resource in resources]
        expect.equal([state for state in answered if state not in api.STATES], [], "SHAPE-04",
                     f"states outside {' / '.join(api.STATES)} answered after {description}, up to when {who}",
                     response)
    if unlisted:  # what the lists showed was judged; the grant's state in them was not
        expect.unmet(f"the grant's state in a list: not listed when {' and '.join(unlisted)} (LIST-01 and LIST-02 "
                     "judge what a list holds)")


@pytest.mark.requirement("SHAPE-09")
@pytest.mark.parametrize("description, identity, method, template, decision", SINGLE_SOURCES,
                         ids=[case[0] for case in SINGLE_SOURCES])
def test_the_related_package_is_linked_by_id(description, identity, method, template, decision, as_identity, grant,
                                             package_id):
    source = (description, identity, method, template, decision)
    response, (resource,) = resources_from(as_identity, grant, package_id, source, "SHAPE-09")
    expect.equal(dig(resource, "relationships", "extension_package", "data"),
                 {"id": package_id, "type": api.PACKAGE}, "SHAPE-09",
                 f"relationships.extension_package.data of an authorization {description}", response)


# Lists: description, identity, path template, query.
LISTS = [
    ("the package's list", "owner", PACKAGE_LIST, {}),
    ("the owner org's list", "owner", ORG_LIST, {}),
    ("the authorized org's list", "authorized", ORG_LIST, {}),
    ("a page of one item", "owner", PACKAGE_LIST, {"page[size]": "1"}),
    ("a page past the end", "owner", PACKAGE_LIST, {"page[number]": "1000"}),
    ("a list filtered by state", "owner", PACKAGE_LIST, {"filter[state]": "EQ pending_approval"}),
    ("a list that matches nothing", "owner", PACKAGE_LIST,
     {"filter[authorized_org_id]": "EQ " + "0" * 24 + "@AdobeOrg"}),
    ("the authorized org's catalog", "authorized", "/extension_packages", {}),
    ("the package's versions", "owner", "/extension_packages/{ep}/versions", {}),
]
REFUSABLE = {"a page past the end"}  # LIST-04: a 4xx (an error document) instead of a page


@pytest.mark.requirement("SHAPE-05")
@pytest.mark.parametrize("description, identity, template, query", LISTS, ids=[case[0] for case in LISTS])
def test_lists_are_list_documents(description, identity, template, query, as_identity, grant, package_id,
                                  observe):
    response = as_identity(identity).get(template.format(ep=package_id), params=query)
    if description in REFUSABLE and 400 <= response.status_code < 500:
        observe("SHAPE-05", f"{description}: refused with HTTP {response.status_code}, as LIST-04 allows")
        return
    expect.status(response, 200, "SHAPE-05", description)
    body = expect.json_body(response, "SHAPE-05", description)
    expect.check(isinstance(dig(body, "data"), list), "SHAPE-05", description, "data: an array",
                 repr(dig(body, "data"))[:200], response)
    pagination = dig(body, "meta", "pagination")
    expect.check(isinstance(pagination, dict), "SHAPE-05", description, "meta.pagination: an object",
                 repr(pagination)[:200], response)
    problems = schema_errors("pagination-meta", body["meta"]) + schema_errors("common#/$defs/list_links",
                                                                              body.get("links") or {})
    expect.equal(problems, [], "SHAPE-05", f"{description}: meta.pagination (integers or null) and links", response)


# Links to follow: description, identity, link (the created authorization's).
LINKS = [
    ("the owner follows links.self", "owner", "self"),
    ("the authorized org follows links.self", "authorized", "self"),
    ("the owner follows the related package link", "owner", "related"),
    ("the authorized org follows the related package link", "authorized", "related"),
]


@pytest.mark.requirement("SHAPE-06")
@pytest.mark.parametrize("description, identity, link", LINKS, ids=[case[0] for case in LINKS])
def test_links_resolve(description, identity, link, as_identity, grant, package_id):
    url = dig(grant, "links", "self") if link == "self" else dig(grant, "relationships", "extension_package",
                                                                   "links", "related")
    expect.check(isinstance(url, str) and bool(url), "SHAPE-06", description, "a link in the created authorization",
                 repr(url))
    response = as_identity(identity).get(url)
    expect.status(response, 200, "SHAPE-06", description)
    if link == "self":
        data = dig(expect.json_body(response, "SHAPE-06", "the resource links.self names"), "data")
        expect.equal({"id": dig(data, "id"), "type": dig(data, "type")}, {"id": grant["id"], "type": grant["type"]},
                     "SHAPE-06", "links.self leads to the same authorization", response)
    else:
        data = expect.document(response, "extension-package", "SHAPE-06", "the related package")["data"]
        expect.equal({"id": data["id"], "type": data["type"]}, {"id": package_id, "type": api.PACKAGE}, "SHAPE-06",
                     "the related link leads to the granted package", response)


# Lists whose items' links.self are followed: description, identity, path template.
LISTS_OF_LINKS = [
    ("the package's list", "owner", PACKAGE_LIST),
    ("the authorized org's list", "authorized", ORG_LIST),
]


@pytest.mark.requirement("SHAPE-06")
@pytest.mark.parametrize("description, identity, template", LISTS_OF_LINKS, ids=[c[0] for c in LISTS_OF_LINKS])
def test_links_self_of_listed_authorizations_resolve(description, identity, template, as_identity, grant,
                                                      package_id):
    client = as_identity(identity)
    # Only this test's own grant, on whichever page: an org-wide list also shows other tests' grants (or other
    # clients'), which may be revoked between the list and the link.
    items, listed = every_item(client, template.format(ep=package_id), "SHAPE-06", f"{identity} reads {description}")
    for item in readings.listed(items, grant["id"], "SHAPE-06", f"{identity} reads {description}", listed):
        what = f"links.self of {grant['id']} in {description}"
        link = dig(item, "links", "self")
        expect.check(isinstance(link, str) and bool(link), "SHAPE-06", what, "a link to follow", repr(link), listed)
        response = client.get(link)
        expect.status(response, 200, "SHAPE-06", f"{identity} follows {what}")
        expect.equal(dig(expect.json_body(response, "SHAPE-06", what), "data", "id"), grant["id"], "SHAPE-06",
                     f"{what} leads to it", response)


# Where IDs appear: description, identity, path template, member of each resource, ID form in schemas/ids.json.
ID_SOURCES = [
    ("an authorization read by its ID", "owner", ONE, ("id",), "authorization_id"),
    ("authorizations in the package's list", "owner", PACKAGE_LIST, ("id",), "authorization_id"),
    ("authorizations in the authorized org's list", "authorized", ORG_LIST, ("id",), "authorization_id"),
    ("the related package's linkage", "owner", ONE, ("relationships", "extension_package", "data", "id"),
     "package_id"),
    ("the related package", "authorized", RELATED, ("id",), "package_id"),
    ("packages in the authorized org's catalog", "authorized", "/extension_packages", ("id",), "package_id"),
]


@pytest.mark.requirement("SHAPE-07")
@pytest.mark.parametrize("description, identity, template, member, form", ID_SOURCES,
                         ids=[case[0] for case in ID_SOURCES])
def test_ids_follow_the_reactor_form(description, identity, template, member, form, as_identity, grant, package_id):
    response = as_identity(identity).get(template.format(ea=grant["id"], ep=package_id))
    what = f"reading {description}"
    expect.status(response, 200, "SHAPE-07", what)
    resources = readings.resources(expect.json_body(response, "SHAPE-07", what), "SHAPE-07", what, response)
    if not resources:
        expect.unmet(f"{description}: the list held no item whose ID could be judged", response)
    if member != ("id",) and all(dig(resource, *member[:-1]) is None for resource in resources):
        expect.unmet(f"{description}: no {'.'.join(member[:-1])} (SHAPE-09 judges the linkage)", response)
    ids = [readings.resource_id(dig(resource, *member), "SHAPE-07", f"{what}: {'.'.join(member)}", response)
           for resource in resources]
    odd = {value: problems for value in ids if (problems := schema_errors(f"ids#/$defs/{form}", value))}
    expect.equal(odd, {}, "SHAPE-07", f"IDs of {description} not of the form schemas/ids.json#/$defs/{form}",
                 response)


@pytest.mark.requirement("SHAPE-08")
@pytest.mark.parametrize("description, identity, method, template, request_, gateway", ERRORS,
                         ids=[case[0] for case in ERRORS])
def test_errors_are_json_api_error_documents(description, identity, method, template, request_, gateway,
                                             as_identity, request, observe):
    response = send(as_identity(identity), method, template, request_, **row_values(request, template, request_))
    not_implemented = method not in API_METHODS and response.status_code == 501
    expect.check(400 <= response.status_code < 500 or not_implemented, "SHAPE-08", description,
                 "a 4xx" if method in API_METHODS else "a 4xx, or 501 for a method the API uses nowhere",
                 answers.describe(response), response)
    if gateway and response.status_code in (401, 403) and gateway_error(response):
        body = response.json()
        observe("SHAPE-08", f"{description}: HTTP {response.status_code} in the gateway's shape {sorted(body)}")
        expect.check(all(isinstance(body[key], str) and body[key] for key in answers.GATEWAY_SHAPE), "SHAPE-08",
                     description, "the gateway's error_code and message as non-empty strings", json.dumps(body),
                     response)
        return
    document = expect.document(response, "error", "SHAPE-08", description)
    statuses = [dig(error, "status") for error in document["errors"]]
    expect.check(all(status == str(response.status_code) for status in statuses), "SHAPE-08", description,
                 f'errors[].status = "{response.status_code}"', json.dumps(statuses), response)

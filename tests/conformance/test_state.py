"""STATE: the authorized org approves or rejects; nobody else decides, bad decisions change nothing."""

from __future__ import annotations

import time

import pytest

from reactor_conformance.checks import answers, api, cases, expect, readings

UNKNOWN = "EA" + "0" * 32
TIMESTAMP_TICK_S = 0.002  # Reactor timestamps have millisecond precision


def read_back(owner, authorization_id: str, requirement: str, what: str) -> dict:
    """The authorization's attributes as its owner reads them now."""
    response = owner.get(api.authorization_path(authorization_id))
    what = f"the owner reads the authorization {what}"
    expect.status(response, 200, requirement, what)
    return attributes_of(expect.json_body(response, requirement, what), requirement, what, response)


def attributes_of(document, requirement: str, what: str, response=None) -> dict:
    """``data.attributes`` of an answer (an object, or ``requirement`` fails)."""
    attributes = expect.member(document, "data.attributes", requirement, what, response)
    expect.check(isinstance(attributes, dict), requirement, what, "data.attributes: an object", repr(attributes),
                 response)
    return attributes


def before(grant: dict, requirement: str, *names: str) -> dict:
    """What the grant was when it was created, to compare with (its answer's attributes); each of ``names`` must be
    there, or a comparison would hold on two missing members."""
    attributes = attributes_of({"data": grant}, requirement, "the created authorization, to compare with")
    for name in names:
        expect.member(attributes, name, requirement, "the created authorization, to compare with")
    return attributes


def unchanged(owner, grant: dict, requirement: str, what: str, response) -> None:
    """Neither state nor updated_at moved since the grant."""
    after = read_back(owner, grant["id"], requirement, what)
    was = before(grant, requirement, "state", "updated_at")
    expect.equal((after.get("state"), after.get("updated_at")), (was["state"], was["updated_at"]),
                 requirement, f"state and updated_at {what}", response)


@pytest.mark.requirement("STATE-01", "STATE-02")
@pytest.mark.parametrize("decision, requirement", [("approved", "STATE-01"), ("rejected", "STATE-02")],
                         ids=["approved", "rejected"])
def test_the_authorized_org_decides(decision, requirement, authorized, owner, grant):
    earlier = before(grant, requirement).get("updated_at")
    started = readings.instant(earlier, requirement, "updated_at of the created authorization")
    time.sleep(TIMESTAMP_TICK_S)
    response = authorized.patch(api.authorization_path(grant["id"]), json=api.decision_document(grant["id"], decision))
    expect.status(response, 200, requirement, f"the authorized org sets {decision}")
    what = f"the answer to setting {decision}"
    body = expect.json_body(response, requirement, what)
    attributes = attributes_of(body, requirement, what, response)
    expect.equal((body["data"].get("id"), attributes.get("state")), (grant["id"], decision), requirement,
                 f"id and state in the answer to setting {decision}", response)
    moved = readings.instant(attributes.get("updated_at"), requirement, f"updated_at of {what}", response)
    expect.check(moved > started, requirement, "updated_at of the answer", f"later than {earlier}",
                 str(attributes.get("updated_at")), response)
    later = read_back(owner, grant["id"], requirement, f"after setting {decision}")
    expect.equal((later.get("state"), later.get("updated_at")), (decision, attributes["updated_at"]), requirement,
                 f"state and updated_at a later GET shows after setting {decision}")


# Who may not decide: description, identity, statuses that are a correct refusal.
REFUSED_DECIDERS = [
    ("the owner org, on its own grant", "owner", (403,)),
    ("an owner-org user without develop_extensions", "owner_limited", (403,)),
    ("an authorized-org user without manage_properties", "authorized_limited", (403,)),
    ("an outsider org", "outsider", (403, 404)),
]


@pytest.mark.requirement("STATE-03", "SHAPE-08")
@pytest.mark.parametrize("decision", ["approved", "rejected"])
@pytest.mark.parametrize("description, identity, refusals", REFUSED_DECIDERS, ids=[c[0] for c in REFUSED_DECIDERS])
def test_only_the_authorized_org_decides(description, identity, refusals, decision, as_identity, owner, grant):
    response = as_identity(identity).patch(api.authorization_path(grant["id"]),
                                           json=api.decision_document(grant["id"], decision))
    expect.status(response, refusals, "STATE-03", f"{description} sets {decision}")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    unchanged(owner, grant, "STATE-03", f"after {description} tried to set {decision}", response)


BAD_DECISIONS = cases.load("bad-decisions", requirement="STATE-04")  # cases/bad-decisions.json


@pytest.mark.requirement("STATE-04", "SHAPE-08")
@pytest.mark.parametrize("case", BAD_DECISIONS, ids=cases.ids(BAD_DECISIONS))
def test_bad_decisions_are_refused_and_change_nothing(case, authorized, owner, grant):
    response = authorized.patch(api.authorization_path(grant["id"]), **case.request(ea=grant["id"]))
    expect.client_error(response, "STATE-04", f"a decision with {case.description}")
    unchanged(owner, grant, "STATE-04", f"after a decision with {case.description}", response)


# Authorizations that are not there: description, ID ({deleted}: one the owner granted and deleted just before).
MISSING = [
    ("one that never existed", UNKNOWN),
    ("a malformed ID", "not-an-authorization"),
    ("one the owner deleted", "{deleted}"),
]


@pytest.mark.requirement("STATE-05", "SHAPE-08")
@pytest.mark.parametrize("description, authorization_id", MISSING, ids=[c[0] for c in MISSING])
def test_deciding_on_an_authorization_that_is_not_there_is_not_found(description, authorization_id, authorized,
                                                                     owner, grants):
    if authorization_id == "{deleted}":
        authorization_id = grants.create("authorized")["id"]
        expect.status(owner.delete(api.authorization_path(authorization_id)), 204, "REVOKE-01",
                      "setup: the owner revokes a pending authorization")
        grants.forget(authorization_id)
    response = authorized.patch(api.authorization_path(authorization_id),
                                json=api.decision_document(authorization_id, "approved"))
    expect.status(response, 404, "STATE-05", f"a decision on {description}")
    expect.document(response, "error", "SHAPE-08", "the refusal")


# Attributes a decision may not change: description, attribute, the value tried ({owner_org}, {authorized_org}).
READ_ONLY_ATTRIBUTES = [
    ("the authorized org becomes the owner's", "authorized_org_id", "{owner_org}"),
    ("the owner org becomes the authorized org", "owner_org_id", "{authorized_org}"),
    ("the package is renamed", "name", "renamed-by-the-authorized-org"),
]


@pytest.mark.requirement("STATE-06")
@pytest.mark.parametrize("description, attribute, value", READ_ONLY_ATTRIBUTES,
                         ids=[c[0] for c in READ_ONLY_ATTRIBUTES])
def test_attributes_other_than_state_are_read_only(description, attribute, value, authorized, owner, grant, org_of):
    value = api.substitute(value, owner_org=org_of("owner"), authorized_org=org_of("authorized"))
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "approved", **{attribute: value}))
    what = f"a decision that also sets {attribute} ({description})"
    expect.check(response.status_code == 200 or 400 <= response.status_code < 500, "STATE-06", what,
                 "a 4xx refusal, or 200 ignoring the attribute", answers.describe(response), response)
    if response.status_code == 200:  # ignored, it must be: the answer shows the attribute as it was
        answered = attributes_of(expect.json_body(response, "STATE-06", what), "STATE-06", what, response)
        expect.equal(answered.get(attribute), before(grant, "STATE-06", attribute)[attribute], "STATE-06",
                     f"{attribute} in the answer to {what}", response)
    after = read_back(owner, grant["id"], "STATE-06", f"after {what}")
    expect.equal(after.get(attribute), before(grant, "STATE-06", attribute)[attribute], "STATE-06",
                 f"{attribute} read back after {what}", response)


@pytest.mark.requirement("STATE-07")
@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_a_decision_cannot_go_back_to_pending(decision, authorized, owner, grant, grants):
    grants.decide(grant["id"], decision)
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "pending_approval"))
    expect.client_error(response, "STATE-07", f"{decision} → pending_approval")
    expect.equal(read_back(owner, grant["id"], "STATE-07", "after the refusal").get("state"), decision, "STATE-07",
                 f"the authorization stays {decision}", response)


def read_state(owner, authorization_id: str) -> str:
    """The stored state as the owner reads it, for an observation (an unreadable one is said so, never a break)."""
    response = owner.get(api.authorization_path(authorization_id))
    state = readings.dig(answers.body_of(response), "data", "attributes", "state")
    if response.status_code == 200 and state is not None:
        return str(state)
    return f"unreadable ({answers.describe(response)})"


@pytest.mark.requirement("STATE-08", "FUZZ-01")
def test_what_the_target_does_with_accepted(authorized, owner, grant, observe):
    """STATE-08 is observed; what it could break is FUZZ-01's (no 5xx), judged first, before the observation's
    read-back, so that nothing the read-back meets is told as FUZZ-01's."""
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "accepted"))
    expect.check(response.status_code < 500, "FUZZ-01", "a decision with the note's word 'accepted'", "no 5xx",
                 answers.describe(response), response)
    observe("STATE-08", f"state 'accepted' → HTTP {response.status_code}, stored state "
                        f"{read_state(owner, grant['id'])}")


@pytest.mark.requirement("STATE-09", "FUZZ-01")
@pytest.mark.parametrize("first, second", [("approved", "rejected"), ("rejected", "approved")],
                         ids=["approved to rejected", "rejected to approved"])
def test_what_the_target_does_when_a_decision_is_changed(first, second, authorized, owner, grant, grants, observe):
    grants.decide(grant["id"], first)
    response = authorized.patch(api.authorization_path(grant["id"]), json=api.decision_document(grant["id"], second))
    expect.check(response.status_code < 500, "FUZZ-01", f"{first} → {second}", "no 5xx",
                 answers.describe(response), response)
    observe("STATE-09", f"{first} → {second}: HTTP {response.status_code}, stored state "
                        f"{read_state(owner, grant['id'])}")

"""STATE: the authorized org approves or rejects; nobody else decides, bad decisions change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from reactor_conformance import api, expect


def read_state(owner, authorization_id: str) -> dict:
    return owner.get(api.authorization_path(authorization_id)).json()["data"]["attributes"]


@pytest.mark.parametrize("decision, requirement", [("approved", "STATE-01"), ("rejected", "STATE-02")])
@pytest.mark.requirement("STATE-01", "STATE-02", "SHAPE-02", "SHAPE-03")
def test_the_authorized_org_decides(decision, requirement, authorized, owner, grant):
    before = grant["attributes"]["updated_at"]
    response = authorized.patch(api.authorization_path(grant["id"]), json=api.decision_document(grant["id"], decision))
    expect.status(response, 200, requirement, f"the authorized org sets {decision}")
    data = expect.document(response, "authorization", "SHAPE-02", f"the {decision} authorization")["data"]
    expect.equal(data["attributes"]["state"], decision, requirement, f"the answer shows {decision}", response)
    expect.check(datetime.fromisoformat(data["attributes"]["updated_at"].replace("Z", "+00:00"))
                 > datetime.fromisoformat(before.replace("Z", "+00:00")), requirement,
                 "updated_at moves forward", f"later than {before}", data["attributes"]["updated_at"], response)
    later = owner.get(api.authorization_path(grant["id"]))
    expect.equal(later.json()["data"]["attributes"]["state"], decision, requirement,
                 f"a later GET shows {decision}", later)


# Who may not decide: identity, statuses that are a correct refusal, description.
REFUSED_DECIDERS = [
    ("owner", (403,), "the owner org, deciding on its own grant"),
    ("owner_limited", (403,), "an owner-org user without develop_extensions"),
    ("authorized_limited", (403,), "an authorized-org user without manage_properties"),
    ("outsider", (403, 404), "an outsider org"),
]


@pytest.mark.requirement("STATE-03", "SHAPE-08")
@pytest.mark.parametrize("identity, refusals, description", REFUSED_DECIDERS, ids=[c[0] for c in REFUSED_DECIDERS])
@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_only_the_authorized_org_decides(identity, refusals, description, decision, as_identity, owner, grant):
    response = as_identity(identity).patch(api.authorization_path(grant["id"]),
                                           json=api.decision_document(grant["id"], decision))
    expect.status(response, refusals, "STATE-03", f"{description} tries to set {decision}")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    expect.equal(read_state(owner, grant["id"])["state"], "pending_approval", "STATE-03",
                 f"the state is unchanged after {description} tried", response)


# Bad decision bodies: description, body (``{id}`` stands for the authorization's ID).
BAD_DECISIONS = [
    ("an unknown state", api.decision_document("{id}", "bogus")),
    ("an empty state", api.decision_document("{id}", "")),
    ("a null state", api.decision_document("{id}", None)),
    ("a numeric state", api.decision_document("{id}", 1)),
    ("no data member", {"meta": {}}),
    ("data is a list", {"data": []}),
    ("the wrong type", {"data": {"id": "{id}", "type": "extension_packages", "attributes": {"state": "approved"}}}),
    ("an id other than the path's", api.decision_document("EA" + "0" * 32, "approved")),
    ("not JSON", "{not json"),
]


@pytest.mark.requirement("STATE-04", "SHAPE-08")
@pytest.mark.parametrize("description, body", BAD_DECISIONS, ids=[c[0] for c in BAD_DECISIONS])
def test_bad_decisions_are_refused_and_change_nothing(description, body, authorized, owner, grant):
    path = api.authorization_path(grant["id"])
    if isinstance(body, str):
        response = authorized.patch(path, raw_body=body)
    else:
        response = authorized.patch(path, json=api.substitute(body, id=grant["id"]))
    expect.client_error(response, "STATE-04", f"a decision with {description}")
    after = read_state(owner, grant["id"])
    expect.equal(after["state"], "pending_approval", "STATE-04", f"a decision with {description} changes nothing",
                 response)
    expect.equal(after["updated_at"], grant["attributes"]["updated_at"], "STATE-04",
                 f"a decision with {description} leaves updated_at", response)


@pytest.mark.requirement("STATE-05", "SHAPE-08")
def test_deciding_on_an_unknown_or_deleted_authorization_is_not_found(authorized, owner, grants):
    unknown = "EA" + "0" * 32
    response = authorized.patch(api.authorization_path(unknown), json=api.decision_document(unknown, "approved"))
    expect.status(response, 404, "STATE-05", "a decision on an authorization that never existed")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    resource = grants.create("authorized")
    deleted = owner.delete(api.authorization_path(resource["id"]))
    expect.status(deleted, 204, "REVOKE-01", "setup: the owner revokes")
    grants.forget(resource["id"])
    response = authorized.patch(api.authorization_path(resource["id"]),
                                json=api.decision_document(resource["id"], "approved"))
    expect.status(response, 404, "STATE-05", "a decision on a deleted authorization")


READ_ONLY_ATTRIBUTES = [
    ("authorized_org_id", "someone-else@AdobeOrg"),
    ("owner_org_id", "someone-else@AdobeOrg"),
    ("name", "renamed-by-the-authorized-org"),
]


@pytest.mark.requirement("STATE-06")
@pytest.mark.parametrize("attribute, value", READ_ONLY_ATTRIBUTES, ids=[c[0] for c in READ_ONLY_ATTRIBUTES])
def test_attributes_other_than_state_are_read_only(attribute, value, authorized, owner, grant):
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "approved", **{attribute: value}))
    expect.check(response.status_code < 500, "STATE-06", f"a decision that also sets {attribute}",
                 "a 4xx refusal, or 200 ignoring the attribute", f"HTTP {response.status_code}", response)
    after = read_state(owner, grant["id"])
    expect.equal(after[attribute], grant["attributes"][attribute], "STATE-06",
                 f"{attribute} is never changed by a decision", response)


@pytest.mark.requirement("STATE-07")
@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_a_decision_cannot_go_back_to_pending(decision, authorized, owner, grant, grants):
    grants.decide(grant["id"], decision)
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "pending_approval"))
    expect.client_error(response, "STATE-07", f"{decision} → pending_approval")
    expect.equal(read_state(owner, grant["id"])["state"], decision, "STATE-07",
                 f"the authorization stays {decision}", response)


@pytest.mark.requirement("STATE-08", "FUZZ-01")
def test_what_the_target_does_with_accepted(authorized, owner, grant, observe):
    response = authorized.patch(api.authorization_path(grant["id"]),
                                json=api.decision_document(grant["id"], "accepted"))
    state = read_state(owner, grant["id"])["state"]
    observe("STATE-08", f"state 'accepted' → HTTP {response.status_code}, stored state {state}")
    expect.check(response.status_code < 500, "FUZZ-01", "a decision with the note's word 'accepted'",
                 "no 5xx", f"HTTP {response.status_code}", response)


@pytest.mark.requirement("STATE-09", "SHAPE-04")
@pytest.mark.parametrize("first, second", [("approved", "rejected"), ("rejected", "approved")])
def test_what_the_target_does_when_a_decision_is_changed(first, second, authorized, owner, grant, grants, observe):
    grants.decide(grant["id"], first)
    response = authorized.patch(api.authorization_path(grant["id"]), json=api.decision_document(grant["id"], second))
    state = read_state(owner, grant["id"])["state"]
    observe("STATE-09", f"{first} → {second}: HTTP {response.status_code}, stored state {state}")
    expect.check(state in api.STATES, "SHAPE-04", f"{first} → {second}", f"a state in {api.STATES}", state, response)

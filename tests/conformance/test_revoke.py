"""REVOKE: the owner deletes an authorization in any state; afterwards it is gone everywhere."""

from __future__ import annotations

import pytest

from reactor_conformance.checks import api, expect


def revoke(owner, grants, grant: dict, state: str):
    """Bring the grant to ``state`` and let the owner delete it; returns the DELETE's answer."""
    if state != "pending_approval":
        grants.decide(grant["id"], state)
    response = owner.delete(api.authorization_path(grant["id"]))
    expect.status(response, 204, "REVOKE-01", f"the owner revokes a {state} authorization")
    grants.forget(grant["id"])
    return response


@pytest.mark.requirement("REVOKE-01")
@pytest.mark.parametrize("state", api.STATES)
def test_the_owner_revokes_in_any_state(state, owner, grant, grants):
    response = revoke(owner, grants, grant, state)
    expect.no_content(response, "REVOKE-01", "the answer to a revocation")


@pytest.mark.requirement("REVOKE-02")
@pytest.mark.parametrize("state", ["pending_approval", "approved"])
def test_a_revoked_authorization_is_gone_everywhere(state, owner, authorized, grant, grants, package_id):
    revoke(owner, grants, grant, state)
    path = api.authorization_path(grant["id"])
    for client, who in ((owner, "the owner"), (authorized, "the authorized org")):
        expect.status(client.get(path), 404, "REVOKE-02", f"{who} reads the revoked authorization")
    listings = (
        (owner, api.package_authorizations_path(package_id), "the package's list"),
        (owner, api.AUTHORIZATIONS, "the owner org's list"),
        (authorized, api.AUTHORIZATIONS, "the authorized org's list"),
    )
    for client, list_path, what in listings:
        ids = api.list_ids(client, list_path)
        expect.check(ids is not None and grant["id"] not in ids, "REVOKE-02", f"{what} after the revocation",
                     "listed, without the revoked authorization", "refused" if ids is None else "still listed")
    expect.status(owner.delete(path), 404, "REVOKE-02", "a second DELETE of the revoked authorization")
    expect.status(authorized.patch(path, json=api.decision_document(grant["id"], "rejected")), 404, "REVOKE-02",
                  "a decision on the revoked authorization")


# Who may not revoke: description, identity, statuses that are a correct refusal.
REFUSED_REVOKERS = [
    ("the authorized org", "authorized", (403,)),
    ("an authorized-org user without manage_properties", "authorized_limited", (403,)),
    ("an owner-org user without develop_extensions", "owner_limited", (403,)),
    ("an outsider org", "outsider", (403, 404)),
]


@pytest.mark.requirement("REVOKE-03", "SHAPE-08")
@pytest.mark.parametrize("description, identity, refusals", REFUSED_REVOKERS, ids=[c[0] for c in REFUSED_REVOKERS])
def test_only_the_owner_revokes(description, identity, refusals, as_identity, owner, grant):
    response = as_identity(identity).delete(api.authorization_path(grant["id"]))
    expect.status(response, refusals, "REVOKE-03", f"{description} revokes")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    after = owner.get(api.authorization_path(grant["id"]))
    expect.status(after, 200, "REVOKE-03", f"the owner reads the authorization after {description} tried to revoke")
    state = expect.member(expect.json_body(after, "REVOKE-03", "the authorization read back"), "data.attributes.state",
                          "REVOKE-03", "the authorization read back", after)
    expect.equal(state, "pending_approval", "REVOKE-03",
                 f"the authorization is unchanged after {description} tried to revoke it", after)

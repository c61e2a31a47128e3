"""REVOKE: the owner deletes an authorization in any state; afterwards it is gone everywhere."""

from __future__ import annotations

import pytest

from reactor_conformance import api, expect


def revoke(owner, grants, authorization_id: str, what: str):
    response = owner.delete(api.authorization_path(authorization_id))
    expect.status(response, 204, "REVOKE-01", what)
    grants.forget(authorization_id)
    return response


@pytest.mark.requirement("REVOKE-01")
@pytest.mark.parametrize("state", ["pending_approval", "approved", "rejected"])
def test_the_owner_revokes_in_any_state(state, owner, grant, grants):
    if state != "pending_approval":
        grants.decide(grant["id"], state)
    response = revoke(owner, grants, grant["id"], f"the owner revokes a {state} authorization")
    expect.equal(response.content, b"", "REVOKE-01", "a 204 has no body", response)


@pytest.mark.requirement("REVOKE-02")
def test_a_revoked_authorization_is_gone_everywhere(owner, authorized, grant, grants, package_id):
    revoke(owner, grants, grant["id"], "the owner revokes")
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
    expect.status(owner.delete(path), 404, "REVOKE-02", "a second DELETE")
    expect.status(authorized.patch(path, json=api.decision_document(grant["id"], "approved")), 404, "REVOKE-02",
                  "a decision on the revoked authorization")


REFUSED_REVOKERS = [
    ("authorized", (403,), "the authorized org"),
    ("owner_limited", (403,), "an owner-org user without develop_extensions"),
    ("outsider", (403, 404), "an outsider org"),
]


@pytest.mark.requirement("REVOKE-03", "SHAPE-08")
@pytest.mark.parametrize("identity, refusals, description", REFUSED_REVOKERS, ids=[c[0] for c in REFUSED_REVOKERS])
def test_only_the_owner_revokes(identity, refusals, description, as_identity, owner, grant):
    response = as_identity(identity).delete(api.authorization_path(grant["id"]))
    expect.status(response, refusals, "REVOKE-03", f"{description} tries to revoke")
    expect.document(response, "error", "SHAPE-08", "the refusal")
    expect.status(owner.get(api.authorization_path(grant["id"])), 200, "REVOKE-03",
                  f"the authorization stays after {description} tried to revoke it")

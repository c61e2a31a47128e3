"""AUTH: every call carries a valid token, an API key and the caller's own org; IMS tokens work and renew."""

from __future__ import annotations

import dataclasses

import pytest

from reactor_conformance import api, expect
from reactor_conformance.client import ApiClient
from reactor_conformance.ims import ImsTokenSource

# Bad bearer credentials: description, headers to send instead, headers to leave out.
BAD_TOKENS = [
    ("no Authorization header", {}, ("Authorization",)),
    ("a token nobody issued", {"Authorization": "Bearer not-a-token-the-target-issued"}, ()),
    ("an empty bearer token", {"Authorization": "Bearer "}, ()),
    ("Basic instead of Bearer", {"Authorization": "Basic dXNlcjpwYXNz"}, ()),
]


def assert_no_data(response, requirement: str, what: str) -> None:
    body = response.json() if response.content and "json" in response.headers.get("Content-Type", "") else {}
    expect.check(not (isinstance(body, dict) and body.get("data")), requirement, what, "no data member",
                 "data was returned", response)


@pytest.mark.requirement("AUTH-01")
@pytest.mark.parametrize("description, headers, omit", BAD_TOKENS, ids=[c[0] for c in BAD_TOKENS])
def test_calls_without_a_valid_token_are_unauthorized(description, headers, omit, authorized, package_id):
    for path in (api.AUTHORIZATIONS, api.package_path(package_id)):
        response = authorized.get(path, headers=headers, omit_headers=omit)
        expect.status(response, 401, "AUTH-01", f"GET {path} with {description}")
        assert_no_data(response, "AUTH-01", f"GET {path} with {description}")


@pytest.mark.requirement("AUTH-02")
def test_calls_without_an_api_key_are_refused(owner, package_id):
    response = owner.get(api.package_path(package_id), omit_headers=("x-api-key",))
    expect.status(response, (400, 401, 403), "AUTH-02", "a call without x-api-key")
    assert_no_data(response, "AUTH-02", "a call without x-api-key")


@pytest.mark.requirement("AUTH-03")
def test_the_org_header_must_be_the_callers_org(authorized, owner, package_id, org_of):
    response = owner.get(api.package_path(package_id), omit_headers=("x-gw-ims-org-id",))
    expect.check(400 <= response.status_code < 500, "AUTH-03", "a call without x-gw-ims-org-id", "a 4xx",
                 f"HTTP {response.status_code}", response)
    assert_no_data(response, "AUTH-03", "a call without x-gw-ims-org-id")
    other_org = {"x-gw-ims-org-id": org_of("owner")}
    for path in (api.AUTHORIZATIONS, api.package_path(package_id)):
        response = authorized.get(path, headers=other_org)
        expect.check(400 <= response.status_code < 500, "AUTH-03",
                     f"the authorized org's token with the owner org's header on GET {path}", "a 4xx",
                     f"HTTP {response.status_code}", response)
        assert_no_data(response, "AUTH-03", "a call for another org")


@pytest.mark.requirement("AUTH-04")
def test_a_client_credentials_token_works_and_is_renewed(run, clients, package_id):
    owner = run.profile.identities["owner"]
    ims_url = run.profile.target.ims_url
    if not (owner.client_id and owner.client_secret and ims_url):
        pytest.skip("not run: the owner identity has no client credentials (client_id, client_secret) and ims_url")
    identity = dataclasses.replace(owner, access_token=None)
    tokens = ImsTokenSource(ims_url, identity)
    client = ApiClient(run.base_url, identity, tokens, session=clients["owner"].session)
    response = client.get(api.package_path(package_id))
    expect.status(response, 200, "AUTH-04", "a call with a token from the IMS client-credentials flow")
    first = tokens.token()
    tokens.invalidate()  # as if it expired: the next call must get a new one and succeed
    response = client.get(api.package_path(package_id))
    expect.status(response, 200, "AUTH-04", "a call after the token was renewed")
    expect.check(tokens.exchanges >= 2 and tokens.token() != first, "AUTH-04", "renewing an expired token",
                 "a second token exchange giving a fresh token", f"{tokens.exchanges} exchanges")
    stale = ApiClient(run.base_url, identity, StaleFirst(tokens), session=clients["owner"].session)
    response = stale.get(api.package_path(package_id))
    expect.status(response, 200, "AUTH-04", "a call whose cached token the target no longer accepts")


class StaleFirst:
    """A token source whose cached token has expired at the target: the client must renew it and go on."""

    refreshable = True

    def __init__(self, source: ImsTokenSource):
        self._source, self._stale = source, True

    def token(self) -> str:
        return "expired-token-from-an-earlier-exchange" if self._stale else self._source.token()

    def invalidate(self) -> None:
        self._stale = False
        self._source.invalidate()

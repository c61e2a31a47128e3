"""AUTH: every call carries a valid bearer token and an API key, and never acts for an org other than the
token's own, or it gets nothing; tokens from the IMS client-credentials flow work and are renewed when they
expire. A call without the org header (as Adobe's own tools make it) may be refused or served for the token's
own org: which one is observed, not judged. None of it writes."""

from __future__ import annotations

import dataclasses

import pytest

from reactor_conformance.checks import answers, api, expect
from reactor_conformance.client.api_client import ApiClient
from reactor_conformance.client.ims import ImsTokenSource
from reactor_conformance.errors import ConfigError, TargetError
from reactor_conformance.shapes import errors as schema_errors

ORG_LIST = api.AUTHORIZATIONS
PACKAGE = "/extension_packages/{ep}"
PACKAGE_LIST = "/extension_packages/{ep}/extension_package_usage_authorizations"

# Each case: description, identity whose credentials are sent, path template, headers sent instead of the
# identity's own ({org:NAME} is NAME's org ID), headers left out.
BAD_TOKENS = [
    ("no Authorization header, listing", "owner", ORG_LIST, {}, ("Authorization",)),
    ("no Authorization header, reading the package", "owner", PACKAGE, {}, ("Authorization",)),
    ("a garbage token", "owner", ORG_LIST, {"Authorization": "Bearer garbage"}, ()),
    ("a Basic credential", "owner", ORG_LIST, {"Authorization": "Basic b3duZXI6cGFzc3dvcmQ="}, ()),
    ("an empty token", "owner", ORG_LIST, {"Authorization": "Bearer "}, ()),
    ("a scheme without a token (Bearer)", "owner", PACKAGE, {"Authorization": "Bearer"}, ()),
]
BAD_API_KEYS = [
    ("no x-api-key, listing", "owner", ORG_LIST, {}, ("x-api-key",)),
    ("no x-api-key, reading the package", "owner", PACKAGE, {}, ("x-api-key",)),
    ("an empty x-api-key", "authorized", ORG_LIST, {"x-api-key": ""}, ()),
    ("an x-api-key nobody issued", "authorized", ORG_LIST, {"x-api-key": "0123456789abcdef0123456789abcdef"}, ()),
]
FOREIGN_ORG_HEADERS = [
    ("the authorized org's token naming the owner org, on the owner's list", "authorized", PACKAGE_LIST,
     {"x-gw-ims-org-id": "{org:owner}"}, ()),
    ("the authorized org's token naming the owner org, on the org's list", "authorized", ORG_LIST,
     {"x-gw-ims-org-id": "{org:owner}"}, ()),
    ("the owner's token naming the authorized org, on the org's list", "owner", ORG_LIST,
     {"x-gw-ims-org-id": "{org:authorized}"}, ()),
    ("the outsider's token naming the owner org, reading the package", "outsider", PACKAGE,
     {"x-gw-ims-org-id": "{org:owner}"}, ()),
]
# Without the org header: refused, or served for the token's own org. The outsider reading the owner's private
# package gets a refusal either way, since its own org may not see it.
NO_ORG_HEADER = [
    ("no x-gw-ims-org-id, the owner listing", "owner", ORG_LIST, {}, ("x-gw-ims-org-id",)),
    ("no x-gw-ims-org-id, the authorized org listing", "authorized", ORG_LIST, {}, ("x-gw-ims-org-id",)),
    ("no x-gw-ims-org-id, the owner listing the package's grants", "owner", PACKAGE_LIST, {}, ("x-gw-ims-org-id",)),
    ("no x-gw-ims-org-id, the owner reading its package", "owner", PACKAGE, {}, ("x-gw-ims-org-id",)),
    ("no x-gw-ims-org-id, the outsider reading the owner's package", "outsider", PACKAGE, {},
     ("x-gw-ims-org-id",)),
]
# The tests of calls without the org header hold their package while they run (``package_id`` is then the one their
# grants fixture leased): a parallel test that granted it to the outsider meanwhile would let the outsider read it.
HOLDS_THE_PACKAGE = "grants"


def send(case, as_identity, org_of, package_id):
    """Send one table row; returns the response."""
    _, identity, template, headers, omit = case
    headers = {name: org_of(value[5:-1]) if value.startswith("{org:") else value for name, value in headers.items()}
    return as_identity(identity).get(template.format(ep=package_id), headers=headers, omit_headers=omit)


def holds_no_data(response, requirement: str, what: str) -> None:
    """Whatever the refusal looks like, it carries no resource."""
    try:
        body = response.json()
    except ValueError:
        return
    expect.check(not (isinstance(body, dict) and body.get("data")), requirement, what, "no data member",
                 "data was returned", response)


def ids(cases) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.requirement("AUTH-01")
@pytest.mark.parametrize("case", BAD_TOKENS, ids=ids(BAD_TOKENS))
def test_calls_without_a_valid_bearer_token_are_unauthorized(case, as_identity, org_of, package_id):
    response = send(case, as_identity, org_of, package_id)
    expect.status(response, 401, "AUTH-01", f"a call with {case[0]}")
    holds_no_data(response, "AUTH-01", f"a call with {case[0]}")


@pytest.mark.requirement("AUTH-02")
@pytest.mark.parametrize("case", BAD_API_KEYS, ids=ids(BAD_API_KEYS))
def test_calls_without_a_known_api_key_are_refused(case, as_identity, org_of, package_id):
    response = send(case, as_identity, org_of, package_id)
    expect.status(response, (400, 401, 403), "AUTH-02", f"a call with {case[0]}")
    holds_no_data(response, "AUTH-02", f"a call with {case[0]}")


@pytest.mark.requirement("AUTH-03")
@pytest.mark.parametrize("case", FOREIGN_ORG_HEADERS, ids=ids(FOREIGN_ORG_HEADERS))
def test_an_org_header_naming_another_org_is_refused(case, as_identity, org_of, package_id):
    response = send(case, as_identity, org_of, package_id)
    expect.check(400 <= response.status_code < 500, "AUTH-03", f"a call with {case[0]}", "a 4xx refusal",
                 answers.describe(response), response)
    holds_no_data(response, "AUTH-03", f"a call with {case[0]}: never that org's data")


def belongs_to(resource, org: str) -> bool:
    """An authorization of which ``org`` is owner or grantee; any other resource (a package) owned by ``org``."""
    if not isinstance(resource, dict):
        return False
    attributes = resource.get("attributes") if isinstance(resource.get("attributes"), dict) else {}
    if resource.get("type") == api.AUTHORIZATION:
        return org in (attributes.get("owner_org_id"), attributes.get("authorized_org_id"))
    return attributes.get("owner_org_id") == org


def foreign_resources(document, org: str) -> list[str]:
    """The IDs of the answer's resources that are not ``org``'s."""
    data = document.get("data") if isinstance(document, dict) else None
    items = data if isinstance(data, list) else [data]
    return [str(item.get("id") if isinstance(item, dict) else item) for item in items if not belongs_to(item, org)]


@pytest.mark.requirement("AUTH-03")
@pytest.mark.parametrize("case", NO_ORG_HEADER, ids=ids(NO_ORG_HEADER))
@pytest.mark.usefixtures(HOLDS_THE_PACKAGE)
def test_a_call_without_the_org_header_is_refused_or_served_for_the_tokens_own_org(case, as_identity, org_of,
                                                                                   package_id, observe):
    """Either is conformant; which one the target does is recorded as an observation."""
    response = send(case, as_identity, org_of, package_id)
    what = f"a call with {case[0]}"
    if 400 <= response.status_code < 500:
        observe("AUTH-03", f"{case[0]}: refused with HTTP {response.status_code}")
        holds_no_data(response, "AUTH-03", f"{what}: refused, so no data")
        return
    expect.check(response.status_code == 200, "AUTH-03", what, "a 4xx refusal, or HTTP 200 for the token's own org",
                 answers.describe(response), response)
    org = org_of(case[1])
    foreign = foreign_resources(expect.json_body(response, "AUTH-03", what), org)
    expect.check(not foreign, "AUTH-03", f"{what}: served, so for the token's own org {org}",
                 "only data of the token's own org", f"data of another org: {', '.join(foreign)}", response)
    observe("AUTH-03", f"{case[0]}: served for the token's own org (HTTP 200)")


@pytest.mark.requirement("SHAPE-08")
@pytest.mark.parametrize("case", BAD_TOKENS + BAD_API_KEYS + FOREIGN_ORG_HEADERS,
                         ids=ids(BAD_TOKENS + BAD_API_KEYS + FOREIGN_ORG_HEADERS))
def test_authentication_refusals_are_error_documents(case, as_identity, org_of, package_id, observe):
    """A JSON:API error document; the gateway's ``{"error_code", "message"}`` is accepted on a 401 or 403."""
    response = send(case, as_identity, org_of, package_id)
    what = f"the refusal of a call with {case[0]}"
    expect.check(400 <= response.status_code < 500, "SHAPE-08", what, "a 4xx", answers.describe(response),
                 response)
    error_document(response, what, case[0], observe)


@pytest.mark.requirement("SHAPE-08")
@pytest.mark.parametrize("case", NO_ORG_HEADER, ids=ids(NO_ORG_HEADER))
@pytest.mark.usefixtures(HOLDS_THE_PACKAGE)
def test_refusals_of_calls_without_the_org_header_are_error_documents(case, as_identity, org_of, package_id,
                                                                      observe):
    """Judged where the target refuses the call; a call it serves is no refusal (AUTH-03 judges it), and any other
    answer (a 5xx, a redirect) is neither a refusal nor a service: no legal answer, so it fails here."""
    response = send(case, as_identity, org_of, package_id)
    what = f"the answer to a call with {case[0]}"
    if response.status_code == 200:
        expect.unmet(f"{case[0]}: the target served the call, so there is no refusal to judge (AUTH-03 judges what "
                     "it served)")
    expect.check(400 <= response.status_code < 500, "SHAPE-08", what,
                 "a 4xx refusal as an error document, or HTTP 200 serving the token's own org (AUTH-03's)",
                 answers.describe(response), response)
    error_document(response, f"the refusal of a call with {case[0]}", case[0], observe)


def error_document(response, what: str, case: str, observe) -> None:
    """A JSON:API error document whose ``errors[].status`` is the answer's, or the gateway's shape on 401/403."""
    document = expect.json_body(response, "SHAPE-08", what)
    if response.status_code in (401, 403) and answers.in_gateway_shape(document):
        observe("SHAPE-08", f"{case}: HTTP {response.status_code} in the gateway's error shape")
        return
    expect.media_type(response, "SHAPE-08", what)
    problems = schema_errors("error", document)
    expect.check(not problems, "SHAPE-08", what, "a JSON:API error document", "; ".join(problems), response)
    statuses = [error.get("status") for error in document["errors"]]
    expect.check(all(status == str(response.status_code) for status in statuses), "SHAPE-08", what,
                 f'errors[].status = "{response.status_code}"', str(statuses), response)


class StaleFirst:
    """A token source whose cached token the target no longer accepts: the client must renew it and go on."""

    refreshable = True

    def __init__(self, source: ImsTokenSource):
        self.source, self.stale = source, True

    def token(self) -> str:
        return "expired-token-from-an-earlier-exchange" if self.stale else self.source.token()

    def invalidate(self) -> None:
        self.stale = False
        self.source.invalidate()


@pytest.mark.requirement("AUTH-04")
def test_a_client_credentials_token_works_and_is_renewed(run, owner, package_id):
    ims_url = run.profile.target.ims_url
    if not (owner.identity.client_id and owner.identity.client_secret and ims_url):
        pytest.skip("not run: the owner identity has no client_id and client_secret, or the target no ims_url")
    identity = dataclasses.replace(owner.identity, access_token=None)
    tokens = ImsTokenSource(ims_url, identity, owner.session)
    client = ApiClient(run.base_url, identity, tokens, session=owner.session, limiter=owner.limiter)
    path = api.package_path(package_id)
    try:
        first = client.get(path)
    except (ConfigError, TargetError) as error:
        expect.fail("AUTH-04", "the IMS client-credentials exchange", "an access token", str(error))
    expect.status(first, 200, "AUTH-04", "a call with a token from the IMS client-credentials flow")

    tokens.invalidate()  # as if it had expired: the next call must fetch a new token and succeed
    renewed = client.get(path)
    expect.status(renewed, 200, "AUTH-04", "a call once the token was renewed")
    expect.check(tokens.exchanges >= 2, "AUTH-04", "renewing the token", "a second client-credentials exchange",
                 f"{tokens.exchanges} exchange(s)", renewed)

    stale = StaleFirst(tokens)
    retried = ApiClient(run.base_url, identity, stale, session=owner.session, limiter=owner.limiter).get(path)
    expect.status(retried, 200, "AUTH-04", "a call whose cached token has expired at the target")

"""IMS client credentials: the token exchange, caching and renewal before expiry, refused credentials and an
unreachable IMS in one line, and an expired token replaced without failing the call (AUTH-04)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl

import pytest
from stub_http import Handler, StoppedClock, serve, stop, unused_port

from reactor_conformance.client import redact
from reactor_conformance.client.api_client import ApiClient
from reactor_conformance.client.ims import ImsTokenSource, StaticToken, token_source_for
from reactor_conformance.client.profile import Identity
from reactor_conformance.errors import ConfigError, TargetError

CLIENT_ID, CLIENT_SECRET = "owner-client-id", "owner-client-secret-0987"
IDENTITY = Identity("owner", "ORG@AdobeOrg", CLIENT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                    scopes=("openid", "AdobeID", "read_organizations"))


class Ims(Handler):
    """An IMS token endpoint and an API that accepts only the newest token it issued."""

    def do_POST(self):
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        self.server.forms.append(form)
        if self.server.html:
            return self._send(200, b"<html>sign in</html>", "text/html")
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return self._send(401, json.dumps({"error": "invalid_client", "error_description": "no"}).encode())
        token = f"ims-token-{len(self.server.forms):04d}"
        self.server.valid = token
        self._send(200, json.dumps({"access_token": token, "token_type": "bearer",
                                    "expires_in": self.server.expires_in}).encode())

    def do_GET(self):
        accepted = self.headers.get("Authorization") == f"Bearer {self.server.valid}"
        self._send(200 if accepted else 401, b"{}", "application/vnd.api+json")

    def _send(self, status: int, body: bytes, content_type: str = "application/json"):
        self.answer(status, body, content_type)


@pytest.fixture
def ims():
    httpd = serve(Ims, forms=[], valid=None, html=False, expires_in=86400)
    yield httpd
    stop(httpd)


def test_the_exchange_sends_the_client_credentials_form(ims):
    source = ImsTokenSource(ims.url + "/", IDENTITY)
    assert source.token() == "ims-token-0001" and source.token() == "ims-token-0001"
    assert ims.forms == [{"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                          "scope": "openid,AdobeID,read_organizations"}]
    assert source.exchanges == 1 and source.url == ims.url + "/ims/token/v3"


# Renewal: description, expires_in, seconds later the cached token is still used, seconds later it is renewed.
RENEWALS = [
    ("a day: renewed a minute before expiry", 86400, 86400 - 61, 86400 - 60),
    ("100 s: renewed a tenth of it before expiry", 100, 89, 90),
    ("already expired: asked for again each time", 0, None, 0),
    ("no usable expires_in: kept until a 401", "soon", 10**9, None),
]


@pytest.mark.parametrize("description, expires_in, still_cached, renewed", RENEWALS, ids=[c[0] for c in RENEWALS])
def test_the_token_is_renewed_before_it_expires(description, expires_in, still_cached, renewed, ims):
    ims.expires_in = expires_in
    clock = StoppedClock(1000.0)
    source = ImsTokenSource(ims.url, IDENTITY, clock=clock)
    first = source.token()
    if still_cached is not None:
        clock.now = 1000.0 + still_cached
        assert source.token() == first
    if renewed is not None:
        clock.now = 1000.0 + renewed
        assert source.token() != first


def test_invalidate_forces_a_new_exchange(ims):
    source = ImsTokenSource(ims.url, IDENTITY)
    first = source.token()
    source.invalidate()
    assert source.token() != first and source.exchanges == 2


def test_concurrent_callers_share_one_exchange(ims):
    source = ImsTokenSource(ims.url, IDENTITY)
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _: source.token(), range(32)))
    assert tokens == {"ims-token-0001"} and len(ims.forms) == 1


def test_obtained_tokens_are_redacted(ims):
    token = ImsTokenSource(ims.url, IDENTITY).token()
    assert redact.redact(f"Bearer {token}") == "Bearer ***"
    assert redact.redact(f"t={token}", placeholders=True) == "t=$OWNER_TOKEN"


# Failures: description, how to break it, error, exact message (URL: the token endpoint).
FAILURES = [
    ("refused credentials", "wrong secret", ConfigError,
     "IMS at URL refused the credentials of identity 'owner': invalid_client"),
    ("an HTML page instead of IMS", "html", TargetError,
     "IMS at URL answered HTTP 200 with text/html, not an OAuth JSON document: is ims_url right?"),
    ("nothing listening", "unreachable", TargetError, "cannot reach IMS at URL: connection refused"),
]


@pytest.mark.parametrize("description, breakage, error, message", FAILURES, ids=[c[0] for c in FAILURES])
def test_failures_are_one_line_without_secrets(description, breakage, error, message, ims):
    identity, url = IDENTITY, ims.url
    if breakage == "wrong secret":
        identity = Identity("owner", "ORG@AdobeOrg", CLIENT_ID, client_id=CLIENT_ID, client_secret="wrong-secret-1")
    elif breakage == "html":
        ims.html = True
    else:
        url = f"http://127.0.0.1:{unused_port()}"
    with pytest.raises(error) as raised:
        ImsTokenSource(url, identity).token()
    assert str(raised.value) == message.replace("URL", url + "/ims/token/v3")
    assert CLIENT_SECRET not in str(raised.value) and "wrong-secret-1" not in str(raised.value)


def test_an_expired_token_is_replaced_without_failing_the_call(ims):
    """AUTH-04: the API stops accepting the cached token; the client renews it and the call succeeds."""
    source = ImsTokenSource(ims.url, IDENTITY)
    client = ApiClient(ims.url, IDENTITY, source)
    assert client.get("/api").status_code == 200
    ims.valid = "a token issued elsewhere"  # the cached one has expired at the target
    response = client.get("/api")
    assert response.status_code == 200 and response.exchange.retries == ["401: token renewed"]
    assert source.exchanges == 2


# Which source: description, identity, ims_url, expected type (or the error fragment).
SOURCES = [
    ("a static token wins", Identity("owner", "O", "key1", access_token="tok1", client_id="c", client_secret="s"),
     "http://ims", StaticToken),
    ("client credentials use IMS", IDENTITY, "http://ims", ImsTokenSource),
    ("client credentials without ims_url", IDENTITY, None, "no access_token and no ims_url"),
]


@pytest.mark.parametrize("description, identity, ims_url, expected", SOURCES, ids=[c[0] for c in SOURCES])
def test_token_source_for(description, identity, ims_url, expected):
    if isinstance(expected, str):
        with pytest.raises(ConfigError, match=expected):
            token_source_for(identity, ims_url)
    else:
        assert type(token_source_for(identity, ims_url)) is expected

"""Starting and configuring the reference server: its profile, IMS tokens and their expiry, faults,
the database file, and the answers of last resort."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import stat
import time
import tomllib

import pytest
import requests
from starlette.requests import Request
from stub_http import StoppedClock
from suite_runs import REQUEST_HANG_GUARD_S
from tomli_w import dumps

from reactor_conformance import JSON_API
from reactor_conformance.refserver.errors import unexpected_error_handler
from reactor_conformance.refserver.faults import ENVIRONMENT_VARIABLE, FAULTS
from reactor_conformance.refserver.seed import GRANTABLE_PACKAGES, IDENTITIES
from reactor_conformance.refserver.server import start_server

AUTHORIZATIONS = "/extension_package_usage_authorizations"
IDENTITY_KEYS = {"org_id", "api_key", "access_token", "client_id", "client_secret", "scopes"}
FIXTURE_KEYS = {"extension_package_id", "extension_package_ids", "other_extension_package_id",
                "public_extension_package_id", "property_id", "outsider_property_id"}


@contextlib.contextmanager
def without_fault_environment():
    saved = os.environ.pop(ENVIRONMENT_VARIABLE, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[ENVIRONMENT_VARIABLE] = saved


def started(**kwargs):
    with without_fault_environment():
        return start_server(**kwargs)


@pytest.fixture(scope="module")
def server():
    with started() as running:
        yield running


def call(server, identity: str, method: str, path: str, body=None, access_token: str | None = None):
    headers = server.headers(identity, access_token)
    if body is not None:
        headers["Content-Type"] = JSON_API
    return requests.request(method, server.base_url + path, headers=headers, timeout=REQUEST_HANG_GUARD_S,
                            data=None if body is None else json.dumps(body).encode())


def grant(server, identity: str = "owner") -> requests.Response:
    return call(server, identity, "POST", f"/extension_packages/{server.seed.fixtures['extension_package_id']}"
                f"{AUTHORIZATIONS}", {"data": {"type": AUTHORIZATIONS[1:],
                                               "attributes": {"authorized_org_id": server.seed.orgs["authorized"]}}})


def ims_token(server, **form) -> requests.Response:
    return requests.post(f"{server.base_url}/ims/token/v3", data=form, timeout=REQUEST_HANG_GUARD_S)


# -- the profile -----------------------------------------------------------------------------------
def test_the_profile_holds_every_identity_with_static_and_client_credentials(server):
    profile = server.profile()
    assert profile["target"] == {"base_url": server.base_url, "ims_url": server.base_url, "allow_writes": True}
    assert set(profile["fixtures"]) == FIXTURE_KEYS
    pool = [profile["fixtures"]["extension_package_id"], *profile["fixtures"]["extension_package_ids"]]
    assert len(set(pool)) == len(pool) == GRANTABLE_PACKAGES == 8, "a package to grant for each of eight workers"
    assert set(profile["identities"]) == set(IDENTITIES)
    for name, identity in profile["identities"].items():
        assert set(identity) == IDENTITY_KEYS, name
        assert identity["client_id"] == identity["api_key"] and identity["org_id"].endswith("@AdobeOrg")
    secrets = [i[key] for i in profile["identities"].values() for key in ("access_token", "client_secret")]
    assert len(set(secrets)) == len(secrets), "two identities share a secret"


def test_the_written_profile_is_private_toml_equal_to_the_profile(server, tmp_path):
    path = server.write_profile(tmp_path / "profile.toml")
    assert tomllib.loads(path.read_text("utf-8")) == server.profile()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# (description, a value the TOML writer must keep exactly)
TOML_STRINGS = [
    ("quotes and backslashes", 'say "hi" \\ C:\\path'),
    ("line breaks and tabs", "one\ntwo\r\n\tthree"),
    ("control characters", "\x00\x01\x1f\x7f\b\f"),
    ("non-ASCII", "Zürich — 東京 😀"),
    ("an environment reference", "${OWNER_TOKEN}"),
    ("an empty string", ""),
]


@pytest.mark.parametrize("description, value", TOML_STRINGS, ids=[c[0] for c in TOML_STRINGS])
def test_toml_strings_read_back_exactly(description, value):
    document = {"top": value, "flag": False, "table": {"key with spaces": value, "list": [value, "x"],
                                                       "inner.table": {"v": value}}}
    assert tomllib.loads(dumps(document)) == document, description


# -- IMS tokens ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def short_lived():
    """A server whose IMS tokens live one second of a clock the test moves."""
    clock = StoppedClock(time.time())
    with started(token_ttl=1, clock=clock) as running:
        yield running, clock


def test_an_ims_token_works_until_it_expires(short_lived):
    server, clock = short_lived
    identity = server.profile()["identities"]["authorized"]
    response = ims_token(server, grant_type="client_credentials", client_id=identity["client_id"],
                         client_secret=identity["client_secret"], scope=",".join(identity["scopes"]))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    issued = response.json()
    assert (issued["token_type"], issued["expires_in"]) == ("bearer", 1) and issued["access_token"]
    assert call(server, "authorized", "GET", AUTHORIZATIONS, access_token=issued["access_token"]).status_code \
           == 200
    clock.now += 1  # the token's whole second
    expired = call(server, "authorized", "GET", AUTHORIZATIONS, access_token=issued["access_token"])
    assert (expired.status_code, expired.json()["errors"][0]["code"]) == (401, "authentication-failure")
    assert call(server, "authorized", "GET", AUTHORIZATIONS).status_code == 200, "the static token expired"


# (description, form fields with "{id}"/"{secret}" for the identity's, status, OAuth error)
IMS_REFUSALS = [
    ("a wrong secret", {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": "nope"}, 401,
     "invalid_client"),
    ("an unknown client", {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "{secret}"},
     401, "invalid_client"),
    ("no secret", {"grant_type": "client_credentials", "client_id": "{id}"}, 401, "invalid_client"),
    ("another grant type", {"grant_type": "password", "client_id": "{id}", "client_secret": "{secret}"}, 400,
     "unsupported_grant_type"),
    ("no grant type", {"client_id": "{id}", "client_secret": "{secret}"}, 400, "unsupported_grant_type"),
]


@pytest.mark.parametrize("description, form, status, error", IMS_REFUSALS, ids=[c[0] for c in IMS_REFUSALS])
def test_bad_client_credentials_are_refused(description, form, status, error, server):
    identity = server.profile()["identities"]["owner"]
    filled = {k: v.replace("{id}", identity["client_id"]).replace("{secret}", identity["client_secret"])
              for k, v in form.items()}
    response = ims_token(server, **filled)
    assert (response.status_code, response.json()["error"]) == (status, error), description
    assert "access_token" not in response.json()


# -- faults (each fault's probe is in test_faults.py) -----------------------------------------------
def test_an_unknown_fault_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError) as refused:
        started(faults=("owner-can-approve", "no-such-fault"))
    assert "no-such-fault" in str(refused.value)
    assert all(name in str(refused.value) for name in FAULTS)


def test_faults_come_from_the_environment_unless_given(monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "plain-text-errors, owner-can-approve")
    with start_server() as from_environment:
        assert from_environment.faults == {"plain-text-errors", "owner-can-approve"}
    with start_server(faults=["delete-leaves-listed"]) as given:
        assert given.faults == {"delete-leaves-listed"}
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "typo")
    with pytest.raises(ValueError, match="typo"):
        start_server()


# -- arguments, the database file, stopping --------------------------------------------------------
def test_a_database_file_keeps_the_world_and_renews_the_credentials(tmp_path):
    database = tmp_path / "reactor.sqlite"
    with started(db=database) as first:
        created = grant(first).json()["data"]
        old_profile = first.profile()
    with started(db=str(database)) as second:
        assert second.profile()["fixtures"] == old_profile["fixtures"]
        listed = call(second, "owner", "GET", AUTHORIZATIONS).json()["data"]
        assert [item["id"] for item in listed] == [created["id"]]
        stale = call(second, "owner", "GET", AUTHORIZATIONS, access_token=old_profile["identities"]["owner"][
            "access_token"])
        assert stale.status_code == 401, "a token of an earlier start still works"


# (description, start_server arguments, words the error names)
BAD_ARGUMENTS = [
    ("a zero token TTL", {"token_ttl": 0}, "TTL"),
    ("a database in a missing directory", {"db": "/nonexistent/dir/reactor.sqlite"}, "database"),
]


@pytest.mark.parametrize("description, arguments, words", BAD_ARGUMENTS, ids=[c[0] for c in BAD_ARGUMENTS])
def test_bad_arguments_are_value_errors(description, arguments, words):
    with pytest.raises(ValueError, match=words):
        started(**arguments)


def test_a_taken_port_is_a_value_error(server):
    with pytest.raises(ValueError, match=str(server.port)):
        started(port=server.port)


def test_stop_closes_the_port():
    running = started()
    port = running.port
    running.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=REQUEST_HANG_GUARD_S).close()


def test_the_gzip_variant_compresses_every_body_and_gives_a_204_none():
    """A 204 has no content (RFC 9110 §15.3.5). Twenty bytes of gzip of nothing after one stay on a kept-alive
    connection, where the client reads them as the start of the next answer ("not HTTP")."""
    with started(variants=frozenset({"gzip"})) as server:
        created = grant(server)
        assert created.status_code == 201 and created.headers["Content-Encoding"] == "gzip"
        path = f"{AUTHORIZATIONS}/{created.json()['data']['id']}"
        headers = "".join(f"{key}: {value}\r\n" for key, value in server.headers("owner").items())
        with socket.create_connection(("127.0.0.1", server.port), timeout=REQUEST_HANG_GUARD_S) as connection:
            connection.sendall(f"DELETE {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                               f"Connection: close\r\n{headers}\r\n".encode())
            answer = b"".join(iter(lambda: connection.recv(65536), b""))  # to the end: the server closes
        head, _, content = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 204") and content == b"", answer


def test_an_unexpected_error_is_still_a_json_api_document_without_its_text():
    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""})
    response = asyncio.run(unexpected_error_handler(request, RuntimeError("secret detail")))
    document = json.loads(response.body)
    assert (response.status_code, response.media_type) == (500, JSON_API)
    assert document["errors"][0]["status"] == "500" and "secret" not in response.body.decode()

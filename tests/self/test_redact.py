"""Redaction: registered secrets are masked wherever they occur, credentials nobody registered too."""

from __future__ import annotations

import threading

import pytest

from reactor_conformance.client import redact
from reactor_conformance.client.redact import Secrets

TOKEN = "token-abcdef-123456"
SECRET = "s3cr3t-client-secret"

# description, text, masked, with placeholders.
CASES = [
    ("a registered token", f"x {TOKEN} y", "x *** y", "x $OWNER_TOKEN y"),
    ("a registered secret twice, inside other text", f"a={SECRET}&b={SECRET}!", "a=***&b=***!",
     "a=$OWNER_CLIENT_SECRET&b=$OWNER_CLIENT_SECRET!"),
    ("a secret that contains another registered one", "key-1234-and-more", "***", "$OWNER_API_KEY_LONG"),
    ("an unregistered bearer token", "Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***",
     "Authorization: Bearer ***"),
    ("an unregistered bearer token in lower case", "authorization: bearer abc.def", "authorization: bearer ***",
     "authorization: bearer ***"),
    ("a client secret in a form", "client_id=a&client_secret=plain&x=1", "client_id=a&client_secret=***&x=1",
     "client_id=a&client_secret=***&x=1"),
    ("an access token in an IMS answer", '{"access_token": "eyJ.unknown", "expires_in": 86399}',
     '{"access_token": "***", "expires_in": 86399}', '{"access_token": "***", "expires_in": 86399}'),
    ("a too short value is not a secret", "the key abc is short", "the key abc is short",
     "the key abc is short"),
    ("a secret of the least length is one", "the pin 9q7z is short", "the pin *** is short",
     "the pin $PIN is short"),
    ("nothing secret", "GET /extension_packages", "GET /extension_packages", "GET /extension_packages"),
    ("an empty text", "", "", ""),
]


@pytest.fixture
def secrets() -> Secrets:
    registry = Secrets()
    for name, value in (("OWNER_TOKEN", TOKEN), ("OWNER_CLIENT_SECRET", SECRET), ("OWNER_API_KEY", "key-1234"),
                        ("OWNER_API_KEY_LONG", "key-1234-and-more"), ("SHORT", "abc"), ("PIN", "9q7z")):
        registry.register(name, value)
    return registry


@pytest.mark.parametrize("description, text, masked, placeholders", CASES, ids=[c[0] for c in CASES])
def test_redaction(description, text, masked, placeholders, secrets):
    assert secrets.redact(text) == masked
    assert secrets.redact(text, placeholders=True) == placeholders


def test_placeholders_are_not_masked_again(secrets):
    line = secrets.redact(f'-H "Authorization: Bearer {TOKEN}"', placeholders=True)
    assert secrets.redact(line) == line == '-H "Authorization: Bearer $OWNER_TOKEN"'


def test_the_first_name_of_a_value_stays(secrets):
    secrets.register("AUTHORIZED_TOKEN", TOKEN)
    assert secrets.redact(TOKEN, placeholders=True) == "$OWNER_TOKEN"
    assert "AUTHORIZED_TOKEN" not in secrets.names() and "SHORT" not in secrets.names()


def test_a_registry_with_no_secret_masks_only_what_nobody_registered():
    assert Secrets().redact("key abc, Bearer eyJ.x") == "key abc, Bearer ***"


def test_forgotten_secrets_are_no_longer_masked(secrets):
    secrets.forget()
    assert secrets.redact(f"x {TOKEN} y") == f"x {TOKEN} y" and secrets.names() == frozenset()
    secrets.register("OWNER_TOKEN", TOKEN)
    assert secrets.redact(f"x {TOKEN} y") == "x *** y" and secrets.names() == {"OWNER_TOKEN"}


def test_registering_while_redacting_from_many_threads():
    registry = Secrets()
    values = [f"secret-value-{i:04d}" for i in range(200)]

    def register(part):
        for i, value in part:
            registry.register(f"S{i}", value)
            registry.redact(value)

    threads = [threading.Thread(target=register, args=(list(enumerate(values))[k::4],)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.redact(" ".join(values)) == " ".join(["***"] * len(values))


def test_the_module_functions_share_one_process_wide_registry():
    redact.register("OUTSIDER_TOKEN", "outsider-token-98765")
    assert redact.SECRETS.redact("outsider-token-98765") == "***"
    assert redact.redact("t=outsider-token-98765", placeholders=True) == "t=$OUTSIDER_TOKEN"
    assert "OUTSIDER_TOKEN" in redact.names()

"""Profiles and environment variables: what a person writes, and the one-line error for each mistake."""

from __future__ import annotations

import pytest

from reactor_conformance.errors import ConfigError
from reactor_conformance.settings import load_profile, profile_from_env

GOOD = """
[target]
base_url = "https://reactor.example.test/"
ims_url = "https://ims.example.test"

[fixtures]
extension_package_id = "EP1"
property_id = "PR1"

[identities.owner]
org_id = "O@AdobeOrg"
api_key = "owner-key"
access_token = "${OWNER_TOKEN}"

[identities.authorized]
org_id = "A@AdobeOrg"
api_key = "authorized-key"
client_id = "authorized-client"
client_secret = "${AUTHORIZED_SECRET}"
scopes = ["openid", "reactor"]
"""
ENV = {"OWNER_TOKEN": "owner-token-value", "AUTHORIZED_SECRET": "authorized-secret-value"}


def load(tmp_path, text, env=ENV):
    path = tmp_path / "profile.toml"
    path.write_text(text, "utf-8")
    return load_profile(path, env)


def test_a_good_profile(tmp_path):
    profile = load(tmp_path, GOOD)
    assert profile.target.base_url == "https://reactor.example.test"
    assert profile.identities["owner"].access_token == "owner-token-value"
    authorized = profile.identities["authorized"]
    assert authorized.uses_ims and authorized.scopes == ("openid", "reactor")
    assert set(authorized.secrets().values()) == {"authorized-key", "authorized-secret-value"}
    assert profile.with_base_url("http://127.0.0.1:9/").target.base_url == "http://127.0.0.1:9"


# Bad profiles: description, edit (old → new), fragment of the one-line message.
BAD_PROFILES = [
    ("not TOML", ("[target]", "[target"), "not valid TOML"),
    ("no base_url", ('base_url = "https://reactor.example.test/"', ""), "base_url is missing"),
    ("base_url not http", ("https://reactor.example.test/", "ftp://x"), "is not an http(s) URL"),
    ("no owner identity", ("[identities.owner]", "[identities.owner_limited]"), "[identities.owner] is missing"),
    ("an unknown identity", ("[identities.owner]", "[identities.boss]"), "unknown identity 'boss'"),
    ("no token nor client credentials", ('access_token = "${OWNER_TOKEN}"', ""), "needs access_token"),
    ("client credentials without ims_url", ('ims_url = "https://ims.example.test"', ""), "ims_url is not set"),
    ("no fixture package", ('extension_package_id = "EP1"', ""), "extension_package_id is missing"),
    ("an unknown identity key", ('api_key = "owner-key"', 'api_key = "owner-key"\ntoken = "x"'), "unknown key 'token'"),
    ("allow_writes not a boolean", ("[fixtures]", "allow_writes = \"yes\"\n[fixtures]"), "allow_writes must be"),
]


@pytest.mark.parametrize("description, edit, fragment", BAD_PROFILES, ids=[c[0] for c in BAD_PROFILES])
def test_bad_profiles_get_one_line(description, edit, fragment, tmp_path):
    old, new = edit
    assert old in GOOD
    with pytest.raises(ConfigError) as error:
        load(tmp_path, GOOD.replace(old, new, 1))
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_an_unset_variable_names_itself_and_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\$\{OWNER_TOKEN\} is not set \(identities.owner.access_token\)"):
        load(tmp_path, GOOD, env={"AUTHORIZED_SECRET": "s"})


def test_environment_only_configuration():
    env = {"REACTOR_BASE_URL": "http://127.0.0.1:5", "REACTOR_EXTENSION_PACKAGE_ID": "EP1",
           "REACTOR_OWNER_ORG_ID": "O", "REACTOR_OWNER_API_KEY": "k", "REACTOR_OWNER_ACCESS_TOKEN": "t",
           "REACTOR_AUTHORIZED_ORG_ID": "A", "REACTOR_AUTHORIZED_API_KEY": "k2", "REACTOR_IMS_URL": "http://ims",
           "REACTOR_AUTHORIZED_CLIENT_ID": "c", "REACTOR_AUTHORIZED_CLIENT_SECRET": "s",
           "REACTOR_AUTHORIZED_SCOPES": "a, b", "REACTOR_ALLOW_WRITES": "true"}
    profile = profile_from_env(env)
    assert profile.target.allow_writes and profile.identities["authorized"].scopes == ("a", "b")
    assert set(profile.identities) == {"owner", "authorized"}
    assert profile_from_env({}) is None

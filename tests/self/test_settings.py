"""Profiles and environment variables: what a person writes, and the one-line error for each mistake."""

from __future__ import annotations

import pytest

from reactor_conformance.client.profile import IDENTITY_NAMES, Identity, Profile, Target, load_profile, profile_from_env
from reactor_conformance.errors import ConfigError

TARGET = """
[target]
base_url = "https://reactor.example.test/"
ims_url = "https://ims.example.test"
"""
FIXTURES = """
[fixtures]
extension_package_id = "EP1"
property_id = "PR1"
"""
OWNER = """
[identities.owner]
org_id = "O@AdobeOrg"
api_key = "owner-key"
access_token = "${OWNER_TOKEN}"
"""
AUTHORIZED = """
[identities.authorized]
org_id = "A@AdobeOrg"
api_key = "authorized-key"
client_id = "authorized-client"
client_secret = "${AUTHORIZED_SECRET}"
scopes = ["openid", "reactor"]
"""
GOOD = TARGET + FIXTURES + OWNER + AUTHORIZED
ENV = {"OWNER_TOKEN": "owner-token-value", "AUTHORIZED_SECRET": "authorized-secret-value"}


def load(tmp_path, text: str, env=ENV):
    path = tmp_path / "staging.toml"
    path.write_text(text, "utf-8")
    return load_profile(path, env)


def test_a_good_profile(tmp_path):
    profile = load(tmp_path, GOOD)
    assert profile.target.base_url == "https://reactor.example.test" and not profile.target.allow_writes
    assert dict(profile.fixtures) == {"extension_package_id": "EP1", "property_id": "PR1"}
    assert list(profile.identities) == ["owner", "authorized"]
    assert profile.identities["owner"].access_token == "owner-token-value"
    authorized = profile.identities["authorized"]
    assert authorized.uses_ims and authorized.scopes == ("openid", "reactor")
    assert authorized.secrets() == {"AUTHORIZED_API_KEY": "authorized-key",
                                    "AUTHORIZED_CLIENT_SECRET": "authorized-secret-value"}
    assert profile.source == f"profile {tmp_path / 'staging.toml'}"
    assert profile.with_base_url("http://127.0.0.1:9/").target.base_url == "http://127.0.0.1:9"


# --target and the profile's ims_url: profile base_url, profile ims_url, --target, the ims_url the run uses.
TARGET_MOVES = [
    ("an IMS on the target's origin moves with it", "http://127.0.0.1:4010", "http://127.0.0.1:4010",
     "http://127.0.0.1:4011", "http://127.0.0.1:4011"),
    ("its path is kept", "http://127.0.0.1:4010/api", "http://127.0.0.1:4010/ims-proxy",
     "https://mock.example.test:8443/", "https://mock.example.test:8443/ims-proxy"),
    ("an IMS on another host stays", "https://reactor.example.test", "https://ims.example.test",
     "https://reactor-staging.example.test", "https://ims.example.test"),
    ("an IMS on another port of the same host stays", "http://127.0.0.1:4010", "http://127.0.0.1:4020",
     "http://127.0.0.1:4011", "http://127.0.0.1:4020"),
]


@pytest.mark.parametrize("base_url, ims_url, target, expected", [case[1:] for case in TARGET_MOVES],
                         ids=[case[0] for case in TARGET_MOVES])
def test_the_ims_url_follows_target_when_the_target_serves_it(tmp_path, base_url, ims_url, target, expected):
    text = GOOD.replace('"https://reactor.example.test/"', f'"{base_url}"').replace(
        '"https://ims.example.test"', f'"{ims_url}"')
    moved = load(tmp_path, text).with_base_url(target)
    assert (moved.target.base_url, moved.target.ims_url) == (target.rstrip("/"), expected)


@pytest.mark.parametrize("base_url, ims_url, target, expected", [case[1:] for case in TARGET_MOVES],
                         ids=[case[0] for case in TARGET_MOVES])
def test_the_target_serves_ims_exactly_when_its_ims_url_moves_with_it(base_url, ims_url, target, expected):
    """One rule for both: the IMS a run may fuzz is the one that follows ``--target``."""
    assert Target(base_url, ims_url).serves_ims == (expected != ims_url)
    assert not Target(base_url).serves_ims


def test_variables_are_replaced_in_every_string(tmp_path):
    text = GOOD.replace("https://reactor.example.test/", "https://${HOST}/").replace('"reactor"]', '"${SCOPE}"]')
    profile = load(tmp_path, text, {**ENV, "HOST": "reactor.adobe.io", "SCOPE": "additional_info"})
    assert profile.target.base_url == "https://reactor.adobe.io"
    assert profile.identities["authorized"].scopes == ("openid", "additional_info")


def test_secrets_stay_out_of_repr(tmp_path):
    shown = repr(load(tmp_path, GOOD))
    assert "owner-token-value" not in shown and "authorized-secret-value" not in shown and "owner-key" not in shown


# Bad profiles: description, TOML text, fragment of the one-line message.
BAD_PROFILES = [
    ("not TOML: the line is named", "[target\n" + FIXTURES, "is not valid TOML: Expected ']' at the end of a table "
     "declaration (at line 1, column 8)"),
    ("an unset variable names itself and the key", GOOD.replace("${OWNER_TOKEN}", "${STAGING_TOKEN}"),
     "staging.toml: ${STAGING_TOKEN} is not set (identities.owner.access_token)"),
    ("no [target] base_url", FIXTURES + OWNER + AUTHORIZED, ": target.base_url is missing"),
    ("base_url not http(s)", GOOD.replace("https://reactor.example.test/", "ftp://x"),
     "target.base_url 'ftp://x' is not an http(s) URL"),
    ("base_url without a host", GOOD.replace("https://reactor.example.test/", "https://"), "is not an http(s) URL"),
    ("base_url with a bad port", GOOD.replace("reactor.example.test/", "h:99999"), "has an invalid port"),
    ("ims_url not a URL", GOOD.replace("https://ims.example.test", "ims.example.test"),
     "target.ims_url 'ims.example.test' is not an http(s) URL"),
    ("allow_writes not a boolean", GOOD.replace("[fixtures]", 'allow_writes = "yes"\n[fixtures]'),
     "target.allow_writes must be true or false"),
    ("a misspelt target key", GOOD.replace("ims_url", "ims-url"), "unknown key in [target] 'ims-url'; allowed: "
     "base_url, ims_url, allow_writes"),
    ("no fixture package", TARGET + OWNER + AUTHORIZED, "fixtures.extension_package_id is missing"),
    ("a misspelt fixture", GOOD.replace("property_id", "propertyid"), "unknown key in [fixtures] 'propertyid'"),
    ("a fixture that is not a string", GOOD.replace('"PR1"', "1"), "fixtures.property_id must be a string"),
    ("no owner identity", TARGET + FIXTURES + AUTHORIZED,
     "[identities.owner] is missing; required identities: owner, authorized"),
    ("no authorized identity", TARGET + FIXTURES + OWNER, "[identities.authorized] is missing"),
    ("an unknown identity", GOOD + OWNER.replace("owner", "boss", 1),
     "unknown identity 'boss'; allowed: " + ", ".join(IDENTITY_NAMES)),
    ("a misspelt identity key", GOOD.replace("api_key", "apikey", 1), "unknown key in [identities.owner] 'apikey'"),
    ("no org_id", GOOD.replace('org_id = "O@AdobeOrg"', ""), "identities.owner.org_id is missing"),
    ("an api_key that is not a string", GOOD.replace('"owner-key"', "42"), "identities.owner.api_key must be a string"),
    ("neither token nor client credentials", GOOD.replace('access_token = "${OWNER_TOKEN}"', ""),
     "[identities.owner] needs access_token, or client_id and client_secret"),
    ("a client id without its secret", GOOD.replace('access_token = "${OWNER_TOKEN}"', 'client_id = "c"'),
     "[identities.owner] needs access_token, or client_id and client_secret"),
    ("client credentials without ims_url", GOOD.replace('ims_url = "https://ims.example.test"', ""),
     "[identities.authorized] uses client credentials but target.ims_url is not set"),
    ("scopes that are not strings", GOOD.replace('["openid", "reactor"]', "[1, 2]"),
     "identities.authorized.scopes must be a list of strings"),
    ("an unknown table", GOOD + "\n[identity.owner]\n", "unknown top-level table 'identity'"),
]


@pytest.mark.parametrize("description, text, fragment", BAD_PROFILES, ids=[c[0] for c in BAD_PROFILES])
def test_bad_profiles_get_one_line(description, text, fragment, tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert fragment in message and "\n" not in message
    assert message.startswith(f"profile {tmp_path / 'staging.toml'}")


def test_a_missing_profile_file(tmp_path):
    with pytest.raises(ConfigError, match=r"^profile .*nope\.toml does not exist$"):
        load_profile(tmp_path / "nope.toml")


def environment(**extra: str) -> dict[str, str]:
    return {"REACTOR_BASE_URL": "http://127.0.0.1:5/", "REACTOR_EXTENSION_PACKAGE_ID": "EP1",
            "REACTOR_OWNER_ORG_ID": "O", "REACTOR_OWNER_API_KEY": "owner-key", "REACTOR_OWNER_ACCESS_TOKEN": "t1234",
            "REACTOR_AUTHORIZED_ORG_ID": "A", "REACTOR_AUTHORIZED_API_KEY": "authorized-key",
            "REACTOR_AUTHORIZED_ACCESS_TOKEN": "t5678", **extra}


def test_environment_only_configuration():
    profile = profile_from_env(environment(
        REACTOR_IMS_URL="http://127.0.0.1:6", REACTOR_ALLOW_WRITES="true", REACTOR_PROPERTY_ID="PR1",
        REACTOR_OTHER_EXTENSION_PACKAGE_ID="EP2", REACTOR_OUTSIDER_PROPERTY_ID="PR2",
        REACTOR_OUTSIDER_ORG_ID="X", REACTOR_OUTSIDER_API_KEY="outsider-key", REACTOR_OUTSIDER_CLIENT_ID="c",
        REACTOR_OUTSIDER_CLIENT_SECRET="outsider-secret", REACTOR_OUTSIDER_SCOPES="openid, AdobeID,"))
    assert profile.target == Target("http://127.0.0.1:5", "http://127.0.0.1:6", True)
    assert dict(profile.fixtures) == {"extension_package_id": "EP1", "property_id": "PR1",
                                      "other_extension_package_id": "EP2", "outsider_property_id": "PR2"}
    assert list(profile.identities) == ["owner", "authorized", "outsider"]
    assert profile.identities["outsider"] == Identity("outsider", "X", "outsider-key", client_id="c",
                                                      client_secret="outsider-secret", scopes=("openid", "AdobeID"))
    assert profile.source == "environment"


def test_without_reactor_base_url_there_is_no_environment_profile():
    assert profile_from_env({"REACTOR_OWNER_ORG_ID": "O"}) is None


# Bad environments: description, variables changed (None: unset), fragment of the one-line message.
BAD_ENVIRONMENTS = [
    ("no fixture package", {"REACTOR_EXTENSION_PACKAGE_ID": None}, "environment: REACTOR_EXTENSION_PACKAGE_ID is missing"),
    ("no authorized identity", {"REACTOR_AUTHORIZED_ORG_ID": None, "REACTOR_AUTHORIZED_API_KEY": None,
                                "REACTOR_AUTHORIZED_ACCESS_TOKEN": None}, "REACTOR_AUTHORIZED_* is missing"),
    ("an identity without its API key", {"REACTOR_OWNER_API_KEY": None}, "REACTOR_OWNER_API_KEY is missing"),
    ("client credentials without an IMS URL", {"REACTOR_OWNER_ACCESS_TOKEN": None, "REACTOR_OWNER_CLIENT_ID": "c",
                                               "REACTOR_OWNER_CLIENT_SECRET": "s"}, "REACTOR_IMS_URL is not set"),
    ("allow_writes that is not a boolean", {"REACTOR_ALLOW_WRITES": "maybe"},
     "REACTOR_ALLOW_WRITES must be true or false, not 'maybe'"),
    ("a base URL that is not http(s)", {"REACTOR_BASE_URL": "reactor.adobe.io"},
     "REACTOR_BASE_URL 'reactor.adobe.io' is not an http(s) URL"),
]


@pytest.mark.parametrize("description, changes, fragment", BAD_ENVIRONMENTS, ids=[c[0] for c in BAD_ENVIRONMENTS])
def test_bad_environments_get_one_line(description, changes, fragment):
    variables = {key: value for key, value in {**environment(), **changes}.items() if value is not None}
    with pytest.raises(ConfigError) as error:
        profile_from_env(variables)
    assert fragment in str(error.value) and "\n" not in str(error.value)


# --target and the IMS URL: the profile's base URL and IMS URL, the --target given, the IMS URL the run uses.
TARGET_MOVES = [
    ("an IMS on the target's own origin (a mock) moves with it", "http://127.0.0.1:4010",
     "http://127.0.0.1:4010", "http://127.0.0.1:5555/", "http://127.0.0.1:5555"),
    ("an IMS with a path on that origin keeps its path", "http://127.0.0.1:4010/api",
     "http://127.0.0.1:4010/ims", "http://127.0.0.1:5555", "http://127.0.0.1:5555/ims"),
    ("an IMS elsewhere stays", "https://reactor.example.test", "https://ims-na1.adobelogin.com",
     "https://reactor-stage.example.test", "https://ims-na1.adobelogin.com"),
    ("no IMS stays none", "https://reactor.example.test", None, "https://reactor-stage.example.test", None),
]


@pytest.mark.parametrize("description, base_url, ims_url, target, moved", TARGET_MOVES,
                         ids=[c[0] for c in TARGET_MOVES])
def test_target_moves_an_ims_served_by_the_target_itself(description, base_url, ims_url, target, moved):
    profile = Profile(Target(base_url, ims_url), {}, {})
    assert profile.with_base_url(target).target.ims_url == moved

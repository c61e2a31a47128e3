"""The world the reference server starts with: three orgs and a publisher, five users with different
rights, their credentials, two private packages, a public one and two properties.

IDs are random once per database (a database file keeps them across restarts); credentials are random
on every start, so a profile written by an earlier start stops working.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from .store import Store, User, new_id

SEED_KEY = "seed"
SCOPES = ("openid", "AdobeID", "read_organizations", "additional_info.projectedProductContext")

# org key → org name
ORGS = {
    "owner": "Reactor QE",
    "authorized": "Platform UI - INT",
    "outsider": "Outsider Inc",
    "publisher": "Public Extensions Co",  # owns the public package; has no identity
}

# identity → (org key, email, display name, develop_extensions, manage_properties)
IDENTITIES = {
    "owner": ("owner", "olivia.owner@reactor-qe.example", "Olivia Owner", True, False),
    "owner_limited": ("owner", "oscar.limited@reactor-qe.example", "Oscar Limited", False, True),
    "authorized": ("authorized", "ada.authorized@platform-ui.example", "Ada Authorized", False, True),
    "authorized_limited": ("authorized", "arne.limited@platform-ui.example", "Arne Limited", True, False),
    "outsider": ("outsider", "xena.outsider@outsider.example", "Xena Outsider", True, True),
}

# fixture name → (org key, name, display name, platform, version, availability)
PACKAGES = {
    "extension_package_id": ("owner", "acme-private", "Acme Private", "web", "1.0.0", "private"),
    "other_extension_package_id": ("owner", "acme-analytics", "Acme Analytics", "web", "1.0.0", "private"),
    "public_extension_package_id": ("publisher", "core-public", "Core Public", "web", "2.1.0", "public"),
}

# More private packages of the owner org, each its own family, for nothing but grants: a profile's
# `extension_package_ids`, so that parallel workers grant at once.
POOL = [("owner", f"acme-private-{n}", f"Acme Private {n}", "web", "1.0.0", "private") for n in range(2, 9)]
GRANTABLE_PACKAGES = 1 + len(POOL)  # the fixture package and the pool: how many tests may grant at once

# fixture name → (org key, property name)
PROPERTIES = {
    "property_id": ("authorized", "Platform UI web property"),
    "outsider_property_id": ("outsider", "Outsider web property"),
}


@dataclass(frozen=True)
class Seed:
    orgs: dict[str, str]  # org key → org ID
    users: dict[str, str]  # identity → user ID
    fixtures: dict[str, str]  # fixture name → package or property ID
    pool: tuple[str, ...] = ()  # extension_package_ids


@dataclass(frozen=True)
class Credentials:
    api_key: str  # also the IMS client_id
    client_secret: str
    access_token: str  # static: never expires
    scopes: tuple[str, ...] = SCOPES


def seed(store: Store) -> Seed:
    """The seeded world, created on first use of the store and read back afterwards."""
    saved = store.get_meta(SEED_KEY)
    if saved is not None:
        saved = json.loads(saved)
        return Seed(**{**saved, "pool": tuple(saved.get("pool", ()))})
    orgs = {key: uuid.uuid4().hex[:24].upper() + "@AdobeOrg" for key in ORGS}
    for key, name in ORGS.items():
        store.add_org(orgs[key], name)
    users = {}
    for identity, (org, email, display_name, develop, manage) in IDENTITIES.items():
        users[identity] = new_id("US")
        store.add_user(User(users[identity], orgs[org], email, display_name, develop, manage))
    fixtures = {}
    for fixture, (org, name, display_name, platform, version, availability) in PACKAGES.items():
        fixtures[fixture] = store.add_package(orgs[org], name, display_name, platform, version, availability)["id"]
    pool = tuple(store.add_package(orgs[org], *package)["id"] for org, *package in POOL)
    for fixture, (org, name) in PROPERTIES.items():
        fixtures[fixture] = store.add_property(orgs[org], name)
    result = Seed(orgs, users, fixtures, pool)
    store.set_meta(SEED_KEY, json.dumps(result.__dict__))
    return result


def issue_credentials(store: Store, world: Seed) -> dict[str, Credentials]:
    """Fresh API keys, client secrets and static tokens for every identity; earlier ones stop working."""
    issued = {identity: Credentials(api_key=secrets.token_hex(16), client_secret="p8e-" + secrets.token_urlsafe(24),
                                    access_token="rcat_" + secrets.token_urlsafe(32))
              for identity in IDENTITIES}
    store.replace_credentials((c.api_key, c.client_secret, world.users[identity], c.access_token)
                              for identity, c in issued.items())
    return issued

"""The target and its org identities, from a profile TOML or from ``REACTOR_*`` environment variables.

Every way the input can be wrong ends in one ``ConfigError`` sentence naming where the mistake is:
the file and the key (``identities.owner.api_key``), or the variable (``REACTOR_OWNER_API_KEY``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

from .errors import ConfigError

IDENTITY_NAMES = ("owner", "owner_limited", "authorized", "authorized_limited", "outsider")
REQUIRED_IDENTITIES = ("owner", "authorized")
TARGET_KEYS = ("base_url", "ims_url", "allow_writes")
FIXTURE_KEYS = ("extension_package_id", "property_id", "other_extension_package_id", "outsider_property_id",
                "public_extension_package_id")
IDENTITY_KEYS = ("org_id", "api_key", "access_token", "client_id", "client_secret", "scopes")
ENV_PREFIX = "REACTOR_"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Identity:
    """One user of one org. Secrets are kept out of ``repr`` so that no traceback prints them."""

    name: str
    org_id: str
    api_key: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = ()

    @property
    def uses_ims(self) -> bool:
        """No static token: the token comes from the IMS client-credentials exchange."""
        return not self.access_token and bool(self.client_id and self.client_secret)

    def secrets(self) -> dict[str, str]:
        """Placeholder name → secret value (``OWNER_TOKEN``, ``OWNER_API_KEY``, ``OWNER_CLIENT_SECRET``)."""
        prefix = self.name.upper()
        pairs = {f"{prefix}_TOKEN": self.access_token, f"{prefix}_API_KEY": self.api_key,
                 f"{prefix}_CLIENT_SECRET": self.client_secret}
        return {name: value for name, value in pairs.items() if value}


@dataclass(frozen=True)
class Target:
    base_url: str
    ims_url: str | None = None
    allow_writes: bool = False


@dataclass(frozen=True)
class Profile:
    target: Target
    fixtures: Mapping[str, str]
    identities: Mapping[str, Identity]
    source: str = "profile"

    def with_base_url(self, base_url: str) -> Profile:
        """The same identities aimed at another URL (``--target``)."""
        _check_url(base_url, f"{self.source}: --target")
        return replace(self, target=replace(self.target, base_url=base_url.rstrip("/")))


class _Origin:
    """Where the values came from, so that an error names the key or the variable a person must fix."""

    def __init__(self, source: str, from_environment: bool):
        self.source, self.from_environment = source, from_environment

    def key(self, table: str, *keys: str) -> str:
        if self.from_environment:
            return ENV_PREFIX + "_".join(key.upper() for key in keys)
        return ".".join((table, *keys))

    def identity_table(self, name: str) -> str:
        return f"{ENV_PREFIX}{name.upper()}_*" if self.from_environment else f"[identities.{name}]"

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {message}")


def load_profile(path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Profile:
    """Read and check a profile TOML; ``${VAR}`` in any string is taken from ``environ`` (default: the process's)."""
    source = f"profile {path}"
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source} cannot be read: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # tomllib's message carries "(at line N, column M)"
        raise ConfigError(f"{source} is not valid TOML: {error}") from None
    origin = _Origin(source, from_environment=False)
    return _build(_interpolate(data, os.environ if environ is None else environ, origin, ()), origin)


def profile_from_env(environ: Mapping[str, str] | None = None) -> Profile | None:
    """The profile given by ``REACTOR_*`` variables, or None when ``REACTOR_BASE_URL`` is unset."""
    environ = os.environ if environ is None else environ
    if not environ.get(f"{ENV_PREFIX}BASE_URL"):
        return None
    origin = _Origin("environment", from_environment=True)

    def get(*keys: str) -> str:
        return environ.get(origin.key("", *keys), "").strip()

    allow_writes = get("allow_writes").lower()
    if allow_writes not in _TRUE + _FALSE:
        raise origin.error(f"{origin.key('target', 'allow_writes')} must be true or false, not {allow_writes!r}")
    data: dict = {"target": {"base_url": get("base_url"), "ims_url": get("ims_url"),
                             "allow_writes": allow_writes in _TRUE},
                  "fixtures": {key: get(key) for key in FIXTURE_KEYS}, "identities": {}}
    for name in IDENTITY_NAMES:
        values = {key: get(name, key) for key in IDENTITY_KEYS}
        if any(values.values()):
            data["identities"][name] = {key: value for key, value in values.items() if value}
    return _build(data, origin)


def _build(data: Mapping, origin: _Origin) -> Profile:
    _no_unknown_keys(data, ("target", "fixtures", "identities"), "top-level table", origin)
    target = _table(data, "target", origin)
    _no_unknown_keys(target, TARGET_KEYS, "key in [target]", origin)
    base_url = target.get("base_url")
    if not base_url:
        raise origin.error(f"{origin.key('target', 'base_url')} is missing")
    _check_url(base_url, f"{origin.source}: {origin.key('target', 'base_url')}")
    ims_url = target.get("ims_url") or None
    if ims_url:
        _check_url(ims_url, f"{origin.source}: {origin.key('target', 'ims_url')}")
    allow_writes = target.get("allow_writes", False)
    if not isinstance(allow_writes, bool):
        raise origin.error(f"{origin.key('target', 'allow_writes')} must be true or false")

    fixtures = _table(data, "fixtures", origin)
    _no_unknown_keys(fixtures, FIXTURE_KEYS, "key in [fixtures]", origin)
    for key, value in fixtures.items():
        if not isinstance(value, str):
            raise origin.error(f"{origin.key('fixtures', key)} must be a string")
    if not fixtures.get("extension_package_id"):
        raise origin.error(f"{origin.key('fixtures', 'extension_package_id')} is missing "
                           "(a private package of the owner org)")

    tables = _table(data, "identities", origin)
    for name in tables:
        if name not in IDENTITY_NAMES:
            raise origin.error(f"unknown identity {name!r}; allowed: {', '.join(IDENTITY_NAMES)}")
    for name in REQUIRED_IDENTITIES:
        if name not in tables:
            raise origin.error(f"{origin.identity_table(name)} is missing; "
                               f"required identities: {', '.join(REQUIRED_IDENTITIES)}")
    identities = {name: _identity(name, tables[name], ims_url, origin) for name in IDENTITY_NAMES if name in tables}
    return Profile(Target(base_url.rstrip("/"), ims_url.rstrip("/") if ims_url else None, allow_writes),
                   MappingProxyType({key: value for key, value in fixtures.items() if value}),
                   MappingProxyType(identities), origin.source)


def _identity(name: str, table, ims_url: str | None, origin: _Origin) -> Identity:
    if not isinstance(table, Mapping):
        raise origin.error(f"{origin.identity_table(name)} must be a table")
    _no_unknown_keys(table, IDENTITY_KEYS, f"key in {origin.identity_table(name)}", origin)

    def string(key: str, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None or value == "":
            if required:
                raise origin.error(f"{origin.key('identities', name, key)} is missing")
            return None
        if not isinstance(value, str):
            raise origin.error(f"{origin.key('identities', name, key)} must be a string")
        return value

    identity = Identity(name=name, org_id=string("org_id", required=True), api_key=string("api_key", required=True),
                        access_token=string("access_token"), client_id=string("client_id"),
                        client_secret=string("client_secret"), scopes=_scopes(table.get("scopes"), name, origin))
    if not identity.access_token and not (identity.client_id and identity.client_secret):
        raise origin.error(f"{origin.identity_table(name)} needs access_token, or client_id and client_secret")
    if identity.uses_ims and not ims_url:
        raise origin.error(f"{origin.identity_table(name)} uses client credentials but "
                           f"{origin.key('target', 'ims_url')} is not set")
    return identity


def _scopes(value, name: str, origin: _Origin) -> tuple[str, ...]:
    """A list of strings, or one comma-separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(scope, str) for scope in value):
        raise origin.error(f"{origin.key('identities', name, 'scopes')} must be a list of strings")
    return tuple(scope.strip() for scope in value if scope.strip())


def _table(data: Mapping, key: str, origin: _Origin) -> Mapping:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise origin.error(f"{key} must be a table ([{key}])")
    return value


def _no_unknown_keys(table: Mapping, allowed: tuple[str, ...], what: str, origin: _Origin) -> None:
    """A misspelt key would otherwise be ignored silently and the value it was meant to set missed."""
    for key in table:
        if key not in allowed:
            raise origin.error(f"unknown {what} {key!r}; allowed: {', '.join(allowed)}")


def _check_url(url, where: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where} {url!r} is not an http(s) URL")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{where} {url!r} has an invalid port") from None


def _interpolate(value, environ: Mapping[str, str], origin: _Origin, where: tuple[str, ...]):
    """Replace ``${VAR}`` in every string; an unset variable is an error naming it and the key."""
    if isinstance(value, Mapping):
        return {key: _interpolate(item, environ, origin, (*where, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, environ, origin, where) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise origin.error(f"${{{name}}} is not set ({'.'.join(where)})")
        return environ[name]

    return _VARIABLE.sub(substitute, value)

"""The target and its org identities, from a profile TOML or from ``REACTOR_*`` environment variables.

Every way the input can be wrong ends in one ``ConfigError`` sentence that names the file and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

from .errors import ConfigError

IDENTITY_NAMES = ("owner", "owner_limited", "authorized", "authorized_limited", "outsider")
REQUIRED_IDENTITIES = ("owner", "authorized")
FIXTURE_KEYS = ("extension_package_id", "property_id", "other_extension_package_id", "outsider_property_id",
                "public_extension_package_id")
IDENTITY_KEYS = ("org_id", "api_key", "access_token", "client_id", "client_secret", "scopes")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Identity:
    name: str
    org_id: str
    api_key: str
    access_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def uses_ims(self) -> bool:
        return not self.access_token and bool(self.client_id and self.client_secret)

    def secrets(self) -> dict[str, str]:
        """Placeholder name → secret value, for redaction (``$OWNER_TOKEN`` …)."""
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

    def with_base_url(self, base_url: str) -> "Profile":
        _check_url(base_url, "--target", self.source)
        return replace(self, target=replace(self.target, base_url=base_url.rstrip("/")))


def load_profile(path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Profile:
    path = Path(path)
    source = f"profile {path}"
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source} cannot be read: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML: {error}") from None
    return build_profile(_interpolate(data, os.environ if environ is None else environ, source, ()), source)


def build_profile(data: Mapping, source: str) -> Profile:
    target = _table(data, "target", source)
    base_url = target.get("base_url")
    if not base_url:
        raise ConfigError(f"{source}: [target] base_url is missing")
    _check_url(base_url, "target.base_url", source)
    ims_url = target.get("ims_url") or None
    if ims_url:
        _check_url(ims_url, "target.ims_url", source)
    allow_writes = target.get("allow_writes", False)
    if not isinstance(allow_writes, bool):
        raise ConfigError(f"{source}: target.allow_writes must be true or false")
    fixtures = {k: str(v) for k, v in _table(data, "fixtures", source).items() if v}
    if not fixtures.get("extension_package_id"):
        raise ConfigError(f"{source}: [fixtures] extension_package_id is missing")
    tables = _table(data, "identities", source)
    unknown = [name for name in tables if name not in IDENTITY_NAMES]
    if unknown:
        raise ConfigError(f"{source}: unknown identity {unknown[0]!r}; allowed: {', '.join(IDENTITY_NAMES)}")
    for name in REQUIRED_IDENTITIES:
        if name not in tables:
            raise ConfigError(f"{source}: [identities.{name}] is missing (required: {', '.join(REQUIRED_IDENTITIES)})")
    identities = {name: _identity(name, tables[name], ims_url, source) for name in IDENTITY_NAMES if name in tables}
    return Profile(Target(base_url.rstrip("/"), ims_url and ims_url.rstrip("/"), allow_writes),
                   MappingProxyType(fixtures), MappingProxyType(identities), source)


def profile_from_env(environ: Mapping[str, str]) -> Profile | None:
    """The profile given by ``REACTOR_*`` variables, or None when ``REACTOR_BASE_URL`` is unset."""
    if not environ.get("REACTOR_BASE_URL"):
        return None
    get = lambda key: environ.get(f"REACTOR_{key}", "").strip()  # noqa: E731
    data: dict = {
        "target": {"base_url": get("BASE_URL"), "ims_url": get("IMS_URL"),
                   "allow_writes": get("ALLOW_WRITES").lower() in ("1", "true", "yes")},
        "fixtures": {key: get(key.upper()) for key in FIXTURE_KEYS},
        "identities": {},
    }
    for name in IDENTITY_NAMES:
        values = {key: get(f"{name.upper()}_{key.upper()}") for key in IDENTITY_KEYS}
        if any(values.values()):
            values["scopes"] = [s.strip() for s in values["scopes"].split(",") if s.strip()]
            data["identities"][name] = values
    return build_profile(data, "environment (REACTOR_*)")


def _identity(name: str, table, ims_url: str | None, source: str) -> Identity:
    where = f"{source}: identities.{name}"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    unknown = [key for key in table if key not in IDENTITY_KEYS]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(IDENTITY_KEYS)}")
    for key in ("org_id", "api_key"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise ConfigError(f"{where}.{key} is missing")
    scopes = table.get("scopes") or ()
    if isinstance(scopes, str):
        scopes = [s.strip() for s in scopes.split(",") if s.strip()]
    identity = Identity(name=name, org_id=table["org_id"], api_key=table["api_key"],
                        access_token=table.get("access_token") or None, client_id=table.get("client_id") or None,
                        client_secret=table.get("client_secret") or None, scopes=tuple(scopes))
    if not identity.access_token and not (identity.client_id and identity.client_secret):
        raise ConfigError(f"{where} needs access_token, or client_id and client_secret")
    if identity.uses_ims and not ims_url:
        raise ConfigError(f"{where} uses client credentials but target.ims_url is not set")
    return identity


def _table(data: Mapping, key: str, source: str) -> Mapping:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: {key} must be a table ([{key}])")
    return value


def _check_url(url, key: str, source: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{source}: {key} {url!r} is not an http(s) URL")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{source}: {key} {url!r} has an invalid port") from None


def _interpolate(value, environ: Mapping[str, str], source: str, where: tuple[str, ...]):
    """Replace ``${VAR}`` in every string; an unset variable is an error naming the key."""
    if isinstance(value, Mapping):
        return {k: _interpolate(v, environ, source, (*where, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, environ, source, where) for v in value]
    if isinstance(value, str):
        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name not in environ:
                raise ConfigError(f"{source}: ${{{name}}} is not set ({'.'.join(where)})")
            return environ[name]

        return _VARIABLE.sub(substitute, value)
    return value

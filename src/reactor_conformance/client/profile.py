"""The target and its org identities, from a profile TOML or from ``REACTOR_*`` environment variables.

The profile's shape is ``schemas/profile.json``: every way the input can be wrong ends in one ``ConfigError``
sentence, worded from the schema, naming where the mistake is: the file and the key
(``identities.owner.api_key``), or the variable (``REACTOR_OWNER_API_KEY``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

from jsonschema import ValidationError

from .. import shapes
from ..errors import ConfigError


def _schema() -> dict:
    return shapes.registry().contents("profile.json")


IDENTITY_NAMES = tuple(_schema()["properties"]["identities"]["properties"])
ENV_PREFIX = "REACTOR_"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
_SECTIONS = ("target", "fixtures", "identities")


class _Variables(Template):
    """``${NAME}`` only: a lone ``$`` in a secret is a character, not a placeholder."""

    pattern = r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}(?P<named>(?!))?(?P<escaped>(?!))?(?P<invalid>(?!))?"


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

    @property
    def serves_ims(self) -> bool:
        """An ``ims_url`` on the origin of ``base_url`` is served by the target itself (a mock of the spec, the
        reference server); one on another origin is Adobe's IMS."""
        return bool(self.ims_url) and _origin(self.ims_url) == _origin(self.base_url)


@dataclass(frozen=True)
class Profile:
    target: Target
    fixtures: Mapping[str, str]
    identities: Mapping[str, Identity]
    source: str = "profile"

    def with_base_url(self, base_url: str) -> Profile:
        """The same identities aimed at another URL (``--target``). An ``ims_url`` the target serves itself
        (``Target.serves_ims``) moves with it, its path kept; one on another origin (Adobe's IMS) stays where it is."""
        _check_url(base_url, f"{self.source}: --target")
        base_url, ims_url = base_url.rstrip("/"), self.target.ims_url
        if self.target.serves_ims:
            ims_url = _origin(base_url) + urlsplit(ims_url).path
        return replace(self, target=replace(self.target, base_url=base_url, ims_url=ims_url))

    def to_data(self) -> dict:
        """Plain data, for the other processes of a run: they take it as it is, never reading a profile again."""
        return {"target": asdict(self.target), "fixtures": dict(self.fixtures), "source": self.source,
                "identities": {name: asdict(identity) for name, identity in self.identities.items()}}

    @classmethod
    def from_data(cls, data: Mapping) -> Profile:
        """The profile ``to_data`` gave, already checked where it was read."""
        identities = {name: Identity(**{**values, "scopes": tuple(values["scopes"])})
                      for name, values in data["identities"].items()}
        return cls(Target(**data["target"]), MappingProxyType(dict(data["fixtures"])), MappingProxyType(identities),
                   data["source"])


class _Origin:
    """Where the values came from, so that an error names the key or the variable a person must fix."""

    def __init__(self, source: str, from_environment: bool):
        self.source, self.from_environment = source, from_environment

    def key(self, table: str, *keys) -> str:
        if self.from_environment:
            return ENV_PREFIX + "_".join(str(key).upper() for key in keys)
        return ".".join(map(str, (table, *keys)))

    def identity_table(self, name: str) -> str:
        return f"{ENV_PREFIX}{name.upper()}_*" if self.from_environment else f"[identities.{name}]"

    def error(self, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {message}")


def profile_of(data: Mapping, source: str) -> Profile:
    """A profile given as data (the embedded reference server's), checked like a file's."""
    return _build(data, _Origin(source, from_environment=False))


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
    schema = _schema()
    target = {"base_url": get("base_url"), "ims_url": get("ims_url"), "allow_writes": allow_writes in _TRUE}
    fixtures = {key: get(key) for key, part in schema["properties"]["fixtures"]["properties"].items()
                if part.get("type") != "array"}
    identity_keys = schema["$defs"]["identity"]["properties"]
    identities = {}
    for name in schema["properties"]["identities"]["properties"]:
        values = {key: get(name, key) for key in identity_keys}
        if any(values.values()):
            identities[name] = values
    return _build(_without_empty({"target": target, "fixtures": fixtures, "identities": identities}), origin)


def _without_empty(value):
    """Unset variables are absent keys, as in a profile that does not name them."""
    if isinstance(value, Mapping):
        return {key: _without_empty(item) for key, item in value.items() if item not in ("", None)}
    return value


def _build(data, origin: _Origin) -> Profile:
    if not isinstance(data, Mapping):
        raise origin.error("must be a table of tables")
    data = {**{section: {} for section in _SECTIONS}, **data}
    problems = sorted(shapes.validator("profile").iter_errors(data), key=_order)
    if problems:
        raise origin.error(_sentence(problems[0], origin))
    target, fixtures = data["target"], data["fixtures"]
    _check_url(target["base_url"], f"{origin.source}: {origin.key('target', 'base_url')}")
    ims_url = target.get("ims_url")
    if ims_url:
        _check_url(ims_url, f"{origin.source}: {origin.key('target', 'ims_url')}")
    identities = {}
    for name, table in data["identities"].items():
        identity = Identity(name=name, org_id=table["org_id"], api_key=table["api_key"],
                            access_token=table.get("access_token"), client_id=table.get("client_id"),
                            client_secret=table.get("client_secret"), scopes=_scopes(table.get("scopes")))
        if identity.uses_ims and not ims_url:
            raise origin.error(f"{origin.identity_table(name)} uses client credentials but "
                               f"{origin.key('target', 'ims_url')} is not set")
        identities[name] = identity
    order = list(_schema()["properties"]["identities"]["properties"])
    return Profile(Target(target["base_url"].rstrip("/"), ims_url.rstrip("/") if ims_url else None,
                          target.get("allow_writes", False)),
                   MappingProxyType({key: value for key, value in fixtures.items() if value}),
                   MappingProxyType(dict(sorted(identities.items(), key=lambda item: order.index(item[0])))),
                   origin.source)


def _order(error: ValidationError) -> tuple:
    """The first problem a person meets reading the profile top-down: sections in order, outer keys first."""
    path = list(error.absolute_path)
    section = _SECTIONS.index(path[0]) if path and path[0] in _SECTIONS else -1
    return section, len(path), str(path)


def _sentence(error: ValidationError, origin: _Origin) -> str:
    """The one-line message of a schema violation, worded by the schema's ``x-*`` members."""
    path, schema = list(error.absolute_path), error.schema
    if error.validator == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        unknown = next(key for key in error.instance if key not in allowed)
        what = schema["x-unknown"].format(identity=path[1] if len(path) > 1 else "")
        return f"unknown {what} {unknown!r}; allowed: {', '.join(allowed)}"
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        if path == ["identities"]:
            return f"{origin.identity_table(missing)} is missing{schema.get('x-missing', '')}"
        hint = schema.get("properties", {}).get(missing, {}).get("x-missing")
        return f"{origin.key(*path, missing)} is missing" + (f" {hint}" if hint else "")
    if error.validator == "minLength":
        return f"{origin.key(*path)} is missing"
    if error.validator == "anyOf" and "x-message" in schema:
        return f"{origin.identity_table(path[-1])} {schema['x-message']}"
    expected = schema.get("x-expected") or error.message
    if path and path[0] == "identities" and len(path) == 2:
        return f"{origin.identity_table(path[1])} must be {expected}"
    return f"{origin.key(*path) if path else 'the profile'} must be {expected}"


def _scopes(value) -> tuple[str, ...]:
    """A list of strings, or one comma-separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(scope.strip() for scope in value if scope.strip())


def _check_url(url, where: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where} {url!r} is not an http(s) URL")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{where} {url!r} has an invalid port") from None


def _origin(url: str) -> str:
    """``scheme://host:port`` of a URL, as written."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _interpolate(value, environ: Mapping[str, str], origin: _Origin, where: tuple[str, ...]):
    """Replace ``${VAR}`` in every string; an unset variable is an error naming it and the key."""
    if isinstance(value, Mapping):
        return {key: _interpolate(item, environ, origin, (*where, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, environ, origin, where) for item in value]
    if not isinstance(value, str):
        return value
    try:
        return _Variables(value).substitute(environ)
    except KeyError as unset:
        raise origin.error(f"${{{unset.args[0]}}} is not set ({'.'.join(where)})") from None


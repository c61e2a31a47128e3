"""Access tokens: a static one from the profile, or Adobe IMS client credentials exchanged and refreshed.

IMS OAuth server-to-server: ``POST {ims_url}/ims/token/v3`` with ``grant_type=client_credentials``;
the answer's ``expires_in`` (seconds) decides when the cached token is replaced.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import requests

from . import redact
from .errors import ConfigError, TargetError
from .settings import Identity

TOKEN_PATH = "/ims/token/v3"


class TokenSource(Protocol):
    def token(self) -> str: ...

    def invalidate(self) -> None: ...

    @property
    def refreshable(self) -> bool: ...


class StaticToken:
    refreshable = False

    def __init__(self, value: str):
        self._value = value

    def token(self) -> str:
        return self._value

    def invalidate(self) -> None:
        """A static token cannot be renewed; the next call fails as it should."""


class ImsTokenSource:
    """Client-credentials token of one identity, cached until shortly before it expires."""

    refreshable = True

    def __init__(self, ims_url: str, identity: Identity, session: requests.Session | None = None,
                 clock=time.monotonic, margin_s: float = 60.0, timeout_s: float = 30.0):
        self._url = ims_url.rstrip("/") + TOKEN_PATH
        self._identity, self._session = identity, session or requests.Session()
        self._clock, self._margin_s, self._timeout_s = clock, margin_s, timeout_s
        self._lock = threading.Lock()
        self._value: str | None = None
        self._renew_at = 0.0
        self.exchanges = 0

    def token(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._renew_at:
                self._fetch()
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None

    def _fetch(self) -> None:
        identity = self._identity
        form = {"grant_type": "client_credentials", "client_id": identity.client_id,
                "client_secret": identity.client_secret, "scope": ",".join(identity.scopes)}
        try:
            response = self._session.post(self._url, data=form, timeout=self._timeout_s)
        except requests.RequestException as error:
            raise TargetError(f"cannot reach IMS at {self._url}: {type(error).__name__}") from None
        self.exchanges += 1
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("access_token"):
            reason = body.get("error") or f"HTTP {response.status_code}"
            raise ConfigError(f"IMS at {self._url} refused the credentials of identity '{identity.name}': {reason}")
        self._value = body["access_token"]
        redact.register(f"{identity.name.upper()}_TOKEN", self._value)
        expires_in = float(body.get("expires_in") or 0)
        self._renew_at = self._clock() + max(0.0, expires_in - min(self._margin_s, expires_in / 10))


def token_source_for(identity: Identity, ims_url: str | None, session: requests.Session | None = None):
    if identity.uses_ims:
        if not ims_url:
            raise ConfigError(f"identity '{identity.name}' uses client credentials but no ims_url is set")
        return ImsTokenSource(ims_url, identity, session)
    return StaticToken(identity.access_token)

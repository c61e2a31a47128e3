"""Access tokens: a static one from the profile, or Adobe IMS client credentials exchanged and refreshed.

IMS OAuth server-to-server: ``POST {ims_url}/ims/token/v3`` with ``grant_type=client_credentials``;
the answer's ``expires_in`` (seconds) decides when the cached token is replaced. A run can outlive a
token, so the source renews shortly before expiry and whenever the API answers 401.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, Protocol

import requests

from ..errors import ConfigError, TargetError
from . import redact, transport
from .profile import Identity
from .transport import connection_failure

TOKEN_PATH = "/ims/token/v3"


class TokenSource(Protocol):
    refreshable: bool
    """Whether ``invalidate()`` can lead to a different token (so a 401 is worth one retry)."""

    def token(self) -> str: ...

    def invalidate(self) -> None: ...


class StaticToken:
    """The profile's ``access_token``: it is what it is until the person replaces it."""

    refreshable = False

    def __init__(self, value: str):
        self._value = value

    def token(self) -> str:
        return self._value

    def invalidate(self) -> None:
        """Nothing to renew: the next call fails as it should."""


class ImsTokenSource:
    """The client-credentials token of one identity, cached until ``min(margin, expires_in / 10)`` seconds
    before it expires, or until ``invalidate()``."""

    refreshable = True

    def __init__(self, ims_url: str, identity: Identity, session: requests.Session | None = None, *,
                 clock: Callable[[], float] = time.monotonic, margin: float = 60.0, timeout: float = 30.0):
        self.url = ims_url.rstrip("/") + TOKEN_PATH
        self.identity = identity
        self._session = session or transport.session()
        self._clock, self._margin, self._timeout = clock, margin, timeout
        self._lock = threading.Lock()
        self._value: str | None = None
        self._renew_at = 0.0
        self.exchanges = 0
        """How many tokens were obtained (AUTH-04 checks that renewal really happened)."""

    def token(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._renew_at:
                self._value, self._renew_at = self._exchange()
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None

    def _exchange(self) -> tuple[str, float]:
        identity = self.identity
        form = {"grant_type": "client_credentials", "client_id": identity.client_id,
                "client_secret": identity.client_secret, "scope": ",".join(identity.scopes)}
        asked_at = self._clock()  # the lifetime counts from the request: never trust a token longer than that
        try:
            response = self._session.post(self.url, data=form, timeout=self._timeout, allow_redirects=False)
        except requests.RequestException as error:
            raise TargetError(f"cannot reach IMS at {self.url}: {connection_failure(error, self._timeout)}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            content_type = response.headers.get("Content-Type") or "no Content-Type"
            raise TargetError(f"IMS at {self.url} answered HTTP {response.status_code} with {content_type}, "
                              "not an OAuth JSON document: is ims_url right?")
        if response.status_code in (400, 401, 403):
            reason = redact.redact(str(body.get("error") or f"HTTP {response.status_code}"))
            raise ConfigError(f"IMS at {self.url} refused the credentials of identity '{identity.name}': {reason}")
        value = body.get("access_token")
        if response.status_code != 200 or not isinstance(value, str) or not value:
            raise TargetError(f"IMS at {self.url} answered HTTP {response.status_code} without an access_token")
        redact.register(f"{identity.name.upper()}_TOKEN", value)
        self.exchanges += 1
        return value, asked_at + _lifetime(body.get("expires_in"), self._margin)


def _lifetime(expires_in, margin: float) -> float:
    """Seconds until the token should be renewed; without a usable ``expires_in``, until a 401 says so."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float, str)):
        return math.inf
    try:
        seconds = float(expires_in)
    except ValueError:
        return math.inf
    if math.isnan(seconds) or seconds == math.inf:
        return math.inf
    if seconds <= 0:
        return 0.0  # already expired: every call asks again, as the server says
    return seconds - min(margin, seconds / 10)


def token_source_for(identity: Identity, ims_url: str | None, session: requests.Session | None = None) -> TokenSource:
    """The static token when the profile gives one, else the IMS client-credentials flow."""
    if identity.access_token:
        return StaticToken(identity.access_token)
    if not ims_url:
        raise ConfigError(f"identity '{identity.name}' has no access_token and no ims_url to obtain one")
    return ImsTokenSource(ims_url, identity, session)

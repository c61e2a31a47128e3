"""One API client per identity of a profile, sharing one HTTP session (and one rate limit)."""

from __future__ import annotations

from . import transport
from .api_client import ApiClient
from .ims import token_source_for
from .profile import Profile
from .transport import RateLimiter


def clients_for(profile: Profile, *, limiter: RateLimiter | None = None, timeout: float = 30.0) -> dict[str, ApiClient]:
    session = transport.session()
    return {name: ApiClient(profile.target.base_url, identity,
                            token_source_for(identity, profile.target.ims_url, session),
                            session=session, limiter=limiter, timeout=timeout)
            for name, identity in profile.identities.items()}

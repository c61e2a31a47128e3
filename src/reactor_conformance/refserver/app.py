"""The reference server as an ASGI application: routes, state and the error handlers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from . import ims, routes_authorizations, routes_extensions, routes_packages
from .errors import ApiError, api_error_handler, http_exception_handler, unexpected_error_handler
from .faults import parse_faults
from .store import Store
from .variants import VariantName, parse_variants
from .wrappers import wrap

DEFAULT_TOKEN_TTL_S = 86400


def create_app(store: Store, faults=frozenset(), token_ttl: int = DEFAULT_TOKEN_TTL_S, variants=frozenset(),
               latency_ms: float = 0.0):
    """``faults`` and ``variants``: names from ``faults.FAULTS`` and ``variants.VARIANTS`` (ValueError for unknown
    ones); ``latency_ms`` delays every answer."""
    app = Starlette(
        routes=[*routes_authorizations.ROUTES, *routes_packages.ROUTES, *routes_extensions.ROUTES, *ims.ROUTES],
        exception_handlers={ApiError: api_error_handler, HTTPException: http_exception_handler,
                            Exception: unexpected_error_handler},
    )
    app.router.redirect_slashes = False  # `/…/EA…/` names nothing; never redirect it to another resource
    app.state.store = store
    app.state.faults = parse_faults(faults)
    app.state.variants = parse_variants(variants)
    store.newest_first = VariantName.NEWEST_FIRST in app.state.variants
    app.state.token_ttl = token_ttl
    app.state.revoked = {}  # what `deleted-still-readable` and `revoked-still-in-catalog` keep answering for
    app.state.ever_granted = set()  # (org, package family) pairs ever granted: `never-granted-reads-package`
    return wrap(app, faults=app.state.faults, variants=app.state.variants, latency_ms=latency_ms)

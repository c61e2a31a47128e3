"""The reference server as an ASGI application: routes, state and the error handlers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from . import ims, routes_authorizations, routes_extensions, routes_packages
from .errors import ApiError, api_error_handler, http_exception_handler, unexpected_error_handler
from .faults import parse_faults
from .store import Store

DEFAULT_TOKEN_TTL_S = 86400


def create_app(store: Store, faults=frozenset(), token_ttl: int = DEFAULT_TOKEN_TTL_S) -> Starlette:
    """``faults``: names from ``faults.FAULTS`` (ValueError for unknown ones)."""
    app = Starlette(
        routes=[*routes_authorizations.ROUTES, *routes_packages.ROUTES, *routes_extensions.ROUTES, *ims.ROUTES],
        exception_handlers={ApiError: api_error_handler, HTTPException: http_exception_handler,
                            Exception: unexpected_error_handler},
    )
    app.router.redirect_slashes = False  # `/…/EA…/` names nothing; never redirect it to another resource
    app.state.store = store
    app.state.faults = parse_faults(faults)
    app.state.token_ttl = token_ttl
    app.state.revoked = {}  # what `deleted-still-readable` and `revoked-still-in-catalog` keep answering for
    app.state.ever_granted = set()  # (org, package family) pairs ever granted: `never-granted-reads-package`
    if "json-content-type" in app.state.faults:
        return PlainJsonMediaType(app)
    return app


class PlainJsonMediaType:
    """The ``json-content-type`` fault: every answer says ``application/json`` instead of JSON:API's type."""

    def __init__(self, app):
        self.app, self.state = app, app.state

    async def __call__(self, scope, receive, send):
        async def relabel(message):
            if message["type"] == "http.response.start":
                message["headers"] = [(k, b"application/json") if k.lower() == b"content-type" else (k, v)
                                      for k, v in message["headers"]]
            await send(message)

        await self.app(scope, receive, relabel)

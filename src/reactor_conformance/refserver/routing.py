"""One Starlette route per path, dispatching on the method, so that a method the path does not offer
gets a 405 naming every method it does offer; and no encoded slash ever reaches a handler as a path
separator."""

from __future__ import annotations

from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import not_found

Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, **handlers: Handler) -> Route:
    """``route("/things/{id}", GET=read, DELETE=remove)``; HEAD is answered like GET."""
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])

    async def endpoint(request: Request) -> Response:
        if b"%2f" in request.scope.get("raw_path", b"").lower():  # `EA…%2Fx` is one segment: it names nothing
            raise not_found()
        return await handlers[request.method](request)

    return Route(path, endpoint, methods=list(handlers))

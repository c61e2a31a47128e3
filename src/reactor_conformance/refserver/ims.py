"""An IMS-style token endpoint: OAuth server-to-server (client credentials), answering as Adobe IMS does.

Issued tokens expire after the server's token TTL; the API then refuses them with 401 like any
unknown token. Answers are plain OAuth JSON, not JSON:API, because that is what IMS speaks.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .bodies import read_body
from .faults import FaultName
from .routing import route

MAX_FORM_BYTES = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status, NO_STORE)


async def token(request: Request) -> Response:
    """``grant_type=client_credentials``, ``client_id``, ``client_secret``, ``scope``: form-encoded (or query)."""
    body = await read_body(request, MAX_FORM_BYTES)
    fields = dict(request.query_params)
    fields.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    user = request.app.state.store.client_user(fields.get("client_id", ""), fields.get("client_secret", ""))
    if user is None:
        return _oauth_error(401, "invalid_client", "Unknown client_id or wrong client_secret.")
    ttl = request.app.state.token_ttl
    access_token = "rcims_" + secrets.token_urlsafe(32)
    if FaultName.IMS_TOKENS_REJECTED not in request.app.state.faults:
        request.app.state.store.add_token(access_token, user.id, ttl)
    return JSONResponse({"access_token": access_token, "token_type": "bearer", "expires_in": ttl}, 200, NO_STORE)


ROUTES = [route("/ims/token/v3", POST=token)]

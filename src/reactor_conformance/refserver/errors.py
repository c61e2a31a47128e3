"""Refusals as JSON:API error documents, for every way a request can go wrong.

Handlers raise ``ApiError``; the exception handlers here turn it, Starlette's own 404/405 and even an
unexpected exception into an error document, so that no input ever gets an HTML page or a bare 500.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .faults import FaultName
from .responses import json_api
from .variants import VariantName


class ApiError(Exception):
    """A refusal: HTTP status, JSON:API error code, a sentence, and the body member or query parameter at fault."""

    def __init__(self, status: int, code: str, detail: str, *, pointer: str | None = None,
                 parameter: str | None = None, headers: dict[str, str] | None = None, foreign: bool = False):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.pointer, self.parameter, self.headers = pointer, parameter, headers
        self.foreign = foreign  # refused to an org that does not own the resource (see `not-found-for-forbidden`)


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not-found", f"The {what} does not exist or is not visible to the caller's org.")


def not_authorized(detail: str, *, foreign: bool = False) -> ApiError:
    """A right missing. ``foreign``: the caller's org does not own the resource, so the ``not-found-for-forbidden``
    variant answers it as if the resource did not exist."""
    return ApiError(403, "not-authorized", detail, foreign=foreign)


# The gateway's own shape of the authentication failures it answers (variant `gateway-auth-errors`).
GATEWAY_ERRORS = {
    "authentication-failure": {"error_code": "401013", "message": "Oauth token is not valid"},
    "invalid-api-key": {"error_code": "403003", "message": "Api Key is invalid"},
}


def title(status: int) -> str:
    return HTTPStatus(status).phrase


def error_document(error: ApiError) -> dict:
    item = {"id": str(uuid.uuid4()), "status": str(error.status), "code": error.code,
            "title": title(error.status), "detail": error.detail}
    if error.pointer is not None:
        item["source"] = {"pointer": error.pointer}
    elif error.parameter is not None:
        item["source"] = {"parameter": error.parameter}
    item["meta"] = {"request_id": str(uuid.uuid4())}
    return {"errors": [item]}


def _other_status(error: ApiError, variants: frozenset[str]) -> ApiError:
    """The other 4xx a variant answers instead: 400 for bad content (not 422), 422 for bad paging (not 400)."""
    status = error.status
    if VariantName.BAD_REQUEST_FOR_BAD_CONTENT in variants and status == 422:
        status = 400
    elif (VariantName.UNPROCESSABLE_PAGING in variants and error.code == "invalid-parameter"
          and (error.parameter or "").startswith("page[")):
        status = 422
    if status == error.status:
        return error
    return ApiError(status, error.code, error.detail, pointer=error.pointer, parameter=error.parameter,
                    headers=error.headers, foreign=error.foreign)


def _only_members(document: dict, variants: frozenset[str]) -> dict:
    """Error objects cut down to ``status`` and the members the `errors-code-only` and `errors-title-only` variants
    keep (both on: status, code and title)."""
    kept = {"status"} | ({"code"} if VariantName.ERRORS_CODE_ONLY in variants else set()) | (
        {"title"} if VariantName.ERRORS_TITLE_ONLY in variants else set())
    return {"errors": [{key: value for key, value in item.items() if key in kept} for item in document["errors"]]}


def error_response(request: Request, error: ApiError) -> Response:
    faults, variants = request.app.state.faults, request.app.state.variants
    if VariantName.GATEWAY_AUTH_ERRORS in variants and error.code in GATEWAY_ERRORS:
        return JSONResponse(GATEWAY_ERRORS[error.code], error.status, error.headers)
    if VariantName.NOT_FOUND_FOR_FORBIDDEN in variants and error.foreign:
        error = not_found()
    error = _other_status(error, variants)
    if FaultName.PLAIN_TEXT_ERRORS in faults:
        return PlainTextResponse(title(error.status), status_code=error.status, headers=error.headers)
    document = error_document(error)
    if variants & {VariantName.ERRORS_CODE_ONLY, VariantName.ERRORS_TITLE_ONLY}:
        document = _only_members(document, variants)
    if FaultName.NUMERIC_ERROR_STATUS in faults:
        document["errors"][0]["status"] = error.status
    return json_api(document, error.status, error.headers)


async def api_error_handler(request: Request, error: ApiError) -> Response:
    return error_response(request, error)


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Starlette's routing refusals: no such path (404) or a method the path does not offer (405)."""
    if exc.status_code == 404 or b"%2f" in request.scope.get("raw_path", b"").lower():
        # `…/EA…%2Fextension_package` is one segment naming nothing, whatever the decoded path would match
        error = ApiError(404, "not-found", "No such endpoint.")
    elif exc.status_code == 405 and request.method == "OPTIONS" and VariantName.OPTIONS_ANSWERED in \
            request.app.state.variants:  # RFC 9110 §9.3.7: what the path offers, in Allow
        return Response(status_code=204, headers=exc.headers)
    elif exc.status_code == 405:
        error = ApiError(405, "method-not-allowed", f"{request.method} is not allowed here.", headers=exc.headers)
    else:
        error = ApiError(exc.status_code, "bad-request", exc.detail, headers=exc.headers)
    return error_response(request, error)


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A bug of this server: still a JSON:API document, without the exception's text (uvicorn logs it). uvicorn
    closes the connection after it, so the answer says so: a client that reused it would lose its next request."""
    return json_api(error_document(ApiError(500, "internal-error", "The server failed to answer this request.")),
                    500, headers={"Connection": "close"})

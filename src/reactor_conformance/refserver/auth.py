"""Who is calling: the bearer token, the API key and the org header, checked in that order.

Adobe's own clients (the uploader, the releaser, the JavaScript SDK) send Adobe's public Launch client key
and no org header, and production serves them for the token's own org (docs/decisions.md D14, D15); so does
this server, but under the `org-header-required` variant (D20). An org header naming another org than the
token's is refused.
"""

from __future__ import annotations

from starlette.requests import Request

from .errors import ApiError
from .faults import FaultName
from .store import User
from .variants import VariantName

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="reactor"'}
PUBLIC_CLIENT_KEYS = frozenset({"Activation-DTM"})  # Adobe's Launch client key, sent by Adobe's own tools


def api_key_known(request: Request, api_key: str | None) -> bool:
    return bool(api_key) and (api_key in PUBLIC_CLIENT_KEYS or request.app.state.store.api_key_known(api_key))


def authenticate(request: Request) -> User:
    """The token's user, once the API key is known and the org header, when sent, names the user's org."""
    store = request.app.state.store
    headers = request.headers
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "authentication-failure", "A bearer access token is required.", headers=_CHALLENGE)
    user = store.user_for_token(token)
    if user is None and FaultName.BEARER_NOT_CHECKED in request.app.state.faults:
        user = store.any_user_of(request.headers.get("x-gw-ims-org-id", ""))
    if user is None:
        raise ApiError(401, "authentication-failure", "The access token is invalid or has expired.",
                       headers=_CHALLENGE)
    api_key = headers.get("x-api-key")
    key_optional = FaultName.MISSING_API_KEY_ACCEPTED in request.app.state.faults and not api_key
    if not key_optional and not api_key_known(request, api_key):
        raise ApiError(403, "invalid-api-key", "The x-api-key header is missing or names no known client.")
    org_id = headers.get("x-gw-ims-org-id")
    if org_id is None and VariantName.ORG_HEADER_REQUIRED in request.app.state.variants:
        raise ApiError(400, "invalid-org", "The x-gw-ims-org-id header is required.")
    if org_id is None and FaultName.HEADERLESS_CALL_500 in request.app.state.faults:
        raise RuntimeError("no org header")
    if org_id is None and FaultName.HEADERLESS_ACTS_FOR_ANOTHER_ORG in request.app.state.faults:
        other = next(org for org in store.org_ids() if org != user.org_id)
        return store.any_user_of(other) or user
    if org_id is None:
        return user
    if org_id != user.org_id:
        if FaultName.ORG_HEADER_IGNORED in request.app.state.faults:
            return store.any_user_of(org_id) or user
        raise ApiError(403, "invalid-org", "The x-gw-ims-org-id header does not name the token's org.")
    return user

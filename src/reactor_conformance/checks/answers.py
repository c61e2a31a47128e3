"""What an answer held, in a few words for a failure message, and whether something in front of the server
produced it.

A status mismatch reads "HTTP 204 with no body", "HTTP 422 with a problem document: Invalid request …", never
a bare number. A validating proxy or a mock (Prism, for one) answers some requests itself — its own 401 and
422 in RFC 7807 form, its own routing errors — and a person must be able to tell those from the server's.
"""

from __future__ import annotations

import json

import requests

SNIPPET = 160
PROBLEM_JSON = "application/problem+json"
PRISM_ERRORS = "https://stoplight.io/prism/errors#"
GATEWAY_SHAPE = {"error_code", "message"}  # Adobe's gateway's 401/403 (SHAPE-08's exception, docs/decisions.md D18)
RESOURCE_NAMES = {"extension_package_usage_authorizations": "authorization", "extension_packages": "package",
                  "extensions": "extension"}


def media_type(response: requests.Response) -> str:
    exchange = getattr(response, "exchange", None)
    headers = getattr(response, "headers", None) or getattr(exchange, "response_headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return value.split(";")[0].strip().lower()


def raw(response: requests.Response) -> bytes:
    """The body's bytes (a recorded response keeps only its text)."""
    content = getattr(response, "content", None)
    if isinstance(content, bytes):
        return content
    text = getattr(response, "text", None)
    if text is None:  # only the recorded exchange is left (a finding of the fuzzing)
        text = getattr(getattr(response, "exchange", None), "response_body", "")
    return (text or "").encode("utf-8")


def body_of(response: requests.Response):
    """The parsed JSON body, or None when there is none or it is not JSON."""
    content = raw(response)
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def in_gateway_shape(document) -> bool:
    """A body in the shape of Adobe's gateway's authentication failures: ``{"error_code", "message"}``."""
    return isinstance(document, dict) and GATEWAY_SHAPE <= set(document)


def describe(response: requests.Response) -> str:
    """``HTTP <status> with <what the body held>``."""
    return f"HTTP {response.status_code} with {held(response)}"


def held(response: requests.Response) -> str:
    if not raw(response):
        return "no body"
    body = body_of(response)
    if body is None:
        return f"{media_type(response) or 'no Content-Type'}: {snippet(response.text)}"
    if _is_problem(response, body):
        return f"a problem document ({PROBLEM_JSON}): {_problem_text(body)}"
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return f"a JSON:API error document: {_errors_text(body['errors'])}"
    if in_gateway_shape(body):
        return f"the gateway's error shape: {body.get('error_code')} {snippet(str(body.get('message')))}"
    if isinstance(body, dict) and "data" in body:
        return _data_text(body["data"])
    return f"JSON: {snippet(json.dumps(body))}"


def intermediary(response: requests.Response) -> str | None:
    """Why this answer was produced by a proxy or mock in front of the server, not by a Reactor API; else None."""
    body = body_of(response)
    if isinstance(body, dict) and str(body.get("type", "")).startswith(PRISM_ERRORS):
        return (f"Prism produced this answer itself ({body['type'].removeprefix(PRISM_ERRORS)}: "
                f"{snippet(str(body.get('title', '')))}): no Reactor server answered the request")
    if _is_problem(response, body):
        return (f"this answer is an RFC 7807 problem document ({PROBLEM_JSON}), which a Reactor API never sends: "
                "a proxy or mock produced it, not a Reactor server")
    return None


def _is_problem(response: requests.Response, body) -> bool:
    if media_type(response) == PROBLEM_JSON:
        return True
    return isinstance(body, dict) and {"type", "title", "status"} <= set(body) and "errors" not in body


def _problem_text(body) -> str:
    if not isinstance(body, dict):
        return snippet(json.dumps(body))
    parts = [str(body.get(key)) for key in ("title", "detail") if body.get(key)]
    return snippet(" — ".join(parts) or json.dumps(body))


def _errors_text(errors: list) -> str:
    texts = []
    for error in errors[:3]:
        if isinstance(error, dict):
            named = " ".join(str(error[key]) for key in ("status", "code", "title") if error.get(key))
            detail = f": {snippet(str(error['detail']))}" if error.get("detail") else ""
            texts.append((named or snippet(json.dumps(error))) + detail)
        else:
            texts.append(snippet(json.dumps(error)))
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return ("; ".join(texts) or "no errors") + more


def _data_text(data) -> str:
    if isinstance(data, list):
        ids = [str(item.get("id")) for item in data[:3] if isinstance(item, dict)]
        listed = f": {', '.join(ids)}{' …' if len(data) > 3 else ''}" if ids else ""
        return f"a list of {len(data)} item{'s' if len(data) != 1 else ''}{listed}"
    if isinstance(data, dict):
        state = (data.get("attributes") or {}).get("state") if isinstance(data.get("attributes"), dict) else None
        kind = RESOURCE_NAMES.get(data.get("type"), f"resource of type {json.dumps(data.get('type'))}")
        return f"the {kind} {json.dumps(data.get('id'))}" + (f" ({state})" if isinstance(state, str) else "")
    return f"data {snippet(json.dumps(data))}"


def snippet(text: str, limit: int = SNIPPET) -> str:
    """``text`` on one line, cut after ``limit`` characters, as a JSON string: a body shown inside a sentence."""
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= limit else flat[:limit] + "…", ensure_ascii=False)

"""What a failure says an answer held, and when it says a proxy or mock produced it (docs/decisions.md D32)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import requests

from reactor_conformance.checks import answers
from reactor_conformance.client.exchanges import Exchange

JSON_API = {"Content-Type": "application/vnd.api+json"}
PROBLEM = {"Content-Type": "application/problem+json; charset=utf-8"}
AUTHORIZATION = {"id": "EA1", "type": "extension_package_usage_authorizations", "attributes": {"state": "pending"}}


def answer(status: int, body=b"", headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)  # as requests' adapter does
    return response


# description, the answer, what a failure says it was.
DESCRIPTIONS = [
    ("no body", answer(204), "HTTP 204 with no body"),
    ("text that is not JSON, with its media type", answer(502, b"Bad   gateway\n", {"content-type": "text/plain"}),
     'HTTP 502 with text/plain: "Bad gateway"'),
    ("text without a media type", answer(500, b"<html>oops</html>"),
     'HTTP 500 with no Content-Type: "<html>oops</html>"'),
    ("a problem document by its media type: title and detail",
     answer(422, {"title": "Invalid request", "detail": "body.data is required"}, PROBLEM),
     'HTTP 422 with a problem document (application/problem+json): "Invalid request — body.data is required"'),
    ("a problem document by its members", answer(401, {"type": "about:blank", "title": "Unauthorized", "status": 401}),
     'HTTP 401 with a problem document (application/problem+json): "Unauthorized"'),
    ("a problem document with neither title nor detail", answer(400, {"status": 400}, PROBLEM),
     'HTTP 400 with a problem document (application/problem+json): "{\\"status\\": 400}"'),
    ("a problem document that is not an object", answer(400, [1, 2], PROBLEM),
     'HTTP 400 with a problem document (application/problem+json): "[1, 2]"'),
    ("JSON:API errors: status, code, title and detail",
     answer(409, {"errors": [{"status": "409", "code": "not-unique", "title": "Conflict", "detail": "already"}]}),
     'HTTP 409 with a JSON:API error document: 409 not-unique Conflict: "already"'),
    ("three JSON:API errors, all shown", answer(422, {"errors": [{"status": "422"}, {"code": "x"}, {"title": "t"}]}),
     "HTTP 422 with a JSON:API error document: 422; x; t"),
    ("JSON:API errors past three", answer(422, {"errors": [{"status": "422"}, {"code": "x"}, {"title": "t"}, {}]}),
     "HTTP 422 with a JSON:API error document: 422; x; t (and 1 more)"),
    ("JSON:API errors of nothing named, or not objects", answer(400, {"errors": [{"id": "e1"}, "bad"]}),
     'HTTP 400 with a JSON:API error document: "{\\"id\\": \\"e1\\"}"; "\\"bad\\""'),
    ("an empty list of errors", answer(400, {"errors": []}), "HTTP 400 with a JSON:API error document: no errors"),
    ("the gateway's error shape", answer(403, {"error_code": "403003", "message": "Api Key is invalid"}),
     'HTTP 403 with the gateway\'s error shape: 403003 "Api Key is invalid"'),
    ("an authorization with its state", answer(200, {"data": AUTHORIZATION}, JSON_API),
     'HTTP 200 with the authorization "EA1" (pending)'),
    ("a resource of another type, with no state", answer(200, {"data": {"id": 7, "type": "things"}}),
     'HTTP 200 with the resource of type "things" 7'),
    ("a resource whose attributes are not an object", answer(200, {"data": {"id": "EP1", "type": "extension_packages",
                                                                            "attributes": "x"}}),
     'HTTP 200 with the package "EP1"'),
    ("an empty list", answer(200, {"data": []}), "HTTP 200 with a list of 0 items"),
    ("a list of one", answer(200, {"data": [AUTHORIZATION]}), "HTTP 200 with a list of 1 item: EA1"),
    ("a list past three", answer(200, {"data": [{"id": f"EA{n}"} for n in range(4)]}),
     "HTTP 200 with a list of 4 items: EA0, EA1, EA2 …"),
    ("a list of three, not cut", answer(200, {"data": [{"id": f"EA{n}"} for n in range(3)]}),
     "HTTP 200 with a list of 3 items: EA0, EA1, EA2"),
    ("a list of things that are not resources", answer(200, {"data": [1, 2]}), "HTTP 200 with a list of 2 items"),
    ("data that is neither", answer(200, {"data": None}), 'HTTP 200 with data "null"'),
    ("data that is a number", answer(200, {"data": 42}), 'HTTP 200 with data "42"'),
    ("a JSON number", answer(200, b"5"), 'HTTP 200 with JSON: "5"'),
    ("a JSON array naming data", answer(200, ["data"]), 'HTTP 200 with JSON: "[\\"data\\"]"'),
    ("JSON in a charset other than UTF-8 (RFC 8259, 8.1) is not read as JSON",
     answer(200, '{"a": "é"}'.encode("latin-1"), {"Content-Type": "application/json; charset=latin-1"}),
     'HTTP 200 with application/json: "{\\"a\\": \\"é\\"}"'),
    ("other JSON", answer(200, [{"a": 1}]), 'HTTP 200 with JSON: "[{\\"a\\": 1}]"'),
]


@pytest.mark.parametrize("description, response, said", DESCRIPTIONS, ids=[c[0] for c in DESCRIPTIONS])
def test_a_failure_says_what_the_answer_held(description, response, said):
    assert answers.describe(response) == said


@pytest.mark.parametrize("text, shown", [
    ("x" * 160, json.dumps("x" * 160)),
    ("x" * 161, json.dumps("x" * 160 + "…", ensure_ascii=False)),
    ("  a\n\tb  ", '"a b"'),
    ("é", '"é"'),
], ids=["160 characters", "161 characters, cut", "spaces and lines", "not ASCII"])  # ASCII IDs: mutmut selects by ID
def test_a_snippet_is_one_line_of_at_most_160_characters(text, shown):
    assert answers.describe(answer(500, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})) == \
        f"HTTP 500 with text/plain: {shown}"


# description, the answer, what the note says produced it (None: nothing in front of the server did).
INTERMEDIARIES = [
    ("Prism's own error",
     answer(422, {"type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY", "title": "Invalid request",
                  "status": 422}, PROBLEM),
     "Prism produced this answer itself (UNPROCESSABLE_ENTITY: \"Invalid request\"): no Reactor server answered "
     "the request"),
    ("Prism's own error without a title", answer(404, {"type": "https://stoplight.io/prism/errors#NO_PATH_MATCHED"}),
     "Prism produced this answer itself (NO_PATH_MATCHED: \"\"): no Reactor server answered the request"),
    ("a problem document by its media type", answer(401, b"", PROBLEM),
     "this answer is an RFC 7807 problem document (application/problem+json), which a Reactor API never sends: a "
     "proxy or mock produced it, not a Reactor server"),
    ("a problem document by its members", answer(400, {"type": "about:blank", "title": "Bad", "status": 400}),
     "this answer is an RFC 7807 problem document (application/problem+json), which a Reactor API never sends: a "
     "proxy or mock produced it, not a Reactor server"),
    ("problem members beside JSON:API errors",
     answer(400, {"type": "t", "title": "Bad", "status": 400, "errors": [{"status": "400", "title": "Bad"}]}), None),
    ("type and title without status", answer(400, {"type": "t", "title": "Bad"}), None),
    ("a JSON:API answer", answer(200, {"data": AUTHORIZATION}, JSON_API), None),
    ("a body that is not an object", answer(200, b"[]"), None),
]


@pytest.mark.parametrize("description, response, note", INTERMEDIARIES, ids=[c[0] for c in INTERMEDIARIES])
def test_an_answer_a_proxy_or_mock_produced_is_told_apart(description, response, note):
    assert answers.intermediary(response) == note


def exchange(headers: dict, body: str) -> Exchange:
    return Exchange("owner", "GET", "http://127.0.0.1:1/x", {}, "", 200, headers, body, 1.0)


# What the media type is read from: description, the response, its media type.
MEDIA_TYPES = [
    ("the response's own header, any case, without parameters", answer(200, b"", {"CONTENT-TYPE": " Text/HTML; x=1"}),
     "text/html"),
    ("no header", answer(200), ""),
    ("the recorded exchange's headers", SimpleNamespace(exchange=exchange({"content-type": "application/json"}, "")),
     "application/json"),
    ("the response's headers before the exchange's",
     SimpleNamespace(headers={"Content-Type": "a/b"}, exchange=exchange({"Content-Type": "c/d"}, "")), "a/b"),
]


@pytest.mark.parametrize("description, response, media_type", MEDIA_TYPES, ids=[c[0] for c in MEDIA_TYPES])
def test_the_media_type(description, response, media_type):
    assert answers.media_type(response) == media_type


def test_an_answer_known_only_by_its_recorded_exchange_is_read_from_it():
    finding = SimpleNamespace(status_code=409, exchange=exchange(
        {"Content-Type": "application/vnd.api+json"}, '{"errors": [{"status": "409", "title": "Conflict"}]}'))
    assert answers.describe(finding) == "HTTP 409 with a JSON:API error document: 409 Conflict"
    assert answers.raw(SimpleNamespace(text=None, exchange=None)) == answers.raw(SimpleNamespace(text=None)) == b""
    assert answers.body_of(SimpleNamespace(text='{"a": 1}')) == {"a": 1}

"""The HTTP client: the Reactor headers, bounded retries that never hide a failure, rate limits,
redaction everywhere a string leaves the process, and the ledger of created resources."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from reactor_conformance import redact
from reactor_conformance.client import ApiClient, RateLimiter, Retries
from reactor_conformance.errors import TargetError
from reactor_conformance.ims import StaticToken
from reactor_conformance.ledger import Ledger, cleanup
from reactor_conformance.settings import Identity

IDENTITY = Identity("owner", "ORG@AdobeOrg", "api-key-123456", access_token="token-abcdef-123456")


class Script(http.server.BaseHTTPRequestHandler):
    """Answers from a queue of (status, headers, body); records what it received."""

    answers: list = []
    received: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        type(self).received.append((self.command, self.path, dict(self.headers), self.rfile.read(length)))
        status, headers, body = type(self).answers.pop(0) if type(self).answers else (200, {}, b"{}")
        self.send_response(status)
        for key, value in {"Content-Type": "application/vnd.api+json", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    handler = type("Handler", (Script,), {"answers": [], "received": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def client(base_url, **kw) -> ApiClient:
    return ApiClient(base_url, IDENTITY, StaticToken(IDENTITY.access_token),
                     retries=Retries(backoff_s=0.01, max_wait_s=0.05), **kw)


def test_every_call_carries_the_reactor_headers(stub):
    handler, url = stub
    client(url).post("/x", json={"data": {}})
    client(url).get("/x")
    (_, _, post_headers, body), (_, _, get_headers, _) = handler.received
    assert post_headers["Authorization"] == "Bearer token-abcdef-123456"
    assert post_headers["x-api-key"] == "api-key-123456" and post_headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
    assert post_headers["Content-Type"] == "application/vnd.api+json" and json.loads(body) == {"data": {}}
    assert get_headers["Accept"] == "application/vnd.api+json;revision=1"


def test_a_header_can_be_left_out(stub):
    handler, url = stub
    client(url).get("/x", omit_headers=("x-api-key",))
    assert "x-api-key" not in {k.lower() for k in handler.received[0][2]}


# Retries: description, answers, method, expected final status, expected number of requests.
RETRIES = [
    ("429 with Retry-After on GET is retried", [(429, {"Retry-After": "0"}, b"{}")], "GET", 200, 2),
    ("503 on DELETE is retried", [(503, {}, b"{}")], "DELETE", 200, 2),
    ("429 on POST is not retried", [(429, {"Retry-After": "0"}, b"{}")], "POST", 429, 1),
    ("retries are bounded and the failure shows", [(503, {}, b"{}")] * 5, "GET", 503, 3),
]


@pytest.mark.parametrize("description, answers, method, status, requests_made", RETRIES, ids=[c[0] for c in RETRIES])
def test_retries_are_bounded_and_idempotent_only(description, answers, method, status, requests_made, stub):
    handler, url = stub
    handler.answers.extend(answers)
    response = client(url).request(method, "/x")
    assert response.status_code == status and len(handler.received) == requests_made
    assert len(response.exchange.retries) == requests_made - 1


def test_an_unreachable_target_is_one_line():
    with pytest.raises(TargetError, match="cannot reach http://127.0.0.1:9/x: connection refused"):
        client("http://127.0.0.1:9").get("/x")


def test_the_rate_limit_spaces_requests(stub):
    _, url = stub
    limited = client(url, limiter=RateLimiter(50))
    started = time.monotonic()
    for _ in range(6):
        limited.get("/x")
    assert time.monotonic() - started >= 5 / 50 * 0.9


def test_secrets_never_leave_in_descriptions_or_curl_lines(stub):
    handler, url = stub
    handler.answers.append((400, {}, b'{"echo": "token-abcdef-123456"}'))
    exchange = client(url).post("/x", json={"secret": "api-key-123456"}).exchange
    for text in (exchange.describe(), exchange.curl()):
        assert "token-abcdef-123456" not in text and "api-key-123456" not in text
    assert '"Authorization: Bearer $OWNER_TOKEN"' in exchange.curl()
    assert "$OWNER_API_KEY" in exchange.curl()


# Redaction: description, text, expected.
REDACTIONS = [
    ("a registered secret", "x token-abcdef-123456 y", "x *** y"),
    ("an unregistered bearer token", "Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
    ("a client secret in a form", "client_id=a&client_secret=s3cr3t&x=1", "client_id=a&client_secret=***&x=1"),
    ("nothing secret", "GET /extension_packages", "GET /extension_packages"),
]


@pytest.mark.parametrize("description, text, expected", REDACTIONS, ids=[c[0] for c in REDACTIONS])
def test_redaction(description, text, expected):
    redact.register("OWNER_TOKEN", "token-abcdef-123456")
    assert redact.redact(text) == expected


def test_the_ledger_lists_what_is_outstanding_and_cleanup_deletes_it(stub, tmp_path):
    handler, url = stub
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record("authorization", "EA1", "owner", "/a/EA1")
    ledger.record("authorization", "EA2", "owner", "/a/EA2")
    ledger.record("extension", "EX1", "authorized", "/e/EX1")
    ledger.forget("EA1")
    assert [entry.id for entry in ledger.outstanding()] == ["EX1", "EA2"]
    handler.answers.append((404, {}, b"{}"))
    result = cleanup(ledger, {"owner": client(url)})  # no client for the authorized identity
    assert [e.id for e in result.already_gone] == ["EA2"] and result.deleted == []
    assert len(result.failed) == 1 and "EX1" in result.failed[0]
    assert [entry.id for entry in ledger.outstanding()] == ["EX1"]

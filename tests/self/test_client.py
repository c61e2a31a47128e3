"""The HTTP client against scripted loopback servers: the Reactor headers, paths as written, bounded retries
that never hide a failure, token renewal on 401, one-line errors for an unreachable target, the rate
limit, and exchanges whose descriptions and curl lines carry no secret."""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from email.utils import formatdate

import pytest
import requests
from schemathesis.core import NOT_SET
from stub_http import Handler, serve, stop, unused_port
from suite_runs import REQUEST_HANG_GUARD_S

from reactor_conformance.client import exchanges, transport
from reactor_conformance.client.api_client import ApiClient, Retries
from reactor_conformance.client.ims import StaticToken
from reactor_conformance.client.profile import Identity
from reactor_conformance.client.transport import RateLimiter
from reactor_conformance.errors import TargetError
from reactor_conformance.fuzzing import sending, spec

TOKEN, API_KEY = "token-abcdef-123456", "api-key-123456"
IDENTITY = Identity("owner", "ORG@AdobeOrg", API_KEY, access_token=TOKEN)
FAST = Retries(backoff_s=0.01, max_wait_s=0.05)
DROP, SLOW = "drop the connection", "answer too late"
CLIENT_TIMEOUT_S = 0.2  # the client's own timeout under test: the stub's SLOW answers never come before it


class Scripted(Handler):
    """Answers from a queue of ``(status, headers, body)`` or ``DROP``/``SLOW``; records what it received."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append((self.command, self.path, self.headers, self.rfile.read(length)))
        answer = self.server.answers.pop(0) if self.server.answers else (200, {}, b'{"data": []}')
        if answer == DROP:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if answer == SLOW:
            time.sleep(1.0)
            answer = (200, {}, b"{}")
        status, headers, body = answer
        try:
            self.answer(status, body, "application/vnd.api+json", headers)
        except (BrokenPipeError, ConnectionResetError):  # a SLOW answer after the client gave up on it
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_DELETE = _answer


class Stub:
    def __init__(self):
        self.httpd = serve(Scripted, answers=[], received=[])
        self.url = self.httpd.url

    @property
    def answers(self) -> list:
        return self.httpd.answers

    @property
    def received(self) -> list:
        return self.httpd.received

    def close(self):
        stop(self.httpd)


@pytest.fixture
def stub():
    server = Stub()
    yield server
    server.close()


def make_client(base_url: str, tokens=None, **kw) -> ApiClient:
    """A client whose waits between retries are capped at a few milliseconds."""
    session = kw.pop("session", None) or transport.session(max_wait_s=FAST.max_wait_s)
    return ApiClient(base_url, IDENTITY, tokens or StaticToken(TOKEN), retries=kw.pop("retries", FAST),
                     session=session, **kw)


def test_every_call_carries_the_reactor_headers(stub):
    make_client(stub.url).post("/x", json={"data": {"type": "t"}})
    make_client(stub.url).get("/x")
    (_, _, post_headers, body), (_, _, get_headers, _) = stub.received
    assert post_headers["Authorization"] == f"Bearer {TOKEN}"
    assert post_headers["x-api-key"] == API_KEY and post_headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
    assert post_headers["Content-Type"] == "application/vnd.api+json" and body == b'{"data": {"type": "t"}}'
    assert get_headers["Accept"] == "application/vnd.api+json;revision=1"


# Leaving out and overriding headers: description, request keywords, header, value on the wire (None: absent).
HEADER_CASES = [
    ("no x-api-key", {"omit_headers": ("x-api-key",)}, "x-api-key", None),
    ("no Authorization, in any spelling", {"omit_headers": ("authorization",)}, "Authorization", None),
    ("no org header", {"omit_headers": ("X-Gw-Ims-Org-Id",)}, "x-gw-ims-org-id", None),
    ("no Accept, not even the default one", {"omit_headers": ("Accept",)}, "Accept", None),
    ("another token", {"headers": {"Authorization": "Bearer not-a-token"}}, "Authorization", "Bearer not-a-token"),
    ("another org, header named in lower case", {"headers": {"x-gw-ims-org-id": "OTHER@AdobeOrg"}},
     "x-gw-ims-org-id", "OTHER@AdobeOrg"),
]


@pytest.mark.parametrize("description, keywords, header, expected", HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_headers_can_be_left_out_or_overridden(description, keywords, header, expected, stub):
    make_client(stub.url).get("/x", **keywords)
    received = stub.received[0][2]
    assert received.get(header) == expected
    assert len(received.get_all(header) or []) == (expected is not None)


# Bodies: description, request keywords, bytes on the wire, Content-Type on the wire.
BODY_CASES = [
    ("JSON as JSON:API", {"json": {"a": "é"}}, b'{"a": "\\u00e9"}', "application/vnd.api+json"),
    ("raw bytes as they are", {"raw_body": b"{not json"}, b"{not json", "application/vnd.api+json"),
    ("raw text in UTF-8", {"raw_body": '{"a": "é"}'}, '{"a": "é"}'.encode(), "application/vnd.api+json"),
    ("raw text with another type", {"raw_body": "a=1", "headers": {"Content-Type": "text/plain"}}, b"a=1",
     "text/plain"),
    ("a form", {"data": {"a": "1"}}, b"a=1", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("description, keywords, wire, content_type", BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_bodies_go_out_as_given(description, keywords, wire, content_type, stub):
    make_client(stub.url).post("/x", **keywords)
    _, _, headers, body = stub.received[0]
    assert body == wire and headers["Content-Type"] == content_type


# Paths: description, path given, query parameters, path and query on the wire.
PATH_CASES = [
    ("a dot-dot segment is not normalised away", "/a/EA1/..", None, "/a/EA1/.."),
    ("an encoded dot-dot stays encoded", "/a/%2e%2e", None, "/a/%2E%2E"),
    ("an encoded query stays in the path", "/a/EA1%3Fx=1", None, "/a/EA1%3Fx=1"),
    ("non-ASCII is percent-encoded", "/a/EAé", None, "/a/EA%C3%A9"),
    ("query parameters are encoded", "/a", {"page[size]": 1}, "/a?page%5Bsize%5D=1"),
    ("a path without a leading slash", "a/b", None, "/a/b"),
]


@pytest.mark.parametrize("description, path, params, wire", PATH_CASES, ids=[c[0] for c in PATH_CASES])
def test_paths_go_on_the_wire_as_written(description, path, params, wire, stub):
    make_client(stub.url).get(path, params=params)
    assert stub.received[0][1] == wire


def test_an_absolute_url_is_asked_of_the_target_with_its_path_and_query(stub):
    """A link names a resource; it is asked of the target the run is aimed at, so that credentials never go to
    another host a document names."""
    make_client(stub.url).get("https://reactor.example.test/links/self?page%5Bnumber%5D=2")
    assert stub.received[0][1] == "/links/self?page%5Bnumber%5D=2"


PAST_DATE = formatdate(time.time() - 60, usegmt=True)

# Retries: description, answers, method, final status, requests made.
RETRY_CASES = [
    ("429 with Retry-After in seconds on GET", [(429, {"Retry-After": "0"}, b"{}")], "GET", 200, 2),
    ("429 with Retry-After as an HTTP date", [(429, {"Retry-After": PAST_DATE}, b"{}")], "GET", 200, 2),
    ("503 without Retry-After on DELETE", [(503, {}, b"{}")], "DELETE", 200, 2),
    ("a long Retry-After is capped, not obeyed", [(429, {"Retry-After": "3600"}, b"{}")], "GET", 200, 2),
    ("429 on POST is retried: the target did not act on it", [(429, {"Retry-After": "0"}, b"{}")], "POST", 200, 2),
    ("503 on PATCH is shown, not retried", [(503, {}, b"{}")], "PATCH", 503, 1),
    ("at most five tries, then the answer shows", [(503, {}, b"{}")] * 7, "GET", 503, 5),
    ("a dropped connection on GET", [DROP], "GET", 200, 2),
    ("500 is never retried", [(500, {}, b"{}")], "GET", 500, 1),
]


@pytest.mark.parametrize("description, answers, method, status, requests_made", RETRY_CASES,
                         ids=[c[0] for c in RETRY_CASES])
def test_retries_are_bounded_idempotent_only_and_recorded(description, answers, method, status, requests_made, stub):
    stub.answers.extend(answers)
    response = make_client(stub.url).request(method, "/x")
    assert response.status_code == status and len(stub.received) == requests_made
    assert len(response.exchange.retries) == requests_made - 1
    if requests_made > 1:
        assert "retried" in response.exchange.describe()


# Waits before a retry: description, Retry-After, seconds waited (the cap is 10 s).
WAITS = [("seconds", "2", 2.0), ("an HTTP date in the past", PAST_DATE, 0.0), ("a long wait, capped", "3600", 10.0)]


@pytest.mark.parametrize("description, retry_after, seconds", WAITS, ids=[c[0] for c in WAITS])
def test_retry_after_is_honoured_up_to_a_cap(description, retry_after, seconds):
    assert transport.retry_policy().parse_retry_after(retry_after) == pytest.approx(seconds, abs=1)


def test_retries_and_requests_are_counted(stub):
    before = transport.counts()
    stub.answers.extend([(429, {"Retry-After": "0"}, b"{}"), (503, {}, b"{}")])
    make_client(stub.url).get("/x")
    after = transport.counts()
    assert (after["sent"] - before["sent"], after["retried_429"] - before["retried_429"],
            after["retried_503"] - before["retried_503"]) == (3, 1, 1)


def test_a_dropped_connection_on_post_is_not_retried(stub):
    stub.answers.append(DROP)
    with pytest.raises(TargetError, match=r"^POST http://127\.0\.0\.1:\d+/x failed: connection closed"):
        make_client(stub.url).post("/x", json={})
    assert len(stub.received) == 1


# A generated request whose connection is closed before any answer: description, method, answers, requests made,
# and what the request came to (its status, or the failure it is reported with).
GENERATED_DROPS = [
    ("a read is sent once more on a new connection", "GET", [DROP], 2, 200),
    ("a read dropped twice is reported, said twice", "GET", [DROP, DROP], 2,
     "no answer: connection closed without an answer, twice"),
    ("a grant is never sent again: it may have been made", "POST", [DROP], 1,
     "no answer: connection closed without an answer"),
]


@pytest.mark.parametrize("description, method, answers, requests_made, outcome", GENERATED_DROPS,
                         ids=[c[0] for c in GENERATED_DROPS])
def test_a_generated_request_whose_connection_was_dropped(description, method, answers, requests_made, outcome,
                                                           stub):
    operation_id = {"GET": "retrieveExtensionPackageUsageAuthorizationById",
                    "POST": "createExtensionPackageUsageAuthorization"}[method]
    operation = spec.operations(spec.load())[operation_id]
    case = operation.Case(path_parameters={name: "EP" + "0" * 32 for name in ("ID", "EXTENSION_PACKAGE_ID")},
                          body={"data": {"attributes": {"authorized_org_id": "ORG@AdobeOrg"},
                                         "type": "extension_package_usage_authorizations"}} if method == "POST"
                          else NOT_SET)
    stub.answers.extend(answers)
    aim = sending.Aim(stub.url, None, False, sending.Pace(None), transport.session(into=sending.FuzzSession()),
                      REQUEST_HANG_GUARD_S)
    sent = sending.send(case, sending.Caller("anonymous"), aim)
    assert len(stub.received) == requests_made
    assert (sent.response.status_code if sent.response is not None else sent.error) == outcome


def test_a_target_too_slow_to_answer_fails_after_the_retries(stub):
    stub.answers.extend([SLOW] * 3)
    with pytest.raises(TargetError) as error:
        make_client(stub.url, timeout=CLIENT_TIMEOUT_S).get("/x")
    assert "no answer within 0.2 s (after 2 retries)" in str(error.value) and len(stub.received) == 3


class Renewing:
    """A renewable token source whose first token the target no longer accepts."""

    refreshable = True

    def __init__(self):
        self.tokens, self.invalidated = iter(["stale-token-0000", "fresh-token-1111"]), 0
        self.current = next(self.tokens)

    def token(self) -> str:
        return self.current

    def invalidate(self) -> None:
        self.invalidated += 1
        self.current = next(self.tokens)


# 401: description, token source, request keywords, final status, tokens sent in order.
RENEWAL_CASES = [
    ("a renewable token is renewed once and the request sent again", Renewing, {}, 200,
     ["Bearer stale-token-0000", "Bearer fresh-token-1111"]),
    ("a static token cannot be renewed: the 401 shows", lambda: StaticToken(TOKEN), {}, 401, [f"Bearer {TOKEN}"]),
    ("a token the test chose is not renewed", Renewing, {"headers": {"Authorization": "Bearer chosen"}}, 401,
     ["Bearer chosen"]),
]


@pytest.mark.parametrize("description, source, keywords, status, sent", RENEWAL_CASES,
                         ids=[c[0] for c in RENEWAL_CASES])
def test_a_401_renews_a_renewable_token_once(description, source, keywords, status, sent, stub):
    stub.answers.extend([(401, {}, b'{"errors": []}'), (200, {}, b"{}") if status == 200 else (401, {}, b"{}")])
    response = make_client(stub.url, tokens=source()).post("/x", json={}, **keywords)
    assert response.status_code == status
    assert [headers["Authorization"] for _, _, headers, _ in stub.received] == sent


def test_a_second_401_after_renewal_is_shown(stub):
    stub.answers.extend([(401, {}, b"{}"), (401, {}, b"{}")])
    tokens = Renewing()
    response = make_client(stub.url, tokens=tokens).get("/x")
    assert response.status_code == 401 and tokens.invalidated == 1 and len(stub.received) == 2


# Unreachable targets: description, base URL (PORT: an unused port, STUB: a plain-HTTP stub), message pattern.
UNREACHABLE = [
    ("connection refused", "http://127.0.0.1:PORT", r"^cannot reach http://127\.0\.0\.1:\d+: connection refused$"),
    ("TLS spoken to plain HTTP", "https://STUB", r"^cannot reach https://127\.0\.0\.1:\d+: TLS handshake failed"),
]


@pytest.mark.parametrize("description, base_url, pattern", UNREACHABLE, ids=[c[0] for c in UNREACHABLE])
def test_an_unreachable_target_is_one_line_without_retries(description, base_url, pattern, stub):
    base_url = base_url.replace("PORT", str(unused_port())).replace("STUB", stub.url.split("//")[1])
    with pytest.raises(TargetError, match=pattern) as error:
        make_client(base_url, retries=Retries()).get(f"/x?key={API_KEY}")
    assert "\n" not in str(error.value) and API_KEY not in str(error.value)
    assert "retries)" not in str(error.value)  # not worth a retry: a retried failure says "(after N retries)"


def test_a_non_json_answer_is_returned_not_raised(stub):
    stub.answers.append((200, {"Content-Type": "text/html"}, b"<html><body>Welcome</body></html>"))
    response = make_client(stub.url).get("/x")
    assert response.status_code == 200 and "<html><body>Welcome" in response.exchange.describe()
    assert "Content-Type: text/html" in response.exchange.describe()


# Bodies in the exchange: description, answer body, expected response_body.
SHOWN_BODIES = [
    ("a long body is truncated and says so", b"x" * 9000, "x" * 8192 + "… (truncated; 9000 bytes in all)"),
    ("a binary body is not dumped", b"PK\x03\x04\xff\xfe\x00\x01" * 10, "<80 bytes of binary data>"),
    ("no body", b"", ""),
]


@pytest.mark.parametrize("description, body, shown", SHOWN_BODIES, ids=[c[0] for c in SHOWN_BODIES])
def test_response_bodies_are_shown_within_limits(description, body, shown, stub):
    stub.answers.append((200, {}, body))
    assert make_client(stub.url).get("/x").exchange.response_body == shown


def test_the_description_reads_as_request_then_answer(stub):
    stub.answers.append((422, {}, b'{"errors": [{"status": "422"}]}'))
    exchange = make_client(stub.url).patch("/a/EA1", json={"data": {"id": "EA1"}}).exchange
    lines = exchange.describe().splitlines()
    assert lines[0] == f"PATCH {stub.url}/a/EA1 as owner"
    assert "  Authorization: Bearer ***" in lines and "  x-gw-ims-org-id: ORG@AdobeOrg" in lines
    assert '  {"data": {"id": "EA1"}}' in lines
    answer = next(i for i, line in enumerate(lines) if line.startswith("→ 422"))
    assert lines[answer + 2:] == ['  {"errors": [{"status": "422"}]}']
    assert (exchange.method, exchange.status, exchange.identity) == ("PATCH", 422, "owner")


def test_secrets_never_leave_in_descriptions_curl_lines_or_bodies(stub):
    stub.answers.append((400, {"X-Echo": TOKEN}, f'{{"echo": "{TOKEN}", "key": "{API_KEY}"}}'.encode()))
    exchange = make_client(stub.url).post(f"/x?k={API_KEY}", json={"secret": API_KEY}).exchange
    for text in (exchange.describe(), exchange.curl(), repr(exchange), str(exchange.response_headers)):
        assert TOKEN not in text and API_KEY not in text
    assert '-H "Authorization: Bearer $OWNER_TOKEN"' in exchange.curl()
    assert '-H "x-api-key: $OWNER_API_KEY"' in exchange.curl()


# Requests a curl line must reproduce: description, request keywords.
CURL_CASES = [
    ("JSON with shell characters and a secret", {"json": {"note": "it's $HOME `x` \\ \"q\" !", "k": API_KEY}}),
    ("a raw body over several lines", {"raw_body": f"{{\n\t\"k\": \"{API_KEY}\"\r\n}}"}),
    ("no body, a query string", {"params": {"page[size]": "1", "filter[state]": "EQ approved"}}),
]


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
@pytest.mark.parametrize("description, keywords", CURL_CASES, ids=[c[0] for c in CURL_CASES])
def test_the_curl_line_reproduces_the_request(description, keywords, stub):
    curl = make_client(stub.url).patch("/a/EA1/..", **keywords).exchange.curl()
    assert "\n" not in curl and API_KEY not in curl and TOKEN not in curl
    environment = {**os.environ, "OWNER_TOKEN": TOKEN, "OWNER_API_KEY": API_KEY}
    subprocess.run(["bash", "-c", curl], env=environment, check=True, capture_output=True, timeout=REQUEST_HANG_GUARD_S)
    (method, path, headers, body), (method2, path2, headers2, body2) = stub.received
    assert (method2, path2, body2) == (method, path, body)
    for name in ("Authorization", "x-api-key", "x-gw-ims-org-id", "Content-Type"):
        assert headers2[name] == headers[name]


def test_every_exchange_reaches_the_callbacks(stub):
    seen = []
    exchanges.on_exchange.append(seen.append)
    try:
        make_client(stub.url).get("/one")
        make_client(stub.url).delete("/two")
    finally:
        exchanges.on_exchange.remove(seen.append)
    assert [(e.method, e.url.rsplit("/", 1)[1], e.status) for e in seen] == [("GET", "one", 200), ("DELETE", "two", 200)]


def test_the_rate_limit_spaces_requests_across_threads(stub):
    limiter = RateLimiter(50)
    clients = [make_client(stub.url, limiter=limiter) for _ in range(3)]
    started = time.monotonic()
    threads = [threading.Thread(target=lambda c=c: [c.get("/x") for _ in range(3)]) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stub.received) == 9 and time.monotonic() - started >= 8 / 50 * 0.9


@pytest.mark.parametrize("max_rps", [0, -1])
def test_a_rate_limit_must_be_positive(max_rps):
    with pytest.raises(ValueError, match="max_rps must be positive"):
        RateLimiter(max_rps)


def test_a_shared_rate_limit_holds_across_the_processes_of_a_run(tmp_path):
    """Two limiters on one file stand for two xdist workers: together they keep to the one pace (a lower bound
    on the time taken, which a slow machine only makes longer)."""
    first, second = RateLimiter(50, tmp_path / "pace"), RateLimiter(50, tmp_path / "pace")
    started = time.monotonic()
    for _ in range(5):
        first.wait()
        second.wait()
    assert time.monotonic() - started >= 9 / 50 * 0.9


# The wait before a request counts as hung, learnt from the target's answers: description, seconds of the answers
# seen so far, the run's --request-timeout (the ceiling), the wait expected.
ANSWER_WAITS = [
    ("before it learnt anything, the ceiling", [0.01] * (transport.LEARNING_ANSWERS - 1), 30.0, 30.0),
    ("a mock answering in milliseconds: the floor", [0.01] * transport.LEARNING_ANSWERS, 30.0, transport.HUNG_FLOOR_S),
    ("a slow staging: ten times its slowest answer", [0.3] * 30 + [1.5], 30.0, 15.0),
    ("a very slow one: never beyond the ceiling", [0.3] * 30 + [4.0], 30.0, 30.0),
    ("a ceiling below the floor stays the ceiling", [0.01] * 30, 1.0, 1.0),
]


@pytest.mark.parametrize("description, seen, ceiling, wait", ANSWER_WAITS, ids=[c[0] for c in ANSWER_WAITS])
def test_the_wait_for_an_answer_is_learnt_from_the_targets_answers(description, seen, ceiling, wait):
    times = transport.AnswerTimes()
    for seconds in seen:
        times.note(seconds)
    assert times.limit(ceiling) == wait


def test_the_embedded_server_is_always_given_the_ceiling():
    times = transport.AnswerTimes()
    times.clear(learning=False)
    for _ in range(transport.LEARNING_ANSWERS * 2):
        times.note(0.001)
    assert times.limit(30.0) == 30.0


LEARNT_CEILING_S = 300.0  # the client's --request-timeout here: far above the learnt wait, which the message must name


def test_a_request_a_quick_target_never_answers_is_hung_after_the_learnt_wait(stub, monkeypatch):
    """Twenty answers, then one that does not come: the POST is given up after the learnt wait (the floor here,
    lowered for the test), not after the client's ceiling, and the message says which wait it was. The slowest
    answer is pinned after the twenty, so that a machine too busy to answer quickly changes nothing here (how the
    wait follows the answers' times is the table above)."""
    monkeypatch.setattr(transport, "answer_times", transport.AnswerTimes())
    monkeypatch.setattr(transport, "HUNG_FLOOR_S", CLIENT_TIMEOUT_S)
    client = make_client(stub.url, timeout=LEARNT_CEILING_S)
    for _ in range(transport.LEARNING_ANSWERS):
        client.get("/x")
    transport.answer_times.slowest_s = CLIENT_TIMEOUT_S / transport.HUNG_MULTIPLE / 2  # quicker than the floor
    stub.answers.append(SLOW)
    with pytest.raises(TargetError) as error:
        client.post("/x", json={})
    waited = re.search(r"no answer within ([0-9.]+) s \(10× the target's slowest answer", str(error.value))
    assert waited, str(error.value)
    assert float(waited.group(1)) == CLIENT_TIMEOUT_S, str(error.value)


def test_the_netrc_file_is_read_once_per_origin_and_honoured_as_requests_would(stub, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    session = transport.Session()
    for client, login in ((requests.Session(), "first"), (session, "second"), (session, "third")):
        netrc.write_text(f"machine 127.0.0.1 login {login} password secret\n", "utf-8")
        client.get(f"{stub.url}/extension_packages")
    sent = [base64.b64decode(headers["Authorization"].split()[1]) for _, _, headers, _ in stub.received]
    assert sent == [b"first:secret", b"second:secret", b"second:secret"]  # as requests does, the file read once


def test_without_netrc_credentials_nothing_is_added(stub, tmp_path, monkeypatch):
    monkeypatch.setenv("NETRC", str(tmp_path / "absent"))
    session = transport.Session()
    session.get(f"{stub.url}/extension_packages")
    session.get(f"{stub.url}/extension_packages")
    assert [headers.get("Authorization") for _, _, headers, _ in stub.received] == [None, None]

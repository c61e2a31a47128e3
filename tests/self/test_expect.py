"""Checks judged on answers built here, without a server: what each one tolerates and what it fails."""

from __future__ import annotations

import json
import threading
from datetime import datetime

import pytest
import requests

from reactor_conformance.checks import expect
from reactor_conformance.client import redact
from reactor_conformance.client.exchanges import Exchange


def answer(status: int, body: bytes = b"", **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers.update({name.replace("_", "-"): value for name, value in headers.items()})
    return response


# A revocation's 204 (REVOKE-01, docs/decisions.md D42): description, the answer, and what a failure observes
# (None: the check holds).
NO_CONTENT = [
    ("no body, no length", answer(204), None),
    ("Content-Length: 0, which garbles nothing", answer(204, Content_Length="0"), None),
    ("a body announced by its Content-Length", answer(204, Content_Length="20"), "Content-Length: 20"),
    ("a body read", answer(204, b'{"data": null}'), "HTTP 204 with"),
]


@pytest.mark.parametrize("description, response, observed", NO_CONTENT, ids=[c[0] for c in NO_CONTENT])
def test_a_204_announces_no_body(description, response, observed):
    expect.begin()
    if observed is None:
        expect.no_content(response, "REVOKE-01", description)
        assert expect.current().held["REVOKE-01"] == 1
    else:
        with pytest.raises(expect.ConformanceFailure, match=f"observed: {observed}"):
            expect.no_content(response, "REVOKE-01", description)


def test_a_check_in_another_thread_than_its_test_is_refused_not_lost():
    """The running test's verdicts belong to its own thread: a check judged elsewhere would record where no test
    reads it, and a failure there would pass unseen."""
    expect.begin()
    refused: list[BaseException] = []

    def judge() -> None:
        try:
            expect.check(False, "REVOKE-01", "a check in a thread", "204", "409")
        except BaseException as error:  # noqa: BLE001 - the case is what was raised
            refused.append(error)

    worker = threading.Thread(target=judge)
    worker.start()
    worker.join()
    assert [type(error) for error in refused] == [RuntimeError]
    assert str(refused[0]) == "a check ran outside its test's thread: judge the answers in the test itself"
    assert not expect.current().failed


ERROR_DOCUMENT = b'{"errors": [{"status": "422", "title": "Invalid attribute"}]}'
# A refusal (client_error): the status, and whether it is one. Only 4xx: a 500 is the server's failure, never the
# refusal a requirement asks for, whatever its body.
REFUSALS = [(400, True), (404, True), (422, True), (499, True), (399, False), (500, False), (503, False),
            (201, False)]


@pytest.mark.parametrize("status, refusal", REFUSALS, ids=[f"HTTP {c[0]}" for c in REFUSALS])
def test_only_a_4xx_is_a_refusal(status, refusal):
    expect.begin()
    response = answer(status, ERROR_DOCUMENT, Content_Type="application/vnd.api+json")
    if refusal:
        expect.client_error(response, "CREATE-04", "a grant of an unknown package")
        assert expect.current().held["CREATE-04"] >= 1 and not expect.current().failed
    else:
        with pytest.raises(expect.ConformanceFailure, match=r"expected: a 4xx refusal\n  observed: HTTP "
                                                            f"{status} with a JSON:API error document"):
            expect.client_error(response, "CREATE-04", "a grant of an unknown package")
        assert list(expect.current().failed) == ["CREATE-04"]


def exchanged(status: int, body: bytes = b"", **headers: str) -> requests.Response:
    """An answer with the exchange the suite's client records, as a failure shows it."""
    response = answer(status, body, **headers)
    response.exchange = Exchange("owner", "POST", "http://127.0.0.1:1/x", {"Authorization": f"Bearer {TOKEN}"},
                                 "{}", status, {"Content-Type": headers.get("Content_Type", "")}, body.decode(), 3.0,
                                 _curl="curl -X POST http://127.0.0.1:1/x -H 'Authorization: Bearer $OWNER_TOKEN'")
    return response


TOKEN = "owner-token-in-a-failure-0001"
PRISM_422 = (b'{"type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY", "title": "Invalid", "status": 422}')


def test_a_failure_tells_the_whole_story_and_no_secret():
    redact.register("OWNER_TOKEN", TOKEN)
    expect.begin()
    response = exchanged(422, PRISM_422, Content_Type="application/problem+json")
    with pytest.raises(expect.ConformanceFailure) as failure:
        expect.check(False, "CREATE-04", "a grant of an unknown package", "HTTP 404", f"it said {TOKEN}", response)
    assert failure.value.requirement == "CREATE-04"
    assert str(failure.value) == "\n".join([
        "[CREATE-04] a grant of an unknown package", "  expected: HTTP 404", "  observed: it said ***",
        "  note: Prism produced this answer itself (UNPROCESSABLE_ENTITY: \"Invalid\"): no Reactor server answered "
        "the request",
        "  exchange:", *("    " + line for line in response.exchange.describe().splitlines()),
        "  reproduce:", "    curl -X POST http://127.0.0.1:1/x -H 'Authorization: Bearer $OWNER_TOKEN'"])
    assert "Bearer ***" in str(failure.value) and expect.current().failed == {"CREATE-04": str(failure.value)}
    assert expect.current().held == {}


def test_a_failure_without_an_answer_says_what_was_checked_expected_and_observed():
    expect.begin()
    with pytest.raises(expect.ConformanceFailure, match=r"^\[SHAPE-02\] what\n  expected: 1\n  observed: 2$"):
        expect.equal(2, 1, "SHAPE-02", "what")
    with pytest.raises(expect.ConformanceFailure, match=r"^\[SHAPE-02\] w\n  expected: a\n  observed: 2\n  note: "):
        expect.equal(2, "a", "SHAPE-02", "w", answer(400, b'{"type": "t", "title": "T", "status": 400}'))


def test_a_check_that_holds_is_counted_under_its_own_requirement():
    expect.begin()
    for _ in range(2):
        expect.check(True, "SHAPE-01", "x", "", "")
    expect.equal({"a": [1]}, {"a": [1]}, "SHAPE-02", "x")
    assert expect.current().to_json() == {"held": {"SHAPE-01": 2, "SHAPE-02": 1}, "failed": {}}


def test_a_check_of_a_requirement_not_in_the_catalog_is_a_bug_of_the_suite():
    expect.begin()
    with pytest.raises(ValueError, match=r"^a check names 'NOPE-01', which is not in the requirement catalog$"):
        expect.check(True, "NOPE-01", "x", "", "")


def test_a_finding_is_recorded_and_the_test_goes_on():
    expect.begin()
    text = expect.finding("REVOKE-01", "the clean-up", "HTTP 204", "HTTP 409")
    expect.finding("REVOKE-01", "a second clean-up", "HTTP 204", "HTTP 500")  # the first failure of it stays
    assert text == "[REVOKE-01] the clean-up\n  expected: HTTP 204\n  observed: HTTP 409"
    assert expect.current().failed == expect.current().pending == {"REVOKE-01": text}  # it fails the test at its end
    with_answer = expect.finding("REVOKE-02", "the read after it", "HTTP 404", "HTTP 200", exchanged(200))
    assert "\n  exchange:\n    POST http://127.0.0.1:1/x as owner\n" in with_answer


def test_checks_together_each_fail_under_their_own_requirement_and_one_failure_names_them_all():
    expect.begin()
    expect.finding("SHAPE-01", "before", "a", "b")
    with pytest.raises(expect.ConformanceFailure) as failure:
        with expect.together():
            expect.check(False, "SHAPE-02", "first", "1", "2")
            expect.check(True, "SHAPE-03", "held", "1", "1")
            expect.check(False, "SHAPE-03", "second", "3", "4")
    assert failure.value.requirement == "SHAPE-02" and not expect.current().deferring
    assert str(failure.value) == ("[SHAPE-02] first\n  expected: 1\n  observed: 2\n\n"
                                  "[SHAPE-03] second\n  expected: 3\n  observed: 4")
    assert list(expect.current().failed) == ["SHAPE-01", "SHAPE-02", "SHAPE-03"]
    with expect.together():  # nothing new failed: nothing raised, not even the failure from before
        expect.check(True, "SHAPE-02", "x", "", "")
    with pytest.raises(expect.ConformanceFailure):
        expect.check(False, "SHAPE-04", "after the block a failure stops the test again", "", "")


def test_steps_judged_apart_each_stop_at_their_own_failure_and_one_failure_names_them_all():
    expect.begin()
    ran = []

    def walk_by_number():
        expect.check(False, "LIST-03", "page 1", "1 item", "2 items")
        ran.append("after LIST-03's failure")

    def walk_by_links():
        expect.check(True, "LIST-06", "links.next", "page 2", "page 2")
        ran.append("LIST-06 to its end")

    with pytest.raises(expect.ConformanceFailure) as failure:
        expect.apart(walk_by_number, walk_by_links)
    assert ran == ["LIST-06 to its end"] and failure.value.requirement == "LIST-03"
    assert list(expect.current().failed) == ["LIST-03"] and expect.current().held["LIST-06"] == 1
    expect.apart(walk_by_links)  # nothing failed in it: nothing raised
    with pytest.raises(expect.ConformanceFailure) as both:
        expect.apart(lambda: expect.check(False, "LIST-06", "links.last", "page 3", "none"), walk_by_number)
    assert both.value.requirement == "LIST-06" and str(both.value).count("[LIST-0") == 2


def test_checks_judged_later_stop_nothing_until_the_test_settles_them():
    expect.begin()
    later = expect.Later()
    later.settle()  # nothing failed yet
    with later:
        expect.check(False, "LIST-01", "the list shows the grant", "EA1", "nothing")
        expect.check(False, "LIST-02", "the other list", "EA1", "nothing")
    assert not expect.current().deferring and list(later.failed) == ["LIST-01", "LIST-02"]
    expect.check(True, "SHAPE-01", "the test goes on", "", "")
    with pytest.raises(expect.ConformanceFailure) as failure:
        later.settle()
    assert failure.value.requirement == "LIST-01" and str(failure.value) == "\n\n".join(later.failed.values())
    with pytest.raises(expect.ConformanceFailure, match="LIST-03"):
        with expect.together():
            with expect.Later() as inner:
                expect.check(False, "LIST-03", "inside", "", "")
            assert expect.current().deferring and list(inner.failed) == ["LIST-03"]  # still within together()


# A precondition that did not hold: description, how it is called, the reason the test was not run.
UNMET = [
    ("a step that did not happen", lambda: expect.unmet("the owner could not grant"),
     "not reached: the owner could not grant"),
    ("with the answer", lambda: expect.unmet("the owner could not grant", answer(409, b"")),
     "not reached: the owner could not grant; the target answered HTTP 409 with no body"),
    ("because a requirement failed", lambda: expect.unmet("no grant to revoke", failed="REVOKE-01"),
     "not reached: REVOKE-01 failed: no grant to revoke"),
]


@pytest.mark.parametrize("description, call, reason", UNMET, ids=[c[0] for c in UNMET])
def test_an_unmet_precondition_stops_the_test_with_its_reason(description, call, reason):
    expect.begin()
    with pytest.raises(expect.Unmet) as stopped:
        call()
    assert str(stopped.value) == reason and expect.current().to_json() == {"held": {}, "failed": {}}


def test_an_unmet_precondition_shows_the_exchange_without_secrets():
    redact.register("OWNER_TOKEN", TOKEN)
    response = exchanged(409, b'{"errors": []}')
    with pytest.raises(expect.Unmet) as stopped:
        expect.unmet(f"the grant with {TOKEN}", response, failed="CREATE-01")
    assert str(stopped.value) == "\n".join([
        "not reached: CREATE-01 failed: the grant with ***; the target answered HTTP 409 with a JSON:API error "
        "document: no errors", *("  " + line for line in response.exchange.describe().splitlines())])


# Status checks: description, status, the statuses allowed, what a failure expects (None: it holds).
STATUSES = [
    ("the one allowed", 201, 201, None),
    ("one of several", 200, (200, 201), None),
    ("another", 500, 201, "HTTP 201"),
    ("none of several", 204, [200, 201], "HTTP 200 or 201"),
]


@pytest.mark.parametrize("description, code, allowed, expected", STATUSES, ids=[c[0] for c in STATUSES])
def test_a_status_is_one_of_those_allowed(description, code, allowed, expected):
    expect.begin()
    if expected is None:
        expect.status(answer(code), allowed, "CREATE-01", "the grant")
        assert expect.current().held == {"CREATE-01": 1}
    else:
        with pytest.raises(expect.ConformanceFailure, match=f"^\\[CREATE-01\\] the grant\n  expected: {expected}\n"
                                                            f"  observed: HTTP {code} with no body$"):
            expect.status(answer(code), allowed, "CREATE-01", "the grant")


# A member of a document: description, document, path, what a failure observes (None: the value is found).
MEMBERS = [
    ("found", {"data": {"attributes": {"state": "approved"}}}, "data.attributes.state", None),
    ("missing at the top", {"errors": []}, "data.id", "the body has no data"),
    ("missing below", {"data": {"id": "EA1"}}, "data.attributes.state", "data has no attributes"),
    ("under null", {"data": None}, "data.id", "data is null"),
    ("under an array", {"data": [1, 2]}, "data.id", "data is an array of 2 items"),
    ("under an array of one", {"data": [1]}, "data.id", "data is an array of 1 item"),
    ("under a string", {"data": {"attributes": "x" * 90}}, "data.attributes.state",
     f'data.attributes is the string "{"x" * 80}"'),
    ("under a number", {"data": 3}, "data.id", "data is the number 3"),
    ("under a boolean", {"data": True}, "data.id", "data is true"),
    ("a body that is not an object", [], "data", "the body is an array of 0 items"),
]


@pytest.mark.parametrize("description, document, path, observed", MEMBERS, ids=[c[0] for c in MEMBERS])
def test_a_missing_member_says_what_was_there_instead(description, document, path, observed):
    expect.begin()
    if observed is None:
        assert expect.member(document, path, "SHAPE-02", "the state") == "approved"
    else:
        with pytest.raises(expect.ConformanceFailure, match=f"^\\[SHAPE-02\\] the state\n  expected: a member {path}\n"
                                                            f"  observed: {observed}$"):
            expect.member(document, path, "SHAPE-02", "the state")


def test_a_body_that_is_not_json_fails_the_check_that_reads_it():
    expect.begin()
    assert expect.json_body(answer(200, b'{"a": 1}'), "SHAPE-01", "the body") == {"a": 1}
    with pytest.raises(expect.ConformanceFailure, match=r'^\[SHAPE-02\] the body\n  expected: a JSON body\n  '
                                                        r'observed: HTTP 200 with no Content-Type: "<html>"$'):
        expect.json_body(answer(200, b"<html>"), "SHAPE-02", "the body")


# The media type: description, Content-Type, what a failure observes (None: it holds).
MEDIA_TYPES = [
    ("JSON:API's", "application/vnd.api+json", None),
    ("JSON:API's with a charset", "application/vnd.api+json; charset=utf-8", None),
    ("plain JSON", "application/json", "Content-Type: application/json, HTTP 200 with JSON: "),
    ("none", None, r"Content-Type: \(none\), HTTP 200 with JSON: "),
]


@pytest.mark.parametrize("description, content_type, observed", MEDIA_TYPES, ids=[c[0] for c in MEDIA_TYPES])
def test_every_document_has_the_json_api_media_type(description, content_type, observed):
    expect.begin()
    response = answer(200, b"{}", **({"Content_Type": content_type} if content_type else {}))
    if observed is None:
        expect.media_type(response, "SHAPE-01", "a document")
        assert expect.current().held == {"SHAPE-01": 1}
    else:
        with pytest.raises(expect.ConformanceFailure, match=f"^\\[SHAPE-01\\] a document\n  expected: Content-Type: "
                                                            f"application/vnd.api\\+json\n  observed: {observed}"):
            expect.media_type(response, "SHAPE-01", "a document")


# A document against its schema: description, body, media type, the requirement checked, the requirement a failure
# names, and what it expects and observes (None: it holds).
VALID = "a document valid against schemas/error.json\n  observed: "
DOCUMENTS = [
    ("a valid error document", ERROR_DOCUMENT, "application/vnd.api+json", "CREATE-04", None, None),
    ("its media type is SHAPE-01's", ERROR_DOCUMENT, "application/json", "CREATE-04", "SHAPE-01",
     "Content-Type: application/vnd.api+json\n  observed: Content-Type: application/json"),
    ("unless SHAPE-08 is checked", ERROR_DOCUMENT, "application/json", "SHAPE-08", "SHAPE-08",
     "Content-Type: application/vnd.api+json\n  observed: Content-Type: application/json"),
    ("not valid against the schema", b'{"errors": []}', "application/vnd.api+json", "CREATE-04", "CREATE-04",
     VALID + "/errors: [] should be non-empty"),
    ("not JSON", b"<html>", "application/vnd.api+json", "CREATE-04", "CREATE-04",
     "a JSON body\n  observed: HTTP 422 with application/vnd.api+json: \"<html>\""),
]


@pytest.mark.parametrize("description, body, content_type, requirement, failed, observed", DOCUMENTS,
                         ids=[c[0] for c in DOCUMENTS])
def test_a_document_is_json_api_and_valid_against_its_schema(description, body, content_type, requirement, failed,
                                                              observed):
    expect.begin()
    response = answer(422, body, Content_Type=content_type)
    if failed is None:
        assert expect.document(response, "error", requirement, "the refusal") == json.loads(body)
        assert expect.current().held == {"SHAPE-01": 1, requirement: 1}
    else:
        with pytest.raises(expect.ConformanceFailure) as failure:
            expect.document(response, "error", requirement, "the refusal")
        assert failure.value.requirement == failed
        assert str(failure.value).startswith(f"[{failed}] the refusal\n  expected: {observed}")


def test_an_unmet_precondition_and_a_failure_are_different_things():
    assert issubclass(expect.ConformanceFailure, AssertionError) and not issubclass(expect.Unmet, AssertionError)


# Every check on an answer fails with that answer's exchange: description, the check run on a failing answer.
ON_AN_ANSWER = [
    ("status", lambda r: expect.status(r, 201, "CREATE-01", "the check")),
    ("no_content", lambda r: expect.no_content(r, "CREATE-01", "the check")),
    ("client_error", lambda r: expect.client_error(r, "CREATE-01", "the check")),
    ("json_body", lambda r: expect.json_body(r, "CREATE-01", "the check")),
    ("member", lambda r: expect.member({}, "data", "CREATE-01", "the check", r)),
    ("media_type", lambda r: expect.media_type(r, "CREATE-01", "the check")),
    ("document", lambda r: expect.document(r, "authorization", "CREATE-01", "the check")),
    ("document, against its schema", lambda r: expect.document(reanswered(r, 200, b"{}"), "authorization",
                                                               "CREATE-01", "the check")),
    ("client_error, its document", lambda r: expect.client_error(reanswered(r, 422, b"{}"), "CREATE-01", "the check")),
    ("equal", lambda r: expect.equal(1, 2, "CREATE-01", "the check", r)),
]


def reanswered(response: requests.Response, status: int, body: bytes) -> requests.Response:
    """``response`` with another status and a JSON:API body, its exchange kept."""
    response.status_code, response._content = status, body
    response.headers["Content-Type"] = "application/vnd.api+json"
    return response


@pytest.mark.parametrize("description, run", ON_AN_ANSWER, ids=[c[0] for c in ON_AN_ANSWER])
def test_every_check_on_an_answer_fails_with_its_exchange(description, run):
    expect.begin()
    response = exchanged(200, b"not json")  # neither a 204, a refusal, JSON nor a document of any schema
    if description == "document":
        response.headers["Content-Type"] = "application/vnd.api+json"
        response._content = response.exchange.response_body.encode()
    with pytest.raises(expect.ConformanceFailure) as failure:
        run(response)
    text = str(failure.value)
    assert text.startswith("[CREATE-01] the check\n")
    assert "\n  exchange:\n    POST http://127.0.0.1:1/x as owner\n" in text
    assert text.endswith("\n  reproduce:\n    curl -X POST http://127.0.0.1:1/x "
                         "-H 'Authorization: Bearer $OWNER_TOKEN'")


def test_a_204_with_a_body_fails_saying_what_was_expected():
    expect.begin()
    with pytest.raises(expect.ConformanceFailure, match=r"^\[REVOKE-01\] the revocation\n  expected: no body \(no "
                                                        r"Content-Length beyond 0\)\n  observed: Content-Length: 5$"):
        expect.no_content(answer(204, Content_Length=" 5 "), "REVOKE-01", "the revocation")


def test_a_document_shows_at_most_five_of_its_problems():
    expect.begin()
    body = json.dumps({"errors": [{"status": "x", "title": "t"}] * 7}).encode()
    with pytest.raises(expect.ConformanceFailure) as failure:
        expect.document(answer(422, body, Content_Type="application/vnd.api+json"), "error", "CREATE-04", "w")
    observed = str(failure.value).split("  observed: ")[1]
    assert observed == "; ".join(f'/errors/{n}/status: "x" does not match "^[45][0-9]{{2}}$"' for n in range(5))


# What a failed equality shows: description, the value observed, how it is shown.
SHOWN = [
    ("a string as it is", "approved", "approved"),
    ("anything else as JSON", {"a": [1, None]}, '{"a": [1, null]}'),
    ("what JSON cannot hold, as text", datetime(2026, 11, 24, 3, 0), '"2026-11-24 03:00:00"'),
]


@pytest.mark.parametrize("description, value, shown", SHOWN, ids=[c[0] for c in SHOWN])
def test_a_failed_equality_shows_the_values_as_json(description, value, shown):
    expect.begin()
    with pytest.raises(expect.ConformanceFailure) as failure:
        expect.equal(value, "something else", "SHAPE-02", "w")
    assert str(failure.value).endswith(f"  observed: {shown}")

"""A mock author's first run reads as a to-do list: the preflight says what it saw and stops only a target that
cannot be tested at all; a failed check leads with the request, then expected and observed; values are JSON."""

from __future__ import annotations

import pytest

from reactor_conformance.harness.preflight import Probe, untestable
from reactor_conformance.reporting.matrix import OBSERVED_SHOWN, failure_sentence
from reactor_conformance.shapes import errors as schema_errors

PACKAGE = "GET /extension_packages/EP1"
READS = [PACKAGE, "GET /extension_packages", "GET /extension_package_usage_authorizations",
         "GET /extension_packages/EP1/extension_package_usage_authorizations"]


def probes(status: int, media_type: str, json: bool, body: str) -> list[Probe]:
    return [Probe(read, status, media_type, json, body) for read in READS]


# The four reads of the preflight as a target answered them: description, probes, None (testable) or the fragments
# of the one line that stops the run.
PREFLIGHT = [
    ("a JSON:API-typed \"\" everywhere (a mock without examples) is testable",
     probes(200, "application/vnd.api+json", True, '""'), None),
    ("JSON:API-typed junk that is not even JSON is testable: the media type says it is an API",
     probes(200, "application/vnd.api+json", True, "oops"), None),
    ("one JSON answer among HTML pages is testable",
     probes(404, "text/html", False, "<html>")[:3] + [Probe("GET /x", 200, "application/json", True, "[]")], None),
    ("an HTML page everywhere says status, media type and the start of the body, once",
     probes(404, "text/html", False, "<html><body>Request was not matched " + "=" * 80),
     ["answered none of 4 reads with JSON", f"{PACKAGE} → HTTP 404, text/html, \"<html><body>Request was not",
      "…\"", "(and the same to the other 3)"]),
    ("different answers show the first two",
     probes(200, "text/plain", False, "OK")[:3] + [Probe("GET /y", 500, "text/html", False, "")],
     [f"{PACKAGE} → HTTP 200, text/plain, \"OK\"; GET /y → HTTP 500, text/html, no body …"]),
    ("the owner refused everywhere says what it answered",
     probes(401, "application/json", True, '{"error_code": "401013"}'),
     ["refused the owner identity's credentials on every request", "→ HTTP 401, application/json"]),
]


@pytest.mark.parametrize("description, answered, fragments", PREFLIGHT, ids=[c[0] for c in PREFLIGHT])
def test_the_preflight_stops_only_what_cannot_be_tested_and_says_what_it_saw(description, answered, fragments):
    problem = untestable(answered, "http://127.0.0.1:4010")
    if fragments is None:
        assert problem is None, problem
        return
    assert problem is not None
    line = str(problem)
    assert "\n" not in line
    for fragment in fragments:
        assert fragment in line, line
    assert "never JSON" not in line


BANNER = "Request was not matched " + "=" * 300


def check_message(what: str, observed: str, exchange: str | None = "GET http://127.0.0.1:1/extension_packages/EP1"
                  "?page%5Bsize%5D=2 as owner", note: str = "") -> str:
    lines = ["[CREATE-01] " + what, "  expected: HTTP 201", f"  observed: {observed}"]
    lines += [f"  note: {note}"] if note else []
    if exchange:
        lines += ["  exchange:", f"    {exchange}", "      x-api-key: ***", "    → 404 in 1 ms", f"      {BANNER}",
                  "  reproduce:", "    curl -sS …"]
    return "\n".join(lines)


# Failure messages and the one line every report shows for them: description, message, expected sentence.
SENTENCES = [
    ("the request leads, then expected and observed", check_message("the owner grants", "HTTP 404 with no body"),
     "GET /extension_packages/EP1?page%5Bsize%5D=2 — the owner grants: expected HTTP 201, observed HTTP 404 with "
     "no body"),
    ("a long body is cut after the request, expected and observed",
     check_message("the owner grants", f'HTTP 404 with text/plain: "{BANNER}"'),
     "GET /extension_packages/EP1?page%5Bsize%5D=2 — the owner grants: expected HTTP 201, observed "
     + f'HTTP 404 with text/plain: "{BANNER}'[:OBSERVED_SHOWN] + "…"),
    ("a note follows", check_message("x", "HTTP 422", note="Prism produced this answer itself"),
     "GET /extension_packages/EP1?page%5Bsize%5D=2 — x: expected HTTP 201, observed HTTP 422 (Prism produced this "
     "answer itself)"),
    ("no exchange: what, expected, observed", check_message("x", "HTTP 404", exchange=None),
     "x: expected HTTP 201, observed HTTP 404"),
    ("checks judged together: the first leads",
     check_message("first", "HTTP 404") + "\n\n" + check_message("second", "HTTP 500").replace("EP1", "EP2"),
     "GET /extension_packages/EP1?page%5Bsize%5D=2 — first: expected HTTP 201, observed HTTP 404"),
    ("any other message: its first line", "not reached: the owner could not grant\n  GET …",
     "not reached: the owner could not grant"),
]


@pytest.mark.parametrize("description, message, sentence", SENTENCES, ids=[c[0] for c in SENTENCES])
def test_a_failure_reads_request_first_then_expected_and_observed(description, message, sentence):
    assert failure_sentence(message) == sentence


# Bodies that fail a schema, and the sentence each problem reads as: JSON values, never Python reprs.
SCHEMA_PROBLEMS = [
    ("an array where an object belongs", {"data": [{"id": "", "type": ""}]},
     '/data: [{"id": "", "type": ""}] is not of type "object"'),
    ("a missing member", {"data": {"id": "EA1", "type": "extension_package_usage_authorizations"}},
     '/data: "attributes" is a required property'),
    ("null where an object belongs", {"data": None}, '/data: null is not of type "object"'),
    ("a string with an apostrophe", {"data": "it's"}, '/data: "it\'s" is not of type "object"'),
    ("a long value is cut", {"data": ["x" * 200]}, '/data: ["' + "x" * 78 + "…"),
]


@pytest.mark.parametrize("description, body, problem", SCHEMA_PROBLEMS, ids=[c[0] for c in SCHEMA_PROBLEMS])
def test_schema_problems_show_values_as_json(description, body, problem):
    problems = schema_errors("authorization", body)
    assert any(p.startswith(problem) for p in problems), problems
    assert not any("'" in p.replace("it's", "") or "None" in p or "True" in p for p in problems), problems

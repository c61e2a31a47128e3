"""What the suite reads out of answers, judged on answers built here without a server: a reading the answer cannot
give fails the requirement being judged, saying what was there; it never holds on nothing and never breaks."""

from __future__ import annotations

import json
import re

import pytest
from test_expect import answer

from reactor_conformance.checks import expect, readings

EA = "EA" + "a" * 32
RESOURCE = {"id": EA, "type": "extension_package_usage_authorizations", "attributes": {"state": "approved"}}


def body(document) -> bytes:
    return json.dumps(document).encode()


# Each case: description, the reading (a function of nothing), what it gives when it holds, or None and what the
# failure observes.
READINGS = [
    ("an ID", lambda: readings.resource_id(EA, "SHAPE-02", "an ID"), EA, None),
    ("an empty ID", lambda: readings.resource_id("", "SHAPE-02", "an ID"), None, 'the ID ""'),
    ("a blank ID", lambda: readings.resource_id("  ", "SHAPE-02", "an ID"), None, 'the ID "  "'),
    ("a numeric ID", lambda: readings.resource_id(7, "SHAPE-02", "an ID"), None, "the ID 7"),
    ("no ID", lambda: readings.resource_id(None, "SHAPE-02", "an ID"), None, "no ID"),
    ("the IDs of a list", lambda: readings.item_ids([RESOURCE], "LIST-01", "a list"), [EA], None),
    ("an item without an ID", lambda: readings.item_ids([RESOURCE, {"type": "x"}], "LIST-01", "a list"), None,
     "no ID"),
    ("an item that is no object", lambda: readings.item_ids([RESOURCE, "EA1"], "LIST-01", "a list"), None, "no ID"),
    ("items that are no array", lambda: readings.item_ids(None, "LIST-01", "a list"), None, "null"),
    ("a resource", lambda: readings.resources({"data": RESOURCE}, "SHAPE-07", "a read"), [RESOURCE], None),
    ("a list of resources", lambda: readings.resources({"data": [RESOURCE]}, "SHAPE-07", "a read"), [RESOURCE],
     None),
    ("an empty list", lambda: readings.resources({"data": []}, "SHAPE-07", "a read"), [], None),
    ("data null", lambda: readings.resources({"data": None}, "SHAPE-07", "a read"), None, "data is null"),
    ("no data", lambda: readings.resources({"meta": {}}, "SHAPE-07", "a read"), None, "data is null"),
    ("a body that is no object", lambda: readings.resources([RESOURCE], "SHAPE-07", "a read"), None, "data is null"),
    ("a list holding a string", lambda: readings.resources({"data": [RESOURCE, "x"]}, "SHAPE-07", "a read"), None,
     "items [2] are no objects"),
    ("the grant listed", lambda: readings.listed([{"id": "EA1"}, RESOURCE], EA, "SHAPE-06", "a list"), [RESOURCE],
     None),
    ("the grant not listed", lambda: readings.listed([{"id": "EA1"}], EA, "SHAPE-06", "a list"), None,
     "1 items without it"),
    ("an empty list, the grant not in it", lambda: readings.listed([], EA, "SHAPE-06", "a list"), None,
     "0 items without it"),
    ("a state in a 200", lambda: readings.states_answered(answer(200, body({"data": RESOURCE})), "SHAPE-04", "x"),
     ["approved"], None),
    ("a state in a 202", lambda: readings.states_answered(
        answer(202, body({"data": {**RESOURCE, "attributes": {"state": "accepted"}}})), "SHAPE-04", "x"),
     ["accepted"], None),
    ("a state in a refusal", lambda: readings.states_answered(
        answer(422, body({"data": {**RESOURCE, "attributes": {"state": "accepted"}}})), "SHAPE-04", "x"),
     ["accepted"], None),
    ("a resource without attributes in a refusal", lambda: readings.states_answered(
        answer(409, body({"data": {"id": EA}})), "SHAPE-04", "x"), [None], None),
    ("a refusal without a resource", lambda: readings.states_answered(
        answer(422, body({"errors": [{"status": "422"}]})), "SHAPE-04", "x"), [], None),
    ("a 204", lambda: readings.states_answered(answer(204), "SHAPE-04", "x"), [], None),
    ("a 200 with data null", lambda: readings.states_answered(answer(200, body({"data": None})), "SHAPE-04", "x"),
     None, "data is null"),
    ("a 200 that is no JSON", lambda: readings.states_answered(answer(200, b"<html>"), "SHAPE-04", "x"), None,
     "the body is null"),
    ("a 200 whose resource has no state", lambda: readings.states_answered(
        answer(200, body({"data": {"id": EA, "attributes": {}}})), "SHAPE-04", "x"), None,
     "data.attributes has no state"),
    ("a timestamp", lambda: readings.instant("2026-01-02T03:04:05.678Z", "STATE-01", "x").year, 2026, None),
    ("a timestamp with +00:00", lambda: readings.instant("2026-01-02T03:04:05+00:00", "STATE-01", "x").year, 2026,
     None),
    ("JavaScript's Date string", lambda: readings.instant("Fri Jan 02 2026 03:04:05 GMT+0000 (Coordinated Universal "
                                                          "Time)", "STATE-01", "x"), None, '"Fri Jan 02 2026'),
    ("an empty timestamp", lambda: readings.instant("", "STATE-01", "x"), None, '""'),
    ("a timestamp without a zone", lambda: readings.instant("2026-01-02T03:04:05", "STATE-01", "x"), None,
     '"2026-01-02T03:04:05"'),
    ("epoch milliseconds", lambda: readings.instant(1767323045000, "STATE-01", "x"), None, "1767323045000"),
    ("no timestamp", lambda: readings.instant(None, "STATE-01", "x"), None, "null"),
]


@pytest.mark.parametrize("description, reading, gives, observed", READINGS, ids=[case[0] for case in READINGS])
def test_a_reading_gives_its_value_or_fails_saying_what_was_there(description, reading, gives, observed):
    expect.begin()
    if observed is None:
        assert reading() == gives
        assert not expect.current().failed
    else:
        with pytest.raises(expect.ConformanceFailure, match="observed: .*" + re.escape(observed)):
            reading()


@pytest.mark.parametrize("value, usable", [("EA1", True), ("", False), (" ", False), (None, False), (1, False),
                                           ({"id": "EA1"}, False), ("EA1/..", False), ("EA1?x=1", False)])
def test_only_a_non_empty_string_is_an_id_a_path_may_be_built_from(value, usable):
    assert readings.usable_id(value) is usable


def test_find_picks_the_resource_among_items_of_any_shape():
    assert readings.find([None, "EA1", {"id": "EA1"}, {"id": EA}, RESOURCE], EA) == [{"id": EA}, RESOURCE]

"""A test that broke outside its checks is told in words, from the exception's type, never by its class name."""

from __future__ import annotations

import json
import re

import pytest
import requests

from reactor_conformance.checks.crashes import describe
from reactor_conformance.errors import TargetError


def raised(action) -> BaseException:
    try:
        action()
    except BaseException as error:  # noqa: BLE001 - the case is the exception itself
        return error
    raise AssertionError("nothing was raised")


def not_json() -> None:
    response = requests.Response()
    response._content, response.status_code = b"<html>", 200
    response.json()


# What broke, and the words that must say it.
CASES = [
    ("a missing member", lambda: {}["data"], 'an answer had no member "data" where the test read it'),
    ("fewer items than read", lambda: [][0], "an answer held fewer items than the test read"),
    ("null where an object belongs", lambda: json.loads("null")["data"], "the test could not read an answer"),
    ("an array where an object belongs", lambda: [].get("data"), "the test could not read an answer"),
    ("a body that is not JSON", not_json, "an answer was not JSON (Expecting value at character 0)"),
    ("a target that did not answer", lambda: (_ for _ in ()).throw(TargetError("no answer within 2 s")),
     "the target did not answer: no answer within 2 s"),
]
CLASS_NAME = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b|NoneType|\b(?:dict|list|str)\b object")


@pytest.mark.parametrize("description, action, words", CASES, ids=[case[0] for case in CASES])
def test_a_break_is_told_in_words(description, action, words):
    text = describe(raised(action))
    assert text.startswith(words), text
    assert not CLASS_NAME.search(text), text
    assert json.dumps(text)  # one line of text, as every report keeps it

"""A test that broke outside its checks, told in words: what it was reading when the answer was not what it
could read, never a Python exception's class name.

The suite reads answers defensively, so a break usually means a target answered something no check
expected (a missing member, null where an object belongs) — or a bug of the suite, which the traceback
kept in the terminal output shows.
"""

from __future__ import annotations

import json
import re

from ..errors import TargetError

_JSON_KINDS = {"NoneType": "null", "str": "a string", "int": "a number", "float": "a number", "bool": "a boolean",
               "list": "an array", "dict": "an object", "bytes": "bytes", "string": "a string"}
_NOT_SUBSCRIPTABLE = re.compile(r"'(\w+)' object is not subscriptable")
_NO_ATTRIBUTE = re.compile(r"'(\w+)' object has no attribute '(\w+)'")
_INDICES = re.compile(r"(\w+) indices must be integers or slices, not (\w+)")
_NOT_ITERABLE = re.compile(r"'(\w+)' object is not iterable")


def describe(error: BaseException) -> str:
    """One sentence for a person: what went wrong where the test read the answer."""
    text = str(error)
    if isinstance(error, TargetError):
        return f"the target did not answer: {text}"
    if isinstance(error, KeyError):
        return f"an answer had no member {json.dumps(str(error.args[0]) if error.args else '')} where the test read it"
    if isinstance(error, IndexError):
        return "an answer held fewer items than the test read"
    if isinstance(error, (TypeError, AttributeError)):
        return f"the test could not read an answer: it held {_shape(text)}"
    if isinstance(error, ValueError) and ("JSON" in text or "Expecting" in text):
        return f"an answer was not JSON ({text})"
    return text or "the suite stopped without a message"


def _shape(text: str) -> str:
    for pattern, words in ((_NOT_SUBSCRIPTABLE, "{0} where an object or an array belongs"),
                           (_NO_ATTRIBUTE, "{0} where an object belongs"),
                           (_INDICES, "{0} where an object belongs"),
                           (_NOT_ITERABLE, "{0} where an array belongs")):
        found = pattern.search(text)
        if found:
            return words.format(_kind(found.group(1)))
    return f"a value of an unexpected type ({text})"


def _kind(python_type: str) -> str:
    return _JSON_KINDS.get(python_type, f"a value of another type ({python_type})")

"""A test that broke outside its checks, told in words: what it was reading when the answer was not what it
could read, never a Python exception's class name.

The suite reads answers as checks (``readings``), so a break usually means a target answered something no check
expected — or a bug of the suite, which the traceback kept in the terminal output shows. The words come from the
exception's type and its arguments, never from parsing CPython's message, which changes between versions; where the
test stood, the report's ``at file:line`` says.
"""

from __future__ import annotations

import json

from ..errors import TargetError


def describe(error: BaseException) -> str:
    """One sentence for a person: what went wrong where the test read the answer."""
    if isinstance(error, TargetError):
        return f"the target did not answer: {error}"
    if isinstance(error, KeyError):
        return f"an answer had no member {json.dumps(str(error.args[0]) if error.args else '')} where the test read it"
    if isinstance(error, IndexError):
        return "an answer held fewer items than the test read"
    if isinstance(error, (TypeError, AttributeError)):
        return "the test could not read an answer: a member held another kind of value (null, a string, a number, " \
               "an array or an object) than the one the test read there"
    if isinstance(error, json.JSONDecodeError):
        return f"an answer was not JSON ({error.msg} at character {error.pos})"
    return str(error) or "the suite stopped without a message"

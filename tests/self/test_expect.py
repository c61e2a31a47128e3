"""Checks judged on answers built here, without a server: what each one tolerates and what it fails."""

from __future__ import annotations

import threading

import pytest
import requests

from reactor_conformance.checks import expect


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
    assert not expect.current().failed

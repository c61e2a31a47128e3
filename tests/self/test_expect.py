"""Checks judged on answers built here, without a server: what each one tolerates and what it fails."""

from __future__ import annotations

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
        assert expect.verdicts.held["REVOKE-01"] == 1
    else:
        with pytest.raises(expect.ConformanceFailure, match=f"observed: {observed}"):
            expect.no_content(response, "REVOKE-01", description)

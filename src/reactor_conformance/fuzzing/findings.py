"""A requirement's failure found by fuzzing, reported the way the scenarios report theirs: requirement, exchange and
a curl line whose secrets are ``$OWNER_TOKEN``-style variables."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import requests

from ..checks import expect
from ..client import curl, exchanges, redact
from ..client.exchanges import REQUEST_BODY_LIMIT, RESPONSE_BODY_LIMIT, Exchange, text_of
from .sending import Sent

_UNSHOWN_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length",
                              "x-schemathesis-testcaseid"})

EXPECTED = {
    "FUZZ-01": "no 5xx and an answer to every generated request",
    "FUZZ-02": "status, Content-Type and body as the spec declares; JSON:API error documents; only the caller "
               "org's authorizations; well-formed timestamps",
    "FUZZ-03": "requests that violate the spec refused with a 4xx; requests that satisfy it not refused "
               "with 400/422; no answer without credentials",
}


@dataclass
class Finding:
    """A requirement's failure: what was fuzzed, what the checks said and the exchange that shows it."""

    requirement: str
    what: str
    expected: str
    observed: str
    exchange: dict | None = None

    def report(self) -> None:
        """Fail the running test the way the scenarios fail (``expect.fail``), the exchange attached."""
        exchange = Exchange(**self.exchange) if self.exchange else None
        if exchange is not None:
            for callback in list(exchanges.on_exchange):
                callback(exchange)
        expect.fail(self.requirement, self.what, self.expected, self.observed, _Answered(exchange))


@dataclass
class _Answered:
    """What ``expect.fail`` reads of a response: its recorded exchange."""

    exchange: Exchange | None


@dataclass
class Findings:
    """What fuzzing one operation as one caller found: generated requests sent, and a finding per failed
    requirement. Plain data, so that the processes of an xdist run share it through a file."""

    sent: int = 0
    findings: dict[str, dict] = field(default_factory=dict)

    def verdict(self, requirements, what: str) -> None:
        """Each of ``requirements`` judged on this search, side by side: a failure under each requirement that
        failed, a held check under the others; no verdict at all on nothing sent."""
        with expect.together():
            for requirement in requirements:
                expect.check(self.sent > 0, requirement, what, "generated requests sent and judged",
                             "no generated request could be sent")
                if requirement in self.findings:
                    Finding(**self.findings[requirement]).report()


def finding(requirement: str, what: str, expected: str, sent: Sent, failures: list[str], note: str,
            identity: str) -> Finding:
    lines = [*failures, note]
    if sent.response is None:
        lines.insert(0, f"{sent.case.method} {sent.base_url}{sent.case.formatted_path}: {sent.error}")
    request = sent.response.request if sent.response is not None else _prepared(sent)
    return Finding(requirement, what, expected, redact.redact("\n".join(lines)),
                   asdict(exchange_of(identity, request, sent.response)) if request is not None else None)


def search_note(run, shrunk: bool) -> str:
    how = "the smallest failing request after shrinking" if shrunk else "the first failing request (not shrunk)"
    return (f"found with --fuzz-seed {run.fuzz_seed} --fuzz-examples {run.fuzz_examples}"
            f"{' --nightly' if run.nightly else ''}: {how}")


def _prepared(sent: Sent):
    try:
        kwargs = sent.case.as_transport_kwargs(base_url=sent.base_url, headers=sent.headers)
        kwargs = {key: kwargs[key] for key in ("method", "url", "headers", "params", "data", "json", "files",
                                               "cookies") if key in kwargs}
        return requests.Request(**kwargs).prepare()
    except Exception:  # noqa: BLE001 - the report then goes without the exchange
        return None


def exchange_of(identity: str, request: requests.PreparedRequest, response) -> Exchange:
    """The exchange of a generated request, recorded as the suite's client records its own (redacted; a curl
    line with ``$OWNER_TOKEN``-style variables)."""
    headers = {key: value for key, value in request.headers.items() if key.lower() not in _UNSHOWN_HEADERS}
    body = request.body or b""
    body = body.encode("utf-8") if isinstance(body, str) else body
    answered = response is not None
    return Exchange(
        identity=identity, method=request.method, url=redact.redact(request.url),
        request_headers={key: redact.redact(value) for key, value in headers.items()},
        request_body=redact.redact(text_of(body, REQUEST_BODY_LIMIT)),
        status=response.status_code if answered else 0,
        response_headers={key: redact.redact(", ".join(values)) for key, values in response.headers.items()}
        if answered else {},
        response_body=redact.redact(text_of(response.content, RESPONSE_BODY_LIMIT, response.encoding))
        if answered else "",
        elapsed_ms=response.elapsed * 1000 if answered else 0.0,
        _curl=curl.command(request.method, request.url, headers, body),
    )

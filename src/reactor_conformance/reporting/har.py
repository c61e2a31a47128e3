"""``exchanges.har``: the run's HTTP exchanges as one HAR 1.2 file, which browsers' developer tools and API clients
open — every exchange (``--exchanges all``), those of the tests that did not pass (``failed``, the default), or
none.

Requests are taken as they go on the wire (``transport.on_answer``: the scenarios', the generated ones', IMS's),
held per test, and written only when the test's outcome asks for them, redacted then: a passing test costs a list
of references. Each process of the run writes its own part with ``harfile``; the controller merges the parts in
the order the requests were sent and deletes them.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import harfile

from .. import __version__
from ..client import redact, transport
from ..client.exchanges import body_bytes, header_text, text_of

MODES = ("failed", "all", "none")  # the first is the default
FILE = "exchanges.har"
PARTS = ".exchanges"  # the processes' parts, gone once merged
BODY_LIMIT = 65536  # characters of a body kept; a longer one is cut and says so
CREATOR = harfile.Creator(name="reactor-conformance", version=__version__)


class Recorder:
    """What went on the wire since the current test began; ``keep`` writes it to this process's part."""

    def __init__(self, part: Path):
        self.part = part
        self.pending: list[tuple] = []
        self._har: harfile.HarFile | None = None

    def __call__(self, request, response, started_at: datetime, elapsed_ms: float) -> None:
        self.pending.append((request, response, started_at, elapsed_ms))  # list.append: safe from several threads

    def start(self) -> None:
        self.pending = []
        transport.on_answer.append(self)

    def drop(self) -> None:
        self.pending = []

    def keep(self) -> None:
        taken, self.pending = self.pending, []
        if not taken:
            return
        if self._har is None:
            self.part.parent.mkdir(parents=True, exist_ok=True)
            self._har = harfile.HarFile.open(self.part, creator=CREATOR)
        for wire in taken:
            self._har.add_entry(**entry(*wire))

    def close(self) -> None:
        if self in transport.on_answer:
            transport.on_answer.remove(self)
        if self._har is not None:
            self._har.close()
            self._har = None


def entry(request, response, started_at: datetime, elapsed_ms: float) -> dict:
    """``harfile.HarFile.add_entry``'s arguments for one request and its answer, every secret masked."""
    body = body_bytes(request.body)
    request_type = request.headers.get("Content-Type", "")
    url = redact.redact(request.url)
    sent = harfile.Request(
        method=request.method, url=url, httpVersion="HTTP/1.1", headers=_records(request.headers.items()),
        queryString=[harfile.Record(name=k, value=v) for k, v in parse_qsl(urlsplit(url).query, True)],
        postData=harfile.PostData(mimeType=request_type, text=redact.redact(text_of(body, BODY_LIMIT)))
        if body else None, bodySize=len(body))
    content = response.content or b""
    answered = harfile.Response(
        status=response.status_code, statusText=response.reason or "", httpVersion="HTTP/1.1",
        headers=_records(response.headers.items()),
        content=harfile.Content(size=len(content), mimeType=response.headers.get("Content-Type", ""),
                                text=redact.redact(text_of(content, BODY_LIMIT, response.encoding))),
        redirectURL=response.headers.get("Location", ""), bodySize=len(content))
    return {"startedDateTime": started_at, "time": round(elapsed_ms, 3), "request": sent, "response": answered,
            "timings": harfile.Timings(send=0, wait=round(elapsed_ms, 3), receive=0)}


def _records(headers) -> list[harfile.Record]:
    return [harfile.Record(name=key, value=redact.redact(header_text(value))) for key, value in headers]


def merge(run_dir: Path) -> Path | None:
    """The processes' parts as ``exchanges.har``, entries in the order they were sent; None when none was kept."""
    folder = Path(run_dir) / PARTS
    entries = []
    for part in sorted(folder.glob("*.har")):
        try:
            entries += json.loads(part.read_text("utf-8"))["log"]["entries"]
        except (OSError, ValueError, KeyError):  # a worker that died mid-write: its part is lost, not the run
            continue
    shutil.rmtree(folder, ignore_errors=True)
    if not entries:
        return None
    entries.sort(key=lambda e: e["startedDateTime"])
    out = Path(run_dir) / FILE
    document = {"log": {"version": harfile.HAR_VERSION,
                        "creator": {"name": CREATOR.name, "version": CREATOR.version}, "entries": entries}}
    out.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return out

"""The run's ledger: every resource the run creates, written down the moment it exists.

An append-only JSON Lines file of ``created`` and ``deleted`` events, so that teardown, the end of an
interrupted run, or ``reactor-conformance cleanup`` in another process can delete what is left.
Each event is one ``write`` to a file opened for appending, flushed to disk before the test goes
on: writers in several threads and processes never interleave, and a killed run loses nothing. The
embedded server's ledger is not flushed (``durable=False``): what that server holds ends with the run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ..errors import ConfigError, TargetError

if TYPE_CHECKING:
    from .api_client import ApiClient

GONE = (404, 410)
DELETED = (200, 202, 204)


@dataclass(frozen=True)
class Entry:
    """A created resource and how to delete it."""

    kind: str
    id: str
    identity: str
    delete_path: str
    at: str = ""
    about: tuple[tuple[str, str], ...] = ()  # what it belongs to: (("package", EP…), ("org", …@AdobeOrg)) for a grant

    def __str__(self) -> str:
        return f"{self.kind} {self.id} (DELETE {self.delete_path} as {self.identity})"


@dataclass(frozen=True)
class Failure:
    entry: Entry
    reason: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.reason}"


@dataclass
class CleanupResult:
    deleted: list[Entry] = field(default_factory=list)
    already_gone: list[Entry] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


class Ledger:
    def __init__(self, path: str | os.PathLike, durable: bool = True):
        self.path, self.durable = Path(path), durable

    def record(self, kind: str, resource_id: str, identity: str, delete_path: str, **about: str) -> None:
        """Write down a resource that now exists on the target (before anything else can go wrong); ``about``: what
        it belongs to (a grant's package and org), so that the run finds its own grants again by ID."""
        self._append({"kind": kind, "id": resource_id, "identity": identity, "delete_path": delete_path,
                      "event": "created", **({"about": about} if about else {})})

    def forget(self, resource_id: str) -> None:
        """The resource was deleted."""
        self._append({"id": resource_id, "event": "deleted"})

    def outstanding(self) -> list[Entry]:
        """Created and not deleted, newest first."""
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        created: dict[str, Entry] = {}
        for line in lines:
            try:
                event = json.loads(line)
                if event["event"] == "created":
                    created.pop(event["id"], None)  # re-created: it moves to the newest place
                    about = tuple(sorted((event.get("about") or {}).items()))
                    created[event["id"]] = Entry(event["kind"], event["id"], event["identity"],
                                                 event["delete_path"], event.get("at", ""), about)
                elif event["event"] == "deleted":
                    created.pop(event["id"], None)
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a killed process, or not an event
        return list(reversed(created.values()))

    def _append(self, event: dict) -> None:
        stamped = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                   **event}
        line = (json.dumps(stamped) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, line)
            if self.durable:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)


def cleanup(ledger: Ledger, clients: Mapping[str, ApiClient]) -> CleanupResult:
    """DELETE every outstanding entry, newest first, as the identity that created it (404 = already gone)."""
    result = CleanupResult()
    for entry in ledger.outstanding():
        client = clients.get(entry.identity)
        if client is None:
            result.failed.append(Failure(entry, f"no {entry.identity} identity configured"))
            continue
        try:
            response = client.delete(entry.delete_path)
        except (TargetError, ConfigError) as error:  # one that cannot be deleted must not stop the rest
            result.failed.append(Failure(entry, str(error)))
            continue
        if response.status_code in DELETED:
            result.deleted.append(entry)
        elif response.status_code in GONE:
            result.already_gone.append(entry)
        else:
            result.failed.append(Failure(entry, f"HTTP {response.status_code}"))
            continue
        ledger.forget(entry.id)
    return result

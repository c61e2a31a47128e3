"""The run's ledger: every resource the run creates, written down the moment it exists.

An append-only JSON Lines file (``created`` and ``deleted`` events), so that teardown, the end of an
interrupted run, or ``reactor-conformance cleanup`` in another process can delete what is left.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    identity: str
    delete_path: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id} (DELETE {self.delete_path} as {self.identity})"


@dataclass
class CleanupResult:
    deleted: list[Entry] = field(default_factory=list)
    already_gone: list[Entry] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class Ledger:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, kind: str, resource_id: str, identity: str, delete_path: str) -> None:
        self._append({"event": "created", "kind": kind, "id": resource_id, "identity": identity,
                      "delete_path": delete_path})

    def forget(self, resource_id: str) -> None:
        self._append({"event": "deleted", "id": resource_id})

    def outstanding(self) -> list[Entry]:
        """Created and not deleted, newest first."""
        if not self.path.is_file():
            return []
        created: dict[str, Entry] = {}
        for line in self.path.read_text("utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut short by a killed process
            if event.get("event") == "created":
                created[event["id"]] = Entry(event["kind"], event["id"], event["identity"], event["delete_path"])
            elif event.get("event") == "deleted":
                created.pop(event.get("id"), None)
        return list(reversed(created.values()))

    def _append(self, event: dict) -> None:
        event = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **event}
        line = (json.dumps(event) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, line)  # one write per line: appends from several processes don't interleave
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def cleanup(ledger: Ledger, clients) -> CleanupResult:
    """DELETE every outstanding entry as the identity that created it (404 means already gone)."""
    result = CleanupResult()
    for entry in ledger.outstanding():
        client = clients.get(entry.identity)
        if client is None:
            result.failed.append(f"{entry}: no {entry.identity} identity configured")
            continue
        try:
            response = client.delete(entry.delete_path)
        except Exception as error:  # one unreachable resource must not stop the rest
            result.failed.append(f"{entry}: {error}")
            continue
        if response.status_code in (200, 202, 204):
            result.deleted.append(entry)
        elif response.status_code == 404:
            result.already_gone.append(entry)
        else:
            result.failed.append(f"{entry}: HTTP {response.status_code}")
            continue
        ledger.forget(entry.id)
    return result

"""The ledger of created resources: what it writes, what is outstanding, appends from many processes, and
the clean-up that deletes what a run left behind."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from types import SimpleNamespace

import pytest

from reactor_conformance.client.ledger import Entry, Ledger, cleanup
from reactor_conformance.errors import TargetError


@pytest.mark.parametrize("durable", [True, False], ids=["a real target's, flushed", "the embedded server's"])
def test_each_event_is_one_json_line(tmp_path, durable):
    ledger = Ledger(tmp_path / "run" / "ledger.jsonl", durable=durable)
    ledger.record("authorization", "EA1", "owner", "/extension_package_usage_authorizations/EA1")
    ledger.forget("EA1")
    created, deleted = [json.loads(line) for line in ledger.path.read_text().splitlines()]
    assert list(created) == ["at", "kind", "id", "identity", "delete_path", "event"]
    assert created["event"] == "created" and created["at"].endswith("Z")
    assert {key: deleted[key] for key in ("id", "event")} == {"id": "EA1", "event": "deleted"}


def test_outstanding_is_created_and_not_deleted_newest_first(tmp_path):
    path = tmp_path / "ledger.jsonl"
    writer = Ledger(path)
    writer.record("authorization", "EA1", "owner", "/a/EA1")
    writer.record("authorization", "EA2", "owner", "/a/EA2")
    writer.record("extension", "EX1", "authorized", "/e/EX1")
    writer.forget("EA1")
    with path.open("a") as killed_mid_write:
        killed_mid_write.write('{"at": "2026-11-24T15:10:00.000Z", "kind": "authoriz')
    outstanding = Ledger(path).outstanding()  # a second reader, as `cleanup` in another process
    assert [entry.id for entry in outstanding] == ["EX1", "EA2"]
    assert outstanding[0] == Entry("extension", "EX1", "authorized", "/e/EX1", outstanding[0].at)


def test_a_missing_ledger_has_nothing_outstanding(tmp_path):
    assert Ledger(tmp_path / "none.jsonl").outstanding() == []


def append_many(path: str, worker: int) -> None:
    ledger = Ledger(path)
    for i in range(50):
        ledger.record("authorization", f"EA{worker}-{i}", "owner", f"/a/EA{worker}-{i}" + "x" * 500)


def test_appends_from_several_processes_never_interleave(tmp_path):
    path = tmp_path / "ledger.jsonl"
    with ProcessPoolExecutor(4) as pool:
        list(pool.map(append_many, [str(path)] * 4, range(4)))
    lines = path.read_text().splitlines()
    assert len(lines) == 200 and all(json.loads(line)["event"] == "created" for line in lines)
    assert len(Ledger(path).outstanding()) == 200


class FakeClient:
    """Answers DELETE with a status per path, or raises; records the order of the calls."""

    def __init__(self, answers: dict, calls: list):
        self.answers, self.calls = answers, calls

    def delete(self, path: str):
        self.calls.append(path)
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return SimpleNamespace(status_code=answer)


# Clean-up: description, DELETE answer (status or exception), where the entry ends up, still outstanding.
CLEANUP_CASES = [
    ("204: deleted", 204, "deleted", False),
    ("404: already gone", 404, "already_gone", False),
    ("403: failed, kept for another try", 403, "failed", True),
    ("unreachable: failed, kept", TargetError("cannot reach http://127.0.0.1:9: connection refused"), "failed", True),
]


@pytest.mark.parametrize("description, answer, outcome, kept", CLEANUP_CASES, ids=[c[0] for c in CLEANUP_CASES])
def test_cleanup_deletes_what_is_outstanding(description, answer, outcome, kept, tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record("authorization", "EA1", "owner", "/a/EA1")
    result = cleanup(ledger, {"owner": FakeClient({"/a/EA1": answer}, [])})
    assert [entry.id for entry in result.deleted] == (["EA1"] if outcome == "deleted" else [])
    assert [entry.id for entry in result.already_gone] == (["EA1"] if outcome == "already_gone" else [])
    assert [failure.entry.id for failure in result.failed] == (["EA1"] if outcome == "failed" else [])
    assert [entry.id for entry in ledger.outstanding()] == (["EA1"] if kept else [])


def test_cleanup_goes_newest_first_as_each_creator(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record("authorization", "EA1", "owner", "/a/EA1")
    ledger.record("extension", "EX1", "authorized", "/e/EX1")
    ledger.record("extension", "EX2", "outsider", "/e/EX2")
    calls: list = []
    clients = {"owner": FakeClient({"/a/EA1": 204}, calls), "authorized": FakeClient({"/e/EX1": 204}, calls)}
    result = cleanup(ledger, clients)
    assert calls == ["/e/EX1", "/a/EA1"]
    assert [str(failure) for failure in result.failed] == \
        ["extension EX2 (DELETE /e/EX2 as outsider): no outsider identity configured"]
    assert [entry.id for entry in ledger.outstanding()] == ["EX2"]

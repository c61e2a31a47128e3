"""The suite proves itself: it passes against the clean reference server and fails, under the broken
requirement, against every named fault (``reactor-conformance faults``)."""

from __future__ import annotations

import json

import pytest

from reactor_conformance.refserver.faults import FAULTS

from suite_runs import tool


# One matrix per session: every test of this module goes to the same xdist worker (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("fault-matrix")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    out = tmp_path_factory.mktemp("matrix") / "fault-matrix.md"
    completed = tool("faults", "--out", str(out))
    rows = json.loads(out.with_suffix(".json").read_text("utf-8"))
    return completed, {row["fault"]: row for row in rows}, out.read_text("utf-8")


def test_the_clean_server_passes(matrix):
    _, rows, text = matrix
    clean = rows["(clean)"]
    assert clean["exit_code"] == 0 and not clean["failed_requirements"], text


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_is_detected_under_its_requirement(matrix, fault):
    _, rows, text = matrix
    row = rows[fault]
    assert row["detected"], f"{fault} (breaks {row['breaks']}) went undetected: failed {row['failed_requirements']}"


def test_the_matrix_exits_zero_and_writes_its_table(matrix):
    completed, rows, text = matrix
    assert completed.code == 0, completed.stderr[-2000:]
    assert f"{len(FAULTS)} faults, {len(FAULTS)} detected" in text
    assert len(rows) == len(FAULTS) + 1

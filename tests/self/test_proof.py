"""The suite proves itself (``reactor-conformance faults``): it fails every named fault of the reference server by
a check of the requirement the fault breaks, and passes the clean server and every legal variation, one at a time
and all at once, with no requirement failed."""

from __future__ import annotations

import json

import pytest
from suite_runs import tool

from reactor_conformance.harness.proof import failure_gist
from reactor_conformance.refserver.faults import FAULTS
from reactor_conformance.refserver.variants import VARIANTS


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    out = tmp_path_factory.mktemp("proof") / "proof.md"
    completed = tool("faults", "--out", str(out))
    document = json.loads(out.with_suffix(".json").read_text("utf-8"))
    return completed, {run["name"]: run for run in document["runs"]}, out.read_text("utf-8")


def test_the_clean_server_passes(proof):
    _, runs, text = proof
    clean = runs["(clean)"]
    assert clean["exit_code"] == 0 and not clean["failed_requirements"], text


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_is_detected_by_a_check_of_its_requirement(proof, fault):
    _, runs, _ = proof
    run = runs[fault]
    assert run["detected"], (f"{fault} (breaks {run['breaks']}) went undetected: failed {run['failed_requirements']}; "
                             f"{run['findings']}; {run['error']}")


@pytest.mark.parametrize("variant", [*sorted(VARIANTS), "(all variants)"])
def test_every_legal_variation_passes_with_no_requirement_failed(proof, variant):
    _, runs, _ = proof
    run = runs[variant]
    assert run["ok"] and run["exit_code"] == 0 and not run["failed_requirements"], (
        f"{variant}: exit {run['exit_code']}, failed {run['failed_requirements']}; {run['findings']}; "
        f"{run['error']}")


def test_the_proof_exits_zero_and_writes_both_tables(proof):
    completed, runs, text = proof
    assert completed.code == 0, completed.stderr[-2000:]
    assert f"{len(FAULTS)} faults, {len(FAULTS)} detected" in text
    assert f"{len(VARIANTS) + 1} variant runs, {len(VARIANTS) + 1} passed" in text
    assert len(runs) == len(FAULTS) + len(VARIANTS) + 2


# A run's failure message on one line: message, the line the proof keeps.
GISTS = [
    ("[STATE-03] the owner sets approved\n  expected: HTTP 403\n  observed: HTTP 200\n  exchange:\n    PATCH …",
     "[STATE-03] the owner sets approved; expected: HTTP 403; observed: HTTP 200"),
    ("the test broke: KeyError 'data'\nTraceback (most recent call last):\n  File …", "the test broke: KeyError 'data'"),
    ("", ""),
]


@pytest.mark.parametrize("message, gist", GISTS, ids=["a failed check", "a broken test", "no message"])
def test_a_failure_is_kept_as_what_was_checked_expected_and_observed(message, gist):
    assert failure_gist(message) == gist

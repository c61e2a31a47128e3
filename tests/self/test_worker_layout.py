"""The order a parallel run's tests are laid out in: every test once, and every worker's first share headed by a
long generated test, so that no worker's share holds them all."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from reactor_conformance.suite.conftest import _laid_out_for


def item(module: str, number: int, operation: str = "listExtensionPackages"):
    return SimpleNamespace(path=Path(module), name=f"{module}-{number}", callspec=SimpleNamespace(
        params={"operation_id": operation}))


def xdist_shares(items: list, workers: int) -> list[list]:
    """How xdist's work-stealing scheduler first splits a collection: what is left, divided by the workers left."""
    shares, rest = [], list(items)
    for number in range(workers):
        size = len(rest) // (workers - number)
        shares.append(rest[:size])
        del rest[:size]
    return shares


@pytest.mark.parametrize("workers, generated, scenarios", [(8, 22, 251), (4, 22, 251), (8, 5, 40), (3, 10, 2)])
def test_every_worker_starts_on_a_generated_test_and_every_test_runs_once(workers, generated, scenarios):
    items = [item("test_shape.py", n) for n in range(scenarios)] + [item("test_fuzz.py", n) for n in range(generated)]
    laid_out = _laid_out_for(workers, items)
    assert sorted(i.name for i in laid_out) == sorted(i.name for i in items)
    heads = [share[0] for share in xdist_shares(laid_out, workers) if share]
    assert sum(head.path.name == "test_fuzz.py" for head in heads) == min(workers, generated, len(heads))

"""The order a parallel run's tests are laid out in: every test once, and every worker's first share headed by a
long generated test, so that no worker's share holds them all; the tests that hold every package first, the
sequences right behind them, and the searches that hold no package at the other shares' heads."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from reactor_conformance.suite.order import HOLDS_A_PACKAGE, HOLDS_EVERY_PACKAGE, _laid_out_for


def item(module: str, number: int, operation: str = "listExtensionPackages", marker: str | None = None):
    return SimpleNamespace(path=Path(module), name=f"{module}-{number}", callspec=SimpleNamespace(
        params={"operation_id": operation}), get_closest_marker=lambda name: name if name == marker else None)


def xdist_shares(items: list, workers: int) -> list[list]:
    """How xdist's work-stealing scheduler first splits a collection: what is left, divided by the workers left."""
    shares, rest = [], list(items)
    for number in range(workers):
        size = len(rest) // (workers - number)
        shares.append(rest[:size])
        del rest[:size]
    return shares


@pytest.mark.parametrize("workers, generated, scenarios",
                         [(8, 22, 251), (4, 22, 251), (2, 22, 251), (8, 5, 40), (3, 10, 2)])
def test_every_worker_starts_on_a_generated_test_and_every_test_runs_once(workers, generated, scenarios):
    items = [item("test_shape.py", n) for n in range(scenarios)] + [item("test_fuzz.py", n) for n in range(generated)]
    laid_out = _laid_out_for(workers, items)
    assert sorted(i.name for i in laid_out) == sorted(i.name for i in items)
    heads = [share[0] for share in xdist_shares(laid_out, workers) if share]
    assert sum(head.path.name == "test_fuzz.py" for head in heads) == min(workers, generated, len(heads))


@pytest.mark.parametrize("workers", [8, 4, 3, 2])
def test_the_tests_holding_every_package_come_first_then_the_sequences_and_searches_holding_none_head_the_rest(
        workers):
    still = [item("test_list.py", n, marker=HOLDS_EVERY_PACKAGE) for n in range(2)]
    sequences = item("test_stateful.py", 0)
    holding = [item("test_fuzz.py", n, marker=HOLDS_A_PACKAGE) for n in range(12)]
    free = [item("test_fuzz.py", n) for n in range(12, 22)]
    items = ([item("test_shape.py", n) for n in range(100)] + still[:1] + [item("test_list.py", 9)] + still[1:]
             + holding[:6] + free[:5] + holding[6:] + free[5:] + [sequences])
    laid_out = _laid_out_for(workers, items)
    assert sorted(i.name for i in laid_out) == sorted(i.name for i in items)
    shares = xdist_shares(laid_out, workers)
    assert shares[0][:3] == [*still, sequences]
    assert [share[0] for share in shares[1:]] == free[:workers - 1]

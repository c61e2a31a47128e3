"""The order the suite's tests run in: serially, or laid out for xdist's workers (D98, D102)."""

from __future__ import annotations

import pytest

# Operations whose generated requests carry archives: the riskiest input for a target's parser (a mock's
# multipart parser may crash on a generated part).
UPLOADS = frozenset({"createExtensionPackage", "privateReleaseExtensionPackage"})
SEQUENCES_RANK = 2
# The marker of a test that holds every package of the owner org while it runs (``Grants.hold_all``).
HOLDS_EVERY_PACKAGE = "holds_every_package"
# The marker of a generated search that holds one of the pool's packages while it runs (test_fuzz's
# ``holds_a_package``); the others hold none.
HOLDS_A_PACKAGE = "holds_a_package"


def ordered(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """Serially: scenarios first, generated input after them, generated uploads last of all: a target that
    generated input knocks over has then answered every scenario, and the tests after its fall are reported as
    not run (the target stopped answering) rather than lost. With workers, the order is laid out for them."""
    items = sorted(items, key=_generated_rank)  # stable: the order within each rank stays as collected
    return _laid_out_for(workers, items) if workers > 1 else items


def _laid_out_for(workers: int, items: list[pytest.Item]) -> list[pytest.Item]:
    """The order for ``workers`` xdist workers, which first get the collection in equal consecutive shares.

    - The tests that hold every package head the first share, the generated sequences right behind them: the
      sequences are the run's longest chain of dependent requests, and need not wait for the others.
    - The generated searches (the other long tests, a hundred requests each) are dealt one by one to the other
      shares' heads, those that hold no package first (D102), the scenarios after them.

    Every worker then starts on a long test and ends on short ones, instead of one worker's share holding every long
    test and the run waiting for its tail. And as the run starts, while every other worker runs a search that holds
    no package, the tests that hold every package wait for no test, and no test waits for them."""
    sequences = [item for item in items if _generated_rank(item) == SEQUENCES_RANK]
    still = [item for item in items if item.get_closest_marker(HOLDS_EVERY_PACKAGE) is not None]
    long = [item for item in items if _generated_rank(item) not in (0, SEQUENCES_RANK)]
    long.sort(key=lambda item: item.get_closest_marker(HOLDS_A_PACKAGE) is not None)  # stable: else as collected
    short = [item for item in items if not _generated_rank(item) and item not in still]
    first = still + sequences
    dealt = workers - 1 if first else workers
    shares: list[list[pytest.Item]] = ([first] if first else []) + [long[number::dealt] for number in range(dealt)]
    remaining = len(items)
    for number, share in enumerate(shares):  # xdist's split: what is left, divided by the workers left
        size = max(remaining // (workers - number), len(share))
        taken = size - len(share)
        share += short[:taken]
        del short[:taken]
        remaining -= size
    return [item for share in shares for item in share] + short


def _generated_rank(item: pytest.Item) -> int:
    """0 scenarios, 1 generated requests, 2 generated sequences (which may upload), 3 generated uploads."""
    module = item.path.name
    if module == "test_stateful.py":
        return SEQUENCES_RANK
    if module == "test_fuzz.py":
        params = getattr(getattr(item, "callspec", None), "params", {})
        return 3 if params.get("operation_id") in UPLOADS else 1
    return 0

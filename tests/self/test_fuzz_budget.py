"""What ``--fuzz-examples N`` buys (docs/decisions.md D41): N drawn requests per operation and caller, as
``st run --max-examples N`` counts them — half valid, half invalid, at least one of each."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from schemathesis.generation import GenerationMode

from reactor_conformance.fuzzing.generation import drawn_cases
from reactor_conformance.fuzzing.state import FuzzingState

# budget → (valid, invalid) requests drawn
BUDGETS = [(10, (5, 5)), (7, (4, 3)), (2, (1, 1)), (1, (1, 1))]
OPERATION = "createExtensionPackageUsageAuthorization"  # a body to draw: never short of distinct cases


@pytest.mark.parametrize("examples, drawn", BUDGETS, ids=[f"--fuzz-examples {b}" for b, _ in BUDGETS])
def test_the_budget_is_shared_by_valid_and_invalid_requests(examples, drawn):
    run = SimpleNamespace(fuzz_examples=examples, fuzz_seed=20240723, nightly=False)
    state = FuzzingState()
    counted = tuple(len(drawn_cases(state, state.operations[OPERATION], mode, {}, {}, run))
                    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))
    assert counted == drawn

"""The tool's own tests: each module's tests stay on one xdist worker, the longest modules first.

An expensive module fixture (the proof of the suite, the runs of the tool, the npm installs) is then computed once
per session, not once per worker. Scoped to these tests: the conformance suite keeps xdist's default distribution,
which spreads its tests over every worker. The modules whose fixtures take longest are handed out first, so that
none of them starts last and runs alone: Prism's run (an npm install, then the suite against the mock), then the
proof and the runs of the tool.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling

LONGEST_FIRST = ("test_prism.py", "test_proof.py", "test_runs.py", "test_interop.py", "test_attribution.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    config.option.loadscopereorder = False  # xdist would order the modules by their number of tests instead
    return LoadFileScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return LONGEST_FIRST.index(item.path.name) if item.path.name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each module keeps its own order

"""The tool's own tests: each module's tests stay on one xdist worker.

An expensive module fixture (the proof of the suite, the runs of the tool, the npm installs) is then computed once
per session, not once per worker. Scoped to these tests: the conformance suite keeps xdist's default distribution,
which spreads its tests over every worker.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return LoadFileScheduling(config, log)

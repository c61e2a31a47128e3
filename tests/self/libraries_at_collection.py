"""A pytest plugin for one self-test: writes which of the fuzzing's libraries were imported once the suite was
collected, to the file ``REACTOR_TEST_LIBRARIES_FILE`` names."""

from __future__ import annotations

import json
import os
import sys

LIBRARIES = ("schemathesis", "hypothesis")


def pytest_collection_finish(session) -> None:
    with open(os.environ["REACTOR_TEST_LIBRARIES_FILE"], "w", encoding="utf-8") as out:
        json.dump([name for name in LIBRARIES if name in sys.modules], out)

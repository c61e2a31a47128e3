"""A pytest plugin for the benchmark of the test command: the CPU time of each test, its processes included.

Loaded with ``-p cpu_by_test`` (this folder on ``PYTHONPATH``), it appends one JSON line per test to the file
named by ``REACTOR_BENCH_CPU_LOG``: the test's ID and the user + system seconds its process and the children it
waited for spent while the test ran, setup and teardown included (so a module's fixtures count in its first and
last tests). What the processes spend outside tests is the workers' start and collection.
"""

from __future__ import annotations

import json
import os
import resource

import pytest


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = _cpu_s()
    try:
        return (yield)
    finally:
        with open(os.environ["REACTOR_BENCH_CPU_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps({"test": item.nodeid, "cpu_s": _cpu_s() - before}) + "\n")

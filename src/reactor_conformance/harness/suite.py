"""Where the conformance suite is: ``reactor_conformance.suite`` (the checkout's ``tests/conformance`` in an
editable install), so that ``reactor-conformance run`` works from any folder, installed or not."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FOLDER = Path(str(resources.files("reactor_conformance.suite")))


def without_plugins(*names: str) -> tuple[str, ...]:
    """pytest's arguments that leave the named plugins unloaded."""
    return tuple(arg for name in names for arg in ("-p", f"no:{name}"))


# Installed pytest plugins a run of the suite does not use: schemathesis's and hypothesis's (the suite drives
# both as libraries), anyio's, and the cache. Not loading them spares each process of a run importing
# schemathesis before it needs it, which the controller of a parallel run never does. pytest's collector of
# unraisable exceptions goes too: what a run reports are verdicts, and its full garbage collections as each
# process ends cost about 1 % of a run of the fuzzing alone.
UNUSED_PLUGINS = without_plugins("cacheprovider", "schemathesis", "hypothesispytest", "anyio", "unraisableexception")

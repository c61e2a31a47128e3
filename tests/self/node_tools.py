"""Node.js for the self-tests that run npm packages: Stoplight's Prism and Adobe's extension tools.

Without Node.js and npm, or with a Node.js older than those packages declare, their tests are skipped with a
reason that names the version they need. CI sets ``REACTOR_CONFORMANCE_REQUIRE_NODE=1``, which turns that skip into
a failure, so that CI never skips them silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

# Adobe's tools (interop/package-lock.json) declare node >= 20.17.0; the pinned Prism's packages >= 20.16.
NODE_MINIMUM = (20, 17)
REQUIRE_NODE = "REACTOR_CONFORMANCE_REQUIRE_NODE"
_VERSION = re.compile(r"v?(\d+)\.(\d+)")
NODE_HANG_GUARD_S = 300  # a hang guard for `node --version`, not a limit on a slow machine


def node_problem() -> str | None:
    """Why the machine cannot run the npm packages, or None when it can."""
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if missing:
        return f"{' and '.join(missing)} not found"
    try:
        shown = subprocess.run(["node", "--version"], capture_output=True, text=True,
                               timeout=NODE_HANG_GUARD_S).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`node --version` did not answer ({error})"
    found = _VERSION.match(shown)
    if found is None:
        return f"`node --version` printed {shown!r}"
    if tuple(map(int, found.groups())) < NODE_MINIMUM:
        return f"found Node.js {shown}"
    return None


def require_node(what: str) -> None:
    """Skip the calling test (or fixture) when Node.js is missing or too old; fail instead where CI requires it."""
    problem = node_problem()
    if problem is None:
        return
    needed = ".".join(map(str, NODE_MINIMUM))
    message = f"{what} needs Node.js {needed} or later with npm: {problem} (e.g. `apt-get install nodejs npm`)"
    if os.environ.get(REQUIRE_NODE, "").strip() not in ("", "0"):
        pytest.fail(f"{message}; {REQUIRE_NODE} is set, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)

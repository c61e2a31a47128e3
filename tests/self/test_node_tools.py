"""Without Node.js the npm-based self-tests skip, naming the version they need; CI's variable makes that a failure."""

from __future__ import annotations

import os

import pytest
from node_tools import NODE_MINIMUM, REQUIRE_NODE, require_node

NEEDED = f"Node.js {'.'.join(map(str, NODE_MINIMUM))} or later"


def fake_path(folder, node_version: str | None, npm: bool = True) -> str:
    """A PATH holding only a ``node`` that prints ``node_version`` (none when None) and, with ``npm``, an ``npm``."""
    tools = {"node": f"echo {node_version}"} if node_version else {}
    if npm:
        tools["npm"] = "exit 0"
    for name, body in tools.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    return str(folder)


# machine: description, node --version (None: no node), npm present, what the reason names.
MACHINES = [
    ("no node", None, True, "node not found"),
    ("no npm", "v22.1.0", False, "npm not found"),
    ("neither", None, False, "node and npm not found"),
    ("an older node", "v18.20.4", True, "found Node.js v18.20.4"),
    ("a node older by a minor", "v20.16.0", True, "found Node.js v20.16.0"),
]


@pytest.mark.parametrize("node, npm, named", [m[1:] for m in MACHINES], ids=[m[0] for m in MACHINES])
def test_without_a_fitting_node_the_test_is_skipped_naming_the_version(tmp_path, monkeypatch, node, npm, named):
    monkeypatch.setenv("PATH", fake_path(tmp_path, node, npm))
    monkeypatch.delenv(REQUIRE_NODE, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_node("the X self-test")
    assert str(skipped.value).startswith(f"the X self-test needs {NEEDED} with npm: {named}")


@pytest.mark.parametrize("value", ["1", "true"])
def test_where_ci_requires_node_a_missing_node_fails(tmp_path, monkeypatch, value):
    monkeypatch.setenv("PATH", fake_path(tmp_path, None))
    monkeypatch.setenv(REQUIRE_NODE, value)
    with pytest.raises(pytest.fail.Exception) as failed:
        require_node("the X self-test")
    assert NEEDED in str(failed.value) and REQUIRE_NODE in str(failed.value)


@pytest.mark.parametrize("version", ["v20.17.0", "v20.20.2", "v24.18.0"])
def test_a_node_new_enough_runs_the_test(tmp_path, monkeypatch, version):
    monkeypatch.setenv("PATH", fake_path(tmp_path, version))
    monkeypatch.setenv(REQUIRE_NODE, "1")
    require_node("the X self-test")


def test_ci_requires_node():
    ci = (os.path.dirname(__file__) + "/../../.ci/run")
    assert f"export {REQUIRE_NODE}=1" in open(ci, encoding="utf-8").read()

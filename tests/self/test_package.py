"""The wheel carries everything a run needs — spec, settings, schemas, requirement catalog and the suite — so that
an installed ``reactor-conformance run`` works from any folder, not only in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from project import ROOT
from suite_runs import HANG_GUARD_S

PROJECT_ROOT = ROOT
# What the package reads at run time, found through importlib.resources: path in the wheel → what it is.
PACKAGE_DATA = {
    "reactor_conformance/openapi/reactor.yaml": "the spec",
    "reactor_conformance/openapi/schemathesis.toml": "its schemathesis settings",
    "reactor_conformance/schemas/authorization.json": "a JSON Schema the spec references as ../schemas/",
    "reactor_conformance/schemas/profile.json": "the profile's schema",
    "reactor_conformance/checks/requirements.toml": "the requirement catalog",
    "reactor_conformance/suite/conftest.py": "the suite's fixtures",
    "reactor_conformance/suite/test_lifecycle.py": "a module of the suite",
    "reactor_conformance/suite/cases/bad-grants.json": "a table of cases the suite and the server's self-tests share",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(out), str(PROJECT_ROOT)], capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert built.returncode == 0, built.stderr[-2000:]
    return zipfile.ZipFile(next(out.glob("reactor_conformance-*.whl")))


@pytest.mark.parametrize("path", sorted(PACKAGE_DATA), ids=[PACKAGE_DATA[p] for p in sorted(PACKAGE_DATA)])
def test_the_wheel_carries_what_a_run_reads(wheel, path):
    assert path in wheel.namelist()


def test_every_schema_and_test_module_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    schemas = {f"reactor_conformance/schemas/{p.name}" for p in (PROJECT_ROOT / "schemas").glob("*.json")}
    suite = {f"reactor_conformance/suite/{p.name}" for p in (PROJECT_ROOT / "tests" / "conformance").glob("*.py")}
    assert schemas | suite <= names

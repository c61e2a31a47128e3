"""``requirements.lock`` pins, by exact version, every package the project asks for, each within what
``pyproject.toml`` allows: a lock out of step with the project fails here, not in a nightly install."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from project import ROOT

PROJECT_ROOT = ROOT
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;#]+)")


def pins() -> dict[str, str]:
    found = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pinned = PIN.match(line)
            assert pinned, f"not an exact pin in requirements.lock: {line!r}"
            found[canonicalize_name(pinned.group(1))] = pinned.group(2)
    return found


def asked() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["dev"]]


@pytest.mark.parametrize("requirement", asked(), ids=str)
def test_every_dependency_is_pinned_within_its_range(requirement):
    version = pins().get(canonicalize_name(requirement.name))
    assert version is not None, f"{requirement.name} is not in requirements.lock: run .github/scripts/refresh-lock.sh"
    assert requirement.specifier.contains(version, prereleases=True), \
        f"requirements.lock pins {requirement.name}=={version}, outside {requirement}"

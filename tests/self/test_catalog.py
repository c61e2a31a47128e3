"""The requirement catalog and the suite agree: every MUST and SHOULD has a test, no test names an unknown ID."""

from __future__ import annotations

import ast

import pytest
from project import ROOT

from reactor_conformance.checks.requirements import LEVELS, catalog

SUITE = ROOT / "tests" / "conformance"


def marked_requirements() -> dict[str, set[str]]:
    """Requirement ID → the test functions that carry ``@pytest.mark.requirement(ID, …)``, read from the source."""
    found: dict[str, set[str]] = {}
    for path in sorted(SUITE.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.requirement":
                    for arg in decorator.args:
                        found.setdefault(ast.literal_eval(arg), set()).add(f"{path.name}::{node.name}")
    return found


def test_catalog_levels_and_ids_are_well_formed():
    for rid, requirement in catalog().items():
        assert requirement.level in LEVELS, rid
        assert rid.startswith(requirement.group + "-"), rid
        assert requirement.title and requirement.source, rid


@pytest.mark.parametrize("level", ["MUST", "SHOULD"])
def test_every_requirement_of_a_failing_level_has_a_test(level):
    marked = marked_requirements()
    missing = [rid for rid, r in catalog().items() if r.level == level and rid not in marked]
    assert not missing, f"{level} requirements without a test: {', '.join(missing)}"


def test_no_test_names_an_unknown_requirement():
    unknown = {rid: tests for rid, tests in marked_requirements().items() if rid not in catalog()}
    assert not unknown, f"tests name requirements the catalog does not have: {unknown}"


def test_every_conformance_test_names_a_requirement():
    unmarked = []
    for path in sorted(SUITE.glob("test_*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names = [ast.unparse(d.func) for d in node.decorator_list if isinstance(d, ast.Call)]
                if "pytest.mark.requirement" not in names:
                    unmarked.append(f"{path.name}::{node.name}")
    assert not unmarked, f"conformance tests without @pytest.mark.requirement: {unmarked}"


def test_the_suite_never_imports_the_reference_server():
    offenders = [p.name for p in SUITE.rglob("*.py") if "refserver" in p.read_text("utf-8")]
    assert not offenders, f"the suite must know its target only by URL: {offenders}"

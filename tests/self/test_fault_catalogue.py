"""The fault catalogue: enough faults, each naming real requirements, covering every group and every MUST
requirement that a server can break."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reactor_conformance import refserver
from reactor_conformance.checks.requirements import catalog
from reactor_conformance.fuzzing import spec
from reactor_conformance.refserver.faults import FAULTS, FaultName, parse_faults
from reactor_conformance.refserver.variants import VariantName

# MUST requirements no server defect can break, and why.
UNBREAKABLE_BY_A_SERVER: dict[str, str] = {}


def test_there_are_at_least_thirty_faults_with_descriptions():
    assert len(FAULTS) >= 30
    assert all(fault.description and fault.requirements for fault in FAULTS.values())
    assert all(name == fault.name and name == name.lower() and " " not in name for name, fault in FAULTS.items())


def test_the_operations_a_fault_shows_in_are_the_spec_s_and_only_for_fuzzing():
    operations = set(spec.operations(spec.load()))
    for fault in FAULTS.values():
        assert set(fault.operations) <= operations, (fault.name, sorted(set(fault.operations) - operations))
        assert fault.fuzz or not fault.operations, fault.name


def test_every_fault_names_known_requirements():
    known = catalog()
    unknown = {name: [r for r in fault.requirements if r not in known] for name, fault in FAULTS.items()}
    assert not {name: ids for name, ids in unknown.items() if ids}


def test_every_group_is_covered():
    groups = {fault.requirements[0].split("-")[0] for fault in FAULTS.values()}
    assert groups >= {"SHAPE", "CREATE", "LIST", "STATE", "REVOKE", "EFFECT", "AUTH", "ISO", "FUZZ"}


def test_every_breakable_must_requirement_is_broken_by_a_fault():
    broken = {rid for fault in FAULTS.values() for rid in fault.requirements}
    musts = {rid for rid, r in catalog().items() if r.level == "MUST"}
    assert musts - broken - set(UNBREAKABLE_BY_A_SERVER) == set()


def test_unknown_fault_names_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown fault\\(s\\) nope; known faults: "):
        parse_faults(["nope"])


def test_every_fault_or_variant_the_server_names_exists():
    """The server names faults and variants by ``FaultName.X`` and ``VariantName.X``: a misspelt one fails here, not
    silently in a run."""
    enums = {"FaultName": FaultName, "VariantName": VariantName}
    named = [(path.name, node.value.id, node.attr) for path in Path(refserver.__file__).parent.glob("*.py")
             for node in ast.walk(ast.parse(path.read_text("utf-8")))
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in enums]
    assert named, "the server names no fault"
    assert [(file, enum, attr) for file, enum, attr in named if attr not in enums[enum].__members__] == []

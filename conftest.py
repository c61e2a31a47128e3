"""Loads the suite's pytest plugin: target options, requirement markers and run reports."""

pytest_plugins = ["reactor_conformance.harness.plugin"]

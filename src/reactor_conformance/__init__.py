"""Contract tests for Adobe Reactor's extension package usage authorizations."""

__version__ = "0.1.0"

JSON_API = "application/vnd.api+json"
"""The JSON:API media type of every Reactor document: one constant for the suite, the reference server and the
tests."""

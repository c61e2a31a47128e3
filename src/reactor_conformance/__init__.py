"""Contract tests for Adobe Reactor's extension package usage authorizations."""

__version__ = "0.1.0"

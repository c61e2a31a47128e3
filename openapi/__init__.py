"""The hand-written OpenAPI 3.1 spec of the documented endpoints and its schemathesis settings, shipped as package
data (``reactor_conformance.openapi``): an installed suite finds them with ``importlib.resources``."""

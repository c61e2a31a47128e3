"""Where the contract's files are: the spec, its schemathesis settings and the JSON Schemas.

They ship inside the package (``reactor_conformance.openapi``, ``reactor_conformance.schemas``), so an installed
suite finds them wherever it runs; in an editable install the same names lead to the checkout's ``openapi/`` and
``schemas/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

OPENAPI = Path(str(resources.files("reactor_conformance.openapi")))
SPEC = OPENAPI / "reactor.yaml"
SCHEMATHESIS_SETTINGS = OPENAPI / "schemathesis.toml"
SCHEMAS = Path(str(resources.files("reactor_conformance.schemas")))

"""Reactor's ID forms: a two-letter prefix and 32 lowercase hex digits. Anything else names nothing."""

from __future__ import annotations

import re

_FORM = re.compile(r"(EA|EP|PR|EX)[0-9a-f]{32}")


def well_formed(prefix: str, value: str) -> bool:
    return len(value) == 34 and value.startswith(prefix) and _FORM.fullmatch(value) is not None

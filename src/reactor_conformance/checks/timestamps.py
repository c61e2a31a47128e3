"""What SHAPE-03 calls an ISO-8601 UTC timestamp: RFC 3339 ``date-time`` with ``Z`` or ``+00:00`` and any number
of fraction digits (``2024-06-05T23:17:30.308Z``, ``2026-12-05T05:11:56.012000+00:00``), the one rule every check
of a timestamp uses. ``schemas/common.json``'s ``timestamp`` says the same for the schemas."""

from __future__ import annotations

import re
from datetime import datetime

UTC_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\+00:00)")
FORM = "an ISO-8601 UTC timestamp (RFC 3339, Z or +00:00)"


def instant(value) -> datetime | None:
    """The moment ``value`` names, or None when it is no UTC timestamp or names no real date (month 13). A leap
    second (``:60``, which RFC 3339 allows) counts as the second before it."""
    if not isinstance(value, str) or not UTC_TIMESTAMP.fullmatch(value):
        return None
    if value[17:19] == "60":
        value = value[:17] + "59" + value[19:]
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None

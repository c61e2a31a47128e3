"""A response kept as plain data, to be judged later — in another test, or another process of the run.

``expect`` reads only ``status_code``, ``text``, ``headers``, ``json()`` and ``exchange`` of a response,
so a recorded one fails a check exactly as the live one would have: with its exchange and curl line.
"""

from __future__ import annotations

import dataclasses
import json

from .exchanges import Exchange


def record(response) -> dict:
    """``response`` (the suite client's, with its ``exchange``) as JSON-ready data."""
    exchange = getattr(response, "exchange", None)
    return {"status_code": response.status_code, "text": response.text,
            "exchange": dataclasses.asdict(exchange) if exchange is not None else None}


class Recorded:
    """A response ``record`` kept, standing in for it."""

    def __init__(self, data: dict):
        self.status_code, self.text = data["status_code"], data["text"]
        self.exchange = Exchange(**data["exchange"]) if data.get("exchange") else None
        self.headers = dict(self.exchange.response_headers) if self.exchange is not None else {}

    def json(self):
        return json.loads(self.text)

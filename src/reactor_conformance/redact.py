"""Secrets never leave the process: every string bound for a log, a report or an attachment passes here.

Registered values (tokens, API keys, client secrets) are replaced wherever they occur; bearer
credentials and ``client_secret=`` form fields are masked even when nobody registered them.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
MIN_SECRET_LENGTH = 4
_BEARER = re.compile(r"(?i)(bearer\s+)(?!\$)[^\s'\"]+")
_FORM_SECRET = re.compile(r"(?i)(client_secret=)[^&\s'\"]+")

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # value -> placeholder name


def register(name: str, value: str | None) -> None:
    """Remember ``value`` as a secret shown as ``$NAME`` in curl lines and ``***`` elsewhere."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets[value] = name


def registered() -> dict[str, str]:
    with _lock:
        return dict(_secrets)


def redact(text: str, *, placeholders: bool = False) -> str:
    """``text`` with every secret masked (``placeholders=True``: replaced by ``$NAME``)."""
    if not text:
        return text
    for value, name in sorted(registered().items(), key=lambda item: -len(item[0])):
        text = text.replace(value, f"${name}" if placeholders else MASK)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _FORM_SECRET.sub(lambda m: m.group(1) + MASK, text)

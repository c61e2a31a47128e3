"""Secrets never leave the process: every string bound for a log, a report or an attachment passes here.

Registered values (tokens, API keys, client secrets) are replaced wherever they occur: by ``***``, or
by ``$OWNER_TOKEN``-style placeholders in lines a person will paste into a shell. Bearer credentials,
``client_secret=`` form fields and ``access_token``/``client_secret`` JSON members are masked even
when nobody registered them.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words; no real credential is that short
_UNREGISTERED = (
    re.compile(r"(?i)(\bbearer\s+)(?!\$|\*\*\*)[^\s'\",;]+"),
    re.compile(r"(?i)(\bclient_secret=)[^&\s'\"]+"),
    re.compile(r"(?i)(\"(?:access_token|client_secret)\"\s*:\s*\")[^\"]+(?=\")"),
)


class Secrets:
    """A thread-safe registry of secret values, each with the placeholder name shown for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: dict[str, str] = {}  # value → placeholder name
        self._pattern: re.Pattern | None = None

    def register(self, name: str, value: str | None) -> None:
        """Mask ``value`` from now on; ``name`` is its placeholder (``OWNER_TOKEN`` → ``$OWNER_TOKEN``).
        The first name registered for a value keeps it."""
        if not value or len(value) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value not in self._names:  # a new dict: a snapshot already handed out never changes
                self._names = {**self._names, value: name}
                self._pattern = None

    def forget(self) -> None:
        """Forget every value: for a process that runs the suite many times, each run with new credentials (the
        proof), so that masking does not grow slower run after run."""
        with self._lock:
            self._names, self._pattern = {}, None

    def names(self) -> frozenset[str]:
        """The registered placeholder names."""
        with self._lock:
            return frozenset(self._names.values())

    def redact(self, text: str, *, placeholders: bool = False) -> str:
        """``text`` with every secret masked by ``***`` (``placeholders=True``: by ``$NAME``)."""
        if not text:
            return text
        pattern, names = self._snapshot()
        if pattern is not None:
            text = pattern.sub(lambda m: f"${names[m.group(0)]}" if placeholders else MASK, text)
        for unregistered in _UNREGISTERED:
            text = unregistered.sub(lambda m: m.group(1) + MASK, text)
        return text

    def _snapshot(self) -> tuple[re.Pattern | None, dict[str, str]]:
        with self._lock:
            if self._pattern is None and self._names:
                longest_first = sorted(self._names, key=len, reverse=True)  # a secret inside another
                self._pattern = re.compile("|".join(map(re.escape, longest_first)))
            return self._pattern, self._names


SECRETS = Secrets()
"""The process-wide registry every part of the suite uses."""

register = SECRETS.register
names = SECRETS.names
redact = SECRETS.redact

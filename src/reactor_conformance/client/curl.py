"""A curl line that reproduces a request, one shell word at a time, with every secret a ``$OWNER_TOKEN``-style
variable the shell expands."""

from __future__ import annotations

import re
import shlex
from typing import Mapping

from . import redact

_CONTROL = re.compile(r"([\x00-\x1f\x7f]+)")


def command(method: str, url: str, headers: Mapping[str, str], body: bytes) -> str:
    parts = ["curl", "-sS", "--path-as-is", "-X", method, shell_word(url)]
    for key, value in headers.items():
        parts += ["-H", shell_word(f"{key}: {value}")]
    if body:
        try:
            parts += ["--data-raw", shell_word(body.decode("utf-8"))]
        except UnicodeDecodeError:
            parts += ["--data-binary", "@body.bin", f"# the {len(body)}-byte binary body is not reproduced"]
    return " ".join(parts)


def shell_word(text: str) -> str:
    """``text`` as one word of a one-line POSIX shell command (bash for control characters), secrets as
    ``$NAME`` variables the shell expands."""
    text = redact.redact(text, placeholders=True)
    variables = sorted((name for name in redact.names() if f"${name}" in text), key=len, reverse=True)
    if not variables and not _CONTROL.search(text):
        return shlex.quote(text)
    kept = rf"\$(?:{'|'.join(map(re.escape, variables))})(?![A-Za-z0-9_])|" if variables else ""
    special = re.compile(kept + r"([\\\"`$])")
    word = []
    for i, piece in enumerate(_CONTROL.split(text)):
        if i % 2:  # a run of control characters, outside the double quotes
            word.append("$'" + "".join(f"\\x{ord(char):02x}" for char in piece) + "'")
        elif piece:
            word.append('"' + special.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(0), piece) + '"')
    return "".join(word)

"""The profile as TOML text. Profile values are only strings, booleans and lists of strings, under
tables of tables, so a tiny writer with exact string escaping is enough."""

from __future__ import annotations

import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(value: str) -> str:
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"a profile holds no {type(value).__name__}")


def dumps(document: dict, _path: tuple[str, ...] = ()) -> str:
    """TOML for ``document``: its plain values first, then each sub-table under its ``[dotted.header]``."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in document.items() if not isinstance(v, dict)]
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, table in ((k, v) for k, v in document.items() if isinstance(v, dict)):
        path = (*_path, key)
        text += f"\n[{'.'.join(_key(part) for part in path)}]\n" + dumps(table, path)
    return text

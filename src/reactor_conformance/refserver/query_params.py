"""Reading list query parameters: ``page[number]``, ``page[size]`` and ``filter[ATTR]=OP values``.

Bad paging is refused (400 ``invalid-parameter``); a malformed filter is ignored and the full result
returned, as Adobe documents. Unknown parameters are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from starlette.datastructures import QueryParams

from .errors import ApiError
from .store import Filter

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_DIGITS = 4000  # below Python's int-parsing limit: any longer number is refused, not crashed on
MAX_FILTER_VALUES = 100
OPERATORS = {"EQ": False, "NOT": True}  # operator → negate


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _positive(query: QueryParams, name: str, default: int, maximum: int | None, lenient: bool) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS else 0
    if lenient and (value < 1 or (maximum is not None and value > maximum)):
        return default
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"from 1 to {maximum}" if maximum else "of at least 1"
        raise ApiError(400, "invalid-parameter", f"{name} must be an integer {bound}.", parameter=name)
    return value


def page_of(query: QueryParams, lenient: bool = False) -> Page:
    """Page number and size; out of range is a 400 (``lenient``, for the fault that gets this wrong: defaults)."""
    return Page(_positive(query, "page[number]", 1, None, lenient),
                _positive(query, "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, lenient))


def filters_of(query: QueryParams, columns: Mapping[str, str]) -> list[Filter]:
    """The well-formed ``filter[name]`` parameters whose name is in ``columns`` (filter name → column)."""
    found = []
    for key, value in query.multi_items():
        if not (key.startswith("filter[") and key.endswith("]")) or key[7:-1] not in columns:
            continue
        operator, _, rest = value.strip().partition(" ")
        values = tuple(dict.fromkeys(v.strip() for v in rest.split(",") if v.strip()))
        if operator.upper() in OPERATORS and 0 < len(values) <= MAX_FILTER_VALUES:
            found.append(Filter(columns[key[7:-1]], values, OPERATORS[operator.upper()]))
    return found

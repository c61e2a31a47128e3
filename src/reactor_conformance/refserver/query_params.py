"""Reading list query parameters: ``page[number]``, ``page[size]`` and ``filter[ATTR]=OP values``.

Bad paging is refused (400 ``invalid-parameter``), or clamped into range under the ``paging-clamped``
variant; a malformed filter is ignored and the full result returned, as Adobe documents. Unknown
parameters are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection

from starlette.datastructures import QueryParams
from starlette.requests import Request

from .errors import ApiError
from .faults import FaultName
from .store import Filter
from .variants import VariantName

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


def _positive(query: QueryParams, name: str, default: int, maximum: int | None, clamp: bool) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    digits = raw.strip().lstrip("-")
    value = int(raw) if digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS else None
    if clamp:
        return default if value is None else max(1, min(value, maximum or value))
    if value is None or value < 1 or (maximum is not None and value > maximum):
        bound = f"from 1 to {maximum}" if maximum else "of at least 1"
        raise ApiError(400, "invalid-parameter", f"{name} must be an integer {bound}.", parameter=name)
    return value


def page_of(request: Request) -> Page:
    """Page number and size; out of range is a 400, or clamped into range under ``paging-clamped``."""
    query, clamp = request.query_params, VariantName.PAGING_CLAMPED in request.app.state.variants
    return Page(_positive(query, "page[number]", 1, None, clamp),
                _positive(query, "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, clamp))


def filters_of(request: Request, columns: Collection[str]) -> list[Filter]:
    """The well-formed ``filter[name]`` parameters whose name is one of the filterable ``columns`` (the store's,
    where they are declared); the ``malformed-filter-refused`` fault refuses the others instead of ignoring them."""
    found, refuse = [], FaultName.MALFORMED_FILTER_REFUSED in request.app.state.faults
    for key, value in request.query_params.multi_items():
        if not (key.startswith("filter[") and key.endswith("]")) or key[7:-1] not in columns:
            continue
        operator, _, rest = value.strip().partition(" ")
        values = tuple(dict.fromkeys(v.strip() for v in rest.split(",") if v.strip()))
        if operator.upper() in OPERATORS and 0 < len(values) <= MAX_FILTER_VALUES:
            found.append(Filter(key[7:-1], values, OPERATORS[operator.upper()]))
        elif refuse:
            raise ApiError(400, "invalid-parameter", f"{key} must be `EQ value,…` or `NOT value,…`.", parameter=key)
    return found

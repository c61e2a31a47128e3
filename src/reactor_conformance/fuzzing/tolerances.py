"""Three of schemathesis's default checks, held to what the requirements allow and no more (``docs/tolerances.md``).

Each replaces the check of the same name in the suite's judging (``judging.checks_for``) and defers to it but where a
requirement allows the answer it would fail:

- FUZZ-01: a 501 Not Implemented to a method the spec declares nowhere on the path is the answer RFC 9110 §15.6.2
  prescribes for a method the server does not recognise, not a server error;
- FUZZ-03: such a method may be refused by that 501 as well as by a 405 (which still names the path's methods in
  ``Allow``, RFC 9110 §15.5.6);
- FUZZ-03: a valid list request naming a page after the first may be refused with a 4xx: a generated request
  cannot know where the list ends, and paging past the end is LIST-04's business.
"""

from __future__ import annotations

from .internals import CoverageScenario, coverage_scenario, openapi_checks
from .internals import not_a_server_error as _not_a_server_error


def undeclared_method(case) -> bool:
    """A probe of schemathesis's coverage phase with a method the spec does not declare on the path."""
    return coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD


def page_after_the_first(case) -> bool:
    value = (case.query or {}).get("page[number]") if isinstance(case.query, dict) else None
    try:
        return int(str(value).strip()) > 1
    except ValueError:
        return False


def not_a_server_error(ctx, response, case):
    if response.status_code == 501 and undeclared_method(case):
        return None
    return _not_a_server_error(ctx, response, case)


def unsupported_method(ctx, response, case):
    if response.status_code == 501 and undeclared_method(case):
        return None
    return openapi_checks.unsupported_method(ctx, response, case)


def positive_data_acceptance(ctx, response, case):
    if 400 <= response.status_code < 500 and page_after_the_first(case):
        return None
    return openapi_checks.positive_data_acceptance(ctx, response, case)


TOLERANT = {check.__name__: check for check in (not_a_server_error, unsupported_method, positive_data_acceptance)}
"""By name: what ``judging.checks_for`` judges with instead of schemathesis's own check."""

"""The one place the suite reaches past schemathesis's public API (``schemathesis.Case``, ``schemathesis.check``,
``schemathesis.Config``, ``schemathesis.openapi``, hooks), each with the reason no public name does the job.

``tests/self/test_schemathesis_internals.py`` pins the behaviour each one is relied on for, so that a schemathesis
release that changes it fails a test by name instead of a run by surprise.
"""

from __future__ import annotations

# The registry of checks (the CLI's ``--checks`` reads it): judging picks the enabled default checks by name and files
# each under a requirement. The public API registers checks (``schemathesis.check``) but does not list them.
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.checks import not_a_server_error
# A check failure's base class: the project's own checks raise typed failures, as schemathesis's do, so that the CLI
# given them as hooks reports them with a title and a code (a plain AssertionError is all the public API offers).
from schemathesis.core.failures import Failure
# Where a coverage case's fault lies (path, header, …), to leave out the faults in what the suite fixes.
from schemathesis.core.parameters import ParameterLocation
# The coverage phase (what ``st run`` sends first: boundary values, wrong types, missing parts, undeclared methods).
# The public API runs it only inside ``st run`` or a pytest test of schemathesis's plugin, neither of which hands the
# cases over to be sent as a chosen identity, with real IDs in the path.
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.meta import CoverageScenario, coverage_scenario
from schemathesis.generation.overrides import Override
# The default OpenAPI checks as functions, for the tolerances that defer to them (``tolerances.py``).
from schemathesis.specs.openapi import checks as openapi_checks
# The CLI's session (cookies dropped between requests), so that generated requests go out as ``st run`` sends them.
from schemathesis.transport.requests import ManagedCookiesSession

__all__ = ["CHECKS", "Failure", "ParameterLocation", "CoverageGenerator", "NO_FEEDBACK",
           "CoverageScenario", "coverage_scenario", "Override", "openapi_checks", "ManagedCookiesSession",
           "load_all_checks", "not_a_server_error", "coverage_generator", "remember_settings",
           "ignored_auth_remembering"]


def coverage_generator(operation, headers: dict, path_parameters: dict):
    """schemathesis's coverage cases of ``operation``, with ``headers`` and ``path_parameters`` as fixed values."""
    generation = operation.schema.config.generation_for(operation=operation, phase="coverage")
    return CoverageGenerator(operation=operation, generation_modes=generation.modes, generation_config=generation,
                             auth_storage=None, feedback=NO_FEEDBACK,
                             override=Override(path_parameters=dict(path_parameters), headers=dict(headers)))


# The settings schemathesis works out anew for an operation (and phase) each time it draws a case or validates a
# response, from settings that do not change during a run.
REMEMBERED_SETTINGS = ("checks_config_for", "generation_for", "phases_for")


def remember_settings(config) -> None:
    """Remember each answer of the configuration's per-operation lookups (``REMEMBERED_SETTINGS``): working them
    out again merged the same settings for every drawn case (3 % of a search's time) and every validation. No public
    setting does it, so the methods are replaced; ``test_schemathesis_internals`` pins that drawing and validation
    still ask them."""
    for name in REMEMBERED_SETTINGS:
        setattr(config, name, _remembering(getattr(config, name)))


def _remembering(lookup):
    known: dict = {}

    def remembered(*, operation=None, **kwargs):
        key = (operation.label if operation is not None else None, *sorted(kwargs.items()))
        if key not in known:
            known[key] = lookup(operation=operation, **kwargs)
        return known[key]

    return remembered


def ignored_auth_remembering(enforced: set):
    """schemathesis's ``ignored_auth``, probing each operation once per run rather than after every 2xx: ``st run``
    gives the check its memo of the operations shown to refuse missing and invalid credentials through the check
    context's ``auth_enforced_operations``, which a check called outside its engine has to be handed the same way."""

    def ignored_auth(ctx, response, case):
        ctx.auth_enforced_operations = enforced
        return openapi_checks.ignored_auth(ctx, response, case)

    return ignored_auth

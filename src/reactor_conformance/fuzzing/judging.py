"""One answer to a generated request judged: schemathesis's default checks and the project's own (``own_checks``),
each filed under the FUZZ requirement it serves (``REQUIREMENT_OF_CHECK``), three of schemathesis's held to what the
contract tolerates (``tolerances``)."""

from __future__ import annotations

from schemathesis.errors import FailureGroup

from ..checks import crashes
from ..client import transport
from .internals import CHECKS, ignored_auth_remembering, load_all_checks
from .sending import Sent
from .tolerances import TOLERANT

MESSAGE_LIMIT = 1500

REQUIREMENT_OF_CHECK = {
    "not_a_server_error": "FUZZ-01",
    # FUZZ-02: what comes back conforms to the spec (and to the documents' rules the spec cannot state).
    "status_code_conformance": "FUZZ-02", "content_type_conformance": "FUZZ-02",
    "response_headers_conformance": "FUZZ-02", "response_schema_conformance": "FUZZ-02",
    "json_api_media_type": "FUZZ-02", "json_api_error_document": "FUZZ-02", "own_org_data_only": "FUZZ-02",
    "timestamps_well_formed": "FUZZ-02", "object_level_authorization": "FUZZ-02",
    # FUZZ-03: what goes in is refused exactly when it violates the spec.
    "negative_data_rejection": "FUZZ-03", "positive_data_acceptance": "FUZZ-03", "ignored_auth": "FUZZ-03",
    "missing_required_header": "FUZZ-03", "unsupported_method": "FUZZ-03", "allow_header_conformance": "FUZZ-03",
    # FUZZ-04: what sequences through the links leave behind.
    "use_after_free": "FUZZ-04", "ensure_resource_availability": "FUZZ-04",
}
"""A default check of a later schemathesis that is not listed here counts under FUZZ-02."""

STATELESS = ("FUZZ-01", "FUZZ-02", "FUZZ-03")


def checks_for(state, requirement: str) -> list:
    """The checks the project's schemathesis settings enable (all of them, by default) that serve ``requirement``.

    Worked out once per run (the registry and the settings do not change during a run): judging asks for them after
    every generated request."""
    if requirement not in state.checks:
        load_all_checks()
        config = state.schema.config.checks_config_for()
        replaced = {"ignored_auth": ignored_auth_remembering(state.auth_enforced), **TOLERANT}
        chosen = []
        for check in CHECKS.get_all():
            name = getattr(check, "__name__", "")
            if isinstance(check, type) or not config.get_by_name(name=name).enabled:
                continue
            if REQUIREMENT_OF_CHECK.get(name, "FUZZ-02") == requirement:
                chosen.append(replaced.get(name, check))
        state.checks[requirement] = tuple(chosen)
    return list(state.checks[requirement])


def judge(state, sent: Sent, requirements=STATELESS, recorder=None) -> dict[str, list[str]]:
    """Each requirement's failed checks for one answer. A 5xx or no answer is FUZZ-01's alone: the other
    requirements judge only answers the server meant to give.

    The checks of all the requirements run in one pass (one schemathesis validation per answer, not one per
    requirement); each failure goes to the requirement of the check that raised it."""
    if sent.response is None:
        return {"FUZZ-01": ["The target gave no answer"]} if "FUZZ-01" in requirements else {}
    if sent.response.status_code >= 500 and "FUZZ-01" in requirements:
        requirements = ("FUZZ-01",)
    requirement_of = {check: requirement for requirement in requirements for check in checks_for(state, requirement)}
    if not requirement_of:
        return {}
    try:
        failures = validate(state, sent, list(requirement_of), recorder)
    except Exception:  # noqa: BLE001 - a check could not run: judge each requirement apart to tell which
        return _judge_apart(state, sent, requirements, recorder)
    by_name = {check.__name__: requirement for check, requirement in requirement_of.items()}
    if any(name not in by_name for name, _ in failures):  # not told which check failed: judge apart
        return _judge_apart(state, sent, requirements, recorder)
    failed: dict[str, list[str]] = {}
    for name, failure in failures:
        texts = failed.setdefault(by_name[name], [])
        text = _describe(failure)
        if text not in texts:
            texts.append(text)
    return failed


def _judge_apart(state, sent: Sent, requirements, recorder) -> dict[str, list[str]]:
    """``judge`` one requirement at a time, so that a check that could not run (a probe got no answer) fails
    its own requirement only."""
    failed = {}
    for requirement in requirements:
        try:
            failures = validate(state, sent, checks_for(state, requirement), recorder)
        except Exception as error:  # noqa: BLE001 - a check that could not run (a probe got no answer) fails it
            failed[requirement] = [f"A check could not run: {crashes.describe(error)[:300]}"]
            continue
        texts = list(dict.fromkeys(_describe(failure) for _, failure in failures))
        if texts:
            failed[requirement] = texts
    return failed


def validate(state, sent: Sent, checks: list, recorder) -> list[tuple[str | None, object]]:
    """Run ``checks`` on the answer with schemathesis (``Case.validate_response``): each failure with the name of
    the check that raised it, as schemathesis's ``after_validate`` hook reports them (None: not reported)."""
    state.validations.results = results = []
    try:
        sent.case.validate_response(sent.response, checks=checks, headers=sent.headers,
                                    transport_kwargs={"base_url": sent.base_url, "headers": sent.headers,
                                                      "timeout": sent.timeout, "session": sent.session,
                                                      "hooks": {"response": [transport.resend_refused(sent.session)]}},
                                    recorder=recorder)
    except FailureGroup as group:
        named = [(result.name, result.failure) for result in results if result.failure is not None]
        return named or [(None, failure) for failure in group.exceptions]
    finally:
        state.validations.results = None
    return []


def _describe(failure) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = getattr(failure, "message", "") or ""
    text = f"{title}\n\n{message}" if message else title
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "… (truncated)"

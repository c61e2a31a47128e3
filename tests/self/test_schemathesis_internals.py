"""What the fuzzing relies on of schemathesis beyond its public API (``reactor_conformance.fuzzing.internals``):
each test names one reach, so that a schemathesis release that changes it fails here, by name."""

from __future__ import annotations

import copy
from datetime import timedelta

import hypothesis
import pytest
import requests
from requests.structures import CaseInsensitiveDict
from schemathesis import CheckContext

from reactor_conformance.fuzzing import internals
from reactor_conformance.fuzzing.generation import with_values
from reactor_conformance.fuzzing.judging import REQUIREMENT_OF_CHECK, checks_for, judge, validate
from reactor_conformance.fuzzing.sending import Sent
from reactor_conformance.fuzzing.state import FuzzingState

GRANTING = "createExtensionPackageUsageAuthorization"
READING = "retrieveExtensionPackage"
PACKAGE = {"EXTENSION_PACKAGE_ID": "EP" + "0" * 32}
BASE_URL = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def state() -> FuzzingState:
    return FuzzingState()


def answer(case, status: int, content_type: str, body: bytes) -> requests.Response:
    """A response to ``case`` as requests builds one, without a server."""
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers = CaseInsensitiveDict({"Content-Type": content_type, "Content-Length": str(len(body))})
    response.request = requests.Request(case.method, BASE_URL + case.formatted_path).prepare()
    response.url, response.elapsed, response.encoding = response.request.url, timedelta(milliseconds=1), "utf-8"
    return response


def test_the_registry_lists_every_check_the_suite_files_under_a_requirement(state):
    internals.load_all_checks()
    registered = {check.__name__ for check in internals.CHECKS.get_all() if not isinstance(check, type)}
    assert set(REQUIREMENT_OF_CHECK) <= registered, sorted(set(REQUIREMENT_OF_CHECK) - registered)
    for requirement in ("FUZZ-01", "FUZZ-02", "FUZZ-03", "FUZZ-04"):
        assert checks_for(state, requirement), requirement


def test_coverage_cases_keep_the_fixed_values_and_say_where_their_fault_lies(state):
    operation = state.operations[GRANTING]
    cases = list(internals.coverage_generator(operation, {"x-api-key": "KEY"}, PACKAGE))
    negative = [case for case in cases if case.meta.generation.mode.is_negative]
    assert negative and len(negative) < len(cases)
    for case in cases:
        data = case.meta.phase.data
        assert hasattr(data, "parameter_location") and hasattr(data, "description")
        assert isinstance(case.meta.components, dict)
    positive = [case for case in cases if not case.meta.generation.mode.is_negative
                and case.method.upper() == operation.method.upper()]
    assert positive and all(case.path_parameters == PACKAGE for case in positive)
    assert any(internals.coverage_scenario(case) == internals.CoverageScenario.UNSPECIFIED_HTTP_METHOD
               for case in cases)


def test_a_copied_case_is_its_own_and_keeps_what_it_was_generated_as(state):
    operation = state.operations[GRANTING]
    case = next(case for case in internals.coverage_generator(operation, {}, PACKAGE)
                if case.meta.generation.mode.is_negative and case.body not in (None,) and isinstance(case.body, dict))
    original = copy.deepcopy(case.body)
    clone = with_values(case, {"EXTENSION_PACKAGE_ID": "EP" + "1" * 32}, {"x-api-key": "OTHER"})
    assert clone is not case and clone.meta is not case.meta
    assert clone.meta.generation.mode == case.meta.generation.mode
    assert clone.path_parameters["EXTENSION_PACKAGE_ID"] == "EP" + "1" * 32 and clone.headers["x-api-key"] == "OTHER"
    clone.body["changed"] = True
    assert case.body == original


def counting_calls(config, name: str, monkeypatch) -> list:
    """Every call of ``config``'s method ``name`` from now on, recorded (the method still answers)."""
    asked, lookup = [], getattr(config, name)

    def counting(**kwargs):
        asked.append(kwargs)
        return lookup(**kwargs)

    monkeypatch.setattr(config, name, counting)
    return asked


@pytest.mark.parametrize("name", internals.REMEMBERED_SETTINGS)
def test_each_remembered_setting_is_the_configuration_s_own_answer_worked_out_once(state, name):
    operation, config = state.operations[READING], state.schema.config
    kwargs = {"phase": "fuzzing"} if name != "phases_for" else {}
    fresh = getattr(type(config), name)(config, operation=operation, **kwargs)  # the method, not the memo
    first = getattr(config, name)(operation=operation, **kwargs)
    assert first == fresh and getattr(config, name)(operation=operation, **kwargs) is first


def test_drawing_a_case_asks_the_remembered_generation_settings(state, monkeypatch):
    asked = counting_calls(state.schema.config, "generation_for", monkeypatch)
    strategy = state.operations[READING].as_strategy(path_parameters=PACKAGE)
    hypothesis.find(strategy, lambda case: True, settings=hypothesis.settings(database=None, max_examples=1))
    assert asked


def test_validation_asks_the_remembered_checks_configuration(state, monkeypatch):
    checks_for(state, "FUZZ-02")  # worked out before: what is counted is validation's asking
    asked = counting_calls(state.schema.config, "checks_config_for", monkeypatch)
    case = state.operations[READING].Case(path_parameters=PACKAGE)
    judge(state, Sent(case, answer(case, 404, "application/vnd.api+json", b'{"errors": []}'), {}, BASE_URL),
          ("FUZZ-02",))
    assert asked


def test_the_after_validate_hook_names_the_check_that_failed(state):
    case = state.operations[READING].Case(path_parameters=PACKAGE)
    failures = validate(state, Sent(case, answer(case, 200, "text/plain", b"hello"), {}, BASE_URL),
                        checks_for(state, "FUZZ-02"), None)
    named = {name: failure for name, failure in failures}
    assert "json_api_media_type" in named, sorted(map(str, named))
    assert named["json_api_media_type"].title == "Not the JSON:API media type"


def test_ignored_auth_reads_its_memo_from_the_check_context():
    assert "auth_enforced_operations" in CheckContext.__annotations__


def test_the_cli_s_session_is_a_requests_session():
    assert issubclass(internals.ManagedCookiesSession, requests.Session)

"""The generated half of the suite: schemathesis, driven by ``openapi/reactor.yaml``, inside the pytest run.

Every generated request goes out as the identity that may make it, through one rate-limited session;
every response is judged by schemathesis's checks and by this project's own, grouped by the FUZZ
requirement they serve, so that a failure is reported under the right ID with a redacted curl line.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
import requests
import schemathesis
from requests.adapters import HTTPAdapter
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from . import redact
from .schemas import errors as schema_errors

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC = PROJECT_ROOT / "openapi" / "reactor.yaml"
SETTINGS = PROJECT_ROOT / "schemathesis.toml"
JSON_API = "application/vnd.api+json"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

# Which identity sends each operation: the one the documents allow to use it.
AUTHORIZED_OPERATIONS = {"updateExtensionPackageUsageAuthorization", "retrieveExtensionPackageUsageAuthorization",
                         "createExtension", "retrieveExtension", "deleteExtension"}
UNAUTHENTICATED_OPERATIONS = {"exchangeImsClientCredentials"}


# -- our own checks, with schemathesis's check signature (ctx, response, case) --------------------------------------------------
def json_api_media_type(ctx, response, case):
    """Every API answer with a body is ``application/vnd.api+json`` (SHAPE-01)."""
    if case.operation.definition.raw.get("operationId") in UNAUTHENTICATED_OPERATIONS or not response.content:
        return None
    content_type = header(response, "content-type")
    if content_type.split(";")[0].strip().lower() != JSON_API:
        raise AssertionError(f"Content-Type is {content_type or '(none)'}, expected {JSON_API}")
    return None


def json_api_error_document(ctx, response, case):
    """Every 4xx of the API is a JSON:API error document whose status matches the answer's (SHAPE-08)."""
    if not 400 <= response.status_code < 500 or case.operation.definition.raw.get("operationId") \
            in UNAUTHENTICATED_OPERATIONS or response.status_code == 405:
        return None
    try:
        document = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError(f"HTTP {response.status_code} with a body that is not JSON") from None
    problems = schema_errors("error", document)
    if problems:
        raise AssertionError(f"HTTP {response.status_code} is not a JSON:API error document: {problems[0]}")
    statuses = {error.get("status") for error in document["errors"]}
    if statuses != {str(response.status_code)}:
        raise AssertionError(f"errors[].status {sorted(map(str, statuses))} ≠ HTTP {response.status_code}")
    return None


def own_org_data_only(ctx, response, case):
    """A 2xx never carries an authorization of which the caller's org is neither owner nor grantee (ISO)."""
    if not 200 <= response.status_code < 300 or not response.content:
        return None
    caller = {k.lower(): v for k, v in response.request.headers.items()}.get("x-gw-ims-org-id")
    try:
        document = json.loads(response.content)
    except ValueError:
        return None
    for resource in _authorizations(document):
        attributes = resource.get("attributes") or {}
        orgs = {attributes.get("owner_org_id"), attributes.get("authorized_org_id")}
        if caller and caller not in orgs:
            raise AssertionError(f"{resource.get('id')} belongs to {sorted(map(str, orgs))}, not to the caller {caller}")
    return None


def timestamps_well_formed(ctx, response, case):
    """``created_at`` / ``updated_at`` are ISO-8601 UTC timestamps wherever they appear (SHAPE-03)."""
    if not 200 <= response.status_code < 300 or not response.content:
        return None
    try:
        document = json.loads(response.content)
    except ValueError:
        return None
    for resource in _resources(document):
        for key in ("created_at", "updated_at"):
            value = (resource.get("attributes") or {}).get(key)
            if value is not None and not (isinstance(value, str) and TIMESTAMP.match(value)):
                raise AssertionError(f"{resource.get('id')}: {key} = {value!r} is not an ISO-8601 UTC timestamp")
    return None


def header(response, name: str) -> str:
    """A response header, whatever the case of its name (schemathesis keeps lists of values)."""
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


def _resources(document):
    data = document.get("data") if isinstance(document, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item for item in items if isinstance(item, dict)]


def _authorizations(document):
    return [r for r in _resources(document) if r.get("type") == "extension_package_usage_authorizations"]


# The checks each FUZZ requirement stands for.
CHECKS = {
    "FUZZ-01": [not_a_server_error],
    "FUZZ-02": [openapi_checks.status_code_conformance, openapi_checks.content_type_conformance,
                openapi_checks.response_schema_conformance, json_api_media_type, json_api_error_document,
                own_org_data_only, timestamps_well_formed],
    "FUZZ-03": [openapi_checks.negative_data_rejection, openapi_checks.positive_data_acceptance],
    "FUZZ-04": [openapi_checks.use_after_free, openapi_checks.ensure_resource_availability, not_a_server_error],
}


def load_spec():
    """The project's spec with its schemathesis settings (expected statuses the schema cannot express)."""
    return schemathesis.openapi.from_path(SPEC, config=SchemathesisConfig.from_path(SETTINGS))


def operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", operation.label)


# -- transport ------------------------------------------------------------------------------------------
class CountingAdapter(HTTPAdapter):
    """Counts requests and holds each one to the run's ``--max-rps``."""

    def __init__(self, limiter=None):
        super().__init__()
        self.limiter, self.sent = limiter, 0
        self._lock = threading.Lock()

    def send(self, request, **kwargs):
        if self.limiter is not None:
            self.limiter.wait()
        with self._lock:
            self.sent += 1
        return super().send(request, **kwargs)


def fuzz_session(limiter=None) -> tuple[requests.Session, CountingAdapter]:
    session, adapter = requests.Session(), CountingAdapter(limiter)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


# -- running one operation ----------------------------------------------------------------------------
@dataclass
class Findings:
    """The first failure per FUZZ requirement for one operation, and how much was sent."""

    failures: dict[str, str] = field(default_factory=dict)
    cases: int = 0

    def record(self, requirement: str, text: str) -> None:
        self.failures.setdefault(requirement, redact.redact(text))


def judge(case, response, headers: dict, findings: Findings, requirements=("FUZZ-01", "FUZZ-02", "FUZZ-03")):
    """Run each requirement's checks on one response; record, don't raise, so every requirement is judged."""
    for requirement in requirements:
        try:
            case.validate_response(response, checks=CHECKS[requirement], headers=headers)
        except (Exception, BaseExceptionGroup) as failure:  # a FailureGroup; its text carries the curl repro
            findings.record(requirement, f"{case.operation.label}: {describe(failure)}")


def describe(failure: BaseException) -> str:
    """The failure's full text; for bodies too deeply nested to format, the titles of its failures."""
    try:
        return str(failure)
    except Exception:  # noqa: BLE001 - formatting a pathological generated body must not hide the failure
        parts = getattr(failure, "exceptions", None) or [failure]
        return "; ".join(f"{type(part).__name__}: {getattr(part, 'title', '')}" for part in parts)


def settings_for(run) -> hypothesis.settings:
    """The run's budget; no Hypothesis database, and no shrinking: failures are recorded at first sight."""
    return hypothesis.settings(max_examples=run.fuzz_examples, database=None, deadline=None,
                               phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                               suppress_health_check=list(hypothesis.HealthCheck), print_blob=False)


def path_parameters_of(operation, known: dict) -> dict:
    """The real IDs among ``known`` that this operation's path takes, so positive cases reach real resources."""
    names = set(re.findall(r"{([^}]+)}", operation.path))
    return {name: value for name, value in known.items() if name in names and value}


def fuzz_operation(operation, *, run, headers: dict, session: requests.Session, mode: GenerationMode,
                   path_parameters: dict | None = None, on_created=None) -> Findings:
    """Generate ``run.fuzz_examples`` cases (seeded by ``run.fuzz_seed``), send them, judge every answer."""
    findings = Findings()
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

    @hypothesis.seed(run.fuzz_seed)
    @settings_for(run)
    @hypothesis.given(case=strategy)
    def explore(case):
        findings.cases += 1
        try:
            response = case.call(base_url=run.base_url, session=session, headers=headers, timeout=30)
        except requests.ConnectionError as error:  # the server dropped the connection: as bad as a 5xx
            findings.record("FUZZ-01", f"{case.operation.label}: no answer ({type(error).__name__})")
            return
        except Exception:  # noqa: BLE001 - a case this client cannot even send says nothing about the server
            hypothesis.reject()
        if response.status_code == 201 and on_created is not None:
            on_created(operation, response)
        judge(case, response, headers, findings)

    try:
        explore()
    except Exception as error:  # noqa: BLE001 - e.g. Hypothesis calling a case flaky: the findings so far stand
        findings.record("FUZZ-01", f"{operation.label}: fuzzing stopped early: {describe(error)[:500]}")
    return findings

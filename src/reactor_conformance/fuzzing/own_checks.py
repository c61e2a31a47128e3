"""The project's own checks of every answer to a generated request, registered with schemathesis.

The suite applies them beside schemathesis's own (``judging`` files each failure under its FUZZ requirement), and
so does the plain CLI given this module as its hooks::

    SCHEMATHESIS_HOOKS=reactor_conformance.fuzzing.own_checks st run openapi/reactor.yaml --url … -H …

One function per property, guard clauses first; each failure is a typed object whose message puts what was
received beside what the contract says.
"""

from __future__ import annotations

import json

import schemathesis

from .. import JSON_API
from ..checks import answers
from ..checks.timestamps import FORM, instant
from ..shapes import errors as schema_errors
from .internals import Failure

AUTHORIZATION = "extension_package_usage_authorizations"
IMS_OPERATIONS = {"exchangeImsClientCredentials"}  # plain OAuth JSON on the IMS host, not JSON:API


class NotJsonApiMediaType(Failure):
    """An answer with a body in another media type than JSON:API's (SHAPE-01)."""

    code = "RC901"
    checks = ("json_api_media_type",)
    kind_title = "Not the JSON:API media type"

    def __init__(self, *, operation: str, received: str, case_id: str | None = None):
        super().__init__(operation=operation, case_id=case_id,
                         message=f"Received: Content-Type {received or '(none)'}\nDocumented: {JSON_API}")
        self.received = received


class NotJsonApiErrorDocument(Failure):
    """A 4xx that is not a JSON:API error document with its own status (SHAPE-08)."""

    code = "RC902"
    checks = ("json_api_error_document",)
    kind_title = "Not a JSON:API error document"

    def __init__(self, *, operation: str, status: int, problem: str, case_id: str | None = None):
        super().__init__(operation=operation, case_id=case_id,
                         message=f"Received: HTTP {status}, {problem}\nDocumented: a JSON:API error document, "
                                 f'errors[].status "{status}"')
        self.status, self.problem = status, problem


class OtherOrgsAuthorization(Failure):
    """A 2xx carrying an authorization of which the caller's org is neither owner nor grantee (ISO)."""

    code = "RC903"
    checks = ("own_org_data_only",)
    kind_title = "Another org's authorization"

    def __init__(self, *, operation: str, authorization_id: str, orgs: list[str], caller: str,
                 case_id: str | None = None):
        super().__init__(operation=operation, case_id=case_id,
                         message=f"Received: {authorization_id}, of {', '.join(orgs)}\n"
                                 f"Documented: only authorizations of the caller's org {caller}")
        self.authorization_id, self.orgs, self.caller = authorization_id, orgs, caller


class MalformedTimestamp(Failure):
    """A ``created_at`` or ``updated_at`` that is no ISO-8601 UTC timestamp (SHAPE-03)."""

    code = "RC904"
    checks = ("timestamps_well_formed",)
    kind_title = "Not an ISO-8601 UTC timestamp"

    def __init__(self, *, operation: str, resource_id: str, member: str, value, case_id: str | None = None):
        super().__init__(operation=operation, case_id=case_id,
                         message=f"Received: {resource_id} {member} = {value!r}\n"
                                 f"Documented: {FORM}, such as 2024-06-05T23:17:35.776Z")
        self.resource_id, self.member, self.value = resource_id, member, value


@schemathesis.check
def json_api_media_type(ctx, response, case):
    """Every API answer with a body is ``application/vnd.api+json``, errors included (SHAPE-01), but for the
    gateway's own answers to authentication failures (D18)."""
    if _is_ims(case) or not response.content or gateway_error(response):
        return None
    content_type = header(response, "content-type")
    if content_type.split(";")[0].strip().lower() != JSON_API:
        raise NotJsonApiMediaType(operation=case.operation.label, received=content_type, case_id=case.id)
    return None


@schemathesis.check
def json_api_error_document(ctx, response, case):
    """Every 4xx of the API is a JSON:API error document whose ``errors[].status`` is the answer's (SHAPE-08)."""
    if not 400 <= response.status_code < 500 or _is_ims(case) or gateway_error(response):
        return None
    document = _json(response) if response.content else None
    problem = None
    if document is None:
        problem = "no JSON body"
    elif problems := schema_errors("error", document):
        problem = problems[0]
    else:
        statuses = sorted({str(error.get("status")) for error in document["errors"]})
        if statuses != [str(response.status_code)]:
            problem = f"errors[].status {', '.join(statuses)}"
    if problem is not None:
        raise NotJsonApiErrorDocument(operation=case.operation.label, status=response.status_code, problem=problem,
                                      case_id=case.id)
    return None


@schemathesis.check
def own_org_data_only(ctx, response, case):
    """A 2xx carries no authorization of which the caller's org is neither owner nor grantee (ISO)."""
    caller = header_of_request(response, "x-gw-ims-org-id")
    if not 200 <= response.status_code < 300 or not caller:
        return None
    for resource in resources(_json(response)):
        if resource.get("type") != AUTHORIZATION:
            continue
        attributes = _attributes(resource)
        orgs = {attributes.get("owner_org_id"), attributes.get("authorized_org_id")}
        if caller not in orgs:
            raise OtherOrgsAuthorization(operation=case.operation.label, authorization_id=str(resource.get("id")),
                                         orgs=sorted(map(str, orgs)), caller=caller, case_id=case.id)
    return None


@schemathesis.check
def timestamps_well_formed(ctx, response, case):
    """``created_at`` and ``updated_at`` are ISO-8601 UTC timestamps (``timestamps.py``), wherever they appear
    (SHAPE-03)."""
    if not 200 <= response.status_code < 300:
        return None
    for resource in resources(_json(response)):
        for key in ("created_at", "updated_at"):
            value = _attributes(resource).get(key)
            if value is not None and instant(value) is None:
                raise MalformedTimestamp(operation=case.operation.label, resource_id=str(resource.get("id")),
                                         member=key, value=value, case_id=case.id)
    return None


def _attributes(resource: dict) -> dict:
    """A resource's attributes; one that is no object has none to read here (the spec's schemas judge its shape)."""
    attributes = resource.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def gateway_error(response) -> bool:
    """A 401, or a 403, in the shape of Adobe's gateway (SHAPE-08's exception, D18)."""
    document = _json(response) if response.status_code in (401, 403) else None
    return answers.in_gateway_shape(document)


def _is_ims(case) -> bool:
    return case.operation.definition.raw.get("operationId") in IMS_OPERATIONS


def _json(response):
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def header(response, name: str) -> str:
    """A response header, whatever the case of its name (schemathesis keeps lists of values)."""
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


def header_of_request(response, name: str) -> str:
    return {key.lower(): value for key, value in response.request.headers.items()}.get(name, "")


def resources(document) -> list[dict]:
    data = document.get("data") if isinstance(document, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item for item in items if isinstance(item, dict)]

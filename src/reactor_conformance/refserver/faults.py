"""The catalogue of named defects the reference server can be started with.

A conformance suite proves itself only by failing: each fault is one realistic defect (what a
hand-made mock or a staging regression would do) that breaks one requirement. The server code checks
``if "<name>" in faults`` at the one place where the defect lives, and behaves exactly as specified
when the fault is off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Iterable, Mapping

ENVIRONMENT_VARIABLE = "REACTOR_REFSERVER_FAULTS"


@unique
class FaultName(StrEnum):
    """Every fault's name: code names a fault by ``FaultName.X``, so that a misspelt one fails where it is written."""

    JSON_CONTENT_TYPE = "json-content-type"
    WRONG_RESOURCE_TYPE = "wrong-resource-type"
    NO_SELF_LINK = "no-self-link"
    MISSING_UPDATED_BY = "missing-updated-by"
    CREATED_AT_EPOCH = "created-at-epoch"
    LIST_WITHOUT_PAGINATION = "list-without-pagination"
    BROKEN_RELATED_LINK = "broken-related-link"
    PLAIN_TEXT_ERRORS = "plain-text-errors"
    NUMERIC_ERROR_STATUS = "numeric-error-status"
    RELATIONSHIP_DATA_MISSING = "relationship-data-missing"
    APPROVED_SPELLED_ACCEPTED = "approved-spelled-accepted"
    UPPERCASE_IDS = "uppercase-ids"
    CREATE_ANSWERS_200 = "create-answers-200"
    CREATED_APPROVED = "created-approved"
    WRONG_OWNER_RECORDED = "wrong-owner-recorded"
    LIMITED_OWNER_CAN_GRANT = "limited-owner-can-grant"
    REFUSED_GRANT_STILL_CREATED = "refused-grant-still-created"
    UNKNOWN_PACKAGE_403 = "unknown-package-403"
    DUPLICATES_ACCEPTED = "duplicates-accepted"
    SELF_GRANT_ACCEPTED = "self-grant-accepted"
    PACKAGE_LIST_ONLY_DECIDED = "package-list-only-decided"
    AUTHORIZED_LIST_EMPTY = "authorized-list-empty"
    PAGINATION_OFF_BY_ONE = "pagination-off-by-one"
    TOTAL_COUNT_WRONG = "total-count-wrong"
    PAGE_SIZE_ZERO_500 = "page-size-zero-500"
    FILTER_IGNORED = "filter-ignored"
    NEXT_LINK_SAME_PAGE = "next-link-same-page"
    PATCH_NOT_PERSISTED = "patch-not-persisted"
    UPDATED_AT_FROZEN = "updated-at-frozen"
    REJECT_STORED_AS_APPROVED = "reject-stored-as-approved"
    OWNER_CAN_APPROVE = "owner-can-approve"
    UNKNOWN_STATE_ACCEPTED = "unknown-state-accepted"
    ID_MISMATCH_ACCEPTED = "id-mismatch-accepted"
    UNKNOWN_AUTHORIZATION_403 = "unknown-authorization-403"
    READ_ONLY_WRITTEN = "read-only-written"
    BACK_TO_PENDING_ALLOWED = "back-to-pending-allowed"
    DELETE_ANSWERS_200_WITH_BODY = "delete-answers-200-with-body"
    DELETE_204_WITH_BODY = "delete-204-with-body"
    APPROVED_CANNOT_BE_DELETED = "approved-cannot-be-deleted"
    DELETE_LEAVES_LISTED = "delete-leaves-listed"
    AUTHORIZED_CAN_DELETE = "authorized-can-delete"
    PENDING_INSTALLABLE = "pending-installable"
    PENDING_IN_CATALOG = "pending-in-catalog"
    APPROVED_NOT_IN_CATALOG = "approved-not-in-catalog"
    REJECTED_INSTALLABLE = "rejected-installable"
    REVOKED_STILL_IN_CATALOG = "revoked-still-in-catalog"
    REVOKE_UNINSTALLS = "revoke-uninstalls"
    APPROVAL_MISSES_NEW_VERSIONS = "approval-misses-new-versions"
    OUTSIDER_READS_PACKAGE = "outsider-reads-package"
    NEVER_GRANTED_READS_PACKAGE = "never-granted-reads-package"
    BEARER_NOT_CHECKED = "bearer-not-checked"
    MISSING_API_KEY_ACCEPTED = "missing-api-key-accepted"
    ORG_HEADER_IGNORED = "org-header-ignored"
    HEADERLESS_ACTS_FOR_ANOTHER_ORG = "headerless-acts-for-another-org"
    IMS_TOKENS_REJECTED = "ims-tokens-rejected"
    OUTSIDER_CAN_READ_AUTHORIZATION = "outsider-can-read-authorization"
    OUTSIDER_SEES_ALL_AUTHORIZATIONS = "outsider-sees-all-authorizations"
    PACKAGE_SCOPE_IGNORED = "package-scope-ignored"
    EMAILS_LEAKED = "emails-leaked"
    GENERATED_BODY_500 = "generated-body-500"
    OMIT_REQUIRED_ATTRIBUTE = "omit-required-attribute"
    MALFORMED_FILTER_REFUSED = "malformed-filter-refused"
    DELETED_STILL_READABLE = "deleted-still-readable"
    LONG_ID_500 = "long-id-500"
    CONCURRENT_PATCH_500 = "concurrent-patch-500"
    # flow: steps the suite itself relies on
    REJECTED_CANNOT_BE_DELETED = "rejected-cannot-be-deleted"
    PACKAGE_LIST_OMITS_NEWEST = "package-list-omits-newest"
    PACKAGE_LIST_REFUSED = "package-list-refused"
    REGRANT_AFTER_REVOKE_REFUSED = "regrant-after-revoke-refused"
    DECISION_ANSWERS_204 = "decision-answers-204"
    GRANT_ANSWERS_EMPTY_ID = "grant-answers-empty-id"
    # flow and guards
    HEADERLESS_CALL_500 = "headerless-call-500"
    ACCEPTED_ANSWERED_202 = "accepted-answered-202"
    RELATED_PACKAGE_NULL = "related-package-null"
    FILTERED_ITEMS_WITHOUT_ATTRIBUTES = "filtered-items-without-attributes"


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    requirements: tuple[str, ...]  # the first one is the requirement the fault is meant to break
    fuzz: bool = False  # only the schemathesis phase can see it
    operations: tuple[str, ...] = ()  # with fuzz: the operations whose generated input shows it (empty: all)
    flow: bool = False  # breaks a step the suite's own flow relies on: its run is the whole suite, to show the rest


FAULTS: dict[str, Fault] = {fault.name: fault for fault in (
    # SHAPE: documents
    Fault(FaultName.JSON_CONTENT_TYPE, "every answer says application/json instead of application/vnd.api+json",
          ("SHAPE-01",)),
    Fault(FaultName.WRONG_RESOURCE_TYPE, "authorizations are typed extension_package_usage_authorization (singular)",
          ("SHAPE-02",)),
    Fault(FaultName.NO_SELF_LINK, "authorizations carry no links.self", ("SHAPE-02",)),
    Fault(FaultName.MISSING_UPDATED_BY, "authorizations lack updated_by_email", ("SHAPE-03",)),
    Fault(FaultName.CREATED_AT_EPOCH, "created_at is an integer of epoch milliseconds, not an ISO-8601 string",
          ("SHAPE-03",)),
    Fault(FaultName.LIST_WITHOUT_PAGINATION, "list documents carry no meta.pagination", ("SHAPE-05",)),
    Fault(FaultName.BROKEN_RELATED_LINK, "relationships.extension_package.links.related points at a path that 404s",
          ("SHAPE-06",)),
    Fault(FaultName.PLAIN_TEXT_ERRORS, "error responses are plain text (`Not Found`), not JSON:API error documents",
          ("SHAPE-08",)),
    Fault(FaultName.NUMERIC_ERROR_STATUS, "errors[].status is a number, not a string", ("SHAPE-08",)),
    Fault(FaultName.RELATIONSHIP_DATA_MISSING, "relationships.extension_package has no data member", ("SHAPE-09",)),
    Fault(FaultName.APPROVED_SPELLED_ACCEPTED, "an approval is stored as the note's word accepted", ("SHAPE-04",)),
    Fault(FaultName.UPPERCASE_IDS, "authorization IDs are printed as EA + upper-case hex (and looked up either way)",
          ("SHAPE-07",)),
    # CREATE: grant
    Fault(FaultName.CREATE_ANSWERS_200, "a grant answers 200 instead of 201 Created", ("CREATE-01",)),
    Fault(FaultName.CREATED_APPROVED, "a new authorization starts approved instead of pending_approval", ("CREATE-02",)),
    Fault(FaultName.WRONG_OWNER_RECORDED, "the created authorization names the authorized org as owner", ("CREATE-02",)),
    Fault(FaultName.LIMITED_OWNER_CAN_GRANT, "owner-org users without develop_extensions may grant", ("CREATE-03",)),
    Fault(FaultName.REFUSED_GRANT_STILL_CREATED, "a grant refused for its data (wrong type, an extra attribute) naming a "
          "valid org is created anyway",
          ("CREATE-04",)),
    Fault(FaultName.UNKNOWN_PACKAGE_403, "a grant on an unknown package answers 403 instead of 404", ("CREATE-05",)),
    Fault(FaultName.DUPLICATES_ACCEPTED, "a second grant to the same org answers 201 with the first one", ("CREATE-06",)),
    Fault(FaultName.SELF_GRANT_ACCEPTED, "the owner may grant its package to its own org", ("CREATE-07",)),
    # LIST
    Fault(FaultName.PACKAGE_LIST_ONLY_DECIDED, "the package's list leaves out pending authorizations", ("LIST-01",)),
    Fault(FaultName.AUTHORIZED_LIST_EMPTY, "the authorized org's list leaves out what was granted to it", ("LIST-02",)),
    Fault(FaultName.PAGINATION_OFF_BY_ONE, "pages after the first start one item late", ("LIST-03",)),
    Fault(FaultName.TOTAL_COUNT_WRONG, "total_count counts the items on the page, not in the list", ("LIST-03",)),
    Fault(FaultName.PAGE_SIZE_ZERO_500, "page[size]=0 crashes the list with a 500", ("LIST-04",)),
    Fault(FaultName.FILTER_IGNORED, "filter[state] is ignored on the package's list", ("LIST-05",)),
    Fault(FaultName.NEXT_LINK_SAME_PAGE, "links.next points at the current page", ("LIST-06",)),
    # STATE: approve and reject
    Fault(FaultName.PATCH_NOT_PERSISTED, "a decision answers the new state but stores nothing", ("STATE-01",)),
    Fault(FaultName.UPDATED_AT_FROZEN, "a decision's answer keeps the old updated_at", ("STATE-01",)),
    Fault(FaultName.REJECT_STORED_AS_APPROVED, "rejected is stored as approved", ("STATE-02",)),
    Fault(FaultName.OWNER_CAN_APPROVE, "owner-org users may approve or reject their own grant", ("STATE-03",)),
    Fault(FaultName.UNKNOWN_STATE_ACCEPTED, "any state value is accepted and stored", ("STATE-04",)),
    Fault(FaultName.ID_MISMATCH_ACCEPTED, "a decision whose data.id differs from the path is applied", ("STATE-04",)),
    Fault(FaultName.UNKNOWN_AUTHORIZATION_403, "an unknown authorization answers 403 instead of 404", ("STATE-05",)),
    Fault(FaultName.READ_ONLY_WRITTEN, "a decision also writes name, authorized_org_id and owner_org_id", ("STATE-06",)),
    Fault(FaultName.BACK_TO_PENDING_ALLOWED, "a decided authorization may go back to pending_approval", ("STATE-07",)),
    # REVOKE
    Fault(FaultName.DELETE_ANSWERS_200_WITH_BODY, "DELETE answers 200 with the deleted resource instead of 204",
          ("REVOKE-01",)),
    Fault(FaultName.DELETE_204_WITH_BODY, "DELETE answers 204 and sends the deleted resource after it, with its "
          "Content-Length", ("REVOKE-01",)),
    Fault(FaultName.APPROVED_CANNOT_BE_DELETED, "an approved authorization cannot be revoked (409)", ("REVOKE-01",)),
    Fault(FaultName.DELETE_LEAVES_LISTED, "DELETE answers 204 but the authorization stays readable and listed",
          ("REVOKE-02",)),
    Fault(FaultName.AUTHORIZED_CAN_DELETE, "the authorized org may delete the authorization", ("REVOKE-03",)),
    # EFFECT: what each state means for the authorized org
    Fault(FaultName.PENDING_INSTALLABLE, "a pending authorization already allows installs", ("EFFECT-01",)),
    Fault(FaultName.PENDING_IN_CATALOG, "a pending authorization already puts the package in the catalog", ("EFFECT-01",)),
    Fault(FaultName.APPROVED_NOT_IN_CATALOG, "approved packages never reach the authorized org's catalog", ("EFFECT-02",)),
    Fault(FaultName.REJECTED_INSTALLABLE, "a rejected authorization still allows installs", ("EFFECT-03",)),
    Fault(FaultName.REVOKED_STILL_IN_CATALOG, "a revoked approval leaves the package in the authorized org's catalog",
          ("EFFECT-04",)),
    Fault(FaultName.REVOKE_UNINSTALLS, "revoking deletes the extensions the authorized org installed", ("EFFECT-04",)),
    Fault(FaultName.APPROVAL_MISSES_NEW_VERSIONS, "another org sees only versions as old as the one it was granted",
          ("EFFECT-05",)),
    Fault(FaultName.OUTSIDER_READS_PACKAGE, "any org may read any private package", ("EFFECT-06",)),
    Fault(FaultName.NEVER_GRANTED_READS_PACKAGE, "an org never granted the package may read it (one whose authorization "
          "was revoked may not)", ("EFFECT-06",)),
    # AUTH and ISO
    Fault(FaultName.BEARER_NOT_CHECKED, "an unknown or missing token acts as a user of the org header's org",
          ("AUTH-01",)),
    Fault(FaultName.MISSING_API_KEY_ACCEPTED, "a call without x-api-key is served", ("AUTH-02",)),
    Fault(FaultName.ORG_HEADER_IGNORED, "the org header is trusted: a token acts for any org it names", ("AUTH-03",)),
    Fault(FaultName.HEADERLESS_ACTS_FOR_ANOTHER_ORG, "a call without the org header acts for another org than the token's",
          ("AUTH-03",)),
    Fault(FaultName.IMS_TOKENS_REJECTED, "tokens from the IMS client-credentials flow are never accepted", ("AUTH-04",)),
    Fault(FaultName.OUTSIDER_CAN_READ_AUTHORIZATION, "any org may read any authorization", ("ISO-01",)),
    Fault(FaultName.OUTSIDER_SEES_ALL_AUTHORIZATIONS, "an org's list holds every authorization of every org",
          ("ISO-02",)),
    Fault(FaultName.PACKAGE_SCOPE_IGNORED, "a package's list holds the owner's authorizations of all its packages",
          ("ISO-03",)),
    Fault(FaultName.EMAILS_LEAKED, "other orgs' users appear with their email instead of Restricted", ("ISO-04",)),
    # FUZZ: robustness
    Fault(FaultName.GENERATED_BODY_500, "a grant body of the wrong shape crashes the server with a 500",
          ("FUZZ-01", "CREATE-04"), fuzz=True, operations=("createExtensionPackageUsageAuthorization",)),
    Fault(FaultName.OMIT_REQUIRED_ATTRIBUTE, "authorizations lack the platform attribute",
          ("FUZZ-02", "SHAPE-03", "SHAPE-02"),
          fuzz=True, operations=("retrieveExtensionPackageUsageAuthorizationById",)),
    Fault(FaultName.MALFORMED_FILTER_REFUSED, "a filter[state] that is not `EQ value` or `NOT value` is refused with 400 "
          "instead of ignored", ("FUZZ-03",), fuzz=True, operations=("retrieveExtensionPackageUsageAuthorization",)),
    Fault(FaultName.DELETED_STILL_READABLE, "a revoked authorization still answers GET (lists drop it)",
          ("FUZZ-04", "REVOKE-02"), fuzz=True),
    Fault(FaultName.LONG_ID_500, "an ID over 1,000 characters crashes the server with a 500", ("FUZZ-05",)),
    Fault(FaultName.CONCURRENT_PATCH_500, "concurrent decisions on one authorization crash with a 500", ("FUZZ-06",)),
    # Flow: a step the suite relies on to set up or tidy its own flow is broken. Each run is the whole suite
    # (no fuzzing): the fault must fail its requirement and turn the run red, and leave not run only what
    # truly depends on the broken step.
    Fault(FaultName.REJECTED_CANNOT_BE_DELETED, "DELETE of a rejected authorization answers 409", ("REVOKE-01",),
          flow=True),
    Fault(FaultName.PACKAGE_LIST_OMITS_NEWEST, "the package's list leaves out its newest authorization",
          ("LIST-01",), flow=True),
    Fault(FaultName.PACKAGE_LIST_REFUSED, "the package's list answers 404, as if the route did not exist",
          ("LIST-01",), flow=True),
    Fault(FaultName.REGRANT_AFTER_REVOKE_REFUSED, "a grant to an org whose authorization of the package was revoked "
          "is refused as a duplicate (409)", ("CREATE-01",), flow=True),
    Fault(FaultName.DECISION_ANSWERS_204, "a decision is stored but answered 204 with no body instead of 200 and the "
          "authorization", ("STATE-01", "STATE-02"), flow=True),
    Fault(FaultName.GRANT_ANSWERS_EMPTY_ID, 'a grant is created but answered with "id": "" (a skeleton mock\'s '
          "answer)", ("CREATE-01", "SHAPE-02"), flow=True),
    # flow and guards: each shows only where a check used to judge the happy answer alone
    Fault(FaultName.HEADERLESS_CALL_500, "a call without the org header crashes with a 500 (neither refused nor "
          "served)", ("SHAPE-08", "AUTH-03")),
    Fault(FaultName.ACCEPTED_ANSWERED_202, "a decision spelled accepted answers 202 showing the state accepted (and "
          "stores nothing)", ("SHAPE-04",)),
    Fault(FaultName.RELATED_PACKAGE_NULL, "an authorization's related package answers 200 with data null",
          ("SHAPE-07", "SHAPE-06", "EFFECT-01")),
    Fault(FaultName.FILTERED_ITEMS_WITHOUT_ATTRIBUTES, "the items of a package's list filtered by state carry no "
          "attributes", ("LIST-05",)),
)}


if set(FAULTS) != set(FaultName):  # checked on import: every name has its fault, every fault its name
    raise RuntimeError(f"faults and FaultName disagree: {sorted(set(FAULTS) ^ set(FaultName))}")


def parse_names(names: Iterable[str], known: Mapping, kind: str) -> frozenset[str]:
    """The set of ``names`` (blank ones dropped), or ValueError naming the unknown ones and the ``known`` ones."""
    chosen = frozenset(name.strip() for name in names if name.strip())
    unknown = sorted(chosen - known.keys())
    if unknown:
        raise ValueError(f"unknown {kind}(s) {', '.join(unknown)}; known {kind}s: {', '.join(known)}")
    return chosen


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """The set of fault names, or ValueError naming the unknown ones and the known ones."""
    return parse_names(names, FAULTS, "fault")


def faults_from_environment(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """Faults named in ``REACTOR_REFSERVER_FAULTS`` ("a,b"), validated like ``parse_faults``."""
    return parse_faults(environ.get(ENVIRONMENT_VARIABLE, "").split(","))

"""The catalogue of named defects the reference server can be started with.

A conformance suite proves itself only by failing: each fault is one realistic defect (what a
hand-made mock or a staging regression would do) that breaks one requirement. The server code checks
``if "<name>" in faults`` at the one place where the defect lives, and behaves exactly as specified
when the fault is off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Mapping

ENVIRONMENT_VARIABLE = "REACTOR_REFSERVER_FAULTS"


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    requirements: tuple[str, ...]  # the first one is the requirement the fault is meant to break
    fuzz: bool = False  # only the schemathesis phase can see it


FAULTS: dict[str, Fault] = {fault.name: fault for fault in (
    # SHAPE: documents
    Fault("json-content-type", "every answer says application/json instead of application/vnd.api+json",
          ("SHAPE-01",)),
    Fault("wrong-resource-type", "authorizations are typed extension_package_usage_authorization (singular)",
          ("SHAPE-02",)),
    Fault("no-self-link", "authorizations carry no links.self", ("SHAPE-02",)),
    Fault("missing-updated-by", "authorizations lack updated_by_email", ("SHAPE-03",)),
    Fault("created-at-epoch", "created_at is an integer of epoch milliseconds, not an ISO-8601 string",
          ("SHAPE-03",)),
    Fault("list-without-pagination", "list documents carry no meta.pagination", ("SHAPE-05",)),
    Fault("broken-related-link", "relationships.extension_package.links.related points at a path that 404s",
          ("SHAPE-06",)),
    Fault("plain-text-errors", "error responses are plain text (`Not Found`), not JSON:API error documents",
          ("SHAPE-08",)),
    Fault("numeric-error-status", "errors[].status is a number, not a string", ("SHAPE-08",)),
    Fault("relationship-data-missing", "relationships.extension_package has no data member", ("SHAPE-09",)),
    Fault("approved-spelled-accepted", "an approval is stored as the note's word accepted", ("SHAPE-04",)),
    Fault("uppercase-ids", "authorization IDs are printed as EA + upper-case hex (and looked up either way)",
          ("SHAPE-07",)),
    # CREATE: grant
    Fault("create-answers-200", "a grant answers 200 instead of 201 Created", ("CREATE-01",)),
    Fault("created-approved", "a new authorization starts approved instead of pending_approval", ("CREATE-02",)),
    Fault("wrong-owner-recorded", "the created authorization names the authorized org as owner", ("CREATE-02",)),
    Fault("limited-owner-can-grant", "owner-org users without develop_extensions may grant", ("CREATE-03",)),
    Fault("refused-grant-still-created", "a grant refused for its data (wrong type, an extra attribute) naming a "
          "valid org is created anyway",
          ("CREATE-04",)),
    Fault("unknown-package-403", "a grant on an unknown package answers 403 instead of 404", ("CREATE-05",)),
    Fault("duplicates-accepted", "a second grant to the same org answers 201 with the first one", ("CREATE-06",)),
    Fault("self-grant-accepted", "the owner may grant its package to its own org", ("CREATE-07",)),
    # LIST
    Fault("package-list-only-decided", "the package's list leaves out pending authorizations", ("LIST-01",)),
    Fault("authorized-list-empty", "the authorized org's list leaves out what was granted to it", ("LIST-02",)),
    Fault("pagination-off-by-one", "pages after the first start one item late", ("LIST-03",)),
    Fault("total-count-wrong", "total_count counts the items on the page, not in the list", ("LIST-03",)),
    Fault("page-size-zero-500", "page[size]=0 crashes the list with a 500", ("LIST-04",)),
    Fault("filter-ignored", "filter[state] is ignored on the package's list", ("LIST-05",)),
    Fault("next-link-same-page", "links.next points at the current page", ("LIST-06",)),
    # STATE: approve and reject
    Fault("patch-not-persisted", "a decision answers the new state but stores nothing", ("STATE-01",)),
    Fault("updated-at-frozen", "a decision's answer keeps the old updated_at", ("STATE-01",)),
    Fault("reject-stored-as-approved", "rejected is stored as approved", ("STATE-02",)),
    Fault("owner-can-approve", "owner-org users may approve or reject their own grant", ("STATE-03",)),
    Fault("unknown-state-accepted", "any state value is accepted and stored", ("STATE-04",)),
    Fault("id-mismatch-accepted", "a decision whose data.id differs from the path is applied", ("STATE-04",)),
    Fault("unknown-authorization-403", "an unknown authorization answers 403 instead of 404", ("STATE-05",)),
    Fault("read-only-written", "a decision also writes name, authorized_org_id and owner_org_id", ("STATE-06",)),
    Fault("back-to-pending-allowed", "a decided authorization may go back to pending_approval", ("STATE-07",)),
    # REVOKE
    Fault("delete-answers-200-with-body", "DELETE answers 200 with the deleted resource instead of 204",
          ("REVOKE-01",)),
    Fault("approved-cannot-be-deleted", "an approved authorization cannot be revoked (409)", ("REVOKE-01",)),
    Fault("delete-leaves-listed", "DELETE answers 204 but the authorization stays readable and listed",
          ("REVOKE-02",)),
    Fault("authorized-can-delete", "the authorized org may delete the authorization", ("REVOKE-03",)),
    # EFFECT: what each state means for the authorized org
    Fault("pending-installable", "a pending authorization already allows installs", ("EFFECT-01",)),
    Fault("pending-in-catalog", "a pending authorization already puts the package in the catalog", ("EFFECT-01",)),
    Fault("approved-not-in-catalog", "approved packages never reach the authorized org's catalog", ("EFFECT-02",)),
    Fault("rejected-installable", "a rejected authorization still allows installs", ("EFFECT-03",)),
    Fault("revoked-still-in-catalog", "a revoked approval leaves the package in the authorized org's catalog",
          ("EFFECT-04",)),
    Fault("revoke-uninstalls", "revoking deletes the extensions the authorized org installed", ("EFFECT-04",)),
    Fault("approval-misses-new-versions", "another org sees only versions as old as the one it was granted",
          ("EFFECT-05",)),
    Fault("outsider-reads-package", "any org may read any private package", ("EFFECT-06",)),
    Fault("never-granted-reads-package", "an org never granted the package may read it (one whose authorization "
          "was revoked may not)", ("EFFECT-06",)),
    # AUTH and ISO
    Fault("bearer-not-checked", "an unknown or missing token acts as a user of the org header's org",
          ("AUTH-01",)),
    Fault("missing-api-key-accepted", "a call without x-api-key is served", ("AUTH-02",)),
    Fault("org-header-ignored", "the org header is trusted: a token acts for any org it names", ("AUTH-03",)),
    Fault("headerless-acts-for-another-org", "a call without the org header acts for another org than the token's",
          ("AUTH-03",)),
    Fault("ims-tokens-rejected", "tokens from the IMS client-credentials flow are never accepted", ("AUTH-04",)),
    Fault("outsider-can-read-authorization", "any org may read any authorization", ("ISO-01",)),
    Fault("outsider-sees-all-authorizations", "an org's list holds every authorization of every org",
          ("ISO-02",)),
    Fault("package-scope-ignored", "a package's list holds the owner's authorizations of all its packages",
          ("ISO-03",)),
    Fault("emails-leaked", "other orgs' users appear with their email instead of Restricted", ("ISO-04",)),
    # FUZZ: robustness
    Fault("generated-body-500", "a grant body of the wrong shape crashes the server with a 500",
          ("FUZZ-01", "CREATE-04"), fuzz=True),
    Fault("omit-required-attribute", "authorizations lack the platform attribute", ("FUZZ-02", "SHAPE-03"),
          fuzz=True),
    Fault("malformed-filter-refused", "a filter[state] that is not `EQ value` or `NOT value` is refused with 400 "
          "instead of ignored", ("FUZZ-03",), fuzz=True),
    Fault("deleted-still-readable", "a revoked authorization still answers GET (lists drop it)",
          ("FUZZ-04", "REVOKE-02"), fuzz=True),
    Fault("long-id-500", "an ID over 1,000 characters crashes the server with a 500", ("FUZZ-05",)),
    Fault("concurrent-patch-500", "concurrent decisions on one authorization crash with a 500", ("FUZZ-06",)),
)}


def parse_faults(names: Iterable[str]) -> frozenset[str]:
    """The set of fault names, or ValueError naming the unknown ones and the known ones."""
    chosen = frozenset(name.strip() for name in names if name.strip())
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known faults: {', '.join(FAULTS)}")
    return chosen


def faults_from_environment(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """Faults named in ``REACTOR_REFSERVER_FAULTS`` ("a,b"), validated like ``parse_faults``."""
    return parse_faults(environ.get(ENVIRONMENT_VARIABLE, "").split(","))

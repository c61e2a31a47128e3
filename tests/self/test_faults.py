"""Every named fault of the reference server shows over HTTP when it is on, and only then.

Each probe is one focused exchange (or a short sequence) that returns True when the defect shows. A probe
runs once against the clean server (it must not see the defect there) and once against a server started
with its fault alone. Whether the conformance suite detects each fault under its requirement is the
proof's job (``test_proof.py``); the catalogue's size and coverage is ``test_fault_catalogue.py``'s.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import threading
import uuid
import zipfile

import pytest
import requests
from suite_runs import REQUEST_HANG_GUARD_S

from reactor_conformance import JSON_API
from reactor_conformance.refserver import faults as faults_module
from reactor_conformance.refserver.faults import ENVIRONMENT_VARIABLE, FAULTS, FaultName
from reactor_conformance.refserver.server import start_server

TYPE = "extension_package_usage_authorizations"
AUTHORIZATIONS = f"/{TYPE}"
UNKNOWN_EA = "EA" + "0" * 32


# -- talking to a server ---------------------------------------------------------------------------
def call(server, identity: str, method: str, path: str, body=None, *, headers: dict | None = None, **kwargs):
    sent = {**server.headers(identity), **(headers or {})}
    if body is not None:
        sent["Content-Type"] = JSON_API
        kwargs["data"] = json.dumps(body)
    url = path if path.startswith("http") else server.base_url + path
    return requests.request(method, url, headers={k: v for k, v in sent.items() if v is not None}, timeout=REQUEST_HANG_GUARD_S,
                            **kwargs)


def package_id(server, key: str = "extension_package_id") -> str:
    return server.seed.fixtures[key]


def grants_path(server, key: str = "extension_package_id") -> str:
    return f"/extension_packages/{package_id(server, key)}{AUTHORIZATIONS}"


def grant(server, org: str = "authorized", identity: str = "owner"):
    """``identity`` (default: the owner) grants the seeded package to ``org`` (a seed org key)."""
    body = {"data": {"type": TYPE, "attributes": {"authorized_org_id": server.seed.orgs[org]}}}
    return call(server, identity, "POST", grants_path(server), body)


def granted(server, org: str = "authorized", state: str | None = None) -> dict:
    """A grant to ``org``, decided ``state`` by that org's identity of the same name when given: the resource."""
    resource = grant(server, org).json()["data"]
    if state:
        resource = decide(server, org, resource["id"], state).json()["data"]
    return resource


def decision(authorization_id: str, state, **attributes) -> dict:
    return {"data": {"id": authorization_id, "type": TYPE, "attributes": {"state": state, **attributes}}}


def decide(server, identity: str, authorization_id: str, state, **attributes):
    return call(server, identity, "PATCH", f"{AUTHORIZATIONS}/{authorization_id}",
                decision(authorization_id, state, **attributes))


def read(server, identity: str, authorization_id: str):
    return call(server, identity, "GET", f"{AUTHORIZATIONS}/{authorization_id}")


def revoke(server, authorization_id: str, identity: str = "owner"):
    return call(server, identity, "DELETE", f"{AUTHORIZATIONS}/{authorization_id}")


def listed(server, identity: str, path: str = AUTHORIZATIONS, **params) -> list[str]:
    return [item["id"] for item in call(server, identity, "GET", path, params=params).json()["data"]]


def in_catalog(server, identity: str = "authorized", key: str = "extension_package_id") -> bool:
    return package_id(server, key) in listed(server, identity, "/extension_packages", **{"page[size]": 100})


def install(server, key: str = "extension_package_id"):
    body = {"data": {"type": "extensions", "relationships": {"extension_package": {"data": {
        "id": package_id(server, key), "type": "extension_packages"}}}}}
    return call(server, "authorized", "POST", f"/properties/{package_id(server, 'property_id')}/extensions", body)


def two_grants_paged(server) -> list[dict]:
    """Grants to the authorized and the outsider org, then the package's list one item a page: both pages."""
    granted(server, "authorized"), granted(server, "outsider")
    return [call(server, "owner", "GET", grants_path(server), params={"page[size]": 1, "page[number]": n}).json()
            for n in (1, 2)]


def upload_released_version(server) -> str:
    """The owner uploads a new version of the seeded package and releases it privately: its ID."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("extension.json", json.dumps({"name": "acme-private", "platform": "web",
                                                       "version": f"2.0.{uuid.uuid4().int % 10 ** 9}",
                                                       "displayName": "Acme Private"}))
    uploaded = call(server, "owner", "POST", "/extension_packages",
                    files={"package": ("package.zip", buffer.getvalue(), "application/zip")}).json()["data"]
    call(server, "owner", "PATCH", f"/extension_packages/{uploaded['id']}",
         {"data": {"id": uploaded["id"], "type": "extension_packages", "meta": {"action": "release_private"}}})
    return uploaded["id"]


def concurrent_decisions(server, authorization_id: str, count: int = 10) -> list[int]:
    start, statuses = threading.Barrier(count), [0] * count

    def one(index: int) -> None:
        body = json.dumps(decision(authorization_id, ("approved", "rejected")[index % 2]))
        with requests.Session() as session:
            start.wait()
            statuses[index] = session.patch(f"{server.base_url}{AUTHORIZATIONS}/{authorization_id}", data=body,
                                            headers={**server.headers("authorized"), "Content-Type": JSON_API},
                                            timeout=REQUEST_HANG_GUARD_S).status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def ims_token(server, identity: str) -> str:
    issued = server.profile()["identities"][identity]
    return requests.post(f"{server.base_url}/ims/token/v3", timeout=REQUEST_HANG_GUARD_S, data={
        "grant_type": "client_credentials", "client_id": issued["client_id"],
        "client_secret": issued["client_secret"], "scope": ",".join(issued["scopes"])}).json()["access_token"]


def error_of(response) -> dict:
    return response.json()["errors"][0]


# -- the probes: fault → True when the defect shows ----------------------------------------------
def _related_link_fails(server) -> bool:
    related = granted(server)["relationships"]["extension_package"]["links"]["related"]
    return call(server, "owner", "GET", related).status_code != 200


def _grant_of_the_wrong_type_still_creates(server) -> bool:
    body = {"data": {"type": "extension_packages", "attributes": {"authorized_org_id": server.seed.orgs["authorized"]}}}
    return call(server, "owner", "POST", grants_path(server), body).status_code == 409 and bool(listed(server, "owner"))


def _duplicate_accepted(server) -> bool:
    granted(server)
    return grant(server).status_code < 400


def _pending_left_out_of_package_list(server) -> bool:
    return granted(server)["id"] not in listed(server, "owner", grants_path(server))


def _pages_miss_an_item(server) -> bool:
    pages = two_grants_paged(server)
    return len({item["id"] for page in pages for item in page["data"]}) != 2


def _total_count_of_the_page(server) -> bool:
    return two_grants_paged(server)[0]["meta"]["pagination"]["total_count"] != 2


def _next_link_is_self(server) -> bool:
    links = two_grants_paged(server)[0]["links"]
    return links.get("next") == links["self"]


def _approval_not_stored(server) -> bool:
    created = granted(server)
    decide(server, "authorized", created["id"], "approved")
    return read(server, "authorized", created["id"]).json()["data"]["attributes"]["state"] != "approved"


def _updated_at_frozen(server) -> bool:
    created = granted(server)
    answered = decide(server, "authorized", created["id"], "approved").json()["data"]
    return answered["attributes"]["updated_at"] <= created["attributes"]["updated_at"]


def _rejection_stored_as_approval(server) -> bool:
    created = granted(server)
    decide(server, "authorized", created["id"], "rejected")
    return read(server, "authorized", created["id"]).json()["data"]["attributes"]["state"] == "approved"


def _approval_spelled_accepted(server) -> bool:
    created = granted(server)
    decide(server, "authorized", created["id"], "approved")
    return read(server, "authorized", created["id"]).json()["data"]["attributes"]["state"] == "accepted"


def _id_mismatch_applied(server) -> bool:
    created = granted(server)
    body = decision(UNKNOWN_EA, "approved")
    return call(server, "authorized", "PATCH", f"{AUTHORIZATIONS}/{created['id']}", body).status_code == 200


def _name_written(server) -> bool:
    created = granted(server)
    decide(server, "authorized", created["id"], "approved", name="renamed")
    return read(server, "owner", created["id"]).json()["data"]["attributes"]["name"] == "renamed"


def _back_to_pending(server) -> bool:
    return decide(server, "authorized", granted(server, state="approved")["id"], "pending_approval").status_code \
        == 200


def _deleted_still_listed(server) -> bool:
    created = granted(server)
    return revoke(server, created["id"]).status_code == 204 and created["id"] in listed(server, "owner")


def _deleted_still_read(server) -> bool:
    created = granted(server)
    return revoke(server, created["id"]).status_code == 204 and read(server, "owner", created["id"]).status_code \
        == 200


def installs_when(server, state: str) -> bool:
    granted(server, state=None if state == "pending_approval" else state)
    return install(server).status_code == 201


def in_catalog_when(server, state: str) -> bool:
    granted(server, state=None if state == "pending_approval" else state)
    return in_catalog(server)


def _revoke_uninstalls(server) -> bool:
    approved = granted(server, state="approved")
    extension = install(server).json()["data"]
    revoke(server, approved["id"])
    return call(server, "authorized", "GET", f"/extensions/{extension['id']}").status_code == 404


def _revoked_still_in_catalog(server) -> bool:
    revoke(server, granted(server, state="approved")["id"])
    return in_catalog(server)


def _new_version_hidden(server) -> bool:
    granted(server, state="approved")
    new_version = upload_released_version(server)
    return new_version not in listed(server, "authorized", f"/extension_packages/{package_id(server)}/versions")


def _ims_token_refused(server) -> bool:
    token = ims_token(server, "authorized")
    return call(server, "authorized", "GET", AUTHORIZATIONS,
                headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _concurrent_decisions_crash(server) -> bool:
    return 500 in concurrent_decisions(server, granted(server)["id"])


def _emails_leak(server) -> bool:
    attributes = read(server, "authorized", granted(server)["id"]).json()["data"]["attributes"]
    return attributes["created_by_email"] != "Restricted"


def _never_granted_reads(server) -> bool:
    """The outsider org reads the package before any grant to it, and no longer once granted and revoked."""
    before = call(server, "outsider", "GET", f"/extension_packages/{package_id(server)}").status_code
    revoke(server, granted(server, "outsider")["id"])
    after = call(server, "outsider", "GET", f"/extension_packages/{package_id(server)}").status_code
    return before == 200 and after == 404


def _regrant_refused(server) -> bool:
    revoke(server, granted(server)["id"])
    return grant(server).status_code == 409


FAULT_PROBES = {
    # SHAPE
    "json-content-type": lambda s: call(s, "owner", "GET", AUTHORIZATIONS).headers["content-type"].split(";")[0]
                                   != JSON_API,
    "wrong-resource-type": lambda s: granted(s)["type"] != TYPE,
    "no-self-link": lambda s: "self" not in granted(s).get("links", {}),
    "missing-updated-by": lambda s: "updated_by_email" not in granted(s)["attributes"],
    "created-at-epoch": lambda s: not isinstance(granted(s)["attributes"]["created_at"], str),
    "list-without-pagination": lambda s: "pagination" not in call(s, "owner", "GET", AUTHORIZATIONS).json().get(
        "meta", {}),
    "broken-related-link": _related_link_fails,
    "plain-text-errors": lambda s: read(s, "owner", UNKNOWN_EA).headers["content-type"].startswith("text/plain"),
    "numeric-error-status": lambda s: error_of(read(s, "owner", UNKNOWN_EA))["status"] == 404,
    "relationship-data-missing": lambda s: "data" not in granted(s)["relationships"]["extension_package"],
    "approved-spelled-accepted": _approval_spelled_accepted,
    "uppercase-ids": lambda s: re.fullmatch(r"EA[0-9A-F]{32}", granted(s)["id"]) is not None,
    # CREATE
    "create-answers-200": lambda s: grant(s).status_code == 200,
    "created-approved": lambda s: granted(s)["attributes"]["state"] == "approved",
    "wrong-owner-recorded": lambda s: granted(s)["attributes"]["owner_org_id"] == s.seed.orgs["authorized"],
    "limited-owner-can-grant": lambda s: grant(s, identity="owner_limited").status_code == 201,
    "refused-grant-still-created": _grant_of_the_wrong_type_still_creates,
    "unknown-package-403": lambda s: call(s, "owner", "POST", f"/extension_packages/EP{'0' * 32}{AUTHORIZATIONS}",
                                          {"data": {"type": TYPE, "attributes": {
                                              "authorized_org_id": s.seed.orgs["authorized"]}}}).status_code == 403,
    "duplicates-accepted": _duplicate_accepted,
    "self-grant-accepted": lambda s: grant(s, org="owner").status_code == 201,
    # LIST
    "package-list-only-decided": _pending_left_out_of_package_list,
    "authorized-list-empty": lambda s: granted(s)["id"] not in listed(s, "authorized"),
    "pagination-off-by-one": _pages_miss_an_item,
    "total-count-wrong": _total_count_of_the_page,
    "page-size-zero-500": lambda s: call(s, "owner", "GET", grants_path(s), params={"page[size]": 0}).status_code
                                    == 500,
    "filter-ignored": lambda s: granted(s)["id"] in listed(s, "owner", grants_path(s),
                                                           **{"filter[state]": "EQ approved"}),
    "next-link-same-page": _next_link_is_self,
    # STATE
    "patch-not-persisted": _approval_not_stored,
    "updated-at-frozen": _updated_at_frozen,
    "reject-stored-as-approved": _rejection_stored_as_approval,
    "owner-can-approve": lambda s: decide(s, "owner", granted(s)["id"], "approved").status_code == 200,
    "unknown-state-accepted": lambda s: decide(s, "authorized", granted(s)["id"], "bogus").status_code == 200,
    "id-mismatch-accepted": _id_mismatch_applied,
    "unknown-authorization-403": lambda s: read(s, "owner", UNKNOWN_EA).status_code == 403,
    "read-only-written": _name_written,
    "back-to-pending-allowed": _back_to_pending,
    # REVOKE
    "delete-answers-200-with-body": lambda s: revoke(s, granted(s)["id"]).status_code == 200,
    "delete-204-with-body": lambda s: revoke(s, granted(s)["id"]).headers.get("Content-Length", "0") != "0",
    "approved-cannot-be-deleted": lambda s: revoke(s, granted(s, state="approved")["id"]).status_code == 409,
    "delete-leaves-listed": _deleted_still_listed,
    "authorized-can-delete": lambda s: revoke(s, granted(s)["id"], identity="authorized").status_code == 204,
    # EFFECT
    "pending-installable": lambda s: installs_when(s, "pending_approval"),
    "pending-in-catalog": lambda s: in_catalog_when(s, "pending_approval"),
    "approved-not-in-catalog": lambda s: not in_catalog_when(s, "approved"),
    "rejected-installable": lambda s: installs_when(s, "rejected"),
    "revoked-still-in-catalog": _revoked_still_in_catalog,
    "revoke-uninstalls": _revoke_uninstalls,
    "approval-misses-new-versions": _new_version_hidden,
    "outsider-reads-package": lambda s: call(s, "outsider", "GET", f"/extension_packages/{package_id(s)}")
                                        .status_code == 200,
    "never-granted-reads-package": _never_granted_reads,
    # AUTH
    "bearer-not-checked": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                         headers={"Authorization": "Bearer made-up"}).status_code == 200,
    "missing-api-key-accepted": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                               headers={"x-api-key": None}).status_code == 200,
    "headerless-acts-for-another-org": lambda s: call(s, "outsider", "GET", f"/extension_packages/{package_id(s)}",
                                                      headers={"x-gw-ims-org-id": None}).status_code == 200,
    "org-header-ignored": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                         headers={"x-gw-ims-org-id": s.seed.orgs["authorized"]}).status_code == 200,
    "ims-tokens-rejected": _ims_token_refused,
    # ISO
    "outsider-can-read-authorization": lambda s: read(s, "outsider", granted(s)["id"]).status_code == 200,
    "outsider-sees-all-authorizations": lambda s: granted(s)["id"] in listed(s, "outsider"),
    "package-scope-ignored": lambda s: granted(s)["id"] in listed(s, "owner",
                                                                  grants_path(s, "other_extension_package_id")),
    "emails-leaked": _emails_leak,
    # FUZZ
    "generated-body-500": lambda s: call(s, "owner", "POST", grants_path(s), {"data": {
        "type": TYPE, "attributes": {"authorized_org_id": {}}}}).status_code == 500,
    "omit-required-attribute": lambda s: "platform" not in granted(s)["attributes"],
    "malformed-filter-refused": lambda s: call(s, "owner", "GET", AUTHORIZATIONS,
                                               params={"filter[state]": "approved"}).status_code == 400,
    "deleted-still-readable": _deleted_still_read,
    "long-id-500": lambda s: read(s, "owner", "EA" + "0" * 1100).status_code == 500,
    "concurrent-patch-500": _concurrent_decisions_crash,
    # flow: steps the suite relies on
    "rejected-cannot-be-deleted": lambda s: revoke(s, granted(s, state="rejected")["id"]).status_code == 409,
    "package-list-omits-newest": lambda s: granted(s)["id"] not in listed(s, "owner", grants_path(s)),
    "package-list-refused": lambda s: call(s, "owner", "GET", grants_path(s)).status_code == 404,
    "regrant-after-revoke-refused": _regrant_refused,
    "decision-answers-204": lambda s: decide(s, "authorized", granted(s)["id"], "approved").status_code == 204,
    "grant-answers-empty-id": lambda s: grant(s).json()["data"]["id"] == "",
    # flow and guards
    "headerless-call-500": lambda s: call(s, "owner", "GET", AUTHORIZATIONS, headers={"x-gw-ims-org-id": None})
                                     .status_code == 500,
    "accepted-answered-202": lambda s: decide(s, "authorized", granted(s)["id"], "accepted").status_code == 202,
    "related-package-null": lambda s: call(s, "authorized", "GET", f"{AUTHORIZATIONS}/{granted(s)['id']}"
                                                                  "/extension_package").json()["data"] is None,
    "filtered-items-without-attributes": lambda s: any(
        "attributes" not in item for item in call(s, "owner", "GET", grants_path(s), params={
            "filter[state]": "EQ pending_approval"}).json()["data"]) if granted(s) else False,
}


# -- the checks ------------------------------------------------------------------------------------
def started(faults=()):
    saved = os.environ.pop(ENVIRONMENT_VARIABLE, None)
    try:
        return start_server(faults=faults)
    finally:
        if saved is not None:
            os.environ[ENVIRONMENT_VARIABLE] = saved


@pytest.fixture(scope="module")
def clean_server():
    with started() as running:
        yield running


@pytest.fixture
def clean(clean_server):
    """The clean server with no authorization left over from an earlier probe."""
    yield clean_server
    for authorization_id in listed(clean_server, "owner", **{"page[size]": 100}):
        assert revoke(clean_server, authorization_id).status_code == 204


def test_fault_names_are_unique():
    """The catalogue is a dict: a second fault of the same name would silently replace the first."""
    source = inspect.getsource(faults_module)
    assert len(re.findall(r"\bFault\(FaultName\.", source)) == len(FAULTS) == len(FaultName)
    assert len({fault.value for fault in FaultName}) == len(FaultName)


def test_every_fault_has_exactly_one_probe():
    assert sorted(FAULT_PROBES) == sorted(FAULTS)


@pytest.mark.parametrize("fault", sorted(FAULT_PROBES))
def test_the_clean_server_does_not_show_the_defect(fault, clean):
    assert not FAULT_PROBES[fault](clean), f"the clean server shows {fault}"


@pytest.mark.parametrize("fault", sorted(FAULT_PROBES))
def test_the_defect_shows_when_its_fault_is_on(fault):
    with started(faults=(fault,)) as faulty:
        assert faulty.faults == {fault}
        assert FAULT_PROBES[fault](faulty), f"{fault} ({FAULTS[fault].description}) does not show"

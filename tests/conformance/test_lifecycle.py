"""EFFECT: what each state of an authorization means for the authorized org — read, catalog, install —
run as a person would: the owner grants, the authorized org decides, the owner revokes."""

from __future__ import annotations

import secrets
import time

import pytest

from reactor_conformance import api, expect


def in_catalog(client, package_id: str) -> bool:
    ids = api.list_ids(client, api.PACKAGES)
    return ids is not None and package_id in ids


def install(client, grants, property_id: str, package_id: str):
    """Try to install; whatever gets created is this test's to delete."""
    response = client.post(api.property_extensions_path(property_id), json=api.install_document(package_id))
    if response.status_code == 201:
        extension_id = response.json()["data"]["id"]
        grants.track(client.identity.name, api.extension_path(extension_id), extension_id, kind="extension")
    return response


def refused(response, requirement: str, what: str) -> None:
    expect.check(400 <= response.status_code < 500, requirement, what, "a 4xx refusal",
                 f"HTTP {response.status_code}", response)


@pytest.mark.requirement("EFFECT-01", "EFFECT-02", "EFFECT-04", "LIST-01", "LIST-02", "SHAPE-06")
def test_grant_approve_install_revoke(owner, authorized, grants, package_id, fixture_id):
    property_id = fixture_id("property_id")
    grant = grants.create("authorized")
    ea = grant["id"]
    expect.check(ea in (api.list_ids(owner, api.package_authorizations_path(package_id)) or []), "LIST-01",
                 "the owner's list after the grant", f"contains {ea}", "it does not")
    expect.check(ea in (api.list_ids(authorized, api.AUTHORIZATIONS) or []), "LIST-02",
                 "the authorized org's list after the grant", f"contains {ea}", "it does not")

    # pending: readable, not in the catalog, not installable
    expect.status(authorized.get(api.package_path(package_id)), 200, "EFFECT-01",
                  "while pending, the authorized org reads the package")
    expect.status(authorized.get(api.related_package_path(ea)), 200, "EFFECT-01",
                  "while pending, the authorized org reads the authorization's package")
    expect.check(not in_catalog(authorized, package_id), "EFFECT-01", "the authorized org's catalog while pending",
                 f"without {package_id}", "it is there")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-01", "an install while pending")

    # approved: in the catalog, installable
    grants.decide(ea, "approved")
    expect.check(in_catalog(authorized, package_id), "EFFECT-02", "the authorized org's catalog once approved",
                 f"with {package_id}", "it is missing")
    installed = install(authorized, grants, property_id, package_id)
    expect.status(installed, 201, "EFFECT-02", "an install once approved")
    extension = expect.document(installed, "extension", "EFFECT-02", "the installed extension")["data"]
    before = authorized.get(api.extension_path(extension["id"]))
    expect.status(before, 200, "EFFECT-02", "reading the installed extension")

    # revoked: gone from the catalog, private versions unreadable, no new install, the old one intact
    expect.status(owner.delete(api.authorization_path(ea)), 204, "REVOKE-01", "the owner revokes")
    grants.forget(ea)
    expect.check(not in_catalog(authorized, package_id), "EFFECT-04", "the authorized org's catalog after revocation",
                 f"without {package_id}", "it is still there")
    expect.status(authorized.get(api.package_path(package_id)), (403, 404), "EFFECT-04",
                  "after revocation the authorized org reads the private package")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-04", "a new install after revocation")
    after = authorized.get(api.extension_path(extension["id"]))
    expect.status(after, 200, "EFFECT-04", "the extension installed before the revocation still reads back")
    expect.equal(strip_volatile(after.json()["data"]), strip_volatile(before.json()["data"]), "EFFECT-04",
                 "the extension installed before the revocation is unchanged", after)


def strip_volatile(resource: dict) -> dict:
    """The parts of an extension that a revocation must not change (links may carry the request's host)."""
    return {"id": resource["id"], "attributes": resource.get("attributes"),
            "relationships": resource.get("relationships")}


@pytest.mark.requirement("EFFECT-03")
def test_rejected_means_no_install_and_no_catalog(authorized, grants, package_id, fixture_id):
    property_id = fixture_id("property_id")
    grant = grants.create("authorized")
    grants.decide(grant["id"], "rejected")
    expect.check(not in_catalog(authorized, package_id), "EFFECT-03", "the authorized org's catalog once rejected",
                 f"without {package_id}", "it is there")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-03", "an install once rejected")


@pytest.mark.requirement("EFFECT-05")
def test_a_private_version_released_after_approval_is_covered(owner, authorized, grants, package_id, fixture_id,
                                                              run):
    if not (run.embedded or run.profile.target.allow_writes):
        pytest.skip("not run: releasing a version is permanent on a real target; set allow_writes = true "
                    "in the profile to allow it")
    property_id = fixture_id("property_id")
    grant = grants.create("authorized")
    grants.decide(grant["id"], "approved")
    package = owner.get(api.package_path(package_id)).json()["data"]["attributes"]
    version = f"1.{int(time.time())}.{secrets.randbelow(10**6)}"
    upload = owner.post(api.PACKAGES, files={"package": ("package.zip", api.package_zip(
        package["name"], version, package["platform"]), "application/zip")})
    expect.status(upload, 201, "EFFECT-05", f"the owner uploads version {version}")
    new_id = upload.json()["data"]["id"]
    released = owner.patch(api.package_path(new_id), json=api.release_private_document(new_id))
    expect.status(released, 200, "EFFECT-05", "the owner releases the new version privately")
    versions = api.list_ids(authorized, f"{api.package_path(package_id)}/versions")
    expect.check(versions is not None and new_id in versions, "EFFECT-05", "the authorized org's list of versions",
                 f"contains the new version {new_id}", "it does not" if versions is not None else "refused")
    expect.check(in_catalog(authorized, new_id), "EFFECT-05", "the authorized org's catalog",
                 f"contains the new version {new_id}", "it does not")
    expect.status(install(authorized, grants, property_id, new_id), 201, "EFFECT-05",
                  "the authorized org installs the new version")


@pytest.mark.requirement("EFFECT-06")
def test_an_org_never_authorized_cannot_read_or_install(outsider, grants, package_id, fixture_id):
    grants.clear("outsider")
    expect.status(outsider.get(api.package_path(package_id)), 404, "EFFECT-06",
                  "an outsider org reads the private package")
    refused(install(outsider, grants, fixture_id("outsider_property_id"), package_id), "EFFECT-06",
            "an outsider org installs the private package")

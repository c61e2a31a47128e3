"""EFFECT: what each state of an authorization means for the authorized org — read, catalog, install — run as
a person would, two orgs taking turns: the owner grants, the authorized org decides, the owner revokes.
Every step checks its effect on the other side before the next one starts."""

from __future__ import annotations

import secrets
import time

import pytest

from reactor_conformance.checks import answers, api, expect, readings
from reactor_conformance.client.recorded import Recorded


def listed_ids(client, path: str, requirement: str, what: str) -> list[str]:
    """IDs of every item on every page; a refused page fails the requirement (it is no empty list)."""
    items, refused = api.list_items(client, path)
    if refused is not None:
        expect.status(refused, 200, requirement, what)
    return [item.get("id") for item in items]


def catalog(client, requirement: str, what: str) -> list[str]:
    return listed_ids(client, api.PACKAGES, requirement, what)


def install(client, grants, property_id: str, package_id: str):
    """Try to install the package; whatever gets created is the test's to delete."""
    response = client.post(api.property_extensions_path(property_id), json=api.install_document(package_id))
    extension_id = _created_id(response)
    if extension_id is not None:
        grants.track(client.identity.name, api.extension_path(extension_id), extension_id, kind="extension")
    return response


def _created_id(response) -> str | None:
    """The ID a 201 answered with, if it answered one (whatever it is must be deleted afterwards)."""
    if response.status_code != 201:
        return None
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        return None
    return data["id"] if isinstance(data, dict) and readings.usable_id(data.get("id")) else None


def refused(response, requirement: str, what: str) -> None:
    expect.check(400 <= response.status_code < 500, requirement, what, "a 4xx refusal",
                 answers.describe(response), response)


def reads_package(client, path: str, package_id: str, requirement: str, what: str) -> None:
    response = client.get(path)
    expect.status(response, 200, requirement, what)
    expect.equal(readings.dig(expect.json_body(response, requirement, what), "data", "id"), package_id, requirement,
                 f"{what}: the package read", response)


def lasting(extension) -> dict:
    """What a revocation must leave as it was (links may carry the request's host, so they are left out)."""
    extension = extension if isinstance(extension, dict) else {"": extension}
    return {"id": extension.get("id"), "attributes": extension.get("attributes"),
            "relationships": extension.get("relationships")}


@pytest.mark.requirement("EFFECT-01", "EFFECT-02", "EFFECT-04", "LIST-01", "LIST-02", "REVOKE-01")
def test_grant_approve_install_revoke(owner, authorized, grants, package_id, fixture_id):
    property_id = fixture_id("property_id")
    ea = grants.create("authorized")["id"]

    # granted: both sides list it (judged at the end: no effect below depends on a list)
    with expect.Later() as lists:
        expect.check(ea in listed_ids(owner, api.package_authorizations_path(package_id), "LIST-01",
                                      "the owner lists the package's authorizations"),
                     "LIST-01", "the owner's list of the package's authorizations after the grant", f"holds {ea}",
                     "it does not")
        expect.check(ea in listed_ids(authorized, api.AUTHORIZATIONS, "LIST-02", "the authorized org lists its "
                                      "authorizations"),
                     "LIST-02", "the authorized org's list after the grant", f"holds {ea}", "it does not")

    # pending: the authorized org may look at the package, but it is not in its catalog and does not install
    reads_package(authorized, api.package_path(package_id), package_id, "EFFECT-01",
                  "while pending, the authorized org reads the package")
    reads_package(authorized, api.related_package_path(ea), package_id, "EFFECT-01",
                  "while pending, the authorized org reads the authorization's package")
    expect.check(package_id not in catalog(authorized, "EFFECT-01", "the authorized org's catalog while pending"),
                 "EFFECT-01", "the authorized org's catalog while pending", f"without {package_id}", "it is listed")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-01",
            "while pending, the authorized org installs the package")

    # approved: in the catalog, and it installs
    grants.decide(ea, "approved")
    expect.check(package_id in catalog(authorized, "EFFECT-02", "the authorized org's catalog once approved"),
                 "EFFECT-02", "the authorized org's catalog once approved", f"with {package_id}", "it is missing")
    installed = install(authorized, grants, property_id, package_id)
    expect.status(installed, 201, "EFFECT-02", "once approved, the authorized org installs the package")
    extension = expect.document(installed, "extension", "EFFECT-02", "the installed extension")["data"]
    expect.equal(extension["relationships"]["extension_package"]["data"]["id"], package_id, "EFFECT-02",
                 "the installed extension's package", installed)
    extension_id = readings.resource_id(extension["id"], "EFFECT-02", "the installed extension's ID", installed)
    before = authorized.get(api.extension_path(extension_id))
    expect.status(before, 200, "EFFECT-02", "the authorized org reads the installed extension")

    # revoked: out of the catalog, private versions unreadable, no new install, the installed one intact
    expect.status(owner.delete(api.authorization_path(ea)), 204, "REVOKE-01",
                  "the owner revokes the approved authorization")
    grants.forget(ea)
    expect.check(package_id not in catalog(authorized, "EFFECT-04", "the authorized org's catalog once revoked"),
                 "EFFECT-04", "the authorized org's catalog once revoked", f"without {package_id}",
                 "it is still listed")
    # "can no longer read" (EFFECT-04): refused, as ISO-01 refuses, with 403 or 404 (D7's 404 is this server's)
    expect.status(authorized.get(api.package_path(package_id)), (403, 404), "EFFECT-04",
                  "once revoked, the authorized org reads the private package")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-04",
            "once revoked, the authorized org installs the package again")
    after = authorized.get(api.extension_path(extension_id))
    expect.status(after, 200, "EFFECT-04", "the extension installed before the revocation reads back")
    read_before = expect.json_body(before, "EFFECT-02", "the extension read")
    expect.member(read_before, "data.attributes", "EFFECT-02", "the extension read", before)  # what must stay
    read_after = expect.json_body(after, "EFFECT-04", "the extension read back")
    expect.equal(lasting(expect.member(read_after, "data", "EFFECT-04", "the extension read back", after)),
                 lasting(expect.member(read_before, "data", "EFFECT-02", "the extension read", before)), "EFFECT-04",
                 "the extension installed before the revocation is unchanged", after)
    lists.settle()


@pytest.mark.requirement("EFFECT-03")
def test_rejected_means_no_install_and_no_catalog(authorized, grants, package_id, fixture_id):
    property_id = fixture_id("property_id")
    grants.decide(grants.create("authorized")["id"], "rejected")
    expect.check(package_id not in catalog(authorized, "EFFECT-03", "the authorized org's catalog once rejected"),
                 "EFFECT-03", "the authorized org's catalog once rejected", f"without {package_id}", "it is listed")
    refused(install(authorized, grants, property_id, package_id), "EFFECT-03",
            "once rejected, the authorized org installs the package")


def release_new_version(owner, package_id: str) -> str:
    """Upload a new version of the package's family (a version string unique to this run) and release it
    privately; returns its ID."""
    package = owner.get(api.package_path(package_id))
    expect.status(package, 200, "EFFECT-05", "setup: the owner reads its package")
    attributes = expect.member(expect.json_body(package, "EFFECT-05", "setup: the owner reads its package"),
                               "data.attributes", "EFFECT-05", "setup: the owner reads its package", package)
    expect.check(isinstance(attributes, dict) and all(isinstance(attributes.get(key), str) for key in
                                                      ("name", "platform")), "EFFECT-05",
                 "setup: the owner reads its package", "attributes with a name and a platform", repr(attributes)[:200],
                 package)
    version = f"1.{int(time.time())}.{secrets.randbelow(10**6)}"
    archive = api.package_zip(attributes["name"], version, attributes["platform"], attributes.get("display_name"))
    upload = owner.post(api.PACKAGES, files={"package": ("package.zip", archive, "application/zip")})
    observed = answers.describe(upload)
    if 400 <= upload.status_code < 500 and any(word in upload.text.lower() for word in ("zip", "archive")):
        observed += (f"; the suite sent a valid zip of {len(archive)} bytes, so something on the way altered it "
                     "(a proxy re-encoding the multipart body?)")
    expect.check(upload.status_code == 201, "EFFECT-05", f"setup: the owner uploads version {version} of "
                 f"{attributes['name']}", "HTTP 201", observed, upload)
    what = f"setup: the uploaded version {version}"
    new_id = readings.resource_id(expect.member(expect.json_body(upload, "EFFECT-05", what), "data.id", "EFFECT-05",
                                                what, upload), "EFFECT-05", what, upload)
    released = owner.patch(api.package_path(new_id), json=api.release_private_document(new_id))
    expect.status(released, 200, "EFFECT-05", f"setup: the owner releases version {version} privately")
    expect.equal(expect.member(expect.json_body(released, "EFFECT-05", f"setup: version {version} once released"),
                               "data.attributes.availability", "EFFECT-05",
                               f"setup: version {version} once released", released), "private", "EFFECT-05",
                 f"setup: version {version} once released", released)
    return new_id


@pytest.mark.requirement("EFFECT-05")
def test_a_private_version_released_after_approval_is_covered(owner, authorized, grants, package_id, fixture_id,
                                                              run):
    if not (run.embedded or run.profile.target.allow_writes):
        pytest.skip("not run: releasing a version is permanent on a real target; set allow_writes = true under "
                    "[target] in the profile to allow it")
    property_id = fixture_id("property_id")
    grants.decide(grants.create("authorized")["id"], "approved")
    new_id = release_new_version(owner, package_id)
    versions = listed_ids(authorized, api.package_versions_path(package_id), "EFFECT-05",
                          "the authorized org lists the package's versions")
    expect.check(new_id in versions, "EFFECT-05", "the authorized org's list of the package's versions",
                 f"holds the version released after approval, {new_id}", f"{len(versions)} versions without it")
    expect.check(new_id in catalog(authorized, "EFFECT-05", "the authorized org's catalog"), "EFFECT-05",
                 "the authorized org's catalog", f"holds the version released after approval, {new_id}",
                 "it is missing")
    expect.status(install(authorized, grants, property_id, new_id), 201, "EFFECT-05",
                  "the authorized org installs the version released after approval")


@pytest.mark.requirement("EFFECT-06")
def test_an_org_never_authorized_cannot_read_or_install(outsider, grants, package_id, observe):
    """Judged on what the outsider org saw before this run first granted it the package (ISO-02 and others grant
    it later): an org never authorized, whatever order the tests run in."""
    sight = grants.first_sight(package_id)
    read = Recorded(sight["read"])
    expect.status(read, 404, "EFFECT-06", "an org never authorized reads the private package")
    if sight["catalog_refused"] is not None:
        expect.status(Recorded(sight["catalog_refused"]), 200, "EFFECT-06", "the outsider org lists its catalog")
    expect.check(package_id not in sight["catalog_ids"], "EFFECT-06", "the catalog of an org never authorized",
                 f"without {package_id}", "it is listed")
    if sight["install"] is None:
        observe("EFFECT-06", "install not tried: no fixtures.outsider_property_id, or writes not allowed")
        return
    refused(Recorded(sight["install"]), "EFFECT-06",
            "an org never authorized installs the private package on its own property")

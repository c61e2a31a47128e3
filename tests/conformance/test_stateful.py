"""FUZZ-04: generated sequences through the spec's links (create → get → decide → delete → get): what was
created is retrievable, what was deleted answers 404."""

from __future__ import annotations

import hypothesis
import pytest

from reactor_conformance import api, expect, fuzz

# The sequences that matter here start at a grant and follow its links; other operations only dilute them.
SPEC = fuzz.load_spec().include(path_regex="extension_package_usage_authorizations")


@pytest.mark.requirement("FUZZ-04")
def test_linked_sequences_keep_resources_consistent(run, clients, grants, fixture_id, fuzz_transport, org_of):
    if not run.fuzz_enabled:
        pytest.skip("not run: --no-fuzz")
    package = grants.hold(run.profile.fixtures.get("other_extension_package_id") or fixture_id("extension_package_id"))
    session, adapter = fuzz_transport
    grantee = org_of("authorized")
    findings = fuzz.Findings()

    class Sequences(SPEC.as_state_machine()):
        """Every sequence starts from a real grant of the fuzz package; calls go out as the allowed identity."""

        def setup(self):
            grants.clear("authorized", package)

        def before_call(self, case):
            if fuzz.operation_id(case.operation) == "createExtensionPackageUsageAuthorization":
                case.path_parameters = {"EXTENSION_PACKAGE_ID": package}
                case.body = api.grant_document(grantee)

        def get_call_kwargs(self, case):
            identity = "authorized" if fuzz.operation_id(case.operation) in fuzz.AUTHORIZED_OPERATIONS else "owner"
            return {"base_url": run.base_url, "session": session, "timeout": 30,
                    "headers": clients[identity].headers(case.method.upper())}

        def after_call(self, response, case):
            super().after_call(response, case)
            if response.status_code == 201 and fuzz.operation_id(case.operation) == \
                    "createExtensionPackageUsageAuthorization":
                created = response.json()["data"]["id"]
                grants.track("owner", api.authorization_path(created), created, kind="authorization")

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(response, checks=fuzz.CHECKS["FUZZ-04"], headers=kwargs.get("headers"),
                                       transport_kwargs=kwargs, recorder=self.recorder)
            except (Exception, BaseExceptionGroup) as failure:
                findings.record("FUZZ-04", f"{case.operation.label}: {fuzz.describe(failure)}")

    sent_before = adapter.sent
    # Derandomized: the same sequences on every run, so a failure reproduces (the seed drives the stateless part).
    Sequences.run(settings=hypothesis.settings(fuzz.settings_for(run), derandomize=True))
    failure = findings.failures.get("FUZZ-04")
    expect.check(failure is None, "FUZZ-04", "generated sequences through the spec's links",
                 "created resources retrievable, deleted ones 404", failure or "")
    expect.check(adapter.sent > sent_before, "FUZZ-04", "generated sequences", "requests sent", "none were sent")

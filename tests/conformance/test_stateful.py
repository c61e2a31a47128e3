"""FUZZ-04: generated sequences through the spec's links (grant → read → decide → revoke → read): what was
created is retrievable, what was deleted answers 404.

Every sequence starts from a real grant of the test's own fixture package to the authorized org, and each step
goes out as the identity that may take it. The sequences are seeded by ``--fuzz-seed``; outside nightly runs
a failing one is shrunk, so the report shows the shortest sequence that still fails.
"""

from __future__ import annotations

import pytest

from reactor_conformance.checks import api, crashes, expect
from reactor_conformance.client import redact

# The sequences that matter here start at a grant and follow its links; other operations only dilute them.
SEQUENCES = "extension_package_usage_authorizations"
GRANTING = "createExtensionPackageUsageAuthorization"
BY_AUTHORIZED_ORG = {"updateExtensionPackageUsageAuthorization"}  # the owner takes every other step
STEPS = 10  # at most, per sequence
EXPECTED = "every step answered as the spec declares: what was created is retrievable, what was deleted is 404"


class SequenceBroke(AssertionError):
    """A step of a generated sequence failed; Hypothesis shrinks the sequence while this is raised."""


@pytest.mark.requirement("FUZZ-04")
def test_linked_sequences_keep_resources_consistent(run, clients, as_identity, grants, org_of, fuzzing):
    if not run.fuzz_enabled:
        pytest.skip("not run: --no-fuzz")
    import hypothesis  # here, not at collection: as in test_fuzz.py (D99)

    from reactor_conformance.fuzzing import findings, generation, judging, sending, spec, stateful
    from reactor_conformance.fuzzing.search import ShrinkBudget, ShrinkingStopped

    # The owner's second package when the profile names one: the longest test of a run then leaves the pool's
    # packages to the tests that grant them (docs/decisions.md D38).
    package = grants.hold(run.profile.fixtures.get("other_extension_package_id"))
    callers = {name: sending.Caller(name, as_identity(name)) for name in ("owner", "authorized")}
    grantee = org_of("authorized")
    target = sending.aim(fuzzing, run, clients)
    broken: list[findings.Finding] = []  # one per failing sequence, in order: the last is the shortest
    steps = []
    budget = ShrinkBudget(target.pace)

    def caller_of(case) -> sending.Caller:
        return callers["authorized" if spec.operation_id(case.operation) in BY_AUTHORIZED_ORG else "owner"]

    @hypothesis.seed(run.fuzz_seed)
    class Sequences(fuzzing.schema.include(path_regex=SEQUENCES).as_state_machine()):
        def setup(self):
            grants.clear("authorized", package)

        def before_call(self, case):
            if spec.operation_id(case.operation) == GRANTING:
                case.path_parameters = {"EXTENSION_PACKAGE_ID": package}
                case.body = api.grant_document(grantee)

        def get_call_kwargs(self, case):
            budget.check()
            return {"base_url": target.base_url, "session": target.session, "timeout": target.timeout,
                    "headers": caller_of(case).headers(case.method)}

        def after_call(self, response, case):
            super().after_call(response, case)
            steps.append(case.id)
            stateful.track_created(response, grants.track)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            sent = sending.Sent(case, response, kwargs.get("headers") or {}, target.base_url, session=target.session)
            failed = judging.judge(fuzzing, sent, ("FUZZ-01", "FUZZ-04"), recorder=self.recorder)
            if failed:
                failures = [text for texts in failed.values() for text in texts]
                sequence = "The sequence:\n" + "\n".join(stateful.steps_of(self.recorder))
                broken.append(findings.finding("FUZZ-04", "a generated sequence through the spec's links", EXPECTED,
                                               sent, [*failures, sequence],
                                               findings.search_note(run, shrunk=not run.nightly),
                                               caller_of(case).name))
                budget.failed()
                raise SequenceBroke(case.operation.label)

    with grants.keeping_what_is_granted(package):
        try:
            Sequences.run(settings=generation.settings_for(run, shrink=True, stateful_step_count=STEPS))
        except (SequenceBroke, ShrinkingStopped):
            pass  # `broken` holds what failed
        except Exception as error:  # noqa: BLE001 - after a failure, e.g. Hypothesis calling its final replay flaky
            if not broken:
                clients["owner"].get(api.AUTHORIZATIONS)  # a target gone away leaves this test not run, not broken
                broke = crashes.describe(error)
                raise generation.FuzzingError(redact.redact(f"the generated sequences broke: {broke}")) from None
    expect.check(len(steps) > 0, "FUZZ-04", "generated sequences through the spec's links", "steps sent",
                 "no step was sent")
    if broken:
        broken[-1].report()


"""The project's own checks of generated requests' answers, on answers built here: an answer of an unexpected shape
is judged, never a break of the check."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from reactor_conformance.fuzzing import own_checks

ORG = "0123456789abcdef01234567@AdobeOrg"


def exchange(document, org: str = ORG):
    """A 200 to a request sent for ``org``, and its case."""
    response = SimpleNamespace(status_code=200, content=json.dumps(document).encode(), headers={},
                               request=SimpleNamespace(headers={"x-gw-ims-org-id": org}))
    case = SimpleNamespace(operation=SimpleNamespace(label="GET /extension_package_usage_authorizations"), id="1")
    return response, case


def authorization(attributes) -> dict:
    return {"data": [{"id": "EA1", "type": own_checks.AUTHORIZATION, "attributes": attributes}]}


# Each case: description, check, document, the failure it raises (None: it holds).
CASES = [
    ("the caller's own authorization", own_checks.own_org_data_only, authorization({"owner_org_id": ORG}), None),
    ("another org's authorization", own_checks.own_org_data_only, authorization({"owner_org_id": "other"}),
     own_checks.OtherOrgsAuthorization),
    ("attributes that are no object: no org of the caller's", own_checks.own_org_data_only, authorization(["x"]),
     own_checks.OtherOrgsAuthorization),
    ("a timestamp", own_checks.timestamps_well_formed, authorization({"created_at": "2026-01-02T03:04:05Z"}), None),
    ("JavaScript's Date string", own_checks.timestamps_well_formed,
     authorization({"created_at": "Fri Jan 02 2026 03:04:05 GMT+0000"}), own_checks.MalformedTimestamp),
    ("attributes that are no object: no timestamp to judge here", own_checks.timestamps_well_formed,
     authorization("x"), None),
]


@pytest.mark.parametrize("description, check, document, failure", CASES, ids=[case[0] for case in CASES])
def test_a_check_judges_an_answer_of_any_shape(description, check, document, failure):
    response, case = exchange(document)
    if failure is None:
        assert check(None, response, case) is None
    else:
        with pytest.raises(failure):
            check(None, response, case)

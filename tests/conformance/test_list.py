"""LIST: both sides list what concerns them; pagination, filters and links are consistent."""

from __future__ import annotations

import pytest

from reactor_conformance import api, expect


@pytest.mark.requirement("LIST-01", "SHAPE-05", "SHAPE-02")
def test_the_owner_lists_the_packages_authorizations(owner, grant, package_id):
    response = owner.get(api.package_authorizations_path(package_id), params={"page[size]": 100})
    expect.status(response, 200, "LIST-01", "the owner lists the package's authorizations")
    body = expect.document(response, "authorization-list", "SHAPE-05", "the package's list")
    ids = api.list_ids(owner, api.package_authorizations_path(package_id))
    expect.check(ids is not None and grant["id"] in ids, "LIST-01", "the package's list", f"contains {grant['id']}",
                 f"{len(ids or [])} items without it", response)
    expect.check(all(item["type"] == api.AUTHORIZATION for item in body["data"]), "SHAPE-02",
                 "every listed item", f"type {api.AUTHORIZATION}", "another type", response)


@pytest.mark.requirement("LIST-02", "SHAPE-05")
def test_the_authorized_org_lists_what_was_granted_to_it(authorized, grant):
    response = authorized.get(api.AUTHORIZATIONS)
    expect.status(response, 200, "LIST-02", "the authorized org lists its authorizations")
    expect.document(response, "authorization-list", "SHAPE-05", "the authorized org's list")
    ids = api.list_ids(authorized, api.AUTHORIZATIONS)
    expect.check(ids is not None and grant["id"] in ids, "LIST-02", "the authorized org's list",
                 f"contains {grant['id']}", "it does not", response)


@pytest.mark.requirement("LIST-03", "SHAPE-05")
def test_walking_one_item_per_page_sees_every_item_once(owner, grants, package_id, run):
    mine = [grants.create("authorized")["id"]]
    if "outsider" in run.profile.identities:
        mine.append(grants.create("outsider")["id"])
    seen, number, last = [], 1, None
    while number:
        response = owner.get(api.package_authorizations_path(package_id),
                             params={"page[number]": number, "page[size]": 1})
        expect.status(response, 200, "LIST-03", f"page {number} of size 1")
        body = expect.document(response, "authorization-list", "SHAPE-05", f"page {number}")
        pagination = body["meta"]["pagination"]
        expect.equal(pagination["current_page"], number, "LIST-03", f"current_page of page {number}", response)
        if number == 1:
            expect.equal(pagination["prev_page"], None, "LIST-03", "prev_page on page 1", response)
        expect.check(len(body["data"]) <= 1, "LIST-03", f"page {number}", "at most 1 item",
                     f"{len(body['data'])} items", response)
        seen += [item["id"] for item in body["data"]]
        last, number = (response, pagination), pagination["next_page"]
        expect.check(number is None or number == pagination["current_page"] + 1, "LIST-03",
                     f"next_page of page {pagination['current_page']}", "the next page or null", str(number), response)
        if len(seen) > 10_000:
            break
    response, pagination = last
    expect.equal(len(seen), len(set(seen)), "LIST-03", "every item appears once in the walk", response)
    expect.equal(pagination["total_count"], len(seen), "LIST-03", "total_count agrees with the walk", response)
    expect.equal(pagination["total_pages"], len(seen), "LIST-03", "total_pages agrees with the walk (size 1)",
                 response)
    for authorization_id in mine:
        expect.check(authorization_id in seen, "LIST-03", "the walk", f"contains {authorization_id}", "missing",
                     response)


# Out-of-range paging: description, query. A 4xx error document or a clamped, consistent page is right.
ODD_PAGES = [
    ("page size 0", {"page[size]": 0}),
    ("page size 101", {"page[size]": 101}),
    ("page size -1", {"page[size]": -1}),
    ("page size abc", {"page[size]": "abc"}),
    ("page number 0", {"page[number]": 0}),
    ("page number past the end", {"page[number]": 9999}),
]


@pytest.mark.requirement("LIST-04", "FUZZ-01")
@pytest.mark.parametrize("description, query", ODD_PAGES, ids=[c[0] for c in ODD_PAGES])
def test_out_of_range_paging_is_refused_or_clamped(description, query, owner, package_id, observe):
    response = owner.get(api.package_authorizations_path(package_id), params=query)
    expect.check(response.status_code < 500, "FUZZ-01", f"a list with {description}", "no 5xx",
                 f"HTTP {response.status_code}", response)
    if 400 <= response.status_code < 500:
        expect.document(response, "error", "LIST-04", f"the refusal of {description}")
        observe("LIST-04", f"{description} → HTTP {response.status_code}")
        return
    expect.status(response, 200, "LIST-04", f"a list with {description}")
    body = expect.document(response, "authorization-list", "LIST-04", f"the page for {description}")
    pagination = body["meta"]["pagination"]
    observe("LIST-04", f"{description} → 200, page {pagination['current_page']} of {pagination['total_pages']}")
    if pagination["current_page"] and pagination["total_pages"] is not None \
            and pagination["current_page"] > pagination["total_pages"]:
        expect.equal(body["data"], [], "LIST-04", f"a page past the end ({description}) is empty", response)
        expect.equal(pagination["next_page"], None, "LIST-04", "next_page past the end", response)


@pytest.mark.requirement("LIST-05")
def test_filter_by_state_returns_only_that_state(owner, grants, package_id, run):
    approved = grants.create("authorized")
    grants.decide(approved["id"], "approved")
    pending = grants.create("outsider")["id"] if "outsider" in run.profile.identities else None
    response = owner.get(api.package_authorizations_path(package_id),
                         params={"filter[state]": "EQ approved", "page[size]": 100})
    expect.status(response, 200, "LIST-05", "the owner filters by state")
    items = response.json()["data"]
    states = {item["attributes"]["state"] for item in items}
    expect.check(states <= {"approved"}, "LIST-05", "filter[state]=EQ approved", "only approved items",
                 f"states {sorted(states)}", response)
    ids = [item["id"] for item in items]
    expect.check(approved["id"] in ids, "LIST-05", "filter[state]=EQ approved", f"contains {approved['id']}",
                 "it does not", response)
    expect.check(pending not in ids, "LIST-05", "filter[state]=EQ approved", f"omits the pending {pending}",
                 "it is there", response)


@pytest.mark.requirement("LIST-06")
def test_list_links_lead_to_the_announced_pages(owner, grants, package_id, run):
    grants.create("authorized")
    if "outsider" in run.profile.identities:
        grants.create("outsider")
    response = owner.get(api.package_authorizations_path(package_id), params={"page[size]": 1})
    body = expect.json_body(response, "LIST-06", "the list")
    links = body.get("links") or {}
    pagination = body["meta"]["pagination"]
    expect.status(response, 200, "LIST-06", "the owner lists one item per page")
    if not links:
        return  # the requirement applies to lists that carry links
    pages = 1
    while links.get("next"):
        response = owner.get(links["next"])
        expect.status(response, 200, "LIST-06", "following links.next")
        body = response.json()
        pages += 1
        expect.equal(body["meta"]["pagination"]["current_page"], pages, "LIST-06",
                     f"links.next leads to page {pages}", response)
        links = body.get("links") or {}
        if pages > pagination["total_pages"] + 1:
            break
    expect.equal(pages, pagination["total_pages"], "LIST-06", "following links.next visits every page", response)
    if links.get("last"):
        last = owner.get(links["last"])
        expect.equal(last.json()["meta"]["pagination"]["current_page"], pagination["total_pages"], "LIST-06",
                     "links.last leads to the last page", last)

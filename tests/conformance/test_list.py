"""LIST: both sides list what concerns them; pagination, filters and links are consistent.

The owner's lists may hold authorizations left by other tests or runs: the checks compare against what
the lists themselves show, and look for this test's own grants among them.
"""

from __future__ import annotations

import pytest

from reactor_conformance.checks import answers, api, expect, readings

PAGINATION = ("current_page", "next_page", "prev_page", "total_pages", "total_count")

# The owner's lists: description, path template. The org's list spans the owner's packages, so a grant of
# the second fixture package (when configured) brings it to three authorizations or more; a test walking it holds
# every package (``grant_to_everyone``), which its marker tells the workers' layout.
OWNER_LISTS = [
    pytest.param("the package's list", "/extension_packages/{ep}/extension_package_usage_authorizations",
                 id="the package's list"),
    pytest.param("the owner org's list", api.AUTHORIZATIONS, id="the owner org's list",
                 marks=pytest.mark.holds_every_package),
]


def grant_to_everyone(grants, clients, run, path: str) -> list[str]:
    """Grant the package to the authorized org and, where configured, the outsider org; for the org's list
    also the second fixture package, then hold every package so that the org's list stays still while the test
    walks it (``Grants.hold_all``). Returns the IDs of the grants."""
    still = path == api.AUTHORIZATIONS
    other = run.profile.fixtures.get("other_extension_package_id") if still else None
    if other:
        grants.hold_before_the_pool(other)
    mine = [grants.create("authorized")["id"]]
    if "outsider" in clients:
        mine.append(grants.create("outsider")["id"])
    if other:
        mine.append(grants.create("authorized", package=other)["id"])
    if still:
        grants.hold_all()
    return mine


def list_page(response, requirement: str, what: str) -> dict:
    """A 200 page: ``data`` an array and ``meta.pagination`` with its five members, integers or null (SHAPE-05 judges
    them too; here a page whose counters cannot be counted with cannot be judged, so it fails ``requirement``)."""
    expect.status(response, 200, requirement, what)
    body = expect.json_body(response, requirement, what)
    pagination = readings.dig(body, "meta", "pagination")
    expect.check(isinstance(body, dict) and isinstance(body.get("data"), list) and isinstance(pagination, dict),
                 requirement, what, "a list document: data and meta.pagination", response.text[:200], response)
    missing = [name for name in PAGINATION if name not in pagination]
    expect.equal(missing, [], requirement, f"{what}: meta.pagination members missing", response)
    odd = {name: pagination[name] for name in PAGINATION if pagination[name] is not None
           and (not isinstance(pagination[name], int) or isinstance(pagination[name], bool))}
    expect.equal(odd, {}, requirement, f"{what}: meta.pagination members that are neither integers nor null", response)
    return body


def every_page(client, path: str, requirement: str, what: str, well_formed: bool = False, **params) -> list[dict]:
    """Every item of a list, walked page by page; ``well_formed``: each page valid against its schema."""
    items: list[dict] = []
    for response, _ in api.walk(client, path, params=params):
        body = list_page(response, requirement, what)
        if well_formed:
            expect.document(response, "authorization-list", requirement, what)
        items += body["data"]
    return items


def once(ids: list[str], wanted: list[str], requirement: str, what: str, response=None) -> None:
    for authorization_id in wanted:
        expect.equal(ids.count(authorization_id), 1, requirement, f"times {authorization_id} appears in {what}",
                     response)


@pytest.mark.requirement("LIST-01")
def test_the_owner_lists_every_authorization_of_the_package(owner, grants, clients, run, package_id):
    path = api.package_authorizations_path(package_id)
    mine = grant_to_everyone(grants, clients, run, path)
    what = "the owner lists the package's authorizations"
    items = every_page(owner, path, "LIST-01", what, well_formed=True)
    once(readings.item_ids(items, "LIST-01", what), mine, "LIST-01", "the package's list")


@pytest.mark.requirement("LIST-02")
def test_the_authorized_org_lists_what_was_granted_to_it(authorized, grant):
    what = "the authorized org lists its authorizations"
    items = every_page(authorized, api.AUTHORIZATIONS, "LIST-02", what)
    once(readings.item_ids(items, "LIST-02", what), [grant["id"]], "LIST-02", "the authorized org's list")


@pytest.mark.requirement("LIST-03", "LIST-06")
@pytest.mark.parametrize("description, template", OWNER_LISTS)
def test_walking_one_item_per_page_by_number_and_by_links(description, template, owner, grants, clients, run,
                                                          package_id, observe):
    """Both walks of a list share one setup: the grants and, for the owner org's list, the one window in which
    every package is held (D100). Each is judged apart: a failure of one leaves the other judged."""
    path = template.format(ep=package_id)
    mine = grant_to_everyone(grants, clients, run, path)
    expect.apart(lambda: walk_by_number(owner, path, description, mine),
                 lambda: walk_by_links(owner, path, description, observe))


def walk_by_number(owner, path: str, description: str, mine: list[str]) -> None:
    """LIST-03: ``page[size]=1`` from ``page[number]=1`` to the last page yields every item once, as counted."""
    seen, number, announced, response = [], 1, None, None
    while number is not None:
        response = owner.get(path, params={"page[number]": number, "page[size]": 1})
        what = f"page {number} of {description}, one item per page"
        body = list_page(response, "LIST-03", what)
        pagination = body["meta"]["pagination"]
        counts = (pagination["total_count"], pagination["total_pages"])
        expect.check(announced in (None, counts), "LIST-03", f"{what}: total_count, total_pages",
                     f"the same on every page: {announced}", str(counts), response)
        announced = counts
        expect.equal(pagination["current_page"], number, "LIST-03", f"{what}: current_page", response)
        expect.equal(pagination["prev_page"], number - 1 or None, "LIST-03", f"{what}: prev_page", response)
        expect.equal(len(body["data"]), 1, "LIST-03", f"{what}: items on a page within the list", response)
        seen += readings.item_ids(body["data"], "LIST-03", what, response)
        number = pagination["next_page"]
        expect.check(number in (None, len(seen) + 1) and len(seen) <= (counts[0] or 0), "LIST-03",
                     f"{what}: next_page", f"{len(seen) + 1}, or null on the last of {counts[0]} pages",
                     str(number), response)
    expect.equal(len(seen), len(set(seen)), "LIST-03", f"{description}: items seen once in the walk", response)
    expect.equal(announced, (len(seen), len(seen)), "LIST-03",
                 f"{description}: total_count and total_pages against the {len(seen)} items walked", response)
    once(seen, mine, "LIST-03", f"the walk of {description}", response)


def walk_by_links(owner, path: str, description: str, observe) -> None:
    """LIST-06: from page 1 (one item per page), links.self, links.last and links.next lead to the pages
    ``meta.pagination`` announces."""
    response = owner.get(path, params={"page[number]": 1, "page[size]": 1})
    first = list_page(response, "LIST-06", f"the first page of {description}, one item per page")
    links, total_pages = first.get("links") or {}, first["meta"]["pagination"]["total_pages"] or 0
    if not links:
        observe("LIST-06", f"{description} carries no links")
        return
    if links.get("self"):
        response, page = follow(owner, links["self"], f"links.self of page 1 of {description}")
        expect.equal(readings.item_ids(page["data"], "LIST-06", "the page links.self leads to", response),
                     readings.item_ids(first["data"], "LIST-06", f"the first page of {description}"), "LIST-06",
                     "links.self of page 1 leads to the same items", response)
        expect.equal(page["meta"]["pagination"]["current_page"], 1, "LIST-06", "links.self of page 1 leads to page 1",
                     response)
    if links.get("last"):
        response, page = follow(owner, links["last"], f"links.last of {description}")
        expect.equal(page["meta"]["pagination"]["current_page"], total_pages, "LIST-06",
                     "links.last leads to the last page announced (total_pages)", response)
    page, visited = first, 1
    while page["meta"]["pagination"]["next_page"] is not None and visited <= total_pages:
        announced = page["meta"]["pagination"]["next_page"]
        link = (page.get("links") or {}).get("next")
        expect.check(bool(link), "LIST-06", f"page {visited} of {description}", f"links.next to page {announced}",
                     "no links.next", response)
        response, page = follow(owner, link, f"links.next of page {visited} of {description}")
        visited += 1
        expect.equal(page["meta"]["pagination"]["current_page"], announced, "LIST-06",
                     f"links.next of page {visited - 1} leads to next_page", response)
    expect.equal(visited, total_pages, "LIST-06", f"pages of {description} visited through links.next", response)
    expect.equal((page.get("links") or {}).get("next"), None, "LIST-06", "links.next of the last page", response)


def follow(client, link: str, what: str):
    """GET a list link: the answer and its (well-formed) page."""
    expect.check(isinstance(link, str) and bool(link), "LIST-06", what, "a link to follow", repr(link))
    response = client.get(link)
    return response, list_page(response, "LIST-06", f"the page {what} leads to")


# Out-of-range paging: description, query ({past} is the first page after the end). A 4xx error document
# or a clamped, consistent page is right; which one the target chose is reported.
ODD_PAGES = [
    ("page size 0", {"page[size]": "0"}),
    ("page size 101", {"page[size]": "101"}),
    ("page size -1", {"page[size]": "-1"}),
    ("page size abc", {"page[size]": "abc"}),
    ("page number 0", {"page[number]": "0"}),
    ("page number -1", {"page[number]": "-1"}),
    ("page number abc", {"page[number]": "abc"}),
    ("page number just past the end", {"page[number]": "{past}", "page[size]": "1"}),
    ("page number far past the end", {"page[number]": "100000"}),
]


@pytest.mark.requirement("LIST-04")
@pytest.mark.parametrize("description, query", ODD_PAGES, ids=[case[0] for case in ODD_PAGES])
def test_out_of_range_paging_is_refused_or_clamped(description, query, owner, grant, package_id, observe):
    path = api.package_authorizations_path(package_id)
    if "{past}" in query.values():
        items, refused = api.list_items(owner, path)
        if refused is not None:
            expect.unmet("the owner's list of the package's authorizations, to find where it ends", refused)
        query = api.substitute(query, past=str(len(items) + 1))
    response = owner.get(path, params=query)
    what = f"a list with {description}"
    expect.check(response.status_code < 500, "LIST-04", what, "a 4xx or a page, never a 5xx",
                 answers.describe(response), response)
    if 400 <= response.status_code < 500:
        expect.client_error(response, "LIST-04", what)
        observe("LIST-04", f"{description} → HTTP {response.status_code} (refused)")
        return
    body = list_page(response, "LIST-04", what)
    pagination, items = body["meta"]["pagination"], body["data"]
    current, pages, count = pagination["current_page"], pagination["total_pages"], pagination["total_count"]
    observe("LIST-04", f"{description} → 200, page {current} of {pages} with {len(items)} items")
    limit = 100 if count is None else min(100, count)
    expect.check(len(items) <= limit, "LIST-04", f"{what}: items on the page",
                 f"at most 100 and at most total_count ({count})", str(len(items)), response)
    if current is None or pages is None:
        return  # nothing more to hold the page to; SHAPE-05 allows null counters
    expect.check(current >= 1, "LIST-04", f"{what}: current_page", "a page number ≥ 1", str(current), response)
    if current > pages:
        expect.equal(items, [], "LIST-04", f"{what}: a page past the end is empty", response)
    expect.equal(pagination["next_page"], current + 1 if current < pages else None, "LIST-04", f"{what}: next_page",
                 response)
    expect.check(pagination["prev_page"] is None or 1 <= pagination["prev_page"] < current, "LIST-04",
                 f"{what}: prev_page", f"null or a page before {current}", str(pagination["prev_page"]), response)


# Lists a state filter applies to: description, identity, path template.
FILTERED_LISTS = [
    ("the package's list", "owner", "/extension_packages/{ep}/extension_package_usage_authorizations"),
    ("the owner org's list", "owner", "/extension_package_usage_authorizations"),
    ("the authorized org's list", "authorized", "/extension_package_usage_authorizations"),
]


@pytest.mark.requirement("LIST-05")
@pytest.mark.parametrize("description, identity, template", FILTERED_LISTS, ids=[c[0] for c in FILTERED_LISTS])
def test_filter_by_state_returns_only_that_state(description, identity, template, as_identity, grants, clients,
                                                 package_id):
    approved = grants.create("authorized")["id"]
    grants.decide(approved, "approved")
    pending = grants.create("outsider")["id"] if "outsider" in clients else None
    what = f"{description} with filter[state]=EQ approved"
    items = every_page(as_identity(identity), template.format(ep=package_id), "LIST-05", what,
                       **{"filter[state]": "EQ approved"})
    ids = readings.item_ids(items, "LIST-05", what)
    states = sorted({str(expect.member(item, "attributes.state", "LIST-05", f"{what}: item {item['id']}"))
                     for item in items})
    expect.check(states in ([], ["approved"]), "LIST-05", what, "only approved authorizations", f"states {states}")
    expect.check(approved in ids, "LIST-05", what, f"the approved {approved}", "it is missing")
    if pending is not None:  # without an outsider identity there is no pending grant to leave out: not judged
        expect.check(pending not in ids, "LIST-05", what, f"without the pending {pending}", "it is listed")

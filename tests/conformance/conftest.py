"""Fixtures of the conformance suite: one API client per org identity, the fixture IDs, and grants
that clean up after themselves.

The suite knows its target only by URL and credentials (the run's profile); it never imports the
reference server. A test whose identity or fixture is not configured is reported as not run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from reactor_conformance.checks import answers, api, expect, readings
from reactor_conformance.client.api_client import ApiClient
from reactor_conformance.client.identities import clients_for
from reactor_conformance.client.ledger import Ledger
from reactor_conformance.client.recorded import record
from reactor_conformance.client.transport import RateLimiter
from reactor_conformance.suite.order import ordered

GRANT_LOCK_HANG_GUARD_S = 3600  # a hang guard: another test holding a package this long is stuck, not slow
LEASE_POLL_S = 0.05


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = ordered(items, getattr(config, "workerinput", {}).get("workercount", 0))


@pytest.fixture(scope="session")
def fuzzing():
    """What fuzzing works out once and keeps for the run (the spec aimed at the target, the cases drawn): a
    ``FuzzingState``, imported with schemathesis by the first test that fuzzes, not at collection (D99)."""
    from reactor_conformance.fuzzing.state import FuzzingState

    return FuzzingState()


@pytest.fixture(scope="session")
def run(pytestconfig):
    context = pytestconfig.reactor
    if context is None:
        pytest.exit("the conformance suite needs the reactor_conformance plugin's target", returncode=2)
    return context


@pytest.fixture(scope="session")
def ledger(run) -> Ledger:
    return Ledger(run.run_dir / "ledger.jsonl", durable=not run.embedded)


@pytest.fixture(scope="session")
def clients(run) -> dict[str, ApiClient]:
    return clients_for(run.profile, limiter=RateLimiter(run.max_rps, run.run_dir / "pace") if run.max_rps else None,
                       timeout=run.options["request_timeout"])


@pytest.fixture(scope="session")
def as_identity(clients):
    """``as_identity("outsider")``: the client of that identity, or the test is reported as not run."""

    def client(name: str) -> ApiClient:
        if name not in clients:
            pytest.skip(f"not run: no {name} identity configured (add [identities.{name}] to the profile)")
        return clients[name]

    return client


@pytest.fixture(scope="session")
def owner(as_identity) -> ApiClient:
    return as_identity("owner")


@pytest.fixture(scope="session")
def authorized(as_identity) -> ApiClient:
    return as_identity("authorized")


@pytest.fixture(scope="session")
def outsider(as_identity) -> ApiClient:
    return as_identity("outsider")


@pytest.fixture(scope="session")
def fixture_id(run):
    """``fixture_id("property_id")``: an ID from the profile's [fixtures], or the test is reported as not run."""

    def lookup(key: str) -> str:
        value = run.profile.fixtures.get(key)
        if not value:
            pytest.skip(f"not run: no fixtures.{key} configured (add {key} under [fixtures] in the profile)")
        return value

    return lookup


@pytest.fixture(scope="session")
def packages(run) -> tuple[str, ...]:
    """The owner's private packages a test may grant: ``extension_package_id`` and ``extension_package_ids``."""
    fixtures = run.profile.fixtures
    return tuple(dict.fromkeys([fixtures["extension_package_id"], *fixtures.get("extension_package_ids", ())]))


@pytest.fixture
def package_id(request, run, fixture_id) -> str:
    """The private package a test works on: the one its grants hold (leased from the pool) when it may write,
    else the profile's."""
    if "grants" in request.fixturenames and run.writes_allowed:
        return request.getfixturevalue("grants").package
    return fixture_id("extension_package_id")


@pytest.fixture(scope="session")
def org_of(as_identity):
    """``org_of("authorized")``: the org ID of an identity (not run when it is not configured)."""
    return lambda name: as_identity(name).identity.org_id


class Grants:
    """Creates authorizations (and what hangs off them) for one test and deletes them afterwards.

    The target allows one authorization per package and org, so a test holds its package alone: it leases
    one of the profile's packages (``packages``), the first free one, with a file lock shared by xdist
    workers and runs on the same machine. With several packages, parallel workers grant at once; with
    one, they take turns. Every created resource is written to the run's ledger before the test goes
    on, so an interrupted run can be cleaned up later.
    """

    def __init__(self, run, clients, ledger, org_of, pool: tuple[str, ...]):
        self._run, self._clients, self._ledger, self._org_of = run, clients, ledger, org_of
        self._pool = pool
        self._leased: str | None = None
        self._locks: dict[str, FileLock] = {}
        self._named: set[str] = set()  # the packages it works on (``hold``), not those held only to keep a list still
        self._created: list[tuple[str, str, str]] = []  # (identity, delete path, id)
        self._revoked: set[str] = set()  # what this test revoked (a list that still shows one is REVOKE-02's)

    @property
    def package(self) -> str:
        """This test's package, leased from the pool on first use (writes must be allowed)."""
        if self._leased is None:
            self._require_writes()
            self._leased = self._lease()
        return self._leased

    def _lease(self) -> str:
        """The first free package of the pool, tried through the turnstile: while a ``hold_all`` waits there, no
        new lease starts, so the test that needs every package gets them as soon as the running tests end."""
        started = time.monotonic()
        start = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % len(self._pool)
        order = self._pool[start:] + self._pool[:start]  # workers start at different packages
        turnstile = self._file_lock("turnstile")
        while time.monotonic() - started < GRANT_LOCK_HANG_GUARD_S:
            try:
                turnstile.acquire(timeout=LEASE_POLL_S)
            except Timeout:
                continue
            try:
                for package in order:
                    lock = self._file_lock(package)
                    try:
                        lock.acquire(blocking=False)  # a package another test holds is skipped, not waited for
                    except Timeout:
                        continue
                    self._locks[package] = lock
                    return package
            finally:
                turnstile.release()
            time.sleep(LEASE_POLL_S)
        pytest.fail(f"hung: every package of the pool stayed held by other tests for {GRANT_LOCK_HANG_GUARD_S} s")

    def hold_before_the_pool(self, package: str) -> None:
        """Hold ``package``, a package outside the pool, before any package of the pool: let go of the lease and hold
        ``package``; the next use of ``package`` leases again (this test's package may change). Called before the test
        grants anything. Every test that takes more than one lock takes them in this order: the second package, the
        lease, then the turnstile and the rest of the pool (``hold_all``), so that no two tests wait on each other.
        The sequences test may hold the second package for long, and waiting for it stops no lease."""
        self._let_go(list(self._locks))
        self._leased = None
        self.hold(package)

    def hold_all(self) -> None:
        """Hold every package of the owner org the run grants (the pool and ``other_extension_package_id``), so
        that a list spanning them stays still while this test walks it. Called once the test has made its grants,
        right before the walk, so that only the walk keeps other tests waiting; the second package, if the test
        grants it, is held already (``hold_before_the_pool``). The turnstile first (no new lease from now on: the
        running ones end), then the rest of the pool."""
        self.hold()
        turnstile = self._file_lock("turnstile")
        turnstile.acquire(timeout=GRANT_LOCK_HANG_GUARD_S)
        try:
            for package in self._pool:
                self._lock(package)
        finally:
            turnstile.release()

    def _let_go(self, packages) -> None:
        for package in packages:
            self._locks.pop(package).release()

    def _file_lock(self, package: str) -> FileLock:
        folder = self._run.lock_folder
        folder.mkdir(parents=True, exist_ok=True)
        return FileLock(folder / f"{hashlib.sha1(package.encode()).hexdigest()[:16]}.lock")  # IDs named in a profile

    def _lock(self, package: str) -> None:
        if package in self._locks:
            return
        lock = self._file_lock(package)
        try:
            lock.acquire(timeout=GRANT_LOCK_HANG_GUARD_S)
        except Timeout:
            pytest.fail(f"hung: another test held the grants of {package} for {GRANT_LOCK_HANG_GUARD_S} s")
        self._locks[package] = lock

    def _require_writes(self) -> None:
        if not self._run.writes_allowed:
            pytest.skip(self._run.writes_refusal())

    def hold(self, package: str | None = None) -> str:
        """Hold ``package`` (default: this test's own) for this test (writes must be allowed); returns its ID."""
        if package is None:
            package = self.package
        else:
            self._require_writes()
            self._lock(package)
        self._named.add(package)
        return package

    def find(self, org_id: str, package: str | None = None) -> list[dict]:
        """The package's authorizations to ``org_id``, as the owner lists them. The list is a step of the flow,
        judged as LIST-01: a refused list is no empty one, so no check goes on as if nothing were there."""
        path = api.package_authorizations_path(package or self.package)
        items, refused = api.list_items(self._clients["owner"], path)
        if refused is not None:
            expect.fail("LIST-01", "the owner lists the package's authorizations (a step of the suite's flow)",
                        "HTTP 200 and a list document on every page", answers.describe(refused), refused)
        return [item for item in items if isinstance(item.get("id"), str)
                and isinstance(item.get("attributes"), dict) and item["attributes"].get("authorized_org_id") == org_id]

    def keep(self, answer, org_id: str, package: str | None = None) -> None:
        """The authorization a test's own grant request created, if it answered one, is the test's to delete: by
        its ID, so that a list that leaves it out cannot leave it behind."""
        created = _created(answer)
        if created is not None:
            self.track("owner", api.authorization_path(created["id"]), created["id"], kind="authorization",
                       package=package or self.package, org=org_id)

    @contextlib.contextmanager
    def keeping_what_is_granted(self, package: str):
        """Whatever grants of ``package`` the block makes (generated requests: answered with a 201 or not) become this
        test's to delete; one whose ID no path can use is left to the lists' requirements."""
        path = api.package_authorizations_path(package)
        before = set(api.list_ids(self._clients["owner"], path) or ())
        yield
        for authorization_id in set(api.list_ids(self._clients["owner"], path) or ()) - before:
            if readings.usable_id(authorization_id):
                self.track("owner", api.authorization_path(authorization_id), authorization_id, kind="authorization")

    def adopt(self, org_id: str, package: str | None = None, *, answer=None) -> list[dict]:
        """Whatever authorizations to ``org_id`` exist now become this test's to delete; returns them. ``answer``:
        the test's own grant request (``keep``)."""
        if answer is not None:
            self.keep(answer, org_id, package)
        found = self.find(org_id, package)
        kept = []
        for item in found:
            if item["id"] in self._revoked:  # revoked by this test (204), listed all the same: no new grant
                expect.finding("REVOKE-02", "no list contains a revoked authorization",
                               f"the package's list without {item['id']}", "it is still listed")
                continue
            self.track("owner", api.authorization_path(item["id"]), item["id"], kind="authorization")
            kept.append(item)
        return kept

    def clear(self, to: str = "authorized", package: str | None = None) -> None:
        """Delete every authorization of ``package`` to ``to``'s org: the run's own by ID (its ledger), and any
        other the package's list shows (left by an earlier run). A refused list is a LIST-01 finding here, not a
        stop: what the test does next needs no list."""
        package = self.hold(package)
        with expect.Later() as listing:
            self._remove_earlier(package, self._org_of(to), listed=True)
        expect.postpone(listing.failed)

    def create(self, to: str = "authorized", package: str | None = None) -> dict:
        """Grant ``package`` to ``to``'s org as the owner; returns the created resource (``data``).

        A step of the flow, judged: the run's own earlier grant of the package to that org is removed by ID first
        (a clean-up that failed must not block every later grant); a refusal is met once by removing whatever the
        list shows too, and a grant still refused fails CREATE-01 with the exchange."""
        package = package or self.package
        if to == "outsider":
            self.first_sight(package)  # what the outsider org saw before the run first authorized it
        self.hold(package)
        org = self._org_of(to)
        self._remove_earlier(package, org)
        response = self._grant(to, package)
        resource = _created(response)
        if resource is None and 400 <= response.status_code < 500:  # a duplicate left somewhere?
            revoked = self._remove_earlier(package, org, listed=True)
            response = self._grant(to, package)
            resource = _created(response)
            if resource is None:
                self._still_there(revoked)
        what = f"the owner grants {package} to the {to} org (a step of the suite's flow)"
        if resource is None and response.status_code == 201:  # created, with an ID no path can use: look it up
            expect.finding("CREATE-01", what, "HTTP 201 and the created authorization, with an id",
                           answers.describe(response), response)
            listed = self.find(org, package)
            resource = listed[0] if len(listed) == 1 else None
        if resource is None:
            expect.fail("CREATE-01", what, "HTTP 201 and the created authorization, with an id",
                        answers.describe(response) + _REFUSED_GRANT.get(response.status_code, ""), response)
        self.track("owner", api.authorization_path(resource["id"]), resource["id"], kind="authorization",
                   package=package, org=org)
        return resource

    def _remove_earlier(self, package: str, org: str, *, listed: bool = False) -> list[str]:
        """Revoke the run's own outstanding grants of ``package`` to ``org``, by the IDs its ledger holds; with
        ``listed``, also whatever the package's list shows, and a grant of the run the list left out is a LIST-01
        finding. A grant that cannot be revoked stops the test, naming the REVOKE-01 failure. Returns the IDs
        revoked."""
        mine = [entry.id for entry in self._ledger.outstanding() if entry.kind == "authorization"
                and dict(entry.about) == {"package": package, "org": org}]
        shown = [item["id"] for item in self.find(org, package)] if listed else []
        for authorization_id in mine:
            if listed and authorization_id not in shown:
                self._missing_from_list(authorization_id, package)
        revoked = list(dict.fromkeys([*mine, *shown]))
        for authorization_id in revoked:
            self._revoke(authorization_id)
        return revoked

    def _still_there(self, revoked: list[str]) -> None:
        """A grant still refused after its duplicates were revoked: a revoked one that still reads back is why
        (REVOKE-02: gone after DELETE), and the test stops naming that failure."""
        for authorization_id in revoked:
            read = self._clients["owner"].get(api.authorization_path(authorization_id))
            if read.status_code == 200:
                what = f"the revoked authorization {authorization_id} still reads back, and blocks a new grant"
                expect.finding("REVOKE-02", "after DELETE the authorization is gone", "GET answers 404", what, read)
                expect.unmet(what, failed="REVOKE-02")

    def _missing_from_list(self, authorization_id: str, package: str) -> None:
        read = self._clients["owner"].get(api.authorization_path(authorization_id))
        if read.status_code == 200:
            expect.finding("LIST-01", f"the package's list holds every authorization of {package}",
                           f"{authorization_id}, which the owner reads back (HTTP 200)", "it is not in the list", read)

    def _revoke(self, authorization_id: str) -> None:
        """DELETE one of the run's grants, judged as REVOKE-01 (204, or 404 once gone). Refused, it is moved to
        another decided state (which the authorized org may set, D4) and deleted again, so that one state the
        target cannot revoke blocks no later grant; still refused, the test stops naming the failure."""
        owner = self._clients["owner"]
        path = api.authorization_path(authorization_id)
        response = owner.delete(path)
        if response.status_code in (204, 404):
            self.forget(authorization_id)
            self._revoked.add(authorization_id)
            return
        state = _state_of(owner.get(path))
        what = f"DELETE of {'an' if state[0] in 'aeiou' else 'a'} {state} authorization answered {response.status_code}"
        expect.finding("REVOKE-01", f"the owner revokes its {state} authorization {authorization_id} (the suite's "
                       "clean-up)", "HTTP 204 (or 404 once gone)", answers.describe(response), response)
        authorized = self._clients.get("authorized")
        for other in DECISIONS:
            if other != state and authorized is not None:
                authorized.patch(path, json=api.decision_document(authorization_id, other))
                if owner.delete(path).status_code in (204, 404):
                    self.forget(authorization_id)
                    return
        expect.unmet(what, failed="REVOKE-01")

    def _grant(self, to: str, package: str):
        return self._clients["owner"].post(api.package_authorizations_path(package),
                                           json=api.grant_document(self._org_of(to)))

    def first_sight(self, package: str | None = None) -> dict | None:
        """What the outsider org saw of ``package`` before this run first granted it to that org (EFFECT-06):
        the read, its catalog and an install. Taken once per run and package by whichever process needs it
        first — the EFFECT-06 test, or any test about to grant the package to the outsider — so that the
        check sees an org never authorized in this run, whatever order the tests run in. None without an
        outsider identity."""
        package = package or self.package
        if "outsider" not in self._clients:
            return None
        folder = Path(self._run.run_dir) / "first-sight"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{package}.json"
        with FileLock(f"{path}.lock"):
            if not path.is_file():
                path.write_text(json.dumps(self._look_as_outsider(package)), "utf-8")
            return json.loads(path.read_text("utf-8"))

    def _look_as_outsider(self, package: str) -> dict:
        outsider = self._clients["outsider"]
        read = outsider.get(api.package_path(package))
        items, refused = api.list_items(outsider, api.PACKAGES)
        sight = {"read": record(read), "catalog_ids": [item.get("id") for item in items],
                 "catalog_refused": record(refused) if refused is not None else None, "install": None}
        property_id = self._run.profile.fixtures.get("outsider_property_id")
        if property_id and self._run.writes_allowed:
            response = outsider.post(api.property_extensions_path(property_id), json=api.install_document(package))
            extension = _created(response)
            if extension is not None:  # wrongly installed: the run deletes it all the same
                self.track("outsider", api.extension_path(extension["id"]), extension["id"], kind="extension")
            sight["install"] = record(response)
        return sight

    def decide(self, authorization_id: str, state: str) -> dict:
        """The authorized org approves or rejects: a step of the flow, judged as STATE-01 or STATE-02. An answer
        without the authorization is a finding; the test goes on when a read-back shows the decision taken."""
        authorized = self._clients["authorized"]
        path = api.authorization_path(authorization_id)
        response = authorized.patch(path, json=api.decision_document(authorization_id, state))
        resource = _created(response, 200)
        if resource is None:
            requirement = DECISIONS.get(state, "STATE-01")
            what = f"the authorized org sets {state} on {authorization_id} (a step of the suite's flow)"
            expect.finding(requirement, what, "HTTP 200 and the authorization", answers.describe(response), response)
            read = authorized.get(path)
            resource = _created(read, 200)
            if resource is None or readings.dig(resource, "attributes", "state") != state:
                expect.unmet(f"the authorized org's decision ({state}) did not take", read, failed=requirement)
        return resource

    def track(self, identity: str, delete_path: str, resource_id: str, *, kind: str, **about: str) -> None:
        if any(entry[2] == resource_id for entry in self._created):
            return
        self._ledger.record(kind, resource_id, identity, delete_path, **about)
        self._created.append((identity, delete_path, resource_id))

    def forget(self, resource_id: str) -> None:
        """The test deleted it itself."""
        self._created = [entry for entry in self._created if entry[2] != resource_id]
        self._ledger.forget(resource_id)

    def close(self) -> None:
        """Delete what the test created, newest first. An authorization's DELETE is judged (REVOKE-01): a failure
        is a finding, which fails the test once its teardown is over. The packages held only to keep a list still
        are let go of first: nothing of this test's is on them, and other tests may grant them meanwhile."""
        self._let_go(set(self._locks) - self._named)
        try:
            for identity, path, resource_id in reversed(self._created):
                if identity == "owner" and path == api.authorization_path(resource_id):
                    with contextlib.suppress(expect.Unmet):
                        self._revoke(resource_id)
                elif self._clients[identity].delete(path).status_code in (200, 202, 204, 404):
                    self._ledger.forget(resource_id)
        finally:
            self._let_go(list(self._locks))


# A grant refused with these statuses may be the profile's doing as much as the target's.
_REFUSED_GRANT = {
    401: " (the owner's token was refused: check the profile's owner credentials)",
    403: " (is the owner identity a user of the package's org with develop_extensions? check the profile)",
}
DECISIONS = {"approved": "STATE-01", "rejected": "STATE-02"}


def _state_of(response) -> str:
    """The state an authorization's read-back names, or "unreadable"."""
    state = readings.dig(answers.body_of(response), "data", "attributes", "state")
    return state if isinstance(state, str) and state else "unreadable"


def _created(response, status: int = 201) -> dict | None:
    """The resource a step of the flow answered with, or None when it did not answer ``status`` and a resource
    whose ``id`` can name it in a path (an empty ID is a finding, never a path)."""
    data = readings.dig(answers.body_of(response), "data") if response.status_code == status else None
    return data if isinstance(data, dict) and readings.usable_id(data.get("id")) else None


@pytest.fixture
def grants(run, clients, ledger, org_of, packages):
    if "owner" not in clients:
        pytest.skip("not run: no owner identity configured")
    factory = Grants(run, clients, ledger, org_of, packages)
    yield factory
    factory.close()


@pytest.fixture
def grant(grants) -> dict:
    """A fresh pending authorization of the fixture package to the authorized org."""
    return grants.create("authorized")

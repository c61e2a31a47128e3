"""The reference server's state in SQLite: orgs, users, credentials, packages, authorizations, extensions.

One connection, one lock: every public method takes the lock for its whole body, so each state change
(a PATCH's read-modify-write included) is atomic even when threads share the store. Rows are denormalised
where a value never changes after writing (org names, the acting user's email), so that reading one
authorization is a single primary-key lookup.
"""

from __future__ import annotations

import hmac
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), email TEXT NOT NULL,
    display_name TEXT NOT NULL, develop_extensions INTEGER NOT NULL, manage_properties INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, user_id TEXT NOT NULL REFERENCES users(id));
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), expires_at REAL);
CREATE TABLE IF NOT EXISTS packages (
    id TEXT PRIMARY KEY, owner_org_id TEXT NOT NULL, name TEXT NOT NULL, display_name TEXT NOT NULL,
    platform TEXT NOT NULL, version TEXT NOT NULL, availability TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    UNIQUE (owner_org_id, name, platform, version));
CREATE TABLE IF NOT EXISTS authorizations (
    id TEXT PRIMARY KEY, package_id TEXT NOT NULL REFERENCES packages(id),
    owner_org_id TEXT NOT NULL, owner_org_name TEXT NOT NULL, name TEXT NOT NULL, platform TEXT NOT NULL,
    authorized_org_id TEXT NOT NULL, authorized_org_name TEXT NOT NULL, state TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    created_by_org_id TEXT NOT NULL, created_by_email TEXT NOT NULL, created_by_display_name TEXT NOT NULL,
    updated_by_org_id TEXT NOT NULL, updated_by_email TEXT NOT NULL, updated_by_display_name TEXT NOT NULL,
    UNIQUE (owner_org_id, name, platform, authorized_org_id));
CREATE INDEX IF NOT EXISTS authorizations_by_authorized_org ON authorizations (authorized_org_id, created_at);
CREATE INDEX IF NOT EXISTS authorizations_by_family ON authorizations (owner_org_id, name, platform, created_at, id);
CREATE TABLE IF NOT EXISTS properties (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS extensions (
    id TEXT PRIMARY KEY, property_id TEXT NOT NULL REFERENCES properties(id), org_id TEXT NOT NULL,
    package_id TEXT NOT NULL, name TEXT NOT NULL, display_name TEXT NOT NULL, version TEXT NOT NULL,
    delegate_descriptor_id TEXT NOT NULL, settings TEXT NOT NULL, enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
"""

# Columns a list may be filtered on, per table: the only strings that ever reach SQL text.
AUTHORIZATION_FILTERS = frozenset({"state", "authorized_org_id", "owner_org_id", "name", "platform"})
PACKAGE_FILTERS = frozenset({"name", "platform", "availability", "owner_org_id", "version"})

GRANTED_FAMILY = """EXISTS (SELECT 1 FROM authorizations a WHERE a.owner_org_id = packages.owner_org_id
    AND a.name = packages.name AND a.platform = packages.platform AND a.authorized_org_id = ?
    AND a.state IN ({states}))"""


def family_of(package: sqlite3.Row) -> tuple[str, str, str]:
    """A package's family: its versions share owner org, name and platform, and one authorization covers them all."""
    return package["owner_org_id"], package["name"], package["platform"]


class Conflict(Exception):
    """The write would duplicate a unique thing (an authorization of a family to an org, a package version)."""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    org_id: str
    email: str
    display_name: str
    develop_extensions: bool
    manage_properties: bool


@dataclass(frozen=True, slots=True)
class Filter:
    """``column IN values`` (or ``NOT IN`` when ``negate``)."""
    column: str
    values: tuple[str, ...]
    negate: bool = False


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


class Store:
    def __init__(self, path: str | None = None, clock: Callable[[], float] = time.time):
        self._clock = clock  # seconds since the epoch: timestamps, and when a token expires
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._last_ms = 0
        self._counts: dict[tuple, int] = {}
        self._counted_at = -1
        self.newest_first = False  # the `newest-first` variant: lists in the opposite order
        self._users = {row["id"]: _user(row) for row in self._db.execute("SELECT * FROM users")}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _now_ms(self) -> int:
        """Wall-clock milliseconds, never going backwards within this store."""
        self._last_ms = max(self._last_ms, int(self._clock() * 1000))
        return self._last_ms

    def _one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        return self._db.execute(sql, params).fetchone()

    def _page(self, table: str, where: list[str], params: list, offset: int, limit: int):
        """Rows of ``table`` matching every clause, ordered by creation then ID (newest first under the
        `newest-first` variant); and the total count."""
        clause = " AND ".join(where) or "1"
        with self._lock:
            total = self._count(f"SELECT COUNT(*) FROM {table} WHERE {clause}", tuple(params))
            if offset >= total:
                return [], total
            order = "created_at DESC, id DESC" if self.newest_first else "created_at, id"
            rows = self._db.execute(f"SELECT * FROM {table} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                                    (*params, limit, offset)).fetchall()
            return rows, total

    def _count(self, sql: str, params: tuple) -> int:
        """A COUNT, remembered until the next change of the database: lists are read far more than written,
        and counting a large family on every page is what would make deep lists slow."""
        changes = self._db.total_changes
        if self._counted_at != changes:
            self._counts.clear()
            self._counted_at = changes
        key = (sql, params)
        if key not in self._counts:
            self._counts[key] = self._one(sql, params)[0]
        return self._counts[key]

    # -- seed bookkeeping ---------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
            return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- orgs and users -----------------------------------------------------------------------
    def add_org(self, org_id: str, name: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO orgs (id, name) VALUES (?, ?)", (org_id, name))

    def org_name(self, org_id: str) -> str | None:
        with self._lock:
            row = self._one("SELECT name FROM orgs WHERE id = ?", (org_id,))
            return row[0] if row else None

    def add_user(self, user: User) -> None:
        with self._lock:
            self._db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                             (user.id, user.org_id, user.email, user.display_name,
                              int(user.develop_extensions), int(user.manage_properties)))
            self._users[user.id] = user

    # -- credentials --------------------------------------------------------------------------
    def replace_credentials(self, credentials: Iterable[tuple[str, str, str, str]]) -> None:
        """Forget every client and token; register ``(client_id, client_secret, user_id, static_token)``."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM tokens")
                self._db.execute("DELETE FROM clients")
                for client_id, secret, user_id, token in credentials:
                    self._db.execute("INSERT INTO clients VALUES (?, ?, ?)", (client_id, secret, user_id))
                    self._db.execute("INSERT INTO tokens VALUES (?, ?, NULL)", (token, user_id))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_token(self, token: str, user_id: str, lifetime_s: float) -> None:
        """A token for ``user_id`` that expires ``lifetime_s`` seconds from now, by the clock that judges it."""
        with self._lock:
            self._db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, user_id, self._clock() + lifetime_s))

    def user_for_token(self, token: str) -> User | None:
        """The token's user, or None when the token is unknown or has expired (an expired one is dropped)."""
        with self._lock:
            row = self._one("SELECT user_id, expires_at FROM tokens WHERE token = ?", (token,))
            if row is None:
                return None
            if row[1] is not None and row[1] <= self._clock():
                self._db.execute("DELETE FROM tokens WHERE token = ?", (token,))
                return None
            return self._users.get(row[0])

    def org_ids(self) -> list[str]:
        """Every org, in the order they were created."""
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM orgs ORDER BY rowid")]

    def any_user_of(self, org_id: str) -> User | None:
        """The org's user with the most rights (only faults act as somebody without their token)."""
        users = [u for u in self._users.values() if u.org_id == org_id]
        return max(users, key=lambda u: u.develop_extensions + u.manage_properties, default=None)

    def delete_extensions_of_family(self, authorization: sqlite3.Row) -> None:
        """Uninstall the family's extensions from the authorized org (only a fault does this)."""
        with self._lock:
            self._db.execute(
                "DELETE FROM extensions WHERE org_id = ? AND package_id IN (SELECT id FROM packages WHERE "
                "owner_org_id = ? AND name = ? AND platform = ?)",
                (authorization["authorized_org_id"], authorization["owner_org_id"], authorization["name"],
                 authorization["platform"]))

    def api_key_known(self, api_key: str) -> bool:
        with self._lock:
            return self._one("SELECT 1 FROM clients WHERE client_id = ?", (api_key,)) is not None

    def client_user(self, client_id: str, client_secret: str) -> User | None:
        with self._lock:
            row = self._one("SELECT client_secret, user_id FROM clients WHERE client_id = ?", (client_id,))
        if row is None or not hmac.compare_digest(row[0].encode(), client_secret.encode()):
            return None
        return self._users.get(row[1])

    # -- packages -----------------------------------------------------------------------------
    def add_package(self, owner_org_id: str, name: str, display_name: str, platform: str, version: str,
                    availability: str) -> sqlite3.Row:
        """A new version of the family (owner org, name, platform); Conflict if that version exists."""
        with self._lock:
            package_id, now = new_id("EP"), self._now_ms()
            try:
                self._db.execute("INSERT INTO packages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (package_id, owner_org_id, name, display_name, platform, version, availability,
                                  now, now))
            except sqlite3.IntegrityError:
                raise Conflict(f"version {version} of {name} ({platform}) exists already") from None
            return self.package(package_id)

    def package(self, package_id: str) -> sqlite3.Row | None:
        with self._lock:
            return self._one("SELECT * FROM packages WHERE id = ?", (package_id,))

    def replace_in_development(self, package_id: str, display_name: str, version: str) -> sqlite3.Row | None:
        """A re-upload: the version in development takes the new archive's display name and version in place.
        None when the package is no longer in development; Conflict if the family has that version already."""
        with self._lock:
            try:
                changed = self._db.execute(
                    "UPDATE packages SET display_name = ?, version = ?, updated_at = ? "
                    "WHERE id = ? AND availability = 'development'",
                    (display_name, version, self._now_ms(), package_id)).rowcount
            except sqlite3.IntegrityError:
                raise Conflict(f"version {version} of the package exists already") from None
            return self.package(package_id) if changed else None

    def release_private(self, package_id: str) -> sqlite3.Row | None:
        """A development version becomes private; a private one stays as it is."""
        with self._lock:
            self._db.execute("UPDATE packages SET availability = 'private', updated_at = ? "
                             "WHERE id = ? AND availability = 'development'", (self._now_ms(), package_id))
            return self.package(package_id)

    def family_granted(self, package: sqlite3.Row, org_id: str, states: tuple[str, ...] | None = None) -> bool:
        """Whether ``org_id`` holds an authorization for the package's family (in one of ``states``)."""
        sql = "SELECT state FROM authorizations WHERE owner_org_id = ? AND name = ? AND platform = ? " \
              "AND authorized_org_id = ?"
        with self._lock:
            row = self._one(sql, (*family_of(package), org_id))
        return row is not None and (states is None or row[0] in states)

    def catalog(self, org_id: str, filters: Iterable[Filter], offset: int, limit: int,
                granted_states: tuple[str, ...] = ("approved",)):
        """Public packages, the org's own, and private versions of families granted to the org in one of
        ``granted_states`` (approved; other states only for the faults that get this wrong)."""
        shared = GRANTED_FAMILY.format(states=", ".join("?" * len(granted_states))) if granted_states else "0"
        where = [f"(availability = 'public' OR owner_org_id = ? OR (availability = 'private' AND {shared}))"]
        params: list = [org_id, *((org_id, *granted_states) if granted_states else ())]
        _add_filters(where, params, filters, PACKAGE_FILTERS)
        return self._page("packages", where, params, offset, limit)

    def versions(self, package: sqlite3.Row, availabilities: tuple[str, ...] | None, offset: int, limit: int):
        """The versions of the package's family, limited to ``availabilities`` (None: all)."""
        where = ["owner_org_id = ?", "name = ?", "platform = ?"]
        params: list = [*family_of(package)]
        if availabilities is not None:
            _add_filters(where, params, [Filter("availability", availabilities)], PACKAGE_FILTERS)
        return self._page("packages", where, params, offset, limit)

    # -- authorizations -----------------------------------------------------------------------
    def create_authorization(self, package: sqlite3.Row, authorized_org_id: str, actor: User) -> sqlite3.Row:
        """A pending authorization of the package's family; Conflict if the org holds one already."""
        with self._lock:
            authorization_id, now = new_id("EA"), self._now_ms()
            owner_name, authorized_name = self.org_name(package["owner_org_id"]), self.org_name(authorized_org_id)
            by = (actor.org_id, actor.email, actor.display_name)
            try:
                self._db.execute(
                    "INSERT INTO authorizations VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending_approval', ?, ?, "
                    "?, ?, ?, ?, ?, ?)",
                    (authorization_id, package["id"], package["owner_org_id"], owner_name, package["name"],
                     package["platform"], authorized_org_id, authorized_name, now, now, *by, *by))
            except sqlite3.IntegrityError:
                raise Conflict("the org holds an authorization for this package already") from None
            return self.authorization(authorization_id)

    def authorization(self, authorization_id: str) -> sqlite3.Row | None:
        with self._lock:
            return self._one("SELECT * FROM authorizations WHERE id = ?", (authorization_id,))

    def authorizations(self, *, owner_org: str | None = None, authorized_org: str | None = None,
                       family: tuple[str, str, str] | None = None, filters: Iterable[Filter] = (),
                       offset: int = 0, limit: int = 25):
        """Authorizations owned by ``owner_org`` or granted to ``authorized_org`` (either matches), or of one
        package ``family`` (owner org, name, platform); then ``filters``."""
        where: list[str] = []
        params: list = []
        sides = [(column, org) for column, org in (("owner_org_id", owner_org), ("authorized_org_id", authorized_org))
                 if org is not None]
        if sides:
            where.append("(" + " OR ".join(f"{column} = ?" for column, _ in sides) + ")")
            params += [org for _, org in sides]
        if family is not None:
            where += ["owner_org_id = ?", "name = ?", "platform = ?"]
            params += list(family)
        _add_filters(where, params, filters, AUTHORIZATION_FILTERS)
        return self._page("authorizations", where, params, offset, limit)

    def decide(self, authorization_id: str, state: str, actor: User) -> sqlite3.Row | None:
        """Set the state as ``actor``; ``updated_at`` moves strictly forward. None if it is gone meanwhile."""
        with self._lock:
            row = self.authorization(authorization_id)
            if row is None:
                return None
            updated_at = max(self._now_ms(), row["updated_at"] + 1)
            self._db.execute(
                "UPDATE authorizations SET state = ?, updated_at = ?, updated_by_org_id = ?, updated_by_email = ?, "
                "updated_by_display_name = ? WHERE id = ?",
                (state, updated_at, actor.org_id, actor.email, actor.display_name, authorization_id))
            return self.authorization(authorization_id)

    def overwrite(self, authorization_id: str, attributes: dict) -> sqlite3.Row | None:
        """Write the read-only attributes a PATCH names (only the ``read-only-written`` fault does this)."""
        columns = [name for name in ("name", "authorized_org_id", "owner_org_id") if isinstance(attributes.get(name), str)]
        with self._lock:
            for column in columns:
                try:
                    self._db.execute(f"UPDATE authorizations SET {column} = ? WHERE id = ?",
                                     (attributes[column], authorization_id))
                except sqlite3.IntegrityError:
                    pass
            return self.authorization(authorization_id)

    def delete_authorization(self, authorization_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM authorizations WHERE id = ?", (authorization_id,)).rowcount > 0

    # -- properties and extensions ------------------------------------------------------------
    def add_property(self, org_id: str, name: str) -> str:
        with self._lock:
            property_id = new_id("PR")
            self._db.execute("INSERT INTO properties VALUES (?, ?, ?)", (property_id, org_id, name))
            return property_id

    def property(self, property_id: str) -> sqlite3.Row | None:
        with self._lock:
            return self._one("SELECT * FROM properties WHERE id = ?", (property_id,))

    def add_extension(self, prop: sqlite3.Row, package: sqlite3.Row, delegate_descriptor_id: str,
                      settings: str) -> sqlite3.Row:
        """An installed copy: the package's name and version are recorded, so later changes don't reach it."""
        with self._lock:
            extension_id, now = new_id("EX"), self._now_ms()
            self._db.execute("INSERT INTO extensions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                             (extension_id, prop["id"], prop["org_id"], package["id"], package["name"],
                              package["display_name"], package["version"], delegate_descriptor_id, settings,
                              now, now))
            return self.extension(extension_id)

    def extension(self, extension_id: str) -> sqlite3.Row | None:
        with self._lock:
            return self._one("SELECT * FROM extensions WHERE id = ?", (extension_id,))

    def delete_extension(self, extension_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM extensions WHERE id = ?", (extension_id,)).rowcount > 0


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["org_id"], row["email"], row["display_name"],
                bool(row["develop_extensions"]), bool(row["manage_properties"]))


def _add_filters(where: list[str], params: list, filters: Iterable[Filter], allowed: frozenset[str]) -> None:
    for item in filters:
        if item.column not in allowed:
            raise ValueError(f"cannot filter on {item.column!r}")
        marks = ", ".join("?" * len(item.values))
        where.append(f"{item.column} {'NOT IN' if item.negate else 'IN'} ({marks})")
        params.extend(item.values)

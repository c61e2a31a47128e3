"""Who may see and do what: the rights rules of packages and authorizations, in one place."""

from __future__ import annotations

import sqlite3

from .store import Store, User


def can_read_package(store: Store, user: User, package: sqlite3.Row) -> bool:
    """Public; the caller org's own; or a private version of a family granted to the org (any state)."""
    if package["availability"] == "public" or package["owner_org_id"] == user.org_id:
        return True
    return package["availability"] == "private" and store.family_granted(package, user.org_id)


def can_install_package(store: Store, user: User, package: sqlite3.Row) -> bool:
    """Public; the caller org's own; or a private version of a family granted to the org and approved."""
    if package["availability"] == "public" or package["owner_org_id"] == user.org_id:
        return True
    return package["availability"] == "private" and store.family_granted(package, user.org_id, ("approved",))


def develops(user: User, package: sqlite3.Row) -> bool:
    """The caller may manage the package's authorizations and versions."""
    return user.develop_extensions and package["owner_org_id"] == user.org_id


def party_to(user: User, authorization: sqlite3.Row) -> bool:
    """The caller's org is the owner or the authorized org: it may learn the authorization exists."""
    return user.org_id in (authorization["owner_org_id"], authorization["authorized_org_id"])


def sees(user: User, authorization: sqlite3.Row) -> bool:
    """Owner side with develop_extensions, or authorized side with manage_properties."""
    if authorization["owner_org_id"] == user.org_id:
        return user.develop_extensions
    return authorization["authorized_org_id"] == user.org_id and user.manage_properties


def decides(user: User, authorization: sqlite3.Row) -> bool:
    """Only the authorized org's users with manage_properties approve or reject."""
    return authorization["authorized_org_id"] == user.org_id and user.manage_properties


def revokes(user: User, authorization: sqlite3.Row) -> bool:
    """Only the owner org's users with develop_extensions delete."""
    return authorization["owner_org_id"] == user.org_id and user.develop_extensions

"""Role predicates shared by every app's rules."""

from __future__ import annotations

from typing import Any

import rules

from connective.accounts.models import Role


@rules.predicate
def is_member(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_editor(user: Any) -> bool:
    return is_member(user) and (
        user.is_superuser or user.role in {Role.EDITOR, Role.STAFF, Role.ADMINISTRATOR}
    )


@rules.predicate
def is_programme_staff(user: Any) -> bool:
    return is_member(user) and (user.is_superuser or user.role in {Role.STAFF, Role.ADMINISTRATOR})


@rules.predicate
def is_administrator(user: Any) -> bool:
    return is_member(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


rules.add_perm("accounts.manage_roles", is_administrator)

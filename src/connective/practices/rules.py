from __future__ import annotations

from typing import Any

import rules

from connective.accounts.rules import is_editor, is_member
from connective.practices.models import PracticeStatus


@rules.predicate
def is_published(user: Any, practice: Any) -> bool:
    return practice is not None and practice.status == PracticeStatus.PUBLISHED


@rules.predicate
def is_author(user: Any, practice: Any) -> bool:
    return practice is not None and is_member(user) and practice.author_id == user.pk


@rules.predicate
def is_editable_state(user: Any, practice: Any) -> bool:
    return practice is not None and practice.status in {
        PracticeStatus.DRAFT,
        PracticeStatus.CHANGES_REQUESTED,
    }


@rules.predicate
def has_contact(user: Any, practice: Any) -> bool:
    return (
        practice is not None
        and practice.contact_id is not None
        and practice.contact_id != getattr(user, "pk", None)
    )


rules.add_perm("practices.view_practice", is_published | is_author | is_editor)
rules.add_perm("practices.add_practice", is_member)
rules.add_perm("practices.change_practice", (is_author & is_editable_state) | is_editor)
rules.add_perm("practices.review_practice", is_editor)
rules.add_perm("practices.contact_practice", is_member & is_published & has_contact)

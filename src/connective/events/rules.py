"""What a person may do with an event. The argument is a selectors.EventAccess, decided once per request."""

from __future__ import annotations

from typing import Any

import rules

from connective.accounts.rules import is_member, is_programme_staff


@rules.predicate
def can_see_event(user: Any, access: Any) -> bool:
    return access is not None and access.can_see


@rules.predicate
def organises_event(user: Any, access: Any) -> bool:
    return access is not None and is_member(user) and (access.is_organiser or access.is_staff)


@rules.predicate
def takes_part(user: Any, access: Any) -> bool:
    """Confirmed participants: they see the online link and participants-only documents."""
    return access is not None and access.is_participant


rules.add_perm("events.view", can_see_event)
rules.add_perm("events.register", is_member & can_see_event)
rules.add_perm("events.manage", organises_event)
rules.add_perm("events.participant_material", takes_part | organises_event)
rules.add_perm("events.create", is_programme_staff)
rules.add_perm("events.review_proposals", is_programme_staff)
rules.add_perm("events.propose", is_member)

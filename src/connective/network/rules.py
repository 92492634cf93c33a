"""Permissions of the people and organisation pages. What a viewer may *see* of a person lives in
selectors.person_view (per field); these rules say what a member may *do*."""

from __future__ import annotations

from typing import Any

import rules

from connective.accounts.rules import is_member


@rules.predicate
def is_profile_owner(user: Any, profile: Any) -> bool:
    return profile is not None and is_member(user) and profile.user_id == user.pk


@rules.predicate
def is_other_person(user: Any, person: Any) -> bool:
    """`person` is a PersonView (or anything with user_id) of someone other than `user`."""
    return person is not None and is_member(user) and getattr(person, "user_id", None) != user.pk


rules.add_perm("network.change_profile", is_member & is_profile_owner)
# Seeing the "write a message" link; the conversation itself checks blocks and limits when it is sent.
rules.add_perm("network.offer_message", is_member & is_other_person)

"""Groups of each access type with a moderator and a member, and the personas that visit them: a visitor, a
member of another group, a member, a moderator and programme staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from connective.groups.models import Access, Group, MemberRole
from connective.groups.selectors import GroupAccess, group_access
from tests.factories import GroupFactory, MembershipFactory, UserFactory

PERSONAS = ["visitor", "outsider", "member", "moderator", "staff"]
ACCESS_TYPES = [Access.OPEN, Access.CLOSED, Access.SECRET]


@dataclass
class World:
    groups: dict[str, Group]
    other: Group
    people: dict[str, Any]

    def user(self, persona: str) -> Any:
        return self.people[persona]


@pytest.fixture(name="world")
def world_fixture(db: Any, staff: Any) -> World:
    moderator = UserFactory(email="moderator@example.org", first_name="Moana", last_name="Derato")
    member = UserFactory(email="member@example.org", first_name="Mariam", last_name="Haddad")
    outsider = UserFactory(email="outsider@example.org", first_name="Otto", last_name="Sider")
    groups = {
        Access.OPEN: GroupFactory(name="Urban heat deep dive", slug="urban-heat", access=Access.OPEN),
        Access.CLOSED: GroupFactory(
            name="Women in municipal leadership", slug="women-leadership", access=Access.CLOSED
        ),
        Access.SECRET: GroupFactory(name="Budget negotiations", slug="budget-talks", access=Access.SECRET),
    }
    for group in groups.values():
        MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
        MembershipFactory(group=group, user=member)
    other = GroupFactory(name="Local development strategies", slug="local-development")
    MembershipFactory(group=other, user=outsider)
    for group in [*groups.values(), other]:
        group.refresh_from_db()
    return World(
        groups=groups,
        other=other,
        people={
            "visitor": None,
            "outsider": outsider,
            "member": member,
            "moderator": moderator,
            "staff": staff,
        },
    )


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def access_of(user: Any, group: Group) -> GroupAccess:
    group.refresh_from_db()
    return group_access(viewer=user, group=group)

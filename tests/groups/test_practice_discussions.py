"""A practice page lists the group discussions about it that the reader may read, and no others."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from connective.groups.models import Access, PostStatus
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def _thread(practice: Any, access: str, title: str, *, status: str = PostStatus.PUBLISHED) -> Any:
    group = GroupFactory(access=access, name=f"{access.title()} group")
    thread = ThreadFactory(group=group, title=title, practice=practice)
    PostFactory(thread=thread, status=status)
    return thread


@pytest.fixture
def discussions(published_practice: Any) -> dict[str, Any]:
    return {
        "open": _thread(published_practice, Access.OPEN, "Lighting costs in Dakar"),
        "closed": _thread(published_practice, Access.CLOSED, "Procurement of LED lamps"),
        "secret": _thread(published_practice, Access.SECRET, "Budget 2027 for the lighting pilot"),
        "held": _thread(published_practice, Access.OPEN, "Waiting for approval", status=PostStatus.HELD),
    }


def _titles_seen(viewer: Any, practice: Any, discussions: dict[str, Any]) -> list[str]:
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    html = client.get(practice.get_absolute_url()).content.decode()
    return [key for key, thread in discussions.items() if thread.title in html]


def test_practice_discussions_visitor_sees_open_groups_only(
    published_practice: Any, discussions: dict[str, Any]
) -> None:
    assert _titles_seen(None, published_practice, discussions) == ["open"]


def test_practice_discussions_member_of_the_closed_group_sees_it(
    published_practice: Any, discussions: dict[str, Any], member: Any
) -> None:
    MembershipFactory(group=discussions["closed"].group, user=member)
    assert _titles_seen(member, published_practice, discussions) == ["open", "closed"]


def test_practice_discussions_outsider_member_never_sees_the_secret_group(
    published_practice: Any, discussions: dict[str, Any]
) -> None:
    outsider = UserFactory()
    MembershipFactory(group=GroupFactory(access=Access.SECRET), user=outsider)
    assert _titles_seen(outsider, published_practice, discussions) == ["open"]
    html = Client().get(published_practice.get_absolute_url()).content.decode()
    assert "Secret group" not in html


def test_practice_discussions_staff_see_every_group(
    published_practice: Any, discussions: dict[str, Any], staff: Any
) -> None:
    assert _titles_seen(staff, published_practice, discussions) == ["open", "closed", "secret"]

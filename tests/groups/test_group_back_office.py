"""Groups in the back office: staff create and change groups and name moderators, through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from connective.core.models import AuditLog, Region, Topic
from connective.groups.models import (
    Access,
    Group,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
)
from tests.factories import GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/groups/group/"
ADD_URL = "/admin/snippets/groups/group/add/"


def edit_url(group: Group) -> str:
    return f"/admin/snippets/groups/group/edit/{group.pk}/"


def admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Urban heat deep dive",
        "kind": "thematic",
        "access": "closed",
        "summary": "Six cities compare heat action plans.",
        "description": "We meet monthly.",
        "description_language": "en",
        "languages_text": "en, es",
        "region": "",
        "moderator_emails": "",
        **changes,
    }


@pytest.fixture
def moderators(db: Any) -> list[Any]:
    return [
        UserFactory(email="amara@example.org", first_name="Amara"),
        UserFactory(email="chidi@example.org", first_name="Chidi"),
    ]


def test_staff_create_a_group_with_its_moderators(staff: Any, moderators: list[Any]) -> None:
    latin = Region.objects.get(slug="latin-america")
    topic = Topic.objects.get(slug="climate-adaptation")

    response = admin_client(staff).post(
        ADD_URL,
        form_data(
            region=str(latin.pk),
            topics=[str(topic.pk)],
            moderator_emails="Amara@example.org\nchidi@example.org\n",
        ),
    )

    assert response.status_code == 302
    group = Group.objects.get()
    assert (group.name, group.slug, group.access, group.languages) == (
        "Urban heat deep dive",
        "urban-heat-deep-dive",
        "closed",
        ["en", "es"],
    )
    assert (group.region, list(group.topics.all()), group.member_count) == (latin, [topic], 2)
    assert set(
        Membership.objects.filter(group=group, role=MemberRole.MODERATOR).values_list("user_id", flat=True)
    ) == {user.pk for user in moderators}
    assert AuditLog.objects.filter(action="group.create", actor=staff, object_id=str(group.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"moderator_emails": "nobody@example.org"}, "No active member has the address nobody@example.org."),
        ({"languages_text": "en, elvish"}, "We do not know the language “elvish”."),
        ({"region": "999999"}, "Select a valid choice."),
    ],
)
def test_staff_creating_with_bad_input_sees_why_and_nothing_is_saved(
    staff: Any, changes: dict[str, Any], message: str
) -> None:
    response = admin_client(staff).post(ADD_URL, form_data(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Group.objects.count() == 0


def test_staff_change_a_group_and_its_moderators_with_a_log(staff: Any, moderators: list[Any]) -> None:
    group = GroupFactory(name="Urban heat", access=Access.OPEN)
    MembershipFactory(group=group, user=moderators[0], role=MemberRole.MODERATOR)
    client = admin_client(staff)

    form = client.get(edit_url(group)).content.decode()
    assert "amara@example.org" in form

    response = client.post(
        edit_url(group),
        form_data(name="Urban heat network", access="secret", moderator_emails="chidi@example.org"),
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.access, group.slug) == ("Urban heat network", "secret", group.slug)
    roles = dict(Membership.objects.filter(group=group).values_list("user_id", "role"))
    assert roles == {moderators[0].pk: "member", moderators[1].pk: "moderator"}
    actions = set(ModerationLogEntry.objects.filter(group=group).values_list("action", "member_id"))
    assert actions == {
        (ModerationAction.PROMOTE, moderators[1].pk),
        (ModerationAction.DEMOTE, moderators[0].pk),
    }


@pytest.mark.parametrize("persona", ["editor", "member"])
def test_group_screens_are_closed_to_everyone_but_staff(persona: str, request: Any) -> None:
    client = admin_client(request.getfixturevalue(persona))
    group = GroupFactory()

    for response in (client.get(LIST_URL), client.get(ADD_URL), client.post(ADD_URL, form_data())):
        assert response.status_code in {302, 403}
    assert client.post(edit_url(group), form_data(name="Taken over")).status_code in {302, 403}
    group.refresh_from_db()
    assert group.name != "Taken over"
    assert Group.objects.count() == 1


def test_groups_cannot_be_deleted_in_the_back_office(staff: Any) -> None:
    group = GroupFactory()
    response = admin_client(staff).post(f"/admin/snippets/groups/group/delete/{group.pk}/")
    assert response.status_code in {302, 403}
    assert Group.objects.filter(pk=group.pk).exists()


def test_menu_shows_groups_and_group_reports_to_staff_only(staff: Any, editor: Any) -> None:
    staff_menu = admin_client(staff).get("/admin/").content.decode()
    editor_menu = admin_client(editor).get("/admin/").content.decode()

    assert "Working groups" in staff_menu
    assert "Group reports" in staff_menu
    assert "/en/groups/reports/" in staff_menu
    assert "Group reports" not in editor_menu
    assert "Working groups" not in editor_menu

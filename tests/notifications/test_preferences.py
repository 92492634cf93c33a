"""The preferences page: a general choice and one per group the member belongs to."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from connective.core.models import AuditLog
from connective.groups.notices import group_scope
from connective.notifications.models import Delivery, NotificationPreference
from connective.notifications.services import delivery_for, preference_set
from tests.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = "/en/notifications/preferences/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def choices(user: Any) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("scope", "delivery"))


@pytest.fixture
def groups(member: Any) -> tuple[Any, Any]:
    heat = GroupFactory(name="Urban heat")
    water = GroupFactory(name="Water in cities")
    MembershipFactory(group=heat, user=member)
    MembershipFactory(group=water, user=member)
    GroupFactory(name="Not mine")
    return heat, water


def test_preferences_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PAGE}"


def test_preferences_page_offers_a_general_choice_and_one_per_own_group(
    member: Any, groups: tuple[Any, Any]
) -> None:
    heat, water = groups
    preference_set(user=member, scope=group_scope(water), delivery=Delivery.WEEKLY)
    response = client_for(member).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "E-mail about everything without a choice of its own" in html
    assert f'<label for="id_group_{heat.pk}">Urban heat</label>' in html
    assert f'<label for="id_group_{water.pk}">Water in cities</label>' in html
    assert "Not mine" not in html
    form = response.context["form"]
    assert form["general"].value() == ""
    assert form[f"group_{heat.pk}"].value() == ""
    assert form[f"group_{water.pk}"].value() == "weekly"


def test_preferences_page_without_groups_says_how_to_get_some(member: Any) -> None:
    html = client_for(member).get(PAGE).content.decode()
    assert "When you join working groups, you can choose here for each of them." in html


def test_preferences_save_sets_general_and_group_choices(member: Any, groups: tuple[Any, Any]) -> None:
    heat, water = groups
    preference_set(user=member, scope=group_scope(water), delivery=Delivery.WEEKLY)
    client = client_for(member)
    response = client.post(PAGE, {"general": "daily", f"group_{heat.pk}": "never", f"group_{water.pk}": ""})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    # "As my general choice" removes the group's own choice.
    assert choices(member) == {"": "daily", group_scope(heat): "never"}
    assert delivery_for(user_ids=[member.pk], scope=group_scope(water), default="immediate") == {
        member.pk: "daily"
    }
    assert "Your notification settings were saved." in client.get(PAGE).content.decode()
    entry = AuditLog.objects.get(action="notifications.preferences")
    assert entry.details == {
        "general": "daily",
        "groups": {str(heat.pk): "never", str(water.pk): ""},
    }


def test_preferences_save_as_suggested_removes_the_general_choice(member: Any) -> None:
    preference_set(user=member, scope="", delivery=Delivery.NEVER)
    response = client_for(member).post(PAGE, {"general": ""})
    assert response.status_code == 302
    assert choices(member) == {}


def test_preferences_bad_general_choice_is_refused_and_nothing_is_saved(
    member: Any, groups: tuple[Any, Any]
) -> None:
    heat, _water = groups
    response = client_for(member).post(PAGE, {"general": "hourly", f"group_{heat.pk}": "weekly"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved. Please correct what is marked below." in html
    assert "Select a valid choice. hourly is not one of the available choices." in html
    # What the member chose for the group is still selected.
    assert '<option value="weekly" selected>' in html
    assert choices(member) == {}
    assert not AuditLog.objects.filter(action="notifications.preferences").exists()


def test_preferences_bad_group_choice_is_refused_and_nothing_is_saved(
    member: Any, groups: tuple[Any, Any]
) -> None:
    heat, _water = groups
    response = client_for(member).post(PAGE, {"general": "daily", f"group_{heat.pk}": "sometimes"})
    assert response.status_code == 400
    assert (
        "Select a valid choice. sometimes is not one of the available choices." in response.content.decode()
    )
    assert choices(member) == {}


def test_preferences_for_a_group_the_member_is_not_in_are_ignored(member: Any) -> None:
    other = GroupFactory()
    response = client_for(member).post(PAGE, {"general": "weekly", f"group_{other.pk}": "never"})
    assert response.status_code == 302
    assert choices(member) == {"": "weekly"}


def test_preferences_save_service_refuses_a_group_the_member_is_not_in(member: Any) -> None:
    from django.core.exceptions import ValidationError

    from connective.notifications.services import preferences_save

    other = GroupFactory()
    with pytest.raises(ValidationError) as raised:
        preferences_save(user=member, general="daily", groups={other.pk: "never"})
    assert raised.value.message_dict == {f"group_{other.pk}": ["You are not a member of this group."]}
    assert choices(member) == {}


def test_preferences_page_has_bounded_queries(member: Any, django_assert_max_num_queries: Any) -> None:
    from django.core.cache import cache

    client = client_for(member)
    MembershipFactory(group=GroupFactory(), user=member)
    cache.clear()
    with django_assert_max_num_queries(10) as small:
        assert client.get(PAGE).status_code == 200
    for _ in range(15):
        MembershipFactory(group=GroupFactory(), user=member)
    cache.clear()
    with django_assert_max_num_queries(10) as large:
        assert client.get(PAGE).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)

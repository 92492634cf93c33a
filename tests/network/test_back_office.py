"""The network's back office: organisations verified and merged by staff, and the people listing."""

from __future__ import annotations

import html
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.accounts.models import Role, User
from connective.core.models import AuditLog, Country
from connective.events.models import Event
from connective.network import organisation_admin
from connective.network.models import (
    Activity,
    ActivityVerb,
    Follow,
    FollowKind,
    Organisation,
    OrganisationType,
)
from connective.network.organisation_admin import (
    organisation_merge,
    organisation_merge_preview,
    organisation_verify,
)
from connective.practices.models import Practice
from tests.conftest import _with_totp
from tests.factories import EventFactory, OrganisationFactory, PracticeFactory, UserFactory, city

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/network/organisation/"


def edit_url(organisation: Organisation) -> str:
    return f"/admin/snippets/network/organisation/edit/{organisation.pk}/"


def verify_url(organisation: Organisation) -> str:
    return reverse("network_admin_organisation_verify", args=[organisation.pk])


def merge_url(organisation: Organisation) -> str:
    return reverse("network_admin_organisation_merge", args=[organisation.pk])


PEOPLE_URL = "/admin/network/people/"


@pytest.fixture
def administrator(db: Any) -> Any:
    from connective.accounts.services import user_set_role

    user = UserFactory(email="admin@example.org", first_name="Ada", last_name="Min")
    return _with_totp(user_set_role(actor=None, user=user, role=Role.ADMINISTRATOR))


def _follow(follower: User, organisation: Organisation, days_ago: int) -> Follow:
    follow = Follow.objects.create(follower=follower, kind=FollowKind.ORGANISATION, object_id=organisation.pk)
    # `created_at` is set on insert; the test needs known dates to check that the earliest follow is kept.
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    follow.refresh_from_db()
    return follow


@pytest.fixture
def pair(db: Any) -> dict[str, Any]:
    """Two records of one city administration, each with links of every kind, some of them to both."""
    keep = OrganisationFactory(name="City of Leipzig", slug="city-of-leipzig")
    duplicate = OrganisationFactory(name="Stadt Leipzig", slug="stadt-leipzig")
    people = [UserFactory(organisation=duplicate) for _ in range(3)]
    kept_person = UserFactory(organisation=keep)
    led = [PracticeFactory(lead_organisation=duplicate) for _ in range(2)]
    led_by_keep = PracticeFactory(lead_organisation=keep)
    partner_of_duplicate = PracticeFactory()
    partner_of_both = PracticeFactory()
    partner_of_keep = PracticeFactory()
    partner_of_duplicate.partners.add(duplicate)
    partner_of_both.partners.add(duplicate, keep)
    partner_of_keep.partners.add(keep)
    # A ParentalManyToManyField keeps partners in memory until the practice is saved.
    for practice in (partner_of_duplicate, partner_of_both, partner_of_keep):
        practice.save()
    only_duplicate, duplicate_first, keep_first, only_keep = (UserFactory() for _ in range(4))
    follows = {
        "only_duplicate": _follow(only_duplicate, duplicate, 10),
        "duplicate_first_old": _follow(duplicate_first, duplicate, 30),
        "duplicate_first_new": _follow(duplicate_first, keep, 5),
        "keep_first_old": _follow(keep_first, keep, 40),
        "keep_first_new": _follow(keep_first, duplicate, 2),
        "only_keep": _follow(only_keep, keep, 1),
    }
    activities = [
        Activity.objects.create(verb=ActivityVerb.JOINED_ORGANISATION, organisation=duplicate)
        for _ in range(2)
    ]
    Activity.objects.create(verb=ActivityVerb.JOINED_ORGANISATION, organisation=keep)
    EventFactory(host_organisation=duplicate)
    return {
        "keep": keep,
        "duplicate": duplicate,
        "people": people,
        "kept_person": kept_person,
        "led": led,
        "led_by_keep": led_by_keep,
        "partner_practices": [partner_of_duplicate, partner_of_both, partner_of_keep],
        "followers": [only_duplicate, duplicate_first, keep_first, only_keep],
        "follows": follows,
        "activities": activities,
    }


def _organisation_follows(organisation_id: int) -> dict[int, Any]:
    return dict(
        Follow.objects.filter(kind=FollowKind.ORGANISATION, object_id=organisation_id).values_list(
            "follower_id", "created_at"
        )
    )


# --- Merge service ------------------------------------------------------------------------------------------


def test_merge_moves_every_link_to_the_kept_organisation(staff: Any, pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    duplicate_pk = duplicate.pk

    result = organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    assert result.pk == keep.pk
    assert not Organisation.objects.filter(pk=duplicate_pk).exists()
    assert set(User.objects.filter(organisation=keep).values_list("pk", flat=True)) == {
        *(person.pk for person in pair["people"]),
        pair["kept_person"].pk,
    }
    assert set(Practice.objects.filter(lead_organisation=keep).values_list("pk", flat=True)) == {
        *(practice.pk for practice in pair["led"]),
        pair["led_by_keep"].pk,
    }
    for practice in pair["partner_practices"]:
        assert list(Practice.objects.get(pk=practice.pk).partners.values_list("pk", flat=True)) == [keep.pk]
    assert set(Activity.objects.filter(organisation=keep).values_list("pk", flat=True)) >= {
        activity.pk for activity in pair["activities"]
    }
    assert Activity.objects.filter(organisation=keep).count() == 3


def test_merge_leaves_no_orphan_or_duplicate_link(staff: Any, pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    duplicate_pk = duplicate.pk
    people_before = User.objects.count()
    practices_before = Practice.objects.count()
    without_organisation_before = User.objects.filter(organisation__isnull=True).count()

    organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    through = Practice.partners.through
    assert through.objects.filter(organisation_id=duplicate_pk).count() == 0
    assert through.objects.filter(organisation_id=keep.pk).count() == 3
    assert Follow.objects.filter(kind=FollowKind.ORGANISATION, object_id=duplicate_pk).count() == 0
    assert Activity.objects.filter(organisation_id=duplicate_pk).count() == 0
    assert Event.objects.filter(host_organisation_id=duplicate_pk).count() == 0
    assert Event.objects.filter(host_organisation=keep).count() == 1
    assert User.objects.filter(organisation_id=duplicate_pk).count() == 0
    # Nobody and nothing was deleted with the duplicate.
    assert User.objects.count() == people_before
    assert Practice.objects.count() == practices_before
    assert User.objects.filter(organisation__isnull=True).count() == without_organisation_before


def test_merge_keeps_the_earliest_follow_of_each_member(staff: Any, pair: dict[str, Any]) -> None:
    keep, follows = pair["keep"], pair["follows"]
    only_duplicate, duplicate_first, keep_first, only_keep = pair["followers"]

    organisation_merge(keep=keep, duplicate=pair["duplicate"], actor=staff)

    assert _organisation_follows(keep.pk) == {
        only_duplicate.pk: follows["only_duplicate"].created_at,
        duplicate_first.pk: follows["duplicate_first_old"].created_at,
        keep_first.pk: follows["keep_first_old"].created_at,
        only_keep.pk: follows["only_keep"].created_at,
    }


def test_merge_is_audit_logged_with_exact_counts(staff: Any, pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    duplicate_pk = duplicate.pk

    organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    entry = AuditLog.objects.get(action="organisation.merge")
    assert entry.actor == staff
    assert entry.object_type == "network.organisation"
    assert entry.object_id == str(keep.pk)
    assert entry.details == {
        "duplicate": {"id": duplicate_pk, "name": "Stadt Leipzig", "slug": "stadt-leipzig"},
        "moved": {
            "people": 3,
            "practices_led": 2,
            "partnerships": 2,
            "follows": 3,
            "activities": 2,
            "group_invitations": 0,
            "events_hosted": 1,
            "event_proposals": 0,
        },
        "shared": {"partnerships": 1, "follows": 2},
        "filled": [],
    }


def test_merge_preview_counts_what_would_move_and_changes_nothing(pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]

    preview = organisation_merge_preview(keep=keep, duplicate=duplicate)

    assert [(link.key, link.count, link.shared) for link in preview.links] == [
        ("people", 3, 0),
        ("practices_led", 2, 0),
        ("partnerships", 2, 1),
        ("follows", 3, 2),
        ("activities", 2, 0),
        ("group_invitations", 0, 0),
        ("events_hosted", 1, 0),
        ("event_proposals", 0, 0),
    ]
    assert User.objects.filter(organisation=duplicate).count() == 3
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_merge_fills_empty_fields_of_the_kept_organisation(staff: Any) -> None:
    leipzig = city("Leipzig", "DE")
    keep = OrganisationFactory(name="Leipzig", website="", description="")
    duplicate = OrganisationFactory(
        name="Leipzig (2)",
        website="https://www.leipzig.de/",
        description="Die Stadtverwaltung.",
        description_language="de",
        logo="organisations/2026/leipzig.png",
        city=leipzig,
    )

    kept = organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    kept.refresh_from_db()
    assert kept.website == "https://www.leipzig.de/"
    assert kept.description == "Die Stadtverwaltung."
    assert kept.description_language == "de"
    assert kept.logo.name == "organisations/2026/leipzig.png"
    assert kept.city == leipzig
    assert AuditLog.objects.get(action="organisation.merge").details["filled"] == [
        "website",
        "description",
        "logo",
        "city",
    ]


def test_merge_carries_the_verification_of_the_duplicate_over(staff: Any, administrator: Any) -> None:
    keep = OrganisationFactory()
    duplicate = OrganisationFactory()
    organisation_verify(organisation=duplicate, actor=administrator, verified=True)
    verified_at = Organisation.objects.get(pk=duplicate.pk).verified_at

    kept = organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    kept.refresh_from_db()
    assert (kept.verified_at, kept.verified_by) == (verified_at, administrator)
    assert AuditLog.objects.get(action="organisation.merge").details["filled"] == ["verified_at"]


def test_merge_keeps_fields_the_kept_organisation_already_has(staff: Any) -> None:
    keep = OrganisationFactory(website="https://kept.example.org/", description="Kept text.", city=city())
    duplicate = OrganisationFactory(
        website="https://other.example.org/", description="Other text.", city=city("Dresden", "DE")
    )

    kept = organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    kept.refresh_from_db()
    assert (kept.website, kept.description, kept.city.name if kept.city else None) == (
        "https://kept.example.org/",
        "Kept text.",
        "Leipzig",
    )


def test_merge_does_not_take_a_city_from_another_country(staff: Any) -> None:
    keep = OrganisationFactory(country=Country.objects.get(code="DE"))
    duplicate = OrganisationFactory(country=Country.objects.get(code="TN"), city=city("Sfax", "TN"))

    kept = organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    kept.refresh_from_db()
    assert kept.city is None


def test_merge_into_itself_is_refused_and_changes_nothing(staff: Any, pair: dict[str, Any]) -> None:
    keep = pair["keep"]

    with pytest.raises(ValidationError) as raised:
        organisation_merge(keep=keep, duplicate=keep, actor=staff)

    assert raised.value.messages == [
        "An organisation cannot be merged into itself. Choose two different organisations."
    ]
    assert Organisation.objects.filter(pk=keep.pk).exists()
    assert User.objects.filter(organisation=keep).count() == 1
    assert not AuditLog.objects.filter(action="organisation.merge").exists()


@pytest.mark.parametrize("persona", ["member", "editor"])
def test_merge_by_a_member_or_editor_is_refused(persona: str, request: Any, pair: dict[str, Any]) -> None:
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        organisation_merge(keep=pair["keep"], duplicate=pair["duplicate"], actor=actor)

    assert Organisation.objects.filter(pk=pair["duplicate"].pk).exists()
    assert User.objects.filter(organisation=pair["duplicate"]).count() == 3


def test_merge_reindexes_both_organisations_and_each_moved_person(
    staff: Any, pair: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    organisations: list[int] = []
    people: list[int] = []
    monkeypatch.setattr(organisation_admin.network_tasks, "schedule_organisation_index", organisations.append)
    monkeypatch.setattr(organisation_admin.network_tasks, "schedule_person_index", people.append)
    keep, duplicate = pair["keep"], pair["duplicate"]
    duplicate_pk = duplicate.pk

    organisation_merge(keep=keep, duplicate=duplicate, actor=staff)

    assert sorted(organisations) == sorted([keep.pk, duplicate_pk])
    assert sorted(people) == sorted(person.pk for person in pair["people"])


# --- Merge screen -------------------------------------------------------------------------------------------


def test_merge_screen_lists_candidates_of_the_same_country(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="City of Leipzig")
    OrganisationFactory(name="Stadt Leipzig")
    OrganisationFactory(name="Municipality of Sfax", country=Country.objects.get(code="TN"))
    client.force_login(staff)

    response = client.get(merge_url(organisation))

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Compare with “Stadt Leipzig”" in content
    assert "Municipality of Sfax" not in content
    assert "Compare with “City of Leipzig”" not in content


def test_merge_screen_searches_other_organisations_by_name(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="City of Leipzig")
    OrganisationFactory(name="Stadt Leipzig")
    OrganisationFactory(name="Municipality of Sfax", country=Country.objects.get(code="TN"))
    client.force_login(staff)

    response = client.get(merge_url(organisation), {"q": "sfax"})

    content = html.unescape(response.content.decode())
    assert "Compare with “Municipality of Sfax”" in content
    assert "Stadt Leipzig" not in content


def test_merge_screen_previews_what_moves_and_changes_nothing(
    client: Client, staff: Any, pair: dict[str, Any]
) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    client.force_login(staff)

    response = client.get(merge_url(keep), {"other": duplicate.pk})

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "What moves from “Stadt Leipzig” to “City of Leipzig”" in content
    for key, count in {
        "people": 3,
        "practices_led": 2,
        "partnerships": 2,
        "follows": 3,
        "activities": 2,
    }.items():
        assert f'<td data-link="{key}">{count}</td>' in content
    assert "“Stadt Leipzig” will be deleted." in content
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_merge_screen_can_keep_the_other_organisation(
    client: Client, staff: Any, pair: dict[str, Any]
) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    client.force_login(staff)

    response = client.get(merge_url(keep), {"other": duplicate.pk, "keep": "other"})

    content = html.unescape(response.content.decode())
    assert "What moves from “City of Leipzig” to “Stadt Leipzig”" in content
    assert '<td data-link="people">1</td>' in content


def test_merge_screen_merges_on_confirmation(client: Client, staff: Any, pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    client.force_login(staff)

    response = client.post(merge_url(duplicate), {"keep": keep.pk, "duplicate": duplicate.pk})

    assert response.status_code == 302
    assert response["Location"] == edit_url(keep)
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert User.objects.filter(organisation=keep).count() == 4


def test_merge_screen_refuses_an_organisation_chosen_as_its_own_duplicate(
    client: Client, staff: Any, pair: dict[str, Any]
) -> None:
    keep = pair["keep"]
    client.force_login(staff)

    preview = client.get(merge_url(keep), {"other": keep.pk})
    response = client.post(merge_url(keep), {"keep": keep.pk, "duplicate": keep.pk})

    message = "An organisation cannot be merged into itself. Choose two different organisations."
    assert message in html.unescape(preview.content.decode())
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert Organisation.objects.filter(pk=keep.pk).exists()
    assert not AuditLog.objects.filter(action="organisation.merge").exists()


def test_merge_screen_refuses_a_pair_not_including_its_organisation(
    client: Client, staff: Any, pair: dict[str, Any]
) -> None:
    third = OrganisationFactory(name="Leipzig Public Utilities")
    client.force_login(staff)

    response = client.post(merge_url(third), {"keep": pair["keep"].pk, "duplicate": pair["duplicate"].pk})

    assert response.status_code == 200
    assert "Merge from this organisation's own page." in html.unescape(response.content.decode())
    assert Organisation.objects.filter(pk=pair["duplicate"].pk).exists()


# --- Verification -------------------------------------------------------------------------------------------


def test_verify_records_who_and_when_and_tells_followers(staff: Any) -> None:
    leipzig = city()
    organisation = OrganisationFactory(city=leipzig)

    verified = organisation_verify(organisation=organisation, actor=staff, verified=True)

    organisation.refresh_from_db()
    assert organisation.verified_by == staff
    assert organisation.verified_at is not None
    assert timezone.now() - organisation.verified_at < timedelta(minutes=1)
    assert verified.is_verified
    entry = AuditLog.objects.get(action="organisation.verify")
    assert (entry.actor, entry.object_id) == (staff, str(organisation.pk))
    activity = Activity.objects.get(verb=ActivityVerb.ORGANISATION_VERIFIED)
    assert (activity.organisation, activity.city) == (organisation, leipzig)


def test_unverify_clears_the_verification_and_its_news(staff: Any) -> None:
    organisation = OrganisationFactory()
    organisation_verify(organisation=organisation, actor=staff, verified=True)

    organisation_verify(organisation=organisation, actor=staff, verified=False)

    organisation.refresh_from_db()
    assert (organisation.verified_at, organisation.verified_by) == (None, None)
    assert (
        AuditLog.objects.filter(action="organisation.unverify", object_id=str(organisation.pk)).count() == 1
    )
    assert not Activity.objects.filter(verb=ActivityVerb.ORGANISATION_VERIFIED).exists()


def test_verify_twice_logs_and_announces_once(staff: Any) -> None:
    organisation = OrganisationFactory()

    organisation_verify(organisation=organisation, actor=staff, verified=True)
    organisation_verify(organisation=organisation, actor=staff, verified=True)

    assert AuditLog.objects.filter(action="organisation.verify").count() == 1
    assert Activity.objects.filter(verb=ActivityVerb.ORGANISATION_VERIFIED).count() == 1


def test_verify_by_an_administrator_is_allowed(administrator: Any) -> None:
    organisation = OrganisationFactory()

    organisation_verify(organisation=organisation, actor=administrator, verified=True)

    organisation.refresh_from_db()
    assert organisation.verified_by == administrator


@pytest.mark.parametrize("persona", ["member", "editor"])
def test_verify_by_a_member_or_editor_is_refused(persona: str, request: Any) -> None:
    organisation = OrganisationFactory()

    with pytest.raises(PermissionDenied):
        organisation_verify(organisation=organisation, actor=request.getfixturevalue(persona), verified=True)

    organisation.refresh_from_db()
    assert organisation.verified_at is None
    assert not AuditLog.objects.filter(action="organisation.verify").exists()


def test_verify_screen_verifies_on_confirmation(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)

    page = client.get(verify_url(organisation))
    response = client.post(verify_url(organisation), {"verified": "1"})

    assert page.status_code == 200
    assert "Not verified." in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == edit_url(organisation)
    organisation.refresh_from_db()
    assert organisation.verified_by == staff


def test_verify_screen_withdraws_a_verification(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    organisation_verify(organisation=organisation, actor=staff, verified=True)
    client.force_login(staff)

    page = client.get(verify_url(organisation))
    client.post(verify_url(organisation), {"verified": "0"})

    assert "Verified on" in page.content.decode()
    assert "by Sta Ff." in page.content.decode()
    organisation.refresh_from_db()
    assert organisation.verified_at is None


# --- Permissions on the screens -----------------------------------------------------------------------------


def _screens(organisation: Organisation) -> list[str]:
    return [verify_url(organisation), merge_url(organisation), PEOPLE_URL]


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_screens_send_visitors_and_members_to_the_login(
    persona: str, request: Any, client: Client, pair: dict[str, Any]
) -> None:
    user = request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
    keep, duplicate = pair["keep"], pair["duplicate"]

    for url in _screens(keep):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    client.post(verify_url(keep), {"verified": "1"})
    client.post(merge_url(keep), {"keep": keep.pk, "duplicate": duplicate.pk})

    keep.refresh_from_db()
    assert keep.verified_at is None
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_screens_turn_editors_away(client: Client, editor: Any, pair: dict[str, Any]) -> None:
    keep, duplicate = pair["keep"], pair["duplicate"]
    client.force_login(editor)

    for url in _screens(keep):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    verify = client.post(verify_url(keep), {"verified": "1"})
    merge = client.post(merge_url(keep), {"keep": keep.pk, "duplicate": duplicate.pk})

    assert (verify.status_code, merge.status_code) == (302, 302)
    keep.refresh_from_db()
    assert keep.verified_at is None
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_editors_do_not_see_the_staff_screens_in_the_menu(client: Client, editor: Any, staff: Any) -> None:
    client.force_login(editor)
    editor_home = client.get("/admin/").content.decode()
    client.force_login(staff)
    staff_home = client.get("/admin/").content.decode()

    assert PEOPLE_URL not in editor_home
    assert LIST_URL not in editor_home
    assert PEOPLE_URL in staff_home
    assert LIST_URL in staff_home


def test_editors_cannot_edit_organisations(client: Client, editor: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(editor)

    listing = client.get(LIST_URL)
    edit = client.post(edit_url(organisation), {"name": "Renamed"})

    assert (listing.status_code, edit.status_code) == (302, 302)
    organisation.refresh_from_db()
    assert organisation.name == "Stadt Leipzig"


def test_staff_see_verify_and_merge_actions_in_the_listing(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)

    content = client.get(LIST_URL).content.decode()

    assert verify_url(organisation) in content
    assert merge_url(organisation) in content


# --- Organisation snippet -----------------------------------------------------------------------------------


def test_listing_filters_by_verified(client: Client, staff: Any) -> None:
    verified = OrganisationFactory(name="Verified Utility")
    OrganisationFactory(name="Unknown Utility")
    organisation_verify(organisation=verified, actor=staff, verified=True)
    client.force_login(staff)

    yes = html.unescape(client.get(LIST_URL, {"verified": "true"}).content.decode())
    no = html.unescape(client.get(LIST_URL, {"verified": "false"}).content.decode())

    assert "Verified Utility" in yes
    assert "Unknown Utility" not in yes
    assert "Unknown Utility" in no
    assert "Verified Utility" not in no


def test_listing_filters_by_type_and_region(client: Client, staff: Any) -> None:
    OrganisationFactory(name="Leipzig University", type=OrganisationType.UNIVERSITY)
    OrganisationFactory(name="Leipzig Municipality", type=OrganisationType.MUNICIPALITY)
    tunisia = Country.objects.get(code="TN")
    OrganisationFactory(name="Sfax University", type=OrganisationType.UNIVERSITY, country=tunisia)
    client.force_login(staff)

    universities = html.unescape(client.get(LIST_URL, {"type": "university"}).content.decode())
    in_africa = html.unescape(client.get(LIST_URL, {"region": tunisia.region_id}).content.decode())

    assert "Leipzig University" in universities
    assert "Sfax University" in universities
    assert "Leipzig Municipality" not in universities
    assert "Sfax University" in in_africa
    assert "Leipzig University" not in in_africa


def test_listing_searches_by_name(client: Client, staff: Any) -> None:
    OrganisationFactory(name="Leipzig University")
    OrganisationFactory(name="Sfax Municipality")
    client.force_login(staff)

    content = html.unescape(client.get(LIST_URL, {"q": "sfax"}).content.decode())

    assert "Sfax Municipality" in content
    assert "Leipzig University" not in content


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    from PIL import Image

    output = BytesIO()
    Image.new("RGB", size, "green").save(output, format="PNG")
    return output.getvalue()


def _edit_form(organisation: Organisation, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": organisation.name,
        "slug": organisation.slug,
        "type": organisation.type,
        "country": organisation.country_id,
        "city": organisation.city_id or "",
        "website": organisation.website,
        "description": organisation.description,
        "description_language": organisation.description_language,
    }
    data.update(changes)
    return data


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_edit_saves_a_logo_under_its_real_type(client: Client, staff: Any, media: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)
    logo = SimpleUploadedFile("Stadt Logo.jpg", _png(), content_type="image/jpeg")

    response = client.post(
        edit_url(organisation), _edit_form(organisation, logo=logo, description_language="de")
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name.endswith("/stadt-logo.png")
    assert organisation.description_language == "de"
    entry = AuditLog.objects.get(action="organisation.back_office_edit")
    assert entry.details == {"fields": ["description_language", "logo"]}


def test_edit_refuses_a_logo_that_is_not_an_image(client: Client, staff: Any, media: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>", content_type="image/png")

    response = client.post(edit_url(organisation), _edit_form(organisation, name="Renamed", logo=fake))

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.name == "Stadt Leipzig"
    assert not organisation.logo


def test_edit_refuses_a_logo_over_two_megabytes(
    client: Client, staff: Any, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(organisation_admin, "LOGO_MAX_BYTES", 100)
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)
    logo = SimpleUploadedFile("logo.png", _png((200, 200)), content_type="image/png")

    response = client.post(edit_url(organisation), _edit_form(organisation, logo=logo))

    assert response.status_code == 200
    assert "the limit is 2 MB" in html.unescape(response.content.decode())
    organisation.refresh_from_db()
    assert not organisation.logo


def test_edit_refuses_an_unknown_description_language(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)

    response = client.post(edit_url(organisation), _edit_form(organisation, description_language="xx"))

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.description_language == "en"


def test_edit_refuses_a_city_outside_the_country(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    client.force_login(staff)

    response = client.post(edit_url(organisation), _edit_form(organisation, city=city("Sfax", "TN").pk))

    assert response.status_code == 200
    assert "This city is not in the organisation's country." in html.unescape(response.content.decode())
    organisation.refresh_from_db()
    assert organisation.city is None


def test_edit_shows_the_verification_read_only(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    organisation_verify(organisation=organisation, actor=staff, verified=True)
    client.force_login(staff)

    page = client.get(edit_url(organisation))
    client.post(edit_url(organisation), {**_edit_form(organisation), "verified_at": "", "verified_by": ""})

    assert "Sta Ff" in page.content.decode()
    organisation.refresh_from_db()
    assert organisation.verified_by == staff


def test_renaming_reindexes_the_organisation_and_its_people(
    client: Client, staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisations: list[int] = []
    people: list[int] = []
    monkeypatch.setattr(organisation_admin.network_tasks, "schedule_organisation_index", organisations.append)
    monkeypatch.setattr(organisation_admin.network_tasks, "schedule_person_index", people.append)
    organisation = OrganisationFactory(name="Stadt Leipzig")
    person = UserFactory(organisation=organisation)
    client.force_login(staff)

    client.post(edit_url(organisation), _edit_form(organisation, name="City of Leipzig"))

    assert (organisations, people) == ([organisation.pk], [person.pk])


# --- People -------------------------------------------------------------------------------------------------


def test_people_listing_shows_staff_every_account_field(client: Client, staff: Any) -> None:
    organisation = OrganisationFactory(name="Stadt Leipzig")
    UserFactory(
        first_name="Mariam",
        last_name="Haddad",
        email="mariam@example.org",
        organisation=organisation,
        country=Country.objects.get(code="TN"),
    )
    UserFactory(first_name="Gone", last_name="Person", email="gone@example.org", deleted_at=timezone.now())
    client.force_login(staff)

    response = client.get(PEOPLE_URL)

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Mariam Haddad" in content
    assert "mariam@example.org" in content
    assert "Stadt Leipzig" in content
    assert "Tunisia" in content
    assert "Programme staff" in content
    # A deleted account shows as a former member, with its deletion date.
    assert "Former member" in content
    assert "3 people" in content


@pytest.mark.parametrize("query", ["haddad", "mariam@", "Mariam Had"])
def test_people_listing_searches_names_and_addresses(client: Client, staff: Any, query: str) -> None:
    UserFactory(first_name="Mariam", last_name="Haddad", email="mariam@example.org")
    UserFactory(first_name="Chidi", last_name="Nwosu", email="chidi@example.org")
    client.force_login(staff)

    content = html.unescape(client.get(PEOPLE_URL, {"q": query}).content.decode())

    assert "mariam@example.org" in content
    assert "chidi@example.org" not in content
    assert "1 person" in content


def test_people_listing_filters_by_role(client: Client, staff: Any, editor: Any, member: Any) -> None:
    client.force_login(staff)

    content = html.unescape(client.get(PEOPLE_URL, {"role": "editor"}).content.decode())

    assert "editor@example.org" in content
    assert "member@example.org" not in content


def test_people_listing_is_paginated_with_bounded_queries(
    client: Client, staff: Any, django_assert_max_num_queries: Any
) -> None:
    organisation = OrganisationFactory()
    tunisia = Country.objects.get(code="TN")
    for number in range(60):
        UserFactory(email=f"person-{number:02}@example.org", organisation=organisation, country=tunisia)
    client.force_login(staff)
    client.get(PEOPLE_URL)  # warms per-process caches (permissions, site) out of the count

    with django_assert_max_num_queries(20):
        first = client.get(PEOPLE_URL)
    second = client.get(PEOPLE_URL, {"p": 2})

    assert "Page 1 of 2" in first.content.decode()
    assert first.content.decode().count("@example.org</td>") == 50
    assert second.content.decode().count("@example.org</td>") == 11

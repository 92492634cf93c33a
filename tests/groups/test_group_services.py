"""Creating and changing groups: who may, what is checked, what is kept and logged."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from connective.core.models import AuditLog, Country, Region, Topic
from connective.groups.models import (
    Access,
    Group,
    GroupKind,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
)
from connective.groups.services import group_create, group_update
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.groups.membership_fixtures import access_of

pytestmark = pytest.mark.django_db


def jpeg_with_metadata(width: int = 1600, height: int = 1200) -> SimpleUploadedFile:
    picture = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x010E] = "Our street, seen from home"  # image description
    output = BytesIO()
    picture.save(output, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("holiday.jpg", output.getvalue(), content_type="image/jpeg")


@pytest.fixture
def moderator(db: Any) -> Any:
    return UserFactory(first_name="Moana", last_name="Derato")


# --- group_create -----------------------------------------------------------------------------------------


def test_group_create_names_moderators_as_first_members(staff: Any, moderator: Any) -> None:
    mena = Region.objects.get(slug="mena")
    housing = Topic.objects.get(slug="housing")

    group = group_create(
        actor=staff,
        name="Women in municipal leadership",
        kind=GroupKind.REGIONAL,
        access=Access.CLOSED,
        summary="  Mayors and councillors of the MENA region.  ",
        languages=["ar", "fr"],
        topics=[housing],
        region=mena,
        moderators=[moderator],
    )

    group.refresh_from_db()
    assert group.slug == "women-in-municipal-leadership"
    assert group.summary == "Mayors and councillors of the MENA region."
    assert (group.kind, group.access, group.region, group.languages) == (
        "regional",
        "closed",
        mena,
        ["ar", "fr"],
    )
    assert list(group.topics.all()) == [housing]
    assert group.member_count == 1
    assert group.created_by == staff
    membership = Membership.objects.get(group=group)
    assert (membership.user, membership.role, membership.approved_poster) == (moderator, "moderator", True)
    entry = AuditLog.objects.get(action="group.create")
    assert (entry.actor, entry.object_id) == (staff, str(group.pk))
    assert entry.details == {"access": "closed", "moderators": [moderator.pk]}


def test_group_create_keeps_slugs_unique_and_off_reserved_words(staff: Any) -> None:
    first = group_create(actor=staff, name="Urban heat")
    second = group_create(actor=staff, name="Urban heat")
    reserved = group_create(actor=staff, name="Invitations")
    arabic = group_create(actor=staff, name="المدن الذكية")

    assert (first.slug, second.slug) == ("urban-heat", "urban-heat-2")
    assert reserved.slug == "invitations-group"
    assert arabic.slug == "group"


@pytest.mark.parametrize("persona", ["member", "editor"])
def test_group_create_is_refused_to_anyone_but_staff(persona: str, request: Any) -> None:
    with pytest.raises(PermissionDenied):
        group_create(actor=request.getfixturevalue(persona), name="Urban heat")
    assert Group.objects.count() == 0


def test_group_create_is_refused_to_visitors(db: Any) -> None:
    with pytest.raises(PermissionDenied):
        group_create(actor=None, name="Urban heat")
    assert Group.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"name": "   "}, "name", "Give the group a name."),
        ({"summary": "x" * 301}, "summary", "Write at most 300 characters (this has 301)."),
        ({"access": "public"}, "access", "Choose open, closed or secret."),
        (
            {"languages": ["fr", "xx"]},
            "languages",
            "“xx” is not a language code. Use two letters, e.g. “en” or “fr”.",
        ),
        ({"languages": ["fr", "fr"]}, "languages", "You listed fr twice."),
        ({"description_language": "french"}, "description_language", "“french” is not a language code."),
    ],
)
def test_group_create_with_bad_input_saves_nothing(
    staff: Any, moderator: Any, changes: dict[str, Any], key: str, message: str
) -> None:
    arguments: dict[str, Any] = {"name": "Urban heat", "moderators": [moderator], **changes}

    with pytest.raises(ValidationError) as raised:
        group_create(actor=staff, **arguments)

    assert any(text.startswith(message) for text in raised.value.message_dict[key])
    assert Group.objects.count() == 0
    assert Membership.objects.count() == 0
    assert not AuditLog.objects.filter(action="group.create").exists()


def test_group_create_with_a_foreign_region_saves_nothing(staff: Any) -> None:
    # A country is not a region, even though it has a name and a primary key.
    with pytest.raises(ValidationError) as raised:
        group_create(actor=staff, name="Urban heat", region=Country.objects.get(code="TN"))  # type: ignore[arg-type]

    assert raised.value.message_dict == {"region": ["Choose a region from the list."]}
    assert Group.objects.count() == 0


def test_group_create_with_an_inactive_moderator_saves_nothing(staff: Any) -> None:
    gone = UserFactory(is_active=False)

    with pytest.raises(ValidationError) as raised:
        group_create(actor=staff, name="Urban heat", moderators=[gone])

    assert raised.value.message_dict == {"moderators": ["Moderators must be active members of the platform."]}
    assert Group.objects.count() == 0


def test_group_create_stores_the_cover_without_metadata_at_16_to_9(staff: Any) -> None:
    group = group_create(actor=staff, name="Urban heat", cover=jpeg_with_metadata())

    with Image.open(group.cover.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (1200, 675)
        assert dict(stored.getexif()) == {}
    assert group.cover.name.endswith(".jpg")
    assert "holiday" not in group.cover.name


def test_group_create_refuses_a_cover_that_is_not_an_image(staff: Any) -> None:
    fake = SimpleUploadedFile("cover.jpg", b"<html>not a picture</html>", content_type="image/jpeg")

    with pytest.raises(ValidationError) as raised:
        group_create(actor=staff, name="Urban heat", cover=fake)

    assert raised.value.message_dict == {"cover": ["The cover must be a JPEG, PNG or WebP image."]}
    assert Group.objects.count() == 0


# --- group_update -----------------------------------------------------------------------------------------


@pytest.fixture
def moderated(moderator: Any) -> Group:
    group = GroupFactory(name="Urban heat", slug="urban-heat", access=Access.OPEN)
    MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
    return group


def test_group_update_by_a_moderator_changes_the_description(moderator: Any, moderated: Group) -> None:
    latin_america = Region.objects.get(slug="latin-america")
    mobility = Topic.objects.get(slug="mobility")

    group_update(
        actor=moderator,
        access=access_of(moderator, moderated),
        data={
            "summary": "Six cities compare heat plans.",
            "description": "## Aims\n\nShade, water, **cool roofs**.",
            "description_language": "es",
            "languages": ["es", "pt"],
            "region": latin_america,
            "topics": [mobility],
            "hold_first_posts": True,
        },
    )

    moderated.refresh_from_db()
    assert moderated.summary == "Six cities compare heat plans."
    assert moderated.description == "## Aims\n\nShade, water, **cool roofs**."
    assert (moderated.description_language, moderated.languages) == ("es", ["es", "pt"])
    assert (moderated.region, list(moderated.topics.all())) == (latin_america, [mobility])
    assert moderated.hold_first_posts is True
    assert moderated.slug == "urban-heat"
    entry = AuditLog.objects.get(action="group.update")
    assert entry.details["fields"] == [
        "description",
        "description_language",
        "hold_first_posts",
        "languages",
        "region",
        "summary",
        "topics",
    ]


@pytest.mark.parametrize(
    ("key", "value"), [("access", Access.SECRET), ("name", "Heat"), ("kind", "regional")]
)
def test_group_update_of_staff_fields_is_refused_to_moderators(
    moderator: Any, moderated: Group, key: str, value: str
) -> None:
    with pytest.raises(PermissionDenied):
        group_update(
            actor=moderator, access=access_of(moderator, moderated), data={"summary": "Changed", key: value}
        )

    moderated.refresh_from_db()
    assert (moderated.access, moderated.name, moderated.kind, moderated.summary) == (
        "open",
        "Urban heat",
        "thematic",
        "Cities comparing what works.",
    )


def test_group_update_accepts_unchanged_staff_fields_from_moderators(
    moderator: Any, moderated: Group
) -> None:
    group_update(
        actor=moderator,
        access=access_of(moderator, moderated),
        data={"access": Access.OPEN, "name": "Urban heat", "summary": "Changed"},
    )

    moderated.refresh_from_db()
    assert moderated.summary == "Changed"


def test_group_update_by_staff_changes_access_and_name(staff: Any, moderated: Group) -> None:
    group_update(
        actor=staff, access=access_of(staff, moderated), data={"access": Access.CLOSED, "name": "Heat"}
    )

    moderated.refresh_from_db()
    assert (moderated.access, moderated.name, moderated.slug) == ("closed", "Heat", "urban-heat")


def test_group_update_by_staff_replaces_the_moderators_and_logs_it(
    staff: Any, moderator: Any, moderated: Group
) -> None:
    newcomer = UserFactory()
    member = UserFactory()
    MembershipFactory(group=moderated, user=member)

    group_update(actor=staff, access=access_of(staff, moderated), data={"moderators": [newcomer, member]})

    roles = dict(Membership.objects.filter(group=moderated).values_list("user_id", "role"))
    assert roles == {moderator.pk: "member", newcomer.pk: "moderator", member.pk: "moderator"}
    moderated.refresh_from_db()
    assert moderated.member_count == 3
    log = set(
        ModerationLogEntry.objects.filter(group=moderated).values_list("action", "member_id", "moderator_id")
    )
    assert log == {
        (ModerationAction.PROMOTE, newcomer.pk, staff.pk),
        (ModerationAction.PROMOTE, member.pk, staff.pk),
        (ModerationAction.DEMOTE, moderator.pk, staff.pk),
    }


def test_group_update_of_moderators_is_refused_to_moderators(moderator: Any, moderated: Group) -> None:
    with pytest.raises(PermissionDenied):
        group_update(
            actor=moderator, access=access_of(moderator, moderated), data={"moderators": [UserFactory()]}
        )
    assert Membership.objects.filter(group=moderated).count() == 1


def test_group_update_letting_posts_through_approves_waiting_members(
    moderator: Any, moderated: Group
) -> None:
    moderated.hold_first_posts = True
    moderated.save()
    newcomer = MembershipFactory(group=moderated, approved_poster=False)

    group_update(actor=moderator, access=access_of(moderator, moderated), data={"hold_first_posts": False})

    newcomer.refresh_from_db()
    assert newcomer.approved_poster is True


def test_group_update_is_refused_to_members(moderated: Group) -> None:
    member = MembershipFactory(group=moderated).user

    with pytest.raises(PermissionDenied):
        group_update(actor=member, access=access_of(member, moderated), data={"summary": "Mine now"})

    moderated.refresh_from_db()
    assert moderated.summary == "Cities comparing what works."


def test_group_update_with_bad_input_changes_nothing(moderator: Any, moderated: Group) -> None:
    with pytest.raises(ValidationError) as raised:
        group_update(
            actor=moderator,
            access=access_of(moderator, moderated),
            data={"summary": "Fine", "description": "x" * 20_001},
        )

    assert raised.value.message_dict == {"description": ["Write at most 20000 characters (this has 20001)."]}
    moderated.refresh_from_db()
    assert moderated.summary == "Cities comparing what works."


def test_group_update_replacing_the_cover_removes_the_old_file(
    moderator: Any, moderated: Group, django_capture_on_commit_callbacks: Any
) -> None:
    access = access_of(moderator, moderated)
    with django_capture_on_commit_callbacks(execute=True):
        first = group_update(actor=moderator, access=access, data={"cover": jpeg_with_metadata()})
    old_path = first.cover.path

    with django_capture_on_commit_callbacks(execute=True):
        second = group_update(actor=moderator, access=access, data={"cover": jpeg_with_metadata(800, 800)})

    assert second.cover.name != first.cover.name
    assert not first.cover.storage.exists(old_path)
    with Image.open(second.cover.path) as stored:
        assert stored.size == (800, 450)

    with django_capture_on_commit_callbacks(execute=True):
        third = group_update(actor=moderator, access=access, data={"remove_cover": True})
    assert not third.cover
    assert not second.cover.storage.exists(second.cover.name)

"""The member's profile form and profile_update: everything saved at once, or nothing and nothing typed lost."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from connective.core.models import AuditLog, Country, Topic
from connective.network.models import (
    Activity,
    ActorType,
    Organisation,
    Profile,
    ProfileLanguage,
    ProfileLink,
    Visibility,
)
from connective.network.services import profile_ensure, profile_update
from tests.factories import OrganisationFactory, ProfileFactory, UserFactory, city

pytestmark = pytest.mark.django_db

URL = "/en/profile/edit/"
TYPED_POSITION = "Coordinator of the river restoration programme"
TYPED_BIO = "Twelve years in municipal water management; happy to advise on flood plains."
FIELDS = (
    "photo",
    "position",
    "organisation",
    "place",
    "actor_type",
    "expertise",
    "languages",
    "bio",
    "links",
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def indexed(monkeypatch: Any) -> list[int]:
    """The user ids the service asked to re-index."""
    calls: list[int] = []
    monkeypatch.setattr("connective.network.tasks.schedule_person_index", calls.append)
    return calls


@pytest.fixture
def owner(db: Any) -> Any:
    user = UserFactory(email="chidi@example.org", first_name="Chidi", last_name="Nwosu", position="Engineer")
    ProfileFactory(user=user, slug="chidi-nwosu", visibility=Visibility.MEMBERS, bio="Old biography.")
    return user


@pytest.fixture
def utility(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Stadtwerke Leipzig", slug="stadtwerke-leipzig", city=city("Leipzig", "DE")
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    organisation = Organisation.objects.get(slug="stadtwerke-leipzig")
    data: dict[str, Any] = {
        "visibility": "public",
        "first_name": "Chidi",
        "last_name": "Nwosu-Okafor",
        "position": TYPED_POSITION,
        "organisation": str(organisation.pk),
        "place": "leipzig, de",
        "actor_type": ActorType.SCIENCE,
        "expertise": [str(Topic.objects.get(slug="mobility").pk)],
        "bio": TYPED_BIO,
        "bio_language": "en",
        **{f"{name}_visibility": "members" for name in FIELDS},
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "10",
        "languages-0-language": "fr",
        "languages-0-level": "fluent",
        "languages-1-language": "",
        "languages-1-level": "",
        "links-TOTAL_FORMS": "2",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "5",
        "links-0-url": "https://example.org/river-restoration",
        "links-0-label": "River restoration",
        "links-1-url": "",
        "links-1-label": "",
    }
    data.update(overrides)
    return data


def image_upload(
    fmt: str = "PNG", size: tuple[int, int] = (60, 40), name: str = "face.png", **save: Any
) -> Any:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (10, 120, 90)).save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def snapshot(user: Any) -> tuple[Any, ...]:
    """Everything the form could change, to show that a refused form changed none of it."""
    user.refresh_from_db()
    profile = Profile.objects.get(user=user)
    return (
        user.first_name,
        user.last_name,
        user.position,
        user.organisation_id,
        user.city_id,
        user.country_id,
        profile.visibility,
        profile.actor_type,
        profile.bio,
        profile.bio_language,
        profile.photo.name,
        tuple(profile.field_visibility(name) for name in FIELDS),
        tuple(profile.expertise.values_list("pk", flat=True)),
        tuple(ProfileLanguage.objects.filter(profile=profile).values_list("language", "level")),
        tuple(ProfileLink.objects.filter(profile=profile).values_list("url", flat=True)),
    )


# --- Showing the form -------------------------------------------------------------------------------------


def test_profile_edit_requires_sign_in(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_edit_creates_a_missing_profile_with_private_defaults(member: Any) -> None:
    response = signed_in(member).get(URL)
    assert response.status_code == 200
    profile = Profile.objects.get(user=member)
    assert profile.visibility == Visibility.MEMBERS
    assert profile.slug == "mariam-haddad"


def test_profile_edit_shows_the_current_values(owner: Any, utility: Organisation) -> None:
    owner.organisation = utility
    owner.city = city("Leipzig", "DE")
    owner.save()
    content = signed_in(owner).get(URL).content.decode()
    assert 'name="position" value="Engineer"' in content
    assert f'<option value="{utility.pk}" selected>Stadtwerke Leipzig</option>' in content
    assert 'name="place" value="Leipzig, DE"' in content
    assert "Old biography.</textarea>" in content
    assert (
        '<input type="radio" name="visibility" value="members" id="id_visibility_1" required checked>'
        in content
    )


def test_profile_edit_groups_topics_of_expertise_by_cluster(owner: Any) -> None:
    content = signed_in(owner).get(URL).content.decode()
    cluster = Topic.objects.filter(parent__isnull=True, children__isnull=False).first()
    assert cluster is not None
    child = cluster.children.order_by("position").first()
    assert child is not None
    cluster_at = content.index(f"<strong>{html.escape(cluster.name)}</strong>")
    child_at = content.index(f" {html.escape(child.name)}</label>", cluster_at)
    # The subtopic is in the cluster's nested list, before the next cluster begins.
    assert '<ul class="checkbox-list">' in content[cluster_at:child_at]
    assert "<strong>" not in content[cluster_at + 10 : child_at]


# --- Saving -----------------------------------------------------------------------------------------------


def test_profile_edit_saves_every_part_of_the_profile(
    owner: Any, utility: Organisation, indexed: list[int]
) -> None:
    response = signed_in(owner).post(URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/en/people/chidi-nwosu/"
    owner.refresh_from_db()
    profile = Profile.objects.get(user=owner)
    assert (owner.first_name, owner.last_name, owner.position) == ("Chidi", "Nwosu-Okafor", TYPED_POSITION)
    assert owner.organisation == utility
    assert owner.city is not None and owner.city.name == "Leipzig"
    assert owner.country_id == "DE"
    assert profile.visibility == Visibility.PUBLIC
    assert profile.actor_type == ActorType.SCIENCE
    assert profile.bio == TYPED_BIO
    assert [profile.field_visibility(name) for name in FIELDS] == ["members"] * len(FIELDS)
    assert list(profile.expertise.values_list("slug", flat=True)) == ["mobility"]
    assert list(profile.languages.values_list("language", "level")) == [("fr", "fluent")]
    assert list(profile.links.values_list("url", "label")) == [
        ("https://example.org/river-restoration", "River restoration")
    ]
    assert indexed == [owner.pk]


def test_profile_edit_logs_which_fields_changed_but_not_their_values(
    owner: Any, utility: Organisation
) -> None:
    signed_in(owner).post(URL, form_data())
    entry = AuditLog.objects.get(action="profile.update")
    assert entry.actor == owner
    assert "position" in entry.details["fields"]
    assert TYPED_POSITION not in str(entry.details)


def test_profile_edit_records_joining_an_organisation(owner: Any, utility: Organisation) -> None:
    signed_in(owner).post(URL, form_data())
    activity = Activity.objects.get()
    assert (activity.verb, activity.actor, activity.organisation, activity.city) == (
        "joined_organisation",
        owner,
        utility,
        utility.city,
    )


def test_profile_edit_records_nothing_when_the_organisation_stays(owner: Any, utility: Organisation) -> None:
    owner.organisation = utility
    owner.save()
    signed_in(owner).post(URL, form_data())
    assert not Activity.objects.exists()


def test_profile_edit_accepts_a_language_by_its_english_name(owner: Any, utility: Organisation) -> None:
    signed_in(owner).post(URL, form_data(**{"languages-0-language": "Portuguese"}))
    assert list(ProfileLanguage.objects.values_list("language", flat=True)) == ["pt"]


def test_profile_edit_accepts_a_country_without_a_city(owner: Any, utility: Organisation) -> None:
    signed_in(owner).post(URL, form_data(place="TN"))
    owner.refresh_from_db()
    assert (owner.city_id, owner.country_id) == (None, "TN")


def test_profile_edit_clears_the_place(owner: Any, utility: Organisation) -> None:
    owner.city = city("Leipzig", "DE")
    owner.country_id = "DE"
    owner.save()
    signed_in(owner).post(URL, form_data(place=""))
    owner.refresh_from_db()
    assert (owner.city_id, owner.country_id) == (None, None)


# --- Photos -----------------------------------------------------------------------------------------------


def test_profile_edit_stores_a_square_photo_without_its_metadata(owner: Any, utility: Organisation) -> None:
    exif = PILImage.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    upload = image_upload("JPEG", size=(1200, 900), name="me at home.jpg", exif=exif.tobytes())
    response = signed_in(owner).post(URL, form_data(photo=upload))
    assert response.status_code == 302
    profile = Profile.objects.get(user=owner)
    assert profile.photo.name.endswith(".jpg")
    assert "me at home" not in profile.photo.name
    with default_storage.open(profile.photo.name) as stored, PILImage.open(stored) as picture:
        assert picture.size == (800, 800)
        assert dict(picture.getexif()) == {}


def test_profile_edit_removes_the_photo_and_its_file(
    owner: Any, utility: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(owner).post(URL, form_data(photo=image_upload()))
    name = Profile.objects.get(user=owner).photo.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(owner).post(URL, form_data(remove_photo="on"))
    assert response.status_code == 302
    assert Profile.objects.get(user=owner).photo.name == ""
    assert not default_storage.exists(name)


# --- Bad input: a clear message, nothing saved, nothing typed lost -----------------------------------------

BAD_INPUT = {
    "bad language code": (
        {"languages-0-language": "xq"},
        "“xq” is not a language code. Use two letters, e.g. “en” or “fr”.",
    ),
    "bad biography language": (
        {"bio_language": "klingon-ish"},
        "“klingon-ish” is not a language code. Use two letters, e.g. “en” or “fr”.",
    ),
    "language twice": (
        {"languages-1-language": "French", "languages-1-level": "basic"},
        "You listed this language twice.",
    ),
    "language without level": ({"languages-0-level": ""}, "Choose how well you speak it."),
    "script address": ({"links-0-url": "javascript:alert(1)"}, "Enter a valid URL."),
    "ftp address": (
        {"links-0-url": "ftp://example.org/cv.pdf"},
        "Give a web address that starts with https:// or http://.",
    ),
    "unknown city": (
        {"place": "Atlantis, DE"},
        "We do not know a city called Atlantis in Germany. Check the spelling or the country.",
    ),
    "unknown country": (
        {"place": "Leipzig, QQ"},
        "There is no country “QQ”. Use its two-letter code, e.g. DE or TN.",
    ),
    "city without country": (
        {"place": "Leipzig"},
        "Write the city and the country code, e.g. “Leipzig, DE” or “Tunis, TN”.",
    ),
    "no name": ({"first_name": " ", "last_name": ""}, "Give your name as other members should see it."),
    "unknown visibility": ({"bio_visibility": "friends"}, "Select a valid choice."),
    "text as a photo": (
        {"photo": SimpleUploadedFile("face.png", b"not an image at all", content_type="image/png")},
        "This file is not a JPEG, PNG or WebP image. Please upload a photo in one of these formats.",
    ),
    "gif photo": (
        {"photo": "gif"},
        "This file is not a JPEG, PNG or WebP image. Please upload a photo in one of these formats.",
    ),
    "oversized photo": (
        {"photo": "oversized"},
        "The photo is 5.0 MB; the limit is 5 MB. Please upload a smaller photo.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_profile_edit_refuses_bad_input_keeping_what_was_typed(
    case: str, owner: Any, utility: Organisation, indexed: list[int]
) -> None:
    overrides, message = BAD_INPUT[case]
    overrides = dict(overrides)
    if overrides.get("photo") == "gif":
        overrides["photo"] = image_upload("GIF", name="face.gif")
    elif overrides.get("photo") == "oversized":
        overrides["photo"] = SimpleUploadedFile(
            "big.png", b"\0" * (5 * 1024 * 1024 + 1), content_type="image/png"
        )
    elif isinstance(overrides.get("photo"), SimpleUploadedFile):
        overrides["photo"].seek(0)
    before = snapshot(owner)
    response = signed_in(owner).post(URL, form_data(**overrides))
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert message in content
    assert snapshot(owner) == before
    assert not AuditLog.objects.filter(action="profile.update").exists()
    assert indexed == []
    # What the member typed is still in the form.
    assert f'value="{TYPED_POSITION}"' in content
    assert f"{TYPED_BIO}</textarea>" in content
    assert 'value="https://example.org/river-restoration"' in content or "links-0-url" in overrides
    typed_language = overrides.get("languages-0-language", "fr")
    assert f'name="languages-0-language" value="{typed_language}"' in content


def test_profile_edit_refuses_more_than_10_languages(owner: Any, utility: Organisation) -> None:
    codes = ["fr", "de", "es", "pt", "ar", "it", "nl", "pl", "sw", "tr", "ru"]
    rows = {"languages-TOTAL_FORMS": str(len(codes))}
    for index, code in enumerate(codes):
        rows[f"languages-{index}-language"] = code
        rows[f"languages-{index}-level"] = "basic"
    before = snapshot(owner)
    response = signed_in(owner).post(URL, form_data(**rows))
    assert response.status_code == 400
    assert "Please submit at most 10 forms." in response.content.decode()
    assert snapshot(owner) == before


def test_profile_edit_asks_for_the_photo_again_when_other_fields_are_wrong(
    owner: Any, utility: Organisation
) -> None:
    response = signed_in(owner).post(URL, form_data(photo=image_upload(), place="Atlantis, DE"))
    assert response.status_code == 400
    assert (
        "Your photo was not saved because of these problems: please choose it again."
        in response.content.decode()
    )
    assert not Profile.objects.get(user=owner).photo


# --- The service on its own -------------------------------------------------------------------------------


def test_profile_update_refuses_anyone_but_the_owner(owner: Any, member: Any) -> None:
    profile = Profile.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        profile_update(profile=profile, actor=member, data={"position": "Taken over"})
    owner.refresh_from_db()
    assert owner.position == "Engineer"


def test_profile_update_refuses_bad_data_as_a_whole(owner: Any) -> None:
    profile = Profile.objects.get(user=owner)
    before = snapshot(owner)
    with pytest.raises(ValidationError) as refused:
        profile_update(
            profile=profile,
            actor=owner,
            data={
                "position": "Changed",
                "languages": [("fr", "fluent")] * 2,
                "links": [{"url": "data:text/html,hi", "label": ""}] + [{"url": "https://a.example"}] * 5,
                "place_visibility": "everyone",
            },
        )
    assert set(refused.value.error_dict) == {"languages", "links", "place_visibility"}
    assert snapshot(owner) == before


def test_profile_update_keeps_the_city_when_only_the_same_country_is_given(owner: Any) -> None:
    leipzig = city("Leipzig", "DE")
    owner.city, owner.country = leipzig, leipzig.country
    owner.save()
    profile = Profile.objects.get(user=owner)
    profile_update(profile=profile, actor=owner, data={"country": leipzig.country})
    owner.refresh_from_db()
    assert (owner.city, owner.country_id) == (leipzig, "DE")
    profile_update(profile=profile, actor=owner, data={"country": Country.objects.get(code="TN")})
    owner.refresh_from_db()
    assert (owner.city, owner.country_id) == (None, "TN")


def test_profile_update_changes_only_what_it_is_given(owner: Any, indexed: list[int]) -> None:
    profile = profile_ensure(user=owner)
    ProfileLanguage.objects.create(profile=profile, language="de", level="native")
    profile_update(profile=profile, actor=owner, data={"bio_visibility": Visibility.PUBLIC})
    owner.refresh_from_db()
    profile.refresh_from_db()
    assert owner.position == "Engineer"
    assert profile.bio == "Old biography."
    assert profile.bio_visibility == Visibility.PUBLIC
    assert list(profile.languages.values_list("language", flat=True)) == ["de"]
    assert indexed == [owner.pk]

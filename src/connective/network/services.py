"""Every write to people's profiles and organisations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext

from connective.core.images import image_extension, image_reencoded, image_size
from connective.core.services import audit_log_record
from connective.network.models import Profile


def _profile_slug(user: Any) -> str:
    # Latin names give a readable address; others (Arabic, say) a neutral one. Never the e-mail address.
    base = slugify(f"{user.first_name} {user.last_name}")[:60] or f"member-{user.pk}"
    slug = base
    suffix = 2
    while Profile.objects.filter(slug=slug).exclude(user=user).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def profile_ensure(*, user: Any) -> Profile:
    """The member's profile, created with the default visibilities on first need (sign-up, first edit)."""
    existing = Profile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Profile.objects.create(user=user, slug=_profile_slug(user))
    except IntegrityError:
        # Two requests created it at once; the other one won.
        return Profile.objects.get(user=user)


# --- Editing a profile --------------------------------------------------------------------------------------

# The stored photo is a square re-encoded at most this wide; the original (with its metadata) is not kept.
PHOTO_STORED_SIZE = 800
MAX_LANGUAGES = 10
MAX_LINKS = 5
NAME_MAX_LENGTH = 150
POSITION_MAX_LENGTH = 200
BIO_MAX_LENGTH = 2000
LINK_LABEL_MAX_LENGTH = 120
LINK_URL_MAX_LENGTH = 500

# Keys of `profile_update`'s data, by where they are stored.
_USER_TEXT_FIELDS = ("first_name", "last_name", "position")
_PROFILE_TEXT_FIELDS = ("actor_type", "bio", "bio_language", "visibility")


def language_code_valid(code: str) -> bool:
    """True for a two-letter ISO 639-1 language code (lower case), as pycountry knows them."""
    import pycountry

    return len(code) == 2 and code.islower() and pycountry.languages.get(alpha_2=code) is not None


def profile_validate_photo(file: UploadedFile) -> str:
    """The photo's format as a file extension, or a ValidationError a member understands."""
    return image_extension(
        file,
        too_large=gettext("The photo is %(size)s MB; the limit is 5 MB. Please upload a smaller photo."),
        wrong_type=gettext(
            "This file is not a JPEG, PNG or WebP image. Please upload a photo in one of these formats."
        ),
        too_many_pixels=gettext(
            "The photo has too many pixels. Please upload one of at most 6,000 by 6,000 pixels."
        ),
    )


def _photo_content(file: UploadedFile, extension: str) -> ContentFile[bytes]:
    """The photo re-encoded without its metadata, square (every page shows it in a square), at most 800 wide."""
    width, height = image_size(file)
    side = min(width, height, PHOTO_STORED_SIZE)
    return image_reencoded(file, extension, width=side, height=side, quality=85)


def _profile_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per-key messages for everything wrong in `data`; empty when all of it can be saved."""
    from django.core.validators import URLValidator

    from connective.core.models import City, Country, Topic
    from connective.network.models import (
        PROFILE_FIELDS,
        ActorType,
        LanguageLevel,
        Organisation,
        Visibility,
    )

    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for key, limit in (
        ("first_name", NAME_MAX_LENGTH),
        ("last_name", NAME_MAX_LENGTH),
        ("position", POSITION_MAX_LENGTH),
        ("bio", BIO_MAX_LENGTH),
    ):
        if key in data and len(data[key] or "") > limit:
            fail(key, gettext("Write at most %(limit)d characters.") % {"limit": limit})
    if ("first_name" in data or "last_name" in data) and not (
        (data.get("first_name") or "").strip() or (data.get("last_name") or "").strip()
    ):
        fail("first_name", gettext("Give your name as other members should see it."))
    if "organisation" in data and not (
        data["organisation"] is None or isinstance(data["organisation"], Organisation)
    ):
        fail("organisation", gettext("Choose an organisation from the list."))
    if "city" in data and not (data["city"] is None or isinstance(data["city"], City)):
        fail("city", gettext("Choose a city we know."))
    if "country" in data and not (data["country"] is None or isinstance(data["country"], Country)):
        fail("city", gettext("Choose a country we know."))
    if "actor_type" in data and data["actor_type"] and data["actor_type"] not in ActorType.values:
        fail("actor_type", gettext("Choose an actor type from the list."))
    if "expertise" in data and any(not isinstance(topic, Topic) for topic in data["expertise"] or ()):
        fail("expertise", gettext("Choose topics from the list."))
    if "bio_language" in data and not language_code_valid(data["bio_language"] or ""):
        fail(
            "bio_language",
            gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
            % {"code": data["bio_language"] or ""},
        )
    visibilities = ["visibility", *(f"{name}_visibility" for name, _label in PROFILE_FIELDS)]
    for key in visibilities:
        if key in data and data[key] not in Visibility.values:
            fail(key, gettext("Choose who sees this: everyone, members or only you."))

    if "languages" in data:
        languages = list(data["languages"] or ())
        if len(languages) > MAX_LANGUAGES:
            fail("languages", gettext("List at most %(limit)d languages.") % {"limit": MAX_LANGUAGES})
        seen: set[str] = set()
        for code, level in languages:
            if not language_code_valid(code or ""):
                fail(
                    "languages",
                    gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
                    % {"code": code or ""},
                )
            elif code in seen:
                fail("languages", gettext("You listed %(code)s twice.") % {"code": code})
            seen.add(code)
            if level not in LanguageLevel.values:
                fail("languages", gettext("Choose how well you speak each language."))

    if "links" in data:
        links = list(data["links"] or ())
        if len(links) > MAX_LINKS:
            fail("links", gettext("List at most %(limit)d links.") % {"limit": MAX_LINKS})
        check_url = URLValidator(schemes=["http", "https"])
        for link in links:
            url = link.get("url") or ""
            try:
                if len(url) > LINK_URL_MAX_LENGTH:
                    raise ValidationError("too long")
                check_url(url)
            except ValidationError:
                fail(
                    "links",
                    gettext("“%(url)s” is not a web address. Start it with https://.") % {"url": url[:100]},
                )
            if len(link.get("label") or "") > LINK_LABEL_MAX_LENGTH:
                fail(
                    "links",
                    gettext("Link labels can be at most %(limit)d characters long.")
                    % {"limit": LINK_LABEL_MAX_LENGTH},
                )

    if data.get("photo"):
        try:
            profile_validate_photo(data["photo"])
        except ValidationError as error:
            errors.setdefault("photo", []).extend(error.messages)
    return errors


@transaction.atomic
def profile_update(*, profile: Profile, actor: Any, data: Mapping[str, Any]) -> Profile:
    """Change a member's profile; only the keys present in `data` change. All of it or nothing.

    data keys: first_name, last_name, position (text); organisation (Organisation or None); city (City or
    None; the country follows from it) and country (Country or None, used when there is no city);
    actor_type (ActorType value or ""); expertise (Topics); languages ((ISO 639-1 code, LanguageLevel)
    pairs, at most 10); bio and bio_language (ISO 639-1 code); links (dicts with url and label, at most 5);
    photo (an uploaded JPEG, PNG or WebP of at most 5 MB), remove_photo (bool); visibility and
    <field>_visibility for each of models.PROFILE_FIELDS (Visibility values).
    Raises PermissionDenied unless `actor` owns the profile, and ValidationError (a dict by key) for bad
    input, before anything is written.
    """
    from connective.network.models import PROFILE_FIELDS, ProfileLanguage, ProfileLink
    from connective.network.tasks import schedule_person_index

    if not getattr(actor, "has_perm", lambda *args: False)("network.change_profile", profile):
        raise PermissionDenied
    errors = _profile_errors(data)
    if errors:
        raise ValidationError(errors)

    user = profile.user
    old_organisation_id = user.organisation_id
    changed: list[str] = []

    user_fields: list[str] = []
    for key in _USER_TEXT_FIELDS:
        if key in data:
            setattr(user, key, (data[key] or "").strip())
            user_fields.append(key)
    if "organisation" in data:
        user.organisation = data["organisation"]
        user_fields.append("organisation")
    if "city" in data:
        city = data["city"]
        user.city = city
        user.country = city.country if city is not None else data.get("country")
        user_fields.extend(["city", "country"])
    elif "country" in data:
        user.country = data["country"]
        if user.city is not None and user.city.country_id != getattr(user.country, "pk", None):
            # A city in another country would contradict the country just chosen.
            user.city = None
        user_fields.extend(["city", "country"])
    if user_fields:
        user.save(update_fields=user_fields)
        changed.extend(user_fields)

    for key in _PROFILE_TEXT_FIELDS:
        if key in data:
            setattr(profile, key, data[key] or "")
            changed.append(key)
    for name, _label in PROFILE_FIELDS:
        key = f"{name}_visibility"
        if key in data:
            setattr(profile, key, data[key])
            changed.append(key)

    old_photo = profile.photo.name if profile.photo else ""
    if data.get("photo"):
        extension = profile_validate_photo(data["photo"])
        profile.photo.save(f"{uuid4().hex}.{extension}", _photo_content(data["photo"], extension), save=False)
        changed.append("photo")
    elif data.get("remove_photo") and old_photo:
        profile.photo = None  # type: ignore[assignment]
        changed.append("photo")
    profile.save()
    if old_photo and "photo" in changed:
        # A removed or replaced photo must stop being reachable at its address, but only once the change
        # is certain: a rolled-back save keeps the old photo.
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))

    if "expertise" in data:
        profile.expertise.set(list(data["expertise"] or ()))
        changed.append("expertise")
    if "languages" in data:
        profile.languages.all().delete()
        ProfileLanguage.objects.bulk_create(
            [
                ProfileLanguage(profile=profile, language=code, level=level)
                for code, level in data["languages"]
            ]
        )
        changed.append("languages")
    if "links" in data:
        profile.links.all().delete()
        ProfileLink.objects.bulk_create(
            [
                ProfileLink(
                    profile=profile,
                    url=link["url"],
                    label=(link.get("label") or "").strip(),
                    position=position,
                )
                for position, link in enumerate(data["links"])
            ]
        )
        changed.append("links")

    # Field names only: the log is read by staff, and what a member hides is none of their business.
    audit_log_record(actor=actor, action="profile.update", target=profile, fields=sorted(set(changed)))
    schedule_person_index(user.pk)
    if user.organisation_id != old_organisation_id and user.organisation is not None:
        from connective.network.follows import activity_record

        organisation = user.organisation
        activity_record(
            verb="joined_organisation", actor=user, organisation=organisation, city=organisation.city
        )
    return profile

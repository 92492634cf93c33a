"""A member's own data: the export of everything the platform holds about them, and the erasure of their account.

Exports are ZIP files in a private storage (never under MEDIA_URL): the member receives a signed link by e-mail,
which works only for them, while signed in, for EXPORT_VALID_FOR. Deleting an account erases the personal data
and keeps what the member contributed to others (practices, messages the other person received) under
"Former member". Both are recorded in the audit log for staff.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from connective.accounts.models import Role, User
from connective.core.models import AuditLog, City, Topic
from connective.core.services import audit_log_record
from connective.events.privacy import (
    PROPOSAL_COLUMNS,
    REGISTRATION_COLUMNS,
    proposal_export_rows,
    registration_export_rows,
)
from connective.network.models import (
    PROFILE_FIELDS,
    Activity,
    ActivityVerb,
    Block,
    ConversationMember,
    Follow,
    FollowKind,
    Message,
    MessageReport,
    Organisation,
    Profile,
)
from connective.network.selectors import person_view, with_profile_data
from connective.notifications.exports import (
    NOTIFICATION_COLUMNS,
    PREFERENCE_COLUMNS,
    notification_export_rows,
    preference_export_rows,
)

EXPORT_REQUESTED = "privacy.export_requested"
EXPORT_DOWNLOADED = "privacy.export_downloaded"
ACCOUNT_DELETED = "privacy.account_deleted"

EXPORT_VALID_FOR = timedelta(days=7)
# One export per member per hour: building one reads everything about them.
EXPORT_INTERVAL = timedelta(hours=1)
_TOKEN_SALT = "connective.accounts.privacy.export"  # noqa: S105 (a salt, not a secret)
_STAMP_FORMAT = "%Y%m%dT%H%M%S"

# Wrong passwords or codes on the deletion form before it refuses for a while: the session is signed in, but
# a borrowed laptop must not become a way to guess the password.
DELETE_ATTEMPTS = 5
DELETE_ATTEMPTS_WINDOW = timedelta(minutes=15)

DELETED_EMAIL_DOMAIN = "former-member.invalid"
# Activities that describe the person rather than something they contributed; they go with the profile.
_PERSONAL_ACTIVITIES = (ActivityVerb.PROFILE_UPDATED, ActivityVerb.JOINED_ORGANISATION)


# --- Storage and links ----------------------------------------------------------------------------------


def export_storage() -> Storage:
    """Private files: a directory outside MEDIA_ROOT that no URL serves; only the download view reads it.

    PRIVACY_EXPORT_ROOT may point elsewhere (a volume shared by several app servers and the task worker).
    """
    location = getattr(settings, "PRIVACY_EXPORT_ROOT", None) or settings.VAR_DIR / "exports"
    return FileSystemStorage(
        location=str(location), base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


def _export_name(user_id: int, created: datetime) -> str:
    stamp = created.astimezone(UTC).strftime(_STAMP_FORMAT)
    # The random part keeps a name from being guessed even by someone who reads the storage listing's pattern.
    return f"{user_id}/{stamp}-{secrets.token_hex(8)}.zip"


def _export_created(name: str) -> datetime | None:
    """When the export `name` was made, read from its name so any storage backend can be purged."""
    try:
        stamp = PurePosixPath(name).name.split("-", 1)[0]
        return datetime.strptime(stamp, _STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _user_export_names(storage: Storage, user_id: int) -> list[str]:
    try:
        _dirs, files = storage.listdir(str(user_id))
    except FileNotFoundError:
        return []
    return sorted(f"{user_id}/{name}" for name in files if name.endswith(".zip"))


def privacy_export_token(*, user_id: int, name: str) -> str:
    return signing.dumps({"u": user_id, "f": name}, salt=_TOKEN_SALT, compress=True)


def privacy_export_url(*, user: User, name: str) -> str:
    """The absolute download link sent to the member, in their language."""
    token = privacy_export_token(user_id=user.pk, name=name)
    with translation.override(_member_language(user)):
        path = reverse("accounts:privacy_download", kwargs={"token": token})
    return settings.SITE_URL + path


def privacy_export_for_token(*, viewer: Any, token: str, now: datetime | None = None) -> str | None:
    """The stored name of the export `token` points to, if `viewer` is the member it was made for, the token
    is genuine and not older than EXPORT_VALID_FOR, and the file is still there; None otherwise."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return None
    now = now or timezone.now()
    try:
        payload = signing.loads(token, salt=_TOKEN_SALT, max_age=EXPORT_VALID_FOR)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict) or payload.get("u") != viewer.pk:
        return None
    name = str(payload.get("f", ""))
    parts = PurePosixPath(name).parts
    if len(parts) != 2 or parts[0] != str(viewer.pk) or ".." in parts:
        return None
    created = _export_created(name)
    if created is None or now - created > EXPORT_VALID_FOR:
        return None
    return name if export_storage().exists(name) else None


# --- What the export holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of data: a CSV file of its own and a key in data.json."""

    name: str
    columns: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind(
        "account",
        ("first_name", "last_name", "email", "language", "role", "date_joined", "last_login", "two_factor"),
    ),
    Kind("email_addresses", ("email", "verified", "primary")),
    Kind("profile", ("field", "label", "value", "visibility")),
    Kind("languages", ("language", "name", "level")),
    Kind("links", ("label", "url")),
    Kind("expertise", ("topic", "name")),
    Kind("follows", ("kind", "name", "since")),
    Kind("activities", ("when", "what", "practice", "organisation", "city")),
    Kind("conversations", ("conversation", "with", "started", "last_message")),
    Kind("messages", ("conversation", "with", "direction", "from", "sent", "message", "removed")),
    Kind("message_reports", ("reported", "message", "conversation", "reason", "comment", "status")),
    Kind("blocks", ("blocked", "since")),
    Kind("practices", ("title", "status", "role", "url")),
    Kind("event_registrations", REGISTRATION_COLUMNS),
    Kind("event_proposals", PROPOSAL_COLUMNS),
    Kind("notifications", NOTIFICATION_COLUMNS),
    Kind("notification_preferences", PREFERENCE_COLUMNS),
    Kind("audit_log", ("when", "action", "object_type", "object_id", "by_you", "details")),
)

_CHUNK = 500


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _member_language(user: User) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in languages else settings.LANGUAGE_CODE


def _name_of(user: User | None) -> str:
    # The other person is named as the site names them, never by their address.
    return user.display_name if user is not None else gettext("Former member")


def _account_rows(user: User) -> list[dict[str, Any]]:
    from connective.accounts.services import user_has_two_factor

    return [
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "language": user.language,
            "role": str(Role(user.role).label),
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "two_factor": user_has_two_factor(user),
        }
    ]


def _email_address_rows(user: User) -> list[dict[str, Any]]:
    from allauth.account.models import EmailAddress

    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def _profile_rows(user: User, profile: Profile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    # Values come from the person as the owner sees them, like every other place that shows a profile.
    view = person_view(user, user)
    place = ", ".join(part for part in (view.city.name if view.city else "", str(view.country or "")) if part)
    values: dict[str, str] = {
        "photo": settings.SITE_URL + view.photo_url if view.photo_url else "",
        "position": view.position,
        "organisation": view.organisation.name if view.organisation else "",
        "place": place,
        "actor_type": view.actor_type_label,
        "expertise": "; ".join(topic.name for topic in view.expertise),
        "languages": "; ".join(f"{skill.name} ({skill.level_label})" for skill in view.languages),
        "bio": view.bio,
        "links": "; ".join(link.url for link in view.links),
    }
    rows: list[dict[str, Any]] = [
        {
            "field": "profile",
            "label": gettext("Who sees my profile"),
            "value": settings.SITE_URL + view.url if view.url else profile.slug,
            "visibility": profile.visibility,
        }
    ]
    for field, label in PROFILE_FIELDS:
        rows.append(
            {
                "field": field,
                "label": str(label),
                "value": values[field],
                "visibility": profile.field_visibility(field),
            }
        )
        if field == "bio":
            rows.append(
                {
                    "field": "bio_language",
                    "label": gettext("Language of the biography"),
                    "value": view.bio_language,
                    "visibility": profile.field_visibility("bio"),
                }
            )
    return rows


def _follow_rows(user: User) -> list[dict[str, Any]]:
    follows = list(Follow.objects.filter(follower=user).order_by("created_at", "id"))
    wanted: dict[str, set[int]] = {}
    for follow in follows:
        wanted.setdefault(follow.kind, set()).add(follow.object_id)
    # One query per kind, whatever the number of follows.
    names: dict[tuple[str, int], str] = {}
    if FollowKind.PERSON in wanted:
        for person in User.objects.filter(pk__in=wanted[FollowKind.PERSON]):
            names[(FollowKind.PERSON, person.pk)] = _name_of(person)
    if FollowKind.ORGANISATION in wanted:
        for organisation in Organisation.objects.filter(pk__in=wanted[FollowKind.ORGANISATION]):
            names[(FollowKind.ORGANISATION, organisation.pk)] = organisation.name
    if FollowKind.CITY in wanted:
        for city in City.objects.filter(pk__in=wanted[FollowKind.CITY]):
            names[(FollowKind.CITY, city.pk)] = city.name
    if FollowKind.TOPIC in wanted:
        for topic in Topic.objects.filter(pk__in=wanted[FollowKind.TOPIC]):
            names[(FollowKind.TOPIC, topic.pk)] = topic.name
    return [
        {
            "kind": str(FollowKind(follow.kind).label),
            "name": names.get((follow.kind, follow.object_id), gettext("(no longer exists)")),
            "since": _when(follow.created_at),
        }
        for follow in follows
    ]


def _activity_rows(user: User) -> Iterator[dict[str, Any]]:
    activities = (
        Activity.objects.filter(actor=user)
        .select_related("practice", "organisation", "city")
        .order_by("created_at", "id")
    )
    for activity in activities.iterator(chunk_size=_CHUNK):
        yield {
            "when": _when(activity.created_at),
            "what": str(ActivityVerb(activity.verb).label),
            "practice": activity.practice.title if activity.practice else "",
            "organisation": activity.organisation.name if activity.organisation else "",
            "city": activity.city.name if activity.city else "",
        }


def _conversation_partners(user: User) -> dict[int, str]:
    """Conversation id → the other person's name."""
    others = (
        ConversationMember.objects.filter(conversation__members__user=user)
        .exclude(user=user)
        .select_related("user")
    )
    return {member.conversation_id: _name_of(member.user) for member in others}


def _conversation_rows(user: User, partners: dict[int, str]) -> list[dict[str, Any]]:
    memberships = (
        ConversationMember.objects.filter(user=user)
        .select_related("conversation")
        .order_by("conversation__created_at", "conversation_id")
    )
    return [
        {
            "conversation": membership.conversation_id,
            "with": partners.get(membership.conversation_id, gettext("Former member")),
            "started": _when(membership.conversation.created_at),
            "last_message": _when(membership.conversation.last_message_at),
        }
        for membership in memberships
    ]


def _message_rows(user: User, partners: dict[int, str]) -> Iterator[dict[str, Any]]:
    messages = Message.objects.filter(conversation__members__user=user).order_by(
        "conversation_id", "created_at", "id"
    )
    you = gettext("you")
    for message in messages.iterator(chunk_size=_CHUNK):
        sent = message.sender_id == user.pk
        other = partners.get(message.conversation_id, gettext("Former member"))
        removed = message.removed_at is not None
        yield {
            "conversation": message.conversation_id,
            "with": other,
            "direction": gettext("sent") if sent else gettext("received"),
            "from": you if sent else (other if message.sender_id is not None else gettext("Former member")),
            "sent": _when(message.created_at),
            # A message staff removed after a report is not handed out again; the member's own words are.
            "message": message.body if sent or not removed else "",
            "removed": removed,
        }


def _report_rows(user: User) -> list[dict[str, Any]]:
    reports = MessageReport.objects.filter(reporter=user).select_related("message").order_by("created_at")
    return [
        {
            "reported": _when(report.created_at),
            "message": report.message_id,
            "conversation": report.message.conversation_id,
            "reason": report.get_reason_display(),
            "comment": report.comment,
            "status": report.get_status_display(),
        }
        for report in reports
    ]


def _block_rows(user: User) -> list[dict[str, Any]]:
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("created_at", "id")
    return [{"blocked": _name_of(block.blocked), "since": _when(block.created_at)} for block in blocks]


def _practice_rows(user: User) -> Iterator[dict[str, Any]]:
    from connective.practices.models import Practice

    practices = Practice.objects.filter(Q(author=user) | Q(contact=user)).order_by("created_at", "id")
    author, contact = gettext("author"), gettext("contact person")
    for practice in practices.iterator(chunk_size=_CHUNK):
        roles = [
            label
            for label, holds in (
                (author, practice.author_id == user.pk),
                (contact, practice.contact_id == user.pk),
            )
            if holds
        ]
        yield {
            "title": practice.title,
            "status": practice.get_status_display(),
            "role": "; ".join(roles),
            # Only a published practice has a public page.
            "url": settings.SITE_URL + practice.get_absolute_url() if practice.is_published else "",
        }


def _audit_rows(user: User) -> Iterator[dict[str, Any]]:
    entries = AuditLog.objects.filter(
        Q(actor=user) | Q(object_type=User._meta.label_lower, object_id=str(user.pk))
    ).order_by("created_at", "id")
    for entry in entries.iterator(chunk_size=_CHUNK):
        yield {
            "when": _when(entry.created_at),
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            # Who else acted (staff) is theirs to know, not the member's.
            "by_you": entry.actor_id == user.pk,
            "details": entry.details,
        }


def privacy_export_data(*, user: User) -> dict[str, Iterable[dict[str, Any]]]:
    """Everything about `user`, kind by kind (see KINDS). Long kinds are generators reading in chunks, so
    the number of queries does not grow with the member's history."""
    user = with_profile_data(User.objects.filter(pk=user.pk)).get()
    profile: Profile | None = getattr(user, "profile", None)
    view = person_view(user, user) if profile is not None else None
    partners = _conversation_partners(user)
    data: dict[str, Iterable[dict[str, Any]]] = {
        "account": _account_rows(user),
        "email_addresses": _email_address_rows(user),
        "profile": _profile_rows(user, profile),
        "languages": [
            {"language": skill.code, "name": skill.name, "level": skill.level_label}
            for skill in (view.languages if view else [])
        ],
        "links": [{"label": link.label, "url": link.url} for link in (view.links if view else [])],
        "expertise": [
            {"topic": topic.slug, "name": topic.name} for topic in (view.expertise if view else [])
        ],
        "follows": _follow_rows(user),
        "activities": _activity_rows(user),
        "conversations": _conversation_rows(user, partners),
        "messages": _message_rows(user, partners),
        "message_reports": _report_rows(user),
        "blocks": _block_rows(user),
        "practices": _practice_rows(user),
        "event_registrations": registration_export_rows(user),
        "event_proposals": proposal_export_rows(user),
        "notifications": notification_export_rows(user),
        "notification_preferences": preference_export_rows(user),
        "audit_log": _audit_rows(user),
    }
    return data


# Spreadsheet programs run a cell that starts with one of these as a formula; a message from someone else
# must not become one. The JSON file keeps every value exactly as stored.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _write_export(handle: Any, *, user: User, data: dict[str, Iterable[dict[str, Any]]]) -> None:
    """data.json, one CSV per kind, a README and the photo into the open binary file `handle`."""
    materialised = {kind.name: list(data[kind.name]) for kind in KINDS}
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        document = {
            "format": "connective-personal-data/1",
            "site": settings.SITE_URL,
            "exported_at": timezone.now().isoformat(),
            **{
                name: (rows[0] if name == "account" and rows else rows) for name, rows in materialised.items()
            },
        }
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str))
        for kind in KINDS:
            buffer = io.StringIO()
            # A byte-order mark so spreadsheet programs read the file as UTF-8.
            buffer.write("\ufeff")
            writer = csv.writer(buffer)
            writer.writerow(kind.columns)
            for row in materialised[kind.name]:
                writer.writerow([_csv_cell(row.get(column)) for column in kind.columns])
            archive.writestr(f"{kind.name}.csv", buffer.getvalue())
        archive.writestr(
            "README.txt",
            render_to_string(
                "accounts/privacy/export_readme.txt",
                {
                    "user": user,
                    "kinds": [kind.name for kind in KINDS],
                    "site_name": settings.WAGTAIL_SITE_NAME,
                },
            ),
        )
        photo = getattr(getattr(user, "profile", None), "photo", None)
        if photo:
            try:
                with default_storage.open(photo.name, "rb") as stored:
                    archive.writestr(f"photo{PurePosixPath(photo.name).suffix.lower()}", stored.read())
            except OSError:
                pass  # A photo missing from storage is still named in profile.csv; the export goes on.


def privacy_export_build(*, user_id: int, now: datetime | None = None) -> str | None:
    """Write the member's export, replace their earlier ones, and e-mail them the link. Runs as a task.

    Returns the stored name, or None when the member has gone (deleted, deactivated) since asking.
    """
    user = User.objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True).first()
    if user is None:
        return None
    storage = export_storage()
    created = now or timezone.now()
    earlier = _user_export_names(storage, user.pk)
    with translation.override(_member_language(user)):
        data = privacy_export_data(user=user)
        buffer = io.BytesIO()
        _write_export(buffer, user=user, data=data)
    name = storage.save(_export_name(user.pk, created), ContentFile(buffer.getvalue()))
    # One export per member at a time: the newest link is the one that works.
    for old in earlier:
        storage.delete(old)
    _export_email(user=user, name=name, created=created).send()
    return name


def _export_email(*, user: User, name: str, created: datetime) -> EmailMessage:
    with translation.override(_member_language(user)):
        context = {
            "name": user.display_name,
            "link": privacy_export_url(user=user, name=name),
            "valid_until": created + EXPORT_VALID_FOR,
            "privacy_url": settings.SITE_URL + reverse("accounts:privacy"),
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        body = render_to_string("accounts/privacy/email/export_ready.txt", context)
        subject = gettext("[%(site)s] Your data is ready to download") % {"site": settings.WAGTAIL_SITE_NAME}
    return EmailMessage(subject=subject, body=body, to=[user.email])


def privacy_export_next_allowed(*, user: User, now: datetime | None = None) -> datetime | None:
    """When the member may next ask for an export; None when they may now."""
    now = now or timezone.now()
    last = (
        AuditLog.objects.filter(actor=user, action=EXPORT_REQUESTED, created_at__gt=now - EXPORT_INTERVAL)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return last + EXPORT_INTERVAL if last is not None else None


def privacy_export_request(*, user: User) -> None:
    """Queue the member's export. ValidationError (code "rate_limited") within EXPORT_INTERVAL of the last."""
    from connective.accounts.tasks import privacy_export

    with transaction.atomic():
        # Two clicks at the same moment must not both pass the limit (PostgreSQL; SQLite already serialises).
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        now = timezone.now()
        next_allowed = privacy_export_next_allowed(user=user, now=now)
        if next_allowed is not None:
            minutes = max(1, int((next_allowed - now).total_seconds() + 59) // 60)
            raise ValidationError(
                ngettext(
                    "You can ask for your data once an hour. Please try again in %(minutes)d minute.",
                    "You can ask for your data once an hour. Please try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="rate_limited",
            )
        audit_log_record(actor=user, action=EXPORT_REQUESTED, target=user)
        user_id = user.pk
        transaction.on_commit(lambda: privacy_export.enqueue(user_id))


def privacy_export_downloaded(*, user: User, name: str) -> None:
    audit_log_record(actor=user, action=EXPORT_DOWNLOADED, target=user, file=PurePosixPath(name).name)


def privacy_export_latest(*, user: User, now: datetime | None = None) -> datetime | None:
    """When the member's current export was made, if one is ready and not expired."""
    now = now or timezone.now()
    made = [_export_created(name) for name in _user_export_names(export_storage(), user.pk)]
    valid = [created for created in made if created is not None and now - created <= EXPORT_VALID_FOR]
    return max(valid) if valid else None


def privacy_exports_purge(*, now: datetime | None = None) -> int:
    """Delete every export older than EXPORT_VALID_FOR (and any stray file). Returns how many went."""
    now = now or timezone.now()
    storage = export_storage()
    try:
        directories, _files = storage.listdir("")
    except FileNotFoundError:
        return 0
    removed = 0
    for directory in directories:
        _sub, files = storage.listdir(directory)
        for file_name in files:
            name = f"{directory}/{file_name}"
            created = _export_created(name)
            if created is None or now - created > EXPORT_VALID_FOR:
                storage.delete(name)
                removed += 1
    return removed


# --- Deleting an account --------------------------------------------------------------------------------


def _attempts_key(user: User) -> str:
    return f"privacy:delete-attempts:{user.pk}"


def _record_failed_attempt(user: User) -> None:
    key = _attempts_key(user)
    if not cache.add(key, 1, timeout=int(DELETE_ATTEMPTS_WINDOW.total_seconds())):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=int(DELETE_ATTEMPTS_WINDOW.total_seconds()))


def _second_factor_valid(user: User, code: str) -> bool:
    """A current TOTP code or an unused recovery code, as at sign-in (a code counts once)."""
    from allauth.mfa.models import Authenticator

    authenticators = Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN)
    return any(authenticator.wrap().validate_code(code) for authenticator in authenticators)


def account_delete_check(*, user: User, password: str, code: str, confirmed: bool) -> None:
    """Raise ValidationError (field → message) unless the member confirmed, gave their password and, with
    two-factor authentication on, a valid code. The code is checked last, so a wrong password does not use
    it up."""
    from connective.accounts.services import user_has_two_factor

    if int(cache.get(_attempts_key(user)) or 0) >= DELETE_ATTEMPTS:
        raise ValidationError(
            gettext("Too many wrong attempts. Please wait %(minutes)d minutes and try again.")
            % {"minutes": int(DELETE_ATTEMPTS_WINDOW.total_seconds() // 60)},
            code="rate_limited",
        )
    errors: dict[str, str] = {}
    if not confirmed:
        errors["confirm"] = gettext("Please tick the box to confirm that you want to delete your account.")
    if not password:
        errors["password"] = gettext("Please enter your password.")
    elif not user.check_password(password):
        _record_failed_attempt(user)
        errors["password"] = gettext("This password is not correct.")
    if errors:
        raise ValidationError(errors)
    if user_has_two_factor(user):
        code = "".join(code.split())
        if not code:
            raise ValidationError({"code": gettext("Please enter the code from your authenticator app.")})
        if not _second_factor_valid(user, code):
            _record_failed_attempt(user)
            raise ValidationError(
                {"code": gettext("This code is not correct. Please enter the current code.")}
            )


def _delete_files_on_commit(storage: Storage, names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            storage.delete(name)

    if names:
        # Only once the erasure is stored: a rolled-back deletion must keep the member's photo.
        transaction.on_commit(delete)


def account_delete(*, user: User, password: str, code: str = "", confirmed: bool) -> User:
    """Erase the member's personal data and close the account; keep their contributions under "Former
    member". Raises ValidationError for bad input (nothing is changed then). The caller logs the member out.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from connective.events.privacy import events_forget_member
    from connective.network.tasks import schedule_person_index
    from connective.notifications.services import notifications_forget_member

    account_delete_check(user=user, password=password, code=code, confirmed=confirmed)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.deleted_at is not None:
            return user
        former_email = user.email
        media_files: list[str] = []

        profile = Profile.objects.filter(user=user).first()
        if profile is not None:
            if profile.photo:
                media_files.append(str(profile.photo.name))
            profile.delete()  # languages, links and expertise go with it
        Follow.objects.filter(Q(follower=user) | Q(kind=FollowKind.PERSON, object_id=user.pk)).delete()
        Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
        Activity.objects.filter(actor=user, verb__in=_PERSONAL_ACTIVITIES).delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        notifications_forget_member(user=user)
        events_forget_member(user=user)
        _delete_back_office_profile(user, media_files)
        _delete_sign_in_records(former_email)

        user.first_name = ""
        user.last_name = ""
        user.email = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
        user.position = ""
        user.organisation = None
        user.city = None
        user.country = None
        user.role = Role.MEMBER
        user.is_staff = False
        user.is_superuser = False
        user.is_active = False
        user.deleted_at = timezone.now()
        # A new password hash also ends every other session: Django checks it on each request.
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()

        audit_log_record(actor=user, action=ACCOUNT_DELETED, target=user)
        _delete_files_on_commit(default_storage, media_files)
        _delete_files_on_commit(export_storage(), _user_export_names(export_storage(), user.pk))
        schedule_person_index(user.pk)
    cache.delete(_attempts_key(user))
    return user


def _delete_back_office_profile(user: User, media_files: list[str]) -> None:
    from wagtail.users.models import UserProfile

    for wagtail_profile in UserProfile.objects.filter(user=user):
        if wagtail_profile.avatar:
            media_files.append(str(wagtail_profile.avatar.name))
        wagtail_profile.delete()


def _delete_sign_in_records(email: str) -> None:
    """django-axes keeps sign-in attempts under the address typed; they name the member."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()

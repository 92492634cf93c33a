"""Every write to groups and their membership: creating and changing groups, joining, requests to join,
invitations, leaving, and naming moderators.

Each service is keyword-only, atomic and audit-logged, and keeps the group's member count in the same
transaction. Permission comes from the caller's GroupAccess (selectors.group_access, decided once per request)
and is checked again here, so the pages, the API and the back office cannot differ. Bad input raises a
translated ValidationError before anything is written; an action the caller may not take raises
PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from connective.accounts.models import Role, User
from connective.accounts.rules import is_member, is_programme_staff
from connective.core.images import image_extension, image_reencoded, image_size
from connective.core.models import Region, Topic
from connective.core.services import audit_log_record
from connective.groups.models import (
    Access,
    Group,
    GroupKind,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    RequestStatus,
    ThreadSubscription,
)
from connective.groups.notices import group_scope
from connective.groups.selectors import GroupAccess
from connective.network.models import Organisation
from connective.notifications.services import notify

NAME_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 300
DESCRIPTION_MAX_LENGTH = 20_000
MESSAGE_MAX_LENGTH = 2_000
MAX_LANGUAGES = 10
MAX_TOPICS = 20
SLUG_MAX_LENGTH = 100

# Single path segments under /groups/ that are pages, not groups: a group never takes one as its slug, so
# /groups/invitations/ and /groups/reports/ stay reachable whatever groups exist.
RESERVED_SLUGS = frozenset(
    {"invitations", "reports", "new", "feed", "search", "mine", "api", "admin", "static", "media"}
)

# The stored cover is cut to 16:9 and at most this wide; the original, with its metadata, is not kept.
COVER_STORED_WIDTH = 1200

# Keys of group_create / group_update data that anyone who moderates the group may change; the others are
# for programme staff.
MODERATOR_FIELDS = frozenset(
    {
        "summary",
        "description",
        "description_language",
        "topics",
        "region",
        "languages",
        "cover",
        "remove_cover",
        "hold_first_posts",
    }
)
STAFF_FIELDS = frozenset({"name", "kind", "access", "moderators"})


# --- Checks ---------------------------------------------------------------------------------------------------


def _language_code_valid(code: str) -> bool:
    from connective.network.services import language_code_valid

    return language_code_valid(code)


def group_validate_cover(file: UploadedFile) -> str:
    """The cover's format as a file extension, or a ValidationError that says what to upload instead."""
    return image_extension(
        file,
        too_large=gettext(
            "The cover image is %(size)s MB; the limit is 5 MB. Please upload a smaller image."
        ),
        wrong_type=gettext("The cover must be a JPEG, PNG or WebP image."),
        too_many_pixels=gettext(
            "The cover image has too many pixels. Please upload one of at most 6,000 by 6,000 pixels."
        ),
    )


def _cover_content(file: UploadedFile, extension: str) -> ContentFile[bytes]:
    """The cover re-encoded without its metadata, cut to 16:9, at most 1,200 pixels wide."""
    width = min(image_size(file)[0], COVER_STORED_WIDTH)
    return image_reencoded(file, extension, width=width, height=max(1, round(width * 9 / 16)), quality=82)


def _text_error(data: Mapping[str, Any], key: str, limit: int, errors: dict[str, list[str]]) -> None:
    if key in data and len(data[key] or "") > limit:
        errors.setdefault(key, []).append(
            gettext("Write at most %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(data[key] or "")}
        )


def group_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per-key messages for everything wrong in group data; empty when all of it can be saved.

    Forms call it too, so that a page and the service refuse the same things with the same words.
    """
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if "name" in data and not (data["name"] or "").strip():
        fail("name", gettext("Give the group a name."))
    _text_error(data, "name", NAME_MAX_LENGTH, errors)
    _text_error(data, "summary", SUMMARY_MAX_LENGTH, errors)
    _text_error(data, "description", DESCRIPTION_MAX_LENGTH, errors)
    if "kind" in data and data["kind"] not in GroupKind.values:
        fail("kind", gettext("Choose whether the group is thematic or regional."))
    if "access" in data and data["access"] not in Access.values:
        fail("access", gettext("Choose open, closed or secret."))
    if "description_language" in data and not _language_code_valid(data["description_language"] or ""):
        fail(
            "description_language",
            gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
            % {"code": data["description_language"] or ""},
        )
    if "languages" in data:
        languages = list(data["languages"] or ())
        if len(languages) > MAX_LANGUAGES:
            fail("languages", gettext("List at most %(limit)d languages.") % {"limit": MAX_LANGUAGES})
        seen: set[str] = set()
        for code in languages:
            if not _language_code_valid(code or ""):
                fail(
                    "languages",
                    gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
                    % {"code": code or ""},
                )
            elif code in seen:
                fail("languages", gettext("You listed %(code)s twice.") % {"code": code})
            seen.add(code or "")
    if "region" in data and data["region"] is not None:
        region = data["region"]
        if not isinstance(region, Region) or region.pk is None:
            fail("region", gettext("Choose a region from the list."))
    if "topics" in data:
        topics = list(data["topics"] or ())
        if any(not isinstance(topic, Topic) or topic.pk is None for topic in topics):
            fail("topics", gettext("Choose topics from the list."))
        elif len(topics) > MAX_TOPICS:
            fail("topics", gettext("Choose at most %(limit)d topics.") % {"limit": MAX_TOPICS})
    if "moderators" in data:
        for user in data["moderators"] or ():
            if not isinstance(user, User) or not user.is_active or user.deleted_at is not None:
                fail("moderators", gettext("Moderators must be active members of the platform."))
                break
    if data.get("cover"):
        try:
            group_validate_cover(data["cover"])
        except ValidationError as error:
            errors.setdefault("cover", []).extend(error.messages)
    return errors


def _message_error(message: str, key: str = "message") -> None:
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                key: gettext("Write at most %(limit)d characters (this has %(count)d).")
                % {"limit": MESSAGE_MAX_LENGTH, "count": len(message)}
            }
        )


def _require_member(user: Any) -> None:
    if not is_member(user):
        raise PermissionDenied


def _require_moderator(actor: Any, access: GroupAccess) -> None:
    if not is_member(actor) or not access.is_moderator:
        raise PermissionDenied


# --- Slugs ------------------------------------------------------------------------------------------------


def group_slug_for(name: str) -> str:
    """A free, readable address part for a group called `name` (a neutral one for non-Latin names)."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 8].strip("-") or "group"
    if base in RESERVED_SLUGS:
        base = f"{base}-group"
    taken = set(Group.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


# --- Counters -----------------------------------------------------------------------------------------------


def _add_member(group: Group, user: Any, *, role: str = MemberRole.MEMBER) -> Membership:
    """A membership with the group's counter; ValidationError when the user is already a member."""
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group,
                user=user,
                role=role,
                # Moderators are trusted; others wait for a moderator when the group holds first posts.
                approved_poster=role == MemberRole.MODERATOR or not group.hold_first_posts,
            )
    except IntegrityError as error:
        raise ValidationError(gettext("You are already a member of this group.")) from error
    Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
    group.member_count += 1
    # Whoever joins no longer waits for an answer or holds an open invitation to the same group.
    now = timezone.now()
    JoinRequest.objects.filter(group=group, user=user, status=RequestStatus.PENDING).update(
        status=RequestStatus.ACCEPTED, decided_at=now
    )
    Invitation.objects.filter(group=group, invitee=user, status=RequestStatus.PENDING).update(
        status=RequestStatus.ACCEPTED, answered_at=now
    )
    return membership


def _remove_member(group: Group, membership: Membership) -> None:
    membership.delete()
    Group.objects.filter(pk=group.pk, member_count__gt=0).update(member_count=F("member_count") - 1)
    group.member_count = max(0, group.member_count - 1)
    # Threads of a group one has left are no longer one's business.
    ThreadSubscription.objects.filter(user_id=membership.user_id, thread__group=group).delete()


def _moderators_of(group: Group) -> list[Any]:
    """Who hears of requests to join: the group's moderators, or programme staff when it has none."""
    moderators = list(
        User.objects.filter(
            group_memberships__group=group,
            group_memberships__role=MemberRole.MODERATOR,
            is_active=True,
            deleted_at__isnull=True,
        )
    )
    if moderators:
        return moderators
    return list(
        User.objects.filter(
            role__in=[Role.STAFF, Role.ADMINISTRATOR], is_active=True, deleted_at__isnull=True
        )
    )


def _group_path(group: Group) -> str:
    return reverse("groups:detail", kwargs={"slug": group.slug})


# --- Creating and changing groups ---------------------------------------------------------------------------


def _store_cover(group: Group, cover: UploadedFile) -> None:
    extension = group_validate_cover(cover)
    group.cover.save(f"{uuid4().hex}.{extension}", _cover_content(cover, extension), save=False)


def _forget_file_on_commit(group: Group, name: str) -> None:
    # A replaced or removed cover stops being reachable at its address, but only once the change is
    # certain: a rolled-back save keeps the old file.
    storage = group.cover.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def group_create(
    *,
    actor: Any,
    name: str,
    kind: str = GroupKind.THEMATIC,
    access: str = Access.OPEN,
    summary: str = "",
    description: str = "",
    description_language: str = "en",
    languages: Iterable[str] = (),
    topics: Iterable[Topic] = (),
    region: Region | None = None,
    cover: UploadedFile | None = None,
    hold_first_posts: bool = False,
    moderators: Iterable[Any] = (),
) -> Group:
    """A new group, created by programme staff, with its moderators as its first members."""
    if not is_programme_staff(actor):
        raise PermissionDenied
    topics, moderators, languages = list(topics), list(dict.fromkeys(moderators)), list(languages)
    data: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "access": access,
        "summary": summary,
        "description": description,
        "description_language": description_language,
        "languages": languages,
        "topics": topics,
        "region": region,
        "cover": cover,
        "moderators": moderators,
    }
    errors = group_errors(data)
    if errors:
        raise ValidationError(errors)
    group = Group(
        name=name.strip(),
        slug=group_slug_for(name),
        kind=kind,
        access=access,
        summary=(summary or "").strip(),
        description=description or "",
        description_language=description_language,
        languages=languages,
        region=region,
        hold_first_posts=hold_first_posts,
        created_by=actor,
    )
    if cover:
        _store_cover(group, cover)
    group.save()
    group.topics.set(topics)
    for user in moderators:
        _add_member(group, user, role=MemberRole.MODERATOR)
    audit_log_record(
        actor=actor,
        action="group.create",
        target=group,
        access=str(access),
        moderators=[user.pk for user in moderators],
    )
    return group


def _replace_moderators(actor: Any, group: Group, wanted: list[Any]) -> list[str]:
    """Make exactly `wanted` the group's moderators (staff, from the back office); logged like moderator_set."""
    current = {m.user_id: m for m in Membership.objects.filter(group=group).select_related("user")}
    wanted_ids = {user.pk for user in wanted}
    changed = False
    for user in wanted:
        membership = current.get(user.pk)
        if membership is None:
            _add_member(group, user, role=MemberRole.MODERATOR)
        elif membership.role != MemberRole.MODERATOR:
            membership.role = MemberRole.MODERATOR
            membership.approved_poster = True
            membership.save(update_fields=["role", "approved_poster"])
        else:
            continue
        changed = True
        ModerationLogEntry.objects.create(
            group=group, moderator=actor, action=ModerationAction.PROMOTE, member=user
        )
    for user_id, membership in current.items():
        if membership.role == MemberRole.MODERATOR and user_id not in wanted_ids:
            membership.role = MemberRole.MEMBER
            membership.save(update_fields=["role"])
            changed = True
            ModerationLogEntry.objects.create(
                group=group, moderator=actor, action=ModerationAction.DEMOTE, member=membership.user
            )
    return ["moderators"] if changed else []


@transaction.atomic
def group_update(*, actor: Any, access: GroupAccess, data: Mapping[str, Any]) -> Group:
    """Change a group; only the keys present in `data` change. All of it or nothing.

    Moderators (and staff) change: summary, description, description_language, topics (Topics), region
    (Region or None), languages (ISO 639-1 codes), cover (an uploaded JPEG, PNG or WebP of at most 5 MB,
    stored re-encoded without metadata), remove_cover (bool), hold_first_posts (bool). Programme staff also
    change name, kind, access and moderators (the complete list of users; others lose the role).
    The address (slug) never changes, so links keep working.
    """
    _require_moderator(actor, access)
    staff = bool(is_programme_staff(actor))
    unknown = set(data) - MODERATOR_FIELDS - STAFF_FIELDS
    if unknown:
        raise ValueError(f"Unknown group fields: {sorted(unknown)}")
    # Moderators may send the whole form back; only a change of a staff field needs staff.
    locked = Group.objects.select_for_update().get(pk=access.group.pk)
    if not staff:
        for key in STAFF_FIELDS & set(data):
            if key == "moderators" or data[key] != getattr(locked, key):
                raise PermissionDenied
    errors = group_errors(data)
    if errors:
        raise ValidationError(errors)

    group = locked
    changed: list[str] = []
    for key in ("name", "summary"):
        if key in data:
            setattr(group, key, (data[key] or "").strip())
            changed.append(key)
    for key in ("kind", "access", "description", "description_language", "hold_first_posts", "region"):
        if key in data:
            setattr(group, key, data[key] if key != "description" else (data[key] or ""))
            changed.append(key)
    if "languages" in data:
        group.languages = list(data["languages"] or ())
        changed.append("languages")
    old_cover = group.cover.name if group.cover else ""
    if data.get("cover"):
        _store_cover(group, data["cover"])
        changed.append("cover")
    elif data.get("remove_cover") and old_cover:
        group.cover = None  # type: ignore[assignment]
        changed.append("cover")
    group.save()
    if old_cover and "cover" in changed:
        _forget_file_on_commit(group, old_cover)
    if "topics" in data:
        group.topics.set(list(data["topics"] or ()))
        changed.append("topics")
    if "moderators" in data:
        changed.extend(_replace_moderators(actor, group, list(dict.fromkeys(data["moderators"] or ()))))
    if "hold_first_posts" in data and not data["hold_first_posts"]:
        # Nothing is held any more, so every member may post at once.
        Membership.objects.filter(group=group, approved_poster=False).update(approved_poster=True)
    audit_log_record(actor=actor, action="group.update", target=group, fields=sorted(set(changed)))
    return group


# --- Joining and leaving ------------------------------------------------------------------------------------


def _check_can_enter(group: Group) -> None:
    if group.archived_at is not None:
        raise ValidationError(gettext("This group is archived and takes no new members."))


@transaction.atomic
def group_join(*, user: Any, access: GroupAccess) -> Membership:
    """Join an open group at once. Closed groups take requests (join_request_create); secret groups take
    invited people only (invitation_answer)."""
    _require_member(user)
    group = access.group
    if access.is_member:
        raise ValidationError(gettext("You are already a member of this group."))
    _check_can_enter(group)
    if group.access == Access.CLOSED:
        raise ValidationError(
            gettext("This group is closed: ask the moderators to let you in, with a short message.")
        )
    if group.access == Access.SECRET:
        raise ValidationError(gettext("This group is open by invitation only."))
    membership = _add_member(group, user)
    audit_log_record(actor=user, action="group.join", target=group)
    return membership


@transaction.atomic
def join_request_create(*, user: Any, access: GroupAccess, message: str = "") -> JoinRequest:
    """Ask to join a closed group; its moderators are told. One request waits at a time."""
    _require_member(user)
    group = access.group
    message = (message or "").strip()
    if access.is_member:
        raise ValidationError(gettext("You are already a member of this group."))
    _check_can_enter(group)
    if group.access == Access.OPEN:
        raise ValidationError(gettext("This group is open: join it directly, no request is needed."))
    if group.access == Access.SECRET:
        raise ValidationError(gettext("This group is open by invitation only."))
    _message_error(message)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(group=group, user=user, message=message)
    except IntegrityError as error:
        raise ValidationError(
            gettext("You already asked to join this group; the moderators will answer.")
        ) from error
    notify(
        recipients=_moderators_of(group),
        kind="groups.join_request",
        actor=user,
        scope=group_scope(group),
        target=join_request,
        path=reverse("groups:requests", kwargs={"slug": group.slug}),
        data={"actor": user.display_name, "group": group.name},
    )
    audit_log_record(actor=user, action="group.join_request", target=group, request=join_request.pk)
    return join_request


@transaction.atomic
def join_request_decide(
    *, moderator: Any, access: GroupAccess, join_request: JoinRequest, accept: bool, response: str = ""
) -> JoinRequest:
    """Accept or decline a request to join, with an optional answer the member reads. Logged."""
    _require_moderator(moderator, access)
    group = access.group
    if join_request.group_id != group.pk:
        raise PermissionDenied
    response = (response or "").strip()
    _message_error(response, "response")
    locked = JoinRequest.objects.select_for_update().select_related("user").get(pk=join_request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(
            gettext("This request was already answered or withdrawn (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    requester = locked.user
    if accept and not Membership.objects.filter(group=group, user=requester).exists():
        _add_member(group, requester)
    locked.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    locked.decided_by = moderator
    locked.decided_at = timezone.now()
    locked.response = response
    locked.save(update_fields=["status", "decided_by", "decided_at", "response"])
    ModerationLogEntry.objects.create(
        group=group,
        moderator=moderator,
        action=ModerationAction.ACCEPT_REQUEST if accept else ModerationAction.DECLINE_REQUEST,
        reason=response,
        member=requester,
    )
    notify(
        recipients=[requester],
        kind="groups.join_decision",
        actor=moderator,
        scope=group_scope(group),
        target=group,
        path=_group_path(group),
        data={
            "actor": moderator.display_name,
            "group": group.name,
            "accepted": bool(accept),
            "response": response,
        },
    )
    audit_log_record(
        actor=moderator,
        action="group.join_request_decide",
        target=group,
        request=locked.pk,
        accepted=bool(accept),
    )
    join_request.status, join_request.response = locked.status, locked.response
    join_request.decided_by, join_request.decided_at = locked.decided_by, locked.decided_at
    return join_request


@transaction.atomic
def join_request_withdraw(*, user: Any, join_request: JoinRequest) -> JoinRequest:
    """Take back one's own request before the moderators answer."""
    _require_member(user)
    if join_request.user_id != user.pk:
        raise PermissionDenied
    updated = JoinRequest.objects.filter(pk=join_request.pk, status=RequestStatus.PENDING).update(
        status=RequestStatus.WITHDRAWN, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError(gettext("This request was already answered or withdrawn."))
    join_request.refresh_from_db()
    audit_log_record(
        actor=user, action="group.join_request_withdraw", target=join_request.group, request=join_request.pk
    )
    return join_request


@transaction.atomic
def group_leave(*, user: Any, access: GroupAccess) -> None:
    """Leave a group. The last moderator stays until someone else moderates, so no group is left alone."""
    _require_member(user)
    group = access.group
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        raise ValidationError(gettext("You are not a member of this group."))
    if membership.role == MemberRole.MODERATOR:
        # Locked, so that two moderators leaving at once cannot both be "not the last one".
        moderators = list(
            Membership.objects.select_for_update()
            .filter(group=group, role=MemberRole.MODERATOR)
            .values_list("pk", flat=True)
        )
        if len(moderators) <= 1:
            raise ValidationError(
                gettext(
                    "You are the only moderator of this group. Name another moderator on the members "
                    "page before you leave."
                )
            )
    _remove_member(group, membership)
    audit_log_record(actor=user, action="group.leave", target=group)


# --- Invitations ------------------------------------------------------------------------------------------


def _invitable(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.deleted_at is None)


@transaction.atomic
def invitation_create(*, inviter: Any, access: GroupAccess, invitee: Any, message: str = "") -> Invitation:
    """Invite one person (any kind of group); they are told and answer on their invitations page."""
    _require_moderator(inviter, access)
    group = access.group
    message = (message or "").strip()
    _message_error(message)
    if not _invitable(invitee):
        raise ValidationError({"invitee": gettext("This person cannot be invited.")})
    if Membership.objects.filter(group=group, user=invitee).exists():
        raise ValidationError(
            {"invitee": gettext("%(name)s is already a member.") % {"name": invitee.display_name}}
        )
    _check_can_enter(group)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                group=group, invitee=invitee, invited_by=inviter, message=message
            )
    except IntegrityError as error:
        raise ValidationError(
            {"invitee": gettext("%(name)s is already invited.") % {"name": invitee.display_name}}
        ) from error
    notify(
        recipients=[invitee],
        kind="groups.invitation",
        actor=inviter,
        scope=group_scope(group),
        target=group,
        path=reverse("groups:invitations"),
        data={"actor": inviter.display_name, "group": group.name},
    )
    audit_log_record(actor=inviter, action="group.invite", target=group, invitee=invitee.pk)
    return invitation


@transaction.atomic
def invitation_create_for_organisation(
    *, inviter: Any, access: GroupAccess, organisation: Organisation, message: str = ""
) -> list[Invitation]:
    """Invite every active person of an organisation who is not yet a member nor already invited.
    Returns the new invitations (empty when everyone is in or invited)."""
    _require_moderator(inviter, access)
    group = access.group
    message = (message or "").strip()
    _message_error(message)
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise ValidationError({"organisation": gettext("Choose an organisation from the list.")})
    _check_can_enter(group)
    people = list(
        User.objects.filter(organisation=organisation, is_active=True, deleted_at__isnull=True)
        .exclude(Exists(Membership.objects.filter(group=group, user=OuterRef("pk"))))
        .exclude(
            Exists(
                Invitation.objects.filter(group=group, invitee=OuterRef("pk"), status=RequestStatus.PENDING)
            )
        )
        .order_by("pk")
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                group=group, invitee=person, invited_by=inviter, organisation=organisation, message=message
            )
            for person in people
        ]
    )
    if people:
        notify(
            recipients=people,
            kind="groups.invitation",
            actor=inviter,
            scope=group_scope(group),
            target=group,
            path=reverse("groups:invitations"),
            data={"actor": inviter.display_name, "group": group.name},
        )
    audit_log_record(
        actor=inviter,
        action="group.invite_organisation",
        target=group,
        organisation=organisation.pk,
        invitees=[person.pk for person in people],
    )
    return invitations


@transaction.atomic
def invitation_answer(*, user: Any, invitation: Invitation, accept: bool) -> Membership | None:
    """Accept (and become a member) or decline an invitation. Returns the membership when accepted."""
    _require_member(user)
    if invitation.invitee_id != user.pk:
        raise PermissionDenied
    locked = Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(gettext("This invitation was already answered."))
    group = locked.group
    membership = None
    if accept:
        _check_can_enter(group)
        membership = Membership.objects.filter(group=group, user=user).first() or _add_member(group, user)
    locked.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    invitation.status, invitation.answered_at = locked.status, locked.answered_at
    audit_log_record(
        actor=user, action="group.invitation_answer", target=group, invitation=locked.pk, accepted=accept
    )
    return membership


# --- Moderators ---------------------------------------------------------------------------------------------


@transaction.atomic
def moderator_set(*, actor: Any, access: GroupAccess, user: Any, moderator: bool) -> Membership:
    """Name a member moderator, or withdraw the role. The group always keeps at least one moderator."""
    _require_moderator(actor, access)
    group = access.group
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        raise ValidationError(gettext("Only members of the group can moderate it."))
    wanted = MemberRole.MODERATOR if moderator else MemberRole.MEMBER
    if membership.role == wanted:
        return membership
    if not moderator:
        moderators = list(
            Membership.objects.select_for_update()
            .filter(group=group, role=MemberRole.MODERATOR)
            .values_list("pk", flat=True)
        )
        if len(moderators) <= 1:
            raise ValidationError(
                gettext("%(name)s is the only moderator. Name another moderator first.")
                % {"name": user.display_name}
            )
    membership.role = wanted
    fields = ["role"]
    if moderator:
        membership.approved_poster = True
        fields.append("approved_poster")
    membership.save(update_fields=fields)
    ModerationLogEntry.objects.create(
        group=group,
        moderator=actor,
        action=ModerationAction.PROMOTE if moderator else ModerationAction.DEMOTE,
        member=user,
    )
    audit_log_record(
        actor=actor, action="group.moderator_set", target=group, member=user.pk, moderator=bool(moderator)
    )
    return membership

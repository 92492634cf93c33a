"""Moderation of working groups: reports of posts, the moderators' queue and log, and every moderation action.

Members report a post to the group's moderators; moderators (of that group) and programme staff hide or
restore posts, approve or reject held first posts, dismiss reports, lock and pin threads, mute and remove
members. Every action lands in one transaction with its ModerationLogEntry (the group's log: who, when, what,
why, about what) and an AuditLog row, and the member it concerns is told through the notification service
(kind "groups.moderation"), even about a post that is now hidden from everyone else. Hiding, rejecting,
muting and removing need a reason, because the member reads it.

Reporters stay anonymous to the author and to the moderators' queue, which shows how many reported a post
and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from connective.accounts.models import Role, User
from connective.accounts.rules import is_member, is_programme_staff
from connective.core.services import audit_log_record
from connective.groups.models import (
    Access,
    Group,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReport,
    PostReportReason,
    PostReportStatus,
    PostStatus,
    Thread,
    ThreadSubscription,
)
from connective.groups.notices import group_scope
from connective.groups.selectors import GroupAccess
from connective.notifications.services import notify

REASON_MAX = 2000
REPORT_COMMENT_MAX = 2000


# --- Reads --------------------------------------------------------------------------------------------


def may_moderate(user: Any, access: GroupAccess) -> bool:
    return bool(user is not None and user.has_perm("groups.moderate", access))


def may_report(user: Any, access: GroupAccess) -> bool:
    """Members of the group and staff report posts; readers of an open group who are not members do not."""
    return is_member(user) and access.can_read and (access.is_member or access.is_staff)


def post_report_open_exists(*, reporter: Any, post: Post) -> bool:
    return PostReport.objects.filter(
        post=post, reporter_id=reporter.pk, status=PostReportStatus.OPEN
    ).exists()


def post_ids_reported_by(*, reporter: Any, thread_id: int) -> set[int]:
    """Posts of a thread the member has an open report about, in one query (for "you reported this")."""
    if not is_member(reporter):
        return set()
    return set(
        PostReport.objects.filter(
            reporter_id=reporter.pk, post__thread_id=thread_id, status=PostReportStatus.OPEN
        ).values_list("post_id", flat=True)
    )


def reported_posts(group: Group | None = None) -> QuerySet[Post]:
    """Posts with open reports, the most reported first, then the latest reported; each annotated with
    `open_reports` and `last_reported_at`. All groups when `group` is None (staff only)."""
    posts = Post.objects.filter(reports__status=PostReportStatus.OPEN)
    if group is not None:
        posts = posts.filter(thread__group=group)
    return (
        posts.annotate(open_reports=Count("reports"), last_reported_at=Max("reports__created_at"))
        .select_related("thread", "thread__group", "author")
        .order_by("-open_reports", "-last_reported_at", "-pk")
    )


def held_posts(group: Group) -> QuerySet[Post]:
    """First posts of new members waiting for a moderator, oldest first so no one waits forever."""
    return (
        Post.objects.filter(thread__group=group, status=PostStatus.HELD)
        .select_related("thread", "author")
        .order_by("created_at", "pk")
    )


@dataclass
class ReportedPost:
    post: Post
    open_reports: int
    # The open reports, newest first; the page shows their reasons and comments, never who reported.
    reports: list[PostReport] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Each reason once, in the order first seen."""
        seen: dict[str, None] = {}
        for report in self.reports:
            seen.setdefault(str(report.get_reason_display()), None)
        return list(seen)


def reported_post_entries(posts: list[Post]) -> list[ReportedPost]:
    """One page of `reported_posts` with its open reports, in one more query whatever the page's length."""
    by_post: dict[int, list[PostReport]] = {post.pk: [] for post in posts}
    for report in PostReport.objects.filter(post_id__in=list(by_post), status=PostReportStatus.OPEN).order_by(
        "-created_at", "-pk"
    ):
        by_post[report.post_id].append(report)
    return [
        ReportedPost(post=post, open_reports=getattr(post, "open_reports", 0), reports=by_post[post.pk])
        for post in posts
    ]


def moderation_log_of(group: Group) -> QuerySet[ModerationLogEntry]:
    # The thread of a post entry is stored on the entry too, so the page needs no join through the post.
    return ModerationLogEntry.objects.filter(group=group).select_related("moderator", "member", "thread")


# --- Helpers ------------------------------------------------------------------------------------------


def _require_moderator(moderator: Any, access: GroupAccess) -> None:
    if not may_moderate(moderator, access):
        raise PermissionDenied(gettext("Only the group's moderators and programme staff may do this."))


def _require_in_group(access: GroupAccess, thread: Thread) -> None:
    if thread.group_id != access.group.pk:
        raise PermissionDenied(gettext("This is not part of the group."))


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").replace("\r\n", "\n").strip()
    if required and not reason:
        raise ValidationError(
            {"reason": [gettext("Please give a reason: the member reads it.")]}, code="required"
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": [
                    gettext("The reason is too long: at most %(limit)d characters (it has %(length)d).")
                    % {"limit": REASON_MAX, "length": len(reason)}
                ]
            },
            code="max_length",
        )
    return reason


def _state_error(text: str) -> ValidationError:
    return ValidationError(text, code="state")


def _post_path(group: Group, post: Post) -> str:
    return reverse("groups:post", kwargs={"slug": group.slug, "pk": post.pk})


def _thread_path(group: Group, thread: Thread) -> str:
    return reverse("groups:thread", kwargs={"slug": group.slug, "pk": thread.pk})


def _group_path(group: Group) -> str:
    return reverse("groups:detail", kwargs={"slug": group.slug})


def _record(
    *,
    moderator: Any,
    access: GroupAccess,
    action: ModerationAction,
    reason: str,
    post: Post | None = None,
    thread: Thread | None = None,
    member: Any = None,
    target: Any,
    **details: Any,
) -> ModerationLogEntry:
    entry = ModerationLogEntry.objects.create(
        group=access.group,
        moderator=moderator,
        action=action,
        reason=reason,
        post=post,
        thread=thread if thread is not None else (post.thread if post is not None else None),
        member=member,
    )
    audit_log_record(
        actor=moderator,
        action=f"groups.{action.value}",
        target=target,
        group_id=access.group.pk,
        moderation_log_id=entry.pk,
        reason=reason,
        **details,
    )
    return entry


def _tell(
    *,
    recipients: list[Any],
    moderator: Any,
    access: GroupAccess,
    action: ModerationAction,
    reason: str,
    target: Any = None,
    path: str = "",
    **extra: Any,
) -> None:
    notify(
        recipients=[person for person in recipients if person is not None],
        kind="groups.moderation",
        actor=moderator,
        scope=group_scope(access.group),
        target=target,
        path=path,
        data={"group": access.group.name, "action": action.value, "reason": reason, **extra},
    )


def _lock_post(access: GroupAccess, post: Post) -> Post:
    locked = Post.objects.select_for_update(of=("self",)).select_related("thread", "author").get(pk=post.pk)
    _require_in_group(access, locked.thread)
    return locked


def _set_moderated(post: Post, *, status: str, moderator: Any, reason: str) -> None:
    post.status = status
    post.moderated_at = timezone.now()
    post.moderated_by = moderator
    post.moderation_reason = reason
    post.save(update_fields=["status", "moderated_at", "moderated_by", "moderation_reason"])


# --- Reports ------------------------------------------------------------------------------------------


def _report_readers(group: Group) -> list[Any]:
    """Who hears of a report: the group's moderators, or programme staff when the group has none."""
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


def post_report_create(
    *, reporter: Any, access: GroupAccess, post: Post, reason: str, comment: str = ""
) -> PostReport:
    """A member reports a published post of someone else to the group's moderators, once while the report
    is open. The moderators are told; the author is not told who reported."""
    if not may_report(reporter, access):
        raise PermissionDenied(gettext("Only members of the group may report posts."))
    # Read afresh: a moderator may have hidden the post since the page showed it.
    post = Post.objects.select_related("thread").get(pk=post.pk)
    thread = post.thread
    _require_in_group(access, thread)
    if post.author_id == reporter.pk:
        raise ValidationError(gettext("You cannot report your own post."), code="own")
    if post.status != PostStatus.PUBLISHED:
        raise ValidationError(gettext("Moderators have already dealt with this post."), code="state")
    comment = (comment or "").replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if reason not in PostReportReason.values:
        errors["reason"] = [gettext("Choose why you report this post.")]
    if len(comment) > REPORT_COMMENT_MAX:
        errors["comment"] = [
            gettext("The comment is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": REPORT_COMMENT_MAX, "length": len(comment)}
        ]
    if errors:
        raise ValidationError(errors)
    duplicate = ValidationError(
        gettext("You have already reported this post. The moderators will look at it."), code="duplicate"
    )
    if post_report_open_exists(reporter=reporter, post=post):
        raise duplicate
    group = access.group
    try:
        with transaction.atomic():
            report = PostReport.objects.create(post=post, reporter=reporter, reason=reason, comment=comment)
            audit_log_record(
                actor=reporter,
                action="groups.report_post",
                target=report,
                post_id=post.pk,
                group_id=group.pk,
                reason=reason,
            )
            moderators = [user for user in _report_readers(group) if user.pk != reporter.pk]
            # No actor: the moderators' notice does not say who reported.
            notify(
                recipients=moderators,
                kind="groups.report",
                scope=group_scope(group),
                target=post,
                path=reverse("groups:moderation", kwargs={"slug": group.slug}),
                data={"group": group.name, "thread": thread.title, "reason": reason},
            )
    except IntegrityError:
        raise duplicate from None
    return report


@transaction.atomic
def report_dismiss(
    *, moderator: Any, access: GroupAccess, report: PostReport, reason: str = ""
) -> PostReport:
    """The post stays: this report and every other open report of the same post are closed, and each
    reporter is told."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=False)
    locked = (
        PostReport.objects.select_for_update(of=("self",)).select_related("post__thread").get(pk=report.pk)
    )
    post = locked.post
    _require_in_group(access, post.thread)
    if locked.status != PostReportStatus.OPEN:
        raise _state_error(gettext("This report has already been handled."))
    closing = list(
        PostReport.objects.select_for_update(of=("self",))
        .filter(post=post, status=PostReportStatus.OPEN)
        .select_related("reporter")
    )
    now = timezone.now()
    for item in closing:
        item.status = PostReportStatus.DISMISSED
        item.handled_by = moderator
        item.handled_at = now
    PostReport.objects.bulk_update(closing, ["status", "handled_by", "handled_at"])
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.DISMISS_REPORT,
        reason=reason,
        post=post,
        target=post,
        reports=[item.pk for item in closing],
    )
    _tell(
        recipients=[item.reporter for item in closing],
        moderator=moderator,
        access=access,
        action=ModerationAction.DISMISS_REPORT,
        reason=reason,
        target=post,
        path=_post_path(access.group, post),
    )
    locked.refresh_from_db()
    return locked


# --- Posts --------------------------------------------------------------------------------------------


@transaction.atomic
def post_hide(*, moderator: Any, access: GroupAccess, post: Post, reason: str) -> Post:
    """Hide a published post: readers see that a moderator hid it, the author is told why, and its open
    reports are upheld (their reporters are told too)."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=True)
    post = _lock_post(access, post)
    if post.status != PostStatus.PUBLISHED:
        raise _state_error(gettext("Only a published post can be hidden."))
    _set_moderated(post, status=PostStatus.HIDDEN, moderator=moderator, reason=reason)
    Thread.objects.filter(pk=post.thread_id, post_count__gt=0).update(post_count=F("post_count") - 1)
    upheld = list(
        PostReport.objects.select_for_update(of=("self",))
        .filter(post=post, status=PostReportStatus.OPEN)
        .select_related("reporter")
    )
    now = timezone.now()
    for report in upheld:
        report.status = PostReportStatus.UPHELD
        report.handled_by = moderator
        report.handled_at = now
    PostReport.objects.bulk_update(upheld, ["status", "handled_by", "handled_at"])
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.HIDE_POST,
        reason=reason,
        post=post,
        member=post.author,
        target=post,
        reports=[report.pk for report in upheld],
    )
    path = _post_path(access.group, post)
    _tell(
        recipients=[post.author],
        moderator=moderator,
        access=access,
        action=ModerationAction.HIDE_POST,
        reason=reason,
        target=post,
        path=path,
    )
    reporters = [report.reporter for report in upheld if report.reporter_id != post.author_id]
    if reporters:
        _tell(
            recipients=reporters,
            moderator=moderator,
            access=access,
            action=ModerationAction.HIDE_POST,
            reason=reason,
            target=post,
            path=path,
        )
    return post


@transaction.atomic
def post_restore(*, moderator: Any, access: GroupAccess, post: Post, reason: str = "") -> Post:
    """Publish a hidden post again; the author is told."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=False)
    post = _lock_post(access, post)
    if post.status != PostStatus.HIDDEN:
        raise _state_error(gettext("Only a hidden post can be restored."))
    _set_moderated(post, status=PostStatus.PUBLISHED, moderator=moderator, reason=reason)
    Thread.objects.filter(pk=post.thread_id).update(post_count=F("post_count") + 1)
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.RESTORE_POST,
        reason=reason,
        post=post,
        member=post.author,
        target=post,
    )
    _tell(
        recipients=[post.author],
        moderator=moderator,
        access=access,
        action=ModerationAction.RESTORE_POST,
        reason=reason,
        target=post,
        path=_post_path(access.group, post),
    )
    return post


@transaction.atomic
def post_approve(*, moderator: Any, access: GroupAccess, post: Post, reason: str = "") -> Post:
    """Publish a held first post; its author posts without approval from now on. The thread's counters and
    the usual notices (replies, mentions, new thread) follow as if the post had just been written."""
    from connective.groups.discussions import post_published_effects

    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=False)
    post = _lock_post(access, post)
    if post.status != PostStatus.HELD:
        raise _state_error(gettext("Only a post waiting for approval can be approved."))
    _set_moderated(post, status=PostStatus.PUBLISHED, moderator=moderator, reason=reason)
    if post.author_id is not None:
        Membership.objects.filter(group=access.group, user_id=post.author_id).update(approved_poster=True)
    post_published_effects(post)
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.APPROVE_POST,
        reason=reason,
        post=post,
        member=post.author,
        target=post,
    )
    _tell(
        recipients=[post.author],
        moderator=moderator,
        access=access,
        action=ModerationAction.APPROVE_POST,
        reason=reason,
        target=post,
        path=_post_path(access.group, post),
    )
    return post


@transaction.atomic
def post_reject(*, moderator: Any, access: GroupAccess, post: Post, reason: str) -> Post:
    """Do not publish a held post; the author is told why and no one else ever reads it."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=True)
    post = _lock_post(access, post)
    if post.status != PostStatus.HELD:
        raise _state_error(gettext("Only a post waiting for approval can be rejected."))
    _set_moderated(post, status=PostStatus.REJECTED, moderator=moderator, reason=reason)
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.REJECT_POST,
        reason=reason,
        post=post,
        member=post.author,
        target=post,
    )
    _tell(
        recipients=[post.author],
        moderator=moderator,
        access=access,
        action=ModerationAction.REJECT_POST,
        reason=reason,
        target=post,
        path=_thread_path(access.group, post.thread),
    )
    return post


# --- Threads ------------------------------------------------------------------------------------------


def _thread_flag(
    *,
    moderator: Any,
    access: GroupAccess,
    thread: Thread,
    reason: str,
    flag: str,
    value: bool,
    action: ModerationAction,
    already: str,
) -> Thread:
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=False)
    thread = Thread.objects.select_for_update(of=("self",)).select_related("author").get(pk=thread.pk)
    _require_in_group(access, thread)
    if getattr(thread, flag) == value:
        raise _state_error(already)
    setattr(thread, flag, value)
    thread.save(update_fields=[flag])
    _record(
        moderator=moderator,
        access=access,
        action=action,
        reason=reason,
        thread=thread,
        member=thread.author,
        target=thread,
    )
    _tell(
        recipients=[thread.author],
        moderator=moderator,
        access=access,
        action=action,
        reason=reason,
        target=thread,
        path=_thread_path(access.group, thread),
    )
    return thread


@transaction.atomic
def thread_lock(*, moderator: Any, access: GroupAccess, thread: Thread, reason: str = "") -> Thread:
    """No more replies; the thread stays readable."""
    return _thread_flag(
        moderator=moderator,
        access=access,
        thread=thread,
        reason=reason,
        flag="locked",
        value=True,
        action=ModerationAction.LOCK_THREAD,
        already=gettext("This thread is already locked."),
    )


@transaction.atomic
def thread_unlock(*, moderator: Any, access: GroupAccess, thread: Thread, reason: str = "") -> Thread:
    return _thread_flag(
        moderator=moderator,
        access=access,
        thread=thread,
        reason=reason,
        flag="locked",
        value=False,
        action=ModerationAction.UNLOCK_THREAD,
        already=gettext("This thread is not locked."),
    )


@transaction.atomic
def thread_pin(*, moderator: Any, access: GroupAccess, thread: Thread, reason: str = "") -> Thread:
    """Keep the thread at the top of the group's list."""
    return _thread_flag(
        moderator=moderator,
        access=access,
        thread=thread,
        reason=reason,
        flag="pinned",
        value=True,
        action=ModerationAction.PIN_THREAD,
        already=gettext("This thread is already pinned."),
    )


@transaction.atomic
def thread_unpin(*, moderator: Any, access: GroupAccess, thread: Thread, reason: str = "") -> Thread:
    return _thread_flag(
        moderator=moderator,
        access=access,
        thread=thread,
        reason=reason,
        flag="pinned",
        value=False,
        action=ModerationAction.UNPIN_THREAD,
        already=gettext("This thread is not pinned."),
    )


# --- Members ------------------------------------------------------------------------------------------


def _lock_membership(access: GroupAccess, member: Any) -> Membership:
    member_id = getattr(member, "pk", None)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(group=access.group, user_id=member_id)
        .first()
        if member_id is not None
        else None
    )
    if membership is None:
        raise _state_error(gettext("This person is not a member of the group."))
    return membership


def _refuse_self(moderator: Any, membership: Membership, text: str) -> None:
    if membership.user_id == moderator.pk:
        raise ValidationError(text, code="self")


@transaction.atomic
def member_mute(
    *, moderator: Any, access: GroupAccess, member: Any, until: datetime, reason: str
) -> Membership:
    """The member keeps reading but cannot post until `until`."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=True)
    if until is None or until <= timezone.now():
        raise ValidationError({"until": [gettext("Choose how long the member stays muted.")]}, code="until")
    membership = _lock_membership(access, member)
    _refuse_self(moderator, membership, gettext("You cannot mute yourself."))
    if membership.role == MemberRole.MODERATOR or is_programme_staff(membership.user):
        raise ValidationError(gettext("Moderators and programme staff cannot be muted."), code="protected")
    membership.muted_until = until
    membership.save(update_fields=["muted_until"])
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.MUTE_MEMBER,
        reason=reason,
        member=membership.user,
        target=access.group,
        member_id=membership.user_id,
        until=until.isoformat(),
    )
    _tell(
        recipients=[membership.user],
        moderator=moderator,
        access=access,
        action=ModerationAction.MUTE_MEMBER,
        reason=reason,
        path=_group_path(access.group),
        until=until.isoformat(),
    )
    return membership


@transaction.atomic
def member_unmute(*, moderator: Any, access: GroupAccess, member: Any, reason: str = "") -> Membership:
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=False)
    membership = _lock_membership(access, member)
    if membership.muted_until is None or membership.muted_until <= timezone.now():
        raise _state_error(gettext("This member is not muted."))
    membership.muted_until = None
    membership.save(update_fields=["muted_until"])
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.UNMUTE_MEMBER,
        reason=reason,
        member=membership.user,
        target=access.group,
        member_id=membership.user_id,
    )
    _tell(
        recipients=[membership.user],
        moderator=moderator,
        access=access,
        action=ModerationAction.UNMUTE_MEMBER,
        reason=reason,
        path=_group_path(access.group),
    )
    return membership


@transaction.atomic
def member_remove(*, moderator: Any, access: GroupAccess, member: Any, reason: str) -> None:
    """Take a member out of the group; they are told why. The last moderator and programme staff cannot be
    removed this way (staff change moderators in the group's settings)."""
    _require_moderator(moderator, access)
    reason = _clean_reason(reason, required=True)
    membership = _lock_membership(access, member)
    _refuse_self(moderator, membership, gettext("To leave the group, use “Leave the group”."))
    if is_programme_staff(membership.user):
        raise ValidationError(gettext("Programme staff cannot be removed from a group."), code="protected")
    group = access.group
    if membership.role == MemberRole.MODERATOR:
        # Locked, so that two removals at once cannot both leave "another moderator" behind.
        moderators = list(
            Membership.objects.select_for_update()
            .filter(group=group, role=MemberRole.MODERATOR)
            .values_list("pk", flat=True)
        )
        last = len(moderators) <= 1
    else:
        last = False
    if last:
        raise ValidationError(
            gettext("This is the group's last moderator. Name another moderator first."),
            code="last_moderator",
        )
    user = membership.user
    membership.delete()
    Group.objects.filter(pk=group.pk, member_count__gt=0).update(member_count=F("member_count") - 1)
    # A removed member hears nothing more from the group's threads.
    ThreadSubscription.objects.filter(thread__group=group, user=user).delete()
    _record(
        moderator=moderator,
        access=access,
        action=ModerationAction.REMOVE_MEMBER,
        reason=reason,
        member=user,
        target=group,
        member_id=user.pk,
        role=membership.role,
    )
    _tell(
        recipients=[user],
        moderator=moderator,
        access=access,
        action=ModerationAction.REMOVE_MEMBER,
        reason=reason,
        # A secret group's page is not there for someone who is no longer a member.
        path="" if group.access == Access.SECRET else _group_path(group),
    )

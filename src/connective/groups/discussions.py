"""Discussions in working groups: threads, posts, editing, quoting, mentions, reactions, attachments,
subscriptions, and the reads a thread page needs.

Who may do what comes from selectors.GroupAccess, decided once per request: only `access.can_post` writes
(members who are not muted, staff; never in an archived group); a locked thread takes replies from moderators
only. Bad input raises a ValidationError keyed by form field, with every problem at once and nothing saved;
a refusal raises PermissionDenied whose message says why.

Posts keep their Markdown as typed; `body_html` is rendered once on every write (sanitised by nh3), with
mentions turned into links. A post takes the thread's `next_position` under a row lock, so two replies at
the same moment never share a position, and a thread page is a fixed range of positions: pages stay stable
when posts are hidden, and a link to a post needs no counting to find its page.

A post held for approval (a new member's first post in a group that holds them) counts nowhere and tells
no one but the moderators until a moderator approves it; moderation.py then calls `post_published_effects`.
"""

from __future__ import annotations

import re
import secrets
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from connective.accounts.models import Role, User
from connective.accounts.rules import is_member, is_programme_staff
from connective.core.services import audit_log_record
from connective.core.text import render_markdown
from connective.events.models import Event, EventStatus
from connective.events.selectors import events_public, events_visible
from connective.groups import uploads
from connective.groups.models import (
    Access,
    Attachment,
    Group,
    MemberRole,
    Membership,
    Post,
    PostReaction,
    PostRevision,
    PostStatus,
    Reaction,
    Thread,
    ThreadSubscription,
)
from connective.groups.notices import group_scope
from connective.groups.selectors import GroupAccess, group_access, posts_visible_in
from connective.network.models import Profile, Visibility
from connective.network.selectors import PersonView, person_view
from connective.notifications.services import notify
from connective.practices.models import Practice, PracticeStatus

TITLE_MAX = 200
BODY_MAX = 10_000
ATTACHMENTS_MAX = 5
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
POSTS_PER_PAGE = 30
# A post naming more people than this is a list, not a conversation; the rest stay plain text.
MENTIONS_MAX = 30
# How much of a quoted post shows above the reply.
QUOTE_WORDS = 40


def attachment_max_bytes() -> int:
    return int(getattr(settings, "GROUP_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


# --- Who may write ------------------------------------------------------------------------------------


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def posting_refusal(*, access: GroupAccess, viewer: Any) -> str | None:
    """Why `viewer` may not write in the group, in words for them; None when they may."""
    if not is_member(viewer):
        return gettext("Please sign in to take part in the discussion.")
    if access.membership is not None and access.membership.user_id != viewer.pk:
        # A GroupAccess decided for someone else: never let it speak for this viewer.
        return gettext("You cannot write in this group.")
    if access.group.archived_at is not None:
        return gettext("This group is archived: its discussions can be read but not continued.")
    if access.is_staff:
        return None
    if not access.is_member:
        return gettext("Only members of the group take part in its discussions.")
    if access.is_muted:
        assert access.membership is not None and access.membership.muted_until is not None
        return gettext("A moderator has muted you in this group until %(until)s.") % {
            "until": _when(access.membership.muted_until)
        }
    return None


def reply_refusal(*, access: GroupAccess, viewer: Any, thread: Thread) -> str | None:
    refusal = posting_refusal(access=access, viewer=viewer)
    if refusal is None and thread.locked and not access.is_moderator:
        return gettext("This thread is locked: a moderator closed it to new replies.")
    return refusal


def edit_refusal(*, access: GroupAccess, viewer: Any, post: Post, thread: Thread) -> str | None:
    """Authors edit their own published or waiting posts while they may write in the group and the thread
    is open; moderators edit any post (to remove someone's personal data, say)."""
    if not is_member(viewer):
        return gettext("Please sign in to take part in the discussion.")
    if access.is_moderator and (access.membership is None or access.membership.user_id == viewer.pk):
        return None
    if post.author_id != viewer.pk:
        return gettext("You can edit only your own posts.")
    refusal = reply_refusal(access=access, viewer=viewer, thread=thread)
    if refusal is not None:
        return refusal
    if post.status not in (PostStatus.PUBLISHED, PostStatus.HELD):
        return gettext("A moderator has taken this post down; it can no longer be edited.")
    return None


def _require(refusal: str | None) -> None:
    if refusal is not None:
        raise PermissionDenied(refusal)


def _require_same_group(access: GroupAccess, thread: Thread) -> None:
    if thread.group_id != access.group.pk:
        raise PermissionDenied(gettext("This thread belongs to another group."))


# --- Input --------------------------------------------------------------------------------------------

Errors = dict[str, list[str]]


def _clean_title(title: str, errors: Errors) -> str:
    # One line: line breaks and runs of spaces pasted into a title are noise.
    title = " ".join((title or "").split())
    if not title:
        errors.setdefault("title", []).append(gettext("Please give the thread a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            gettext("The title is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": TITLE_MAX, "length": len(title)}
        )
    return title


def _clean_body(body: str, errors: Errors) -> str:
    # Stored as typed, but without blank lines around it; leading spaces may start a code block.
    body = (body or "").replace("\r\n", "\n").lstrip("\n").rstrip()
    if not body.strip():
        errors.setdefault("body", []).append(gettext("Please write something."))
    elif len(body) > BODY_MAX:
        errors.setdefault("body", []).append(
            gettext("The text is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": BODY_MAX, "length": len(body)}
        )
    return body


# The main part each Office format must declare in its [Content_Types].xml. uploads.sniff recognises the
# format by its parts; the declaration also tells a macro-enabled file (docm, xlsm, pptm) from a plain one.
_OOXML_MAIN_TYPES = {
    uploads.DOCX.content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    uploads.XLSX.content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    uploads.PPTX.content_type: (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    ),
}
_CONTENT_TYPES_MAX = 512 * 1024


def _declares_main_type(file: Any, main_type: str) -> bool:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive, archive.open("[Content_Types].xml") as entry:
            declared = entry.read(_CONTENT_TYPES_MAX).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return False
    finally:
        file.seek(0)
    return f'ContentType="{main_type}"' in declared


@dataclass(frozen=True)
class _Upload:
    file: Any
    checked: uploads.CheckedUpload


def _check_attachments(files: Sequence[Any], errors: Errors) -> list[_Upload]:
    files = [file for file in files if file is not None]
    if len(files) > ATTACHMENTS_MAX:
        errors.setdefault("attachments", []).append(
            gettext("You can attach at most %(limit)d files to a post (you chose %(count)d).")
            % {"limit": ATTACHMENTS_MAX, "count": len(files)}
        )
        return []
    accepted = []
    for file in files:
        try:
            checked = uploads.upload_check(file, max_bytes=attachment_max_bytes())
            main_type = _OOXML_MAIN_TYPES.get(checked.content_type)
            if main_type is not None and not _declares_main_type(file, main_type):
                raise ValidationError(
                    gettext("This type of file cannot be shared here. Allowed are: %(types)s.")
                    % {"types": uploads.ALLOWED_LABEL},
                    code="invalid_type",
                )
        except ValidationError as error:
            errors.setdefault("attachments", []).extend(
                gettext("“%(name)s”: %(problem)s") % {"name": file.name or "?", "problem": problem}
                for problem in error.messages
            )
        else:
            accepted.append(_Upload(file=file, checked=checked))
    return accepted


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _store_attachments(post: Post, accepted: Iterable[_Upload]) -> None:
    for upload in accepted:
        attachment = Attachment(
            post=post,
            name=upload.checked.name,
            content_type=upload.checked.content_type,
            size=upload.checked.size,
        )
        extension = upload.checked.name.rsplit(".", 1)[-1]
        # An unguessable stored name: the file never sits at an address derived from its title.
        upload.file.seek(0)
        attachment.file.save(f"{secrets.token_urlsafe(18)}.{extension}", upload.file, save=False)
        attachment.save()


# --- Mentions -----------------------------------------------------------------------------------------

# "@amara-okafor": an @ that does not continue a word, an address or a path, then a profile's slug.
_MENTION = re.compile(r"(?<![\w@/.:+-])@([A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)")
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Text inside these is quoted or already a link: an @ there mentions no one.
_NO_MENTION_TAGS = {"a", "code", "pre"}
# Only as a tag: in text, "<" is always escaped, so typed look-alikes never match.
_MENTION_MARK = re.compile(r'<(?:a|strong) class="mention" data-user="(\d+)"')


@dataclass(frozen=True)
class _Mention:
    user: User
    url: str | None


def _text_parts(html: str) -> Iterable[tuple[int, str, bool]]:
    """(index, piece, is_mentionable_text) over the pieces of sanitised HTML."""
    depth = 0
    for index, piece in enumerate(_TAG.split(html)):
        if piece.startswith("<"):
            match = _TAG_NAME.match(piece)
            if match and match.group(2).lower() in _NO_MENTION_TAGS:
                depth = max(0, depth - 1) if match.group(1) else depth + 1
            yield index, piece, False
        else:
            yield index, piece, depth == 0


def _profile_path(slug: str) -> str:
    # Without the language prefix: the reader's own language is added when they follow the link.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("network:person", kwargs={"slug": slug})
    prefix = f"/{settings.LANGUAGE_CODE}/"
    return "/" + path[len(prefix) :] if path.startswith(prefix) else path


def _readers_among(group: Group, users: Sequence[User]) -> list[User]:
    """Those of `users` who may read the group's discussions now."""
    if not users:
        return []
    if group.access == Access.OPEN:
        return list(users)
    members = set(
        Membership.objects.filter(group=group, user_id__in=[user.pk for user in users]).values_list(
            "user_id", flat=True
        )
    )
    return [user for user in users if user.pk in members or is_programme_staff(user)]


def _find_mentions(html: str, group: Group) -> dict[str, _Mention]:
    slugs: list[str] = []
    for _index, piece, mentionable in _text_parts(html):
        if mentionable:
            slugs.extend(match.group(1) for match in _MENTION.finditer(piece))
    wanted = {slug.lower() for slug in slugs[: MENTIONS_MAX * 2]}
    if not wanted:
        return {}
    profiles = list(
        Profile.objects.filter(
            Q(slug__in=wanted) | Q(slug__in=set(slugs[: MENTIONS_MAX * 2])),
            user__is_active=True,
            user__deleted_at__isnull=True,
        ).select_related("user")[:MENTIONS_MAX]
    )
    readers = {user.pk for user in _readers_among(group, [profile.user for profile in profiles])}
    return {
        profile.slug.lower(): _Mention(
            user=profile.user,
            url=_profile_path(profile.slug) if profile.visibility != Visibility.HIDDEN else None,
        )
        for profile in profiles
        if profile.user.pk in readers
    }


def _mention_html(mention: _Mention) -> str:
    label = escape("@" + mention.user.display_name)
    attributes = f'class="mention" data-user="{mention.user.pk}"'
    if mention.url is None:
        return f"<strong {attributes}>{label}</strong>"
    return f'<a {attributes} href="{escape(mention.url)}">{label}</a>'


def render_post(body: str, group: Group) -> tuple[str, list[User]]:
    """The post's HTML (sanitised Markdown, mentions as links) and the people it mentions who may read the
    group. Anyone else written after an @ stays plain text and is told nothing."""
    html = str(render_markdown(body))
    mentions = _find_mentions(html, group)
    if not mentions:
        return html, []
    pieces = _TAG.split(html)
    for index, piece, mentionable in list(_text_parts(html)):
        if mentionable and "@" in piece:

            def link(match: re.Match[str]) -> str:
                found = mentions.get(match.group(1).lower())
                return _mention_html(found) if found is not None else match.group(0)

            pieces[index] = _MENTION.sub(link, piece)
    return "".join(pieces), [mention.user for mention in mentions.values()]


def _mentioned_ids(body_html: str) -> set[int]:
    """Who a stored post already mentions. User HTML cannot carry these attributes (nh3 keeps only href
    and title), so every match is one of ours."""
    return {int(user_id) for user_id in _MENTION_MARK.findall(body_html or "")}


# --- Notifications ------------------------------------------------------------------------------------


def post_path(post: Post, *, group_slug: str) -> str:
    """The post's permanent address (groups:post), which redirects to its page of the thread."""
    return reverse("groups:post", kwargs={"slug": group_slug, "pk": post.pk})


def _notice(*, post: Post, thread: Thread, group: Group, author: User | None) -> dict[str, Any]:
    return {
        "actor": author,
        "scope": group_scope(group),
        "target": post,
        "path": post_path(post, group_slug=group.slug),
        "data": {
            "actor": author.display_name if author is not None else "",
            "group": group.name,
            "thread": thread.title,
        },
    }


def _active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, deleted_at__isnull=True)


def _moderators_of(group: Group) -> list[User]:
    """The group's moderators; programme staff when the group has none, so a held post never waits unseen."""
    moderators = list(
        _active_users().filter(group_memberships__group=group, group_memberships__role=MemberRole.MODERATOR)
    )
    if moderators:
        return moderators
    return list(_active_users().filter(Q(role__in=[Role.STAFF, Role.ADMINISTRATOR]) | Q(is_superuser=True)))


def _notify_held(*, post: Post, thread: Thread, group: Group, author: User) -> None:
    notify(
        recipients=_moderators_of(group),
        kind="groups.held_post",
        **_notice(post=post, thread=thread, group=group, author=author),
    )


def _subscribe(user: Any, thread: Thread) -> None:
    ThreadSubscription.objects.bulk_create(
        [ThreadSubscription(thread=thread, user=user)], ignore_conflicts=True
    )


def _publish_effects(
    *, post: Post, thread: Thread, group: Group, author: User | None, mentioned: list[User], opening: bool
) -> None:
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, last_post_at=now)
    changes: dict[str, Any] = {"last_activity_at": now}
    if opening:
        changes["thread_count"] = F("thread_count") + 1
    Group.objects.filter(pk=group.pk).update(**changes)
    notice = _notice(post=post, thread=thread, group=group, author=author)
    if mentioned:
        notify(recipients=mentioned, kind="groups.mention", **notice)
    # Someone mentioned hears of it once, as a mention.
    told = {user.pk for user in mentioned}
    if opening:
        members = _active_users().filter(group_memberships__group=group).exclude(pk__in=told)
        notify(recipients=members, kind="groups.new_thread", **notice)
    else:
        followers = list(
            _active_users()
            .filter(pk__in=ThreadSubscription.objects.filter(thread=thread).values("user_id"))
            .exclude(pk__in=told)
        )
        notify(recipients=_readers_among(group, followers), kind="groups.reply", **notice)


def post_published_effects(post: Post) -> None:
    """What a post does when it becomes visible: the thread's and group's counters, and notifications to
    the people it mentions and to the thread's followers (or, for an opening post, the group's members).

    moderation.post_approve calls it inside its transaction, after setting the post PUBLISHED. Published
    posts from thread_create and post_create have it done already.
    """
    thread = Thread.objects.select_related("group").get(pk=post.thread_id)
    group = thread.group
    opening = not Post.objects.filter(thread_id=thread.pk, position__lt=post.position).exists()
    _html, mentioned = render_post(post.body, group)
    author = User.objects.filter(pk=post.author_id).first() if post.author_id else None
    _publish_effects(
        post=post, thread=thread, group=group, author=author, mentioned=mentioned, opening=opening
    )


# --- Writes -------------------------------------------------------------------------------------------


def _append_post(
    *,
    thread_id: int,
    author: User,
    body: str,
    body_html: str,
    status: str,
    quote_of: Post | None,
    accepted: list[_Upload],
    moderator: bool,
) -> Post:
    # The row lock makes concurrent replies take turns for the position (PostgreSQL; SQLite's immediate
    # transactions already let one writer in at a time). The unique constraint is the last line of defence.
    locked = Thread.objects.select_for_update().only("pk", "next_position", "locked").get(pk=thread_id)
    if locked.locked and not moderator:
        raise PermissionDenied(gettext("This thread is locked: a moderator closed it to new replies."))
    Thread.objects.filter(pk=thread_id).update(next_position=F("next_position") + 1)
    post = Post.objects.create(
        thread_id=thread_id,
        author=author,
        position=locked.next_position,
        body=body,
        body_html=body_html,
        status=status,
        quote_of=quote_of,
    )
    _store_attachments(post, accepted)
    return post


def _check_practice(practice: Practice | None, errors: Errors) -> None:
    if practice is not None and practice.status != PracticeStatus.PUBLISHED:
        errors.setdefault("practice", []).append(gettext("Choose a published good practice."))


def _check_event(event: Event | None, author: User, errors: Errors) -> None:
    if event is None:
        return
    # A draft is refused even to its organisers: readers of the thread could not follow the link.
    if event.status == EventStatus.DRAFT or not events_visible(author).filter(pk=event.pk).exists():
        errors.setdefault("event", []).append(
            gettext("Choose a published event: a draft or an event you cannot see cannot be linked.")
        )


def thread_create(
    *,
    author: User,
    access: GroupAccess,
    title: str,
    body: str,
    practice: Practice | None = None,
    event: Event | None = None,
    attachments: Sequence[Any] = (),
) -> Thread:
    """Start a thread with its opening post, perhaps about a published practice or an event. Members of the
    group hear of it (unless the post waits for a moderator); the author follows it."""
    _require(posting_refusal(access=access, viewer=author))
    errors: Errors = {}
    title = _clean_title(title, errors)
    body = _clean_body(body, errors)
    _check_practice(practice, errors)
    _check_event(event, author, errors)
    accepted = _check_attachments(attachments, errors)
    _raise_if(errors)
    group = access.group
    held = access.posts_held
    html, mentioned = render_post(body, group)
    with transaction.atomic():
        thread = Thread.objects.create(
            group=group,
            title=title,
            author=author,
            practice=practice,
            event=event,
            last_post_at=timezone.now(),
        )
        post = _append_post(
            thread_id=thread.pk,
            author=author,
            body=body,
            body_html=html,
            status=PostStatus.HELD if held else PostStatus.PUBLISHED,
            quote_of=None,
            accepted=accepted,
            moderator=access.is_moderator,
        )
        _subscribe(author, thread)
        if held:
            _notify_held(post=post, thread=thread, group=group, author=author)
        else:
            _publish_effects(
                post=post, thread=thread, group=group, author=author, mentioned=mentioned, opening=True
            )
    thread.refresh_from_db()
    return thread


def post_create(
    *,
    author: User,
    access: GroupAccess,
    thread: Thread,
    body: str,
    quote_of: Post | None = None,
    attachments: Sequence[Any] = (),
) -> Post:
    """Reply in a thread. Followers of the thread and mentioned readers hear of it (unless it waits for a
    moderator); the author follows the thread from now on."""
    _require_same_group(access, thread)
    _require(reply_refusal(access=access, viewer=author, thread=thread))
    errors: Errors = {}
    body = _clean_body(body, errors)
    if quote_of is not None and (quote_of.thread_id != thread.pk or quote_of.status != PostStatus.PUBLISHED):
        errors.setdefault("quote_of", []).append(
            gettext("You can quote only a published post of this thread.")
        )
    accepted = _check_attachments(attachments, errors)
    _raise_if(errors)
    group = access.group
    held = access.posts_held
    html, mentioned = render_post(body, group)
    with transaction.atomic():
        post = _append_post(
            thread_id=thread.pk,
            author=author,
            body=body,
            body_html=html,
            status=PostStatus.HELD if held else PostStatus.PUBLISHED,
            quote_of=quote_of,
            accepted=accepted,
            moderator=access.is_moderator,
        )
        _subscribe(author, thread)
        if held:
            _notify_held(post=post, thread=thread, group=group, author=author)
        else:
            _publish_effects(
                post=post, thread=thread, group=group, author=author, mentioned=mentioned, opening=False
            )
    thread.refresh_from_db(fields=["post_count", "next_position", "last_post_at"])
    return post


def post_edit(*, editor: User, access: GroupAccess, post: Post, body: str) -> Post:
    """Change a post's text; the earlier text is kept as a PostRevision, which moderators can read. People
    newly mentioned in a published post are told."""
    thread = Thread.objects.get(pk=post.thread_id)
    _require_same_group(access, thread)
    _require(edit_refusal(access=access, viewer=editor, post=post, thread=thread))
    errors: Errors = {}
    body = _clean_body(body, errors)
    _raise_if(errors)
    group = access.group
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if current.body == body:
            return current
        html, mentioned = render_post(body, group)
        already = _mentioned_ids(current.body_html)
        now = timezone.now()
        PostRevision.objects.create(
            post=current,
            body=current.body,
            written_at=current.edited_at or current.created_at,
            edited_by=editor,
        )
        current.body = body
        current.body_html = html
        current.edited_at = now
        current.save(update_fields=["body", "body_html", "edited_at"])
        if current.author_id != editor.pk:
            audit_log_record(
                actor=editor, action="groups.post_edit", target=current, author_id=current.author_id
            )
        newly = [user for user in mentioned if user.pk not in already]
        if newly and current.status == PostStatus.PUBLISHED:
            author = User.objects.filter(pk=current.author_id).first() if current.author_id else None
            notify(
                recipients=newly,
                kind="groups.mention",
                **_notice(post=current, thread=thread, group=group, author=author),
            )
    return current


def reaction_toggle(*, user: User, access: GroupAccess, post: Post, reaction: str) -> Post:
    """Give a reaction, or take it back when given already. Returns the post with its counts."""
    _require(posting_refusal(access=access, viewer=user))
    if reaction not in Reaction.values:
        raise ValidationError({"reaction": [gettext("Choose one of the reactions offered.")]})
    with transaction.atomic():
        current = (
            Post.objects.select_for_update(of=("self",))
            .filter(pk=post.pk, thread__group=access.group)
            .first()
        )
        if current is None:
            raise PermissionDenied(gettext("This post belongs to another group."))
        if current.status != PostStatus.PUBLISHED:
            raise ValidationError(gettext("You can react only to published posts."), code="not_published")
        deleted, _counts = PostReaction.objects.filter(post=current, user=user, reaction=reaction).delete()
        if not deleted:
            PostReaction.objects.create(post=current, user=user, reaction=reaction)
        count = PostReaction.objects.filter(post=current, reaction=reaction).count()
        counts = dict(current.reaction_counts or {})
        if count:
            counts[reaction] = count
        else:
            counts.pop(reaction, None)
        current.reaction_counts = counts
        current.save(update_fields=["reaction_counts"])
    return current


def thread_subscription_set(*, user: User, access: GroupAccess, thread: Thread, subscribed: bool) -> bool:
    """Follow a thread (hear of every reply) or stop following it. Returns whether the user now follows."""
    _require_same_group(access, thread)
    if not is_member(user):
        raise PermissionDenied(gettext("Please sign in to follow a thread."))
    if not access.can_read:
        raise PermissionDenied(gettext("You cannot read this group."))
    if subscribed:
        _subscribe(user, thread)
    else:
        ThreadSubscription.objects.filter(thread=thread, user=user).delete()
    return subscribed


# --- Reads --------------------------------------------------------------------------------------------


def page_of(position: int) -> int:
    return (max(position, 1) - 1) // POSTS_PER_PAGE + 1


def thread_page_count(thread: Thread) -> int:
    return max(1, page_of(thread.next_position - 1))


def post_page_url(post: Post, *, group_slug: str) -> str:
    """The thread page that shows the post, with its anchor."""
    url = reverse("groups:thread", kwargs={"slug": group_slug, "pk": post.thread_id})
    page = page_of(post.position)
    return f"{url}{'?page=' + str(page) if page > 1 else ''}#post-{post.pk}"


def _threads_for_page(viewer: Any) -> QuerySet[Thread]:
    threads = Thread.objects.select_related("practice", "event")
    if is_member(viewer):
        threads = threads.annotate(
            is_followed=Exists(ThreadSubscription.objects.filter(thread=OuterRef("pk"), user_id=viewer.pk))
        )
    return threads


def _check_opening(*, access: GroupAccess, viewer: Any, thread: Thread) -> Thread:
    if not is_member(viewer):
        thread.is_followed = False  # type: ignore[attr-defined]
    # A thread whose opening post waits for a moderator (or was not approved) exists only for its author
    # and the moderators. Only a thread without published posts can be one; others cost no query.
    if thread.post_count == 0 and not access.is_moderator:
        opening = (
            Post.objects.filter(thread=thread).order_by("position").values("author_id", "status").first()
        )
        if opening is None or (
            opening["status"] != PostStatus.PUBLISHED
            and not (is_member(viewer) and opening["author_id"] == viewer.pk)
        ):
            raise Http404("No such thread.")
    return thread


def thread_for_page(*, access: GroupAccess, viewer: Any, pk: int) -> Thread:
    """The thread with its practice, its event and whether the viewer follows it (`is_followed`), in one query; 404
    when the viewer may not read it."""
    if not access.can_read:
        raise Http404("No such thread.")
    thread = _threads_for_page(viewer).filter(group=access.group, pk=pk).first()
    if thread is None:
        raise Http404("No such thread.")
    return _check_opening(access=access, viewer=viewer, thread=thread)


def thread_with_access(*, viewer: Any, slug: str, pk: int) -> tuple[GroupAccess, Thread]:
    """As group_get_readable + thread_for_page, with the group read in the thread's query: the thread
    page's first two questions in two queries (thread with group, the viewer's membership). 404 when the
    group or thread is not there for the viewer: a reader of a group may always know it exists."""
    thread = _threads_for_page(viewer).select_related("group__region").filter(group__slug=slug, pk=pk).first()
    if thread is None:
        raise Http404("No such thread.")
    access = group_access(viewer=viewer, group=thread.group)
    if not access.can_read:
        raise Http404("No such thread.")
    return access, _check_opening(access=access, viewer=viewer, thread=thread)


def post_get_for(*, access: GroupAccess, viewer: Any, pk: int) -> Post:
    """A post of the group the viewer may see (posts_visible_in), with its thread, or 404."""
    if not access.can_read:
        raise Http404("No such post.")
    post = Post.objects.filter(pk=pk, thread__group=access.group).select_related("thread").first()
    if (
        post is None
        or not posts_visible_in(access=access, thread=post.thread, viewer=viewer).filter(pk=post.pk).exists()
    ):
        raise Http404("No such post.")
    return post


def attachment_get_for(*, access: GroupAccess, viewer: Any, pk: int) -> Attachment:
    """An attachment whose post the viewer may read in full: never of a hidden post (except to moderators),
    nor of a waiting one (except to its author and the moderators)."""
    if not access.can_read:
        raise Http404("No such file.")
    attachment = (
        Attachment.objects.filter(pk=pk, post__thread__group=access.group).select_related("post").first()
    )
    if attachment is None:
        raise Http404("No such file.")
    post = attachment.post
    readable = access.is_moderator or post.status == PostStatus.PUBLISHED
    if post.status == PostStatus.HELD and is_member(viewer) and post.author_id == viewer.pk:
        readable = True
    if not readable:
        raise Http404("No such file.")
    return attachment


def revisions_of(post: Post) -> QuerySet[PostRevision]:
    return PostRevision.objects.filter(post=post).select_related("edited_by").order_by("-replaced_at", "-pk")


@dataclass(frozen=True)
class ReactionCount:
    value: str
    label: str
    count: int
    given: bool


@dataclass(frozen=True)
class QuoteView:
    pk: int
    author_name: str
    # Empty when the quoted post is no longer published: its text does not travel with the quote.
    body_html: str
    shown: bool


@dataclass(frozen=True)
class PostView:
    post: Post
    author: PersonView | None
    author_name: str
    # False for a hidden post shown to a reader: only "hidden by a moderator" reaches the page.
    show_body: bool
    is_hidden: bool
    is_held: bool
    is_rejected: bool
    is_mine: bool
    can_edit: bool
    reactions: list[ReactionCount]
    attachments: list[Attachment]
    quote: QuoteView | None

    @property
    def fragment_key(self) -> str:
        """Everything the cached part of a post (groups/_post_content.html) is made of, so that a change to
        any of it (an edit, the author's name or what this reader may see of them, the quoted post) renders
        it afresh; the language and time zone are added by the template."""
        post, author, quote = self.post, self.author, self.quote
        return "|".join(
            str(part)
            for part in (
                post.pk,
                post.edited_at.timestamp() if post.edited_at else "",
                self.author_name,
                author.url if author else "",
                author.initials if author else "",
                author.organisation.name if author and author.organisation else "",
                f"{quote.pk}:{quote.shown}:{quote.author_name}:{zlib.crc32(quote.body_html.encode())}"
                if quote
                else "",
                ",".join(str(file.pk) for file in self.attachments),
            )
        )


@dataclass(frozen=True)
class ThreadPage:
    number: int
    num_pages: int
    items: list[PostView]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def paginator(self) -> ThreadPage:
        # Lets the shared pagination template read `page.paginator.num_pages`.
        return self


def _page_number(raw: Any, num_pages: int) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def _given_key(reaction: str) -> str:
    return f"given_{reaction}"


def thread_page(*, access: GroupAccess, viewer: Any, thread: Thread, page: Any) -> ThreadPage:
    """One page of a thread as the viewer sees it: the posts at positions of that page, each with its
    author (profile data in the same query), quoted post and the viewer's own reactions (as columns of that
    query), and one more query for the attachments when any post of the page has some."""
    num_pages = thread_page_count(thread)
    number = _page_number(page, num_pages)
    first = (number - 1) * POSTS_PER_PAGE + 1
    posts_query = (
        posts_visible_in(access=access, thread=thread, viewer=viewer)
        .filter(position__gte=first, position__lt=first + POSTS_PER_PAGE)
        .select_related(
            "author__profile",
            "author__organisation",
            "author__city",
            "author__country",
            "quote_of__author",
        )
        .annotate(has_files=Exists(Attachment.objects.filter(post=OuterRef("pk"))))
        .order_by("position")
    )
    if is_member(viewer):
        posts_query = posts_query.annotate(
            **{
                _given_key(value): Exists(
                    PostReaction.objects.filter(post=OuterRef("pk"), user_id=viewer.pk, reaction=value)
                )
                for value in Reaction.values
            }
        )
    posts = list(posts_query)
    with_files = [post.pk for post in posts if getattr(post, "has_files", False)]
    files: dict[int, list[Attachment]] = {}
    if with_files:
        for attachment in Attachment.objects.filter(post_id__in=with_files).order_by("pk"):
            files.setdefault(attachment.post_id, []).append(attachment)
    items = [
        _post_view(post, access=access, viewer=viewer, thread=thread, files=files.get(post.pk, []))
        for post in posts
    ]
    return ThreadPage(number=number, num_pages=num_pages, items=items)


def _post_view(
    post: Post, *, access: GroupAccess, viewer: Any, thread: Thread, files: list[Attachment]
) -> PostView:
    author = post.author
    author_view = person_view(author, viewer, brief=True) if author is not None else None
    author_name = author_view.name if author_view is not None else gettext("Former member")
    hidden = post.status in (PostStatus.HIDDEN, PostStatus.REJECTED)
    show_body = not hidden or access.is_moderator
    quote = None
    if post.quote_of_id is not None and show_body:
        quoted = post.quote_of
        if quoted is not None:
            quote = QuoteView(
                pk=quoted.pk,
                author_name=quoted.author.display_name if quoted.author else gettext("Former member"),
                body_html=quoted.body_html if quoted.status == PostStatus.PUBLISHED else "",
                shown=quoted.status == PostStatus.PUBLISHED,
            )
    counts = post.reaction_counts or {}
    reactions = [
        ReactionCount(
            value=str(value),
            label=str(label),
            count=int(counts.get(value, 0)),
            given=bool(getattr(post, _given_key(str(value)), False)),
        )
        for value, label in Reaction.choices
    ]
    is_mine = is_member(viewer) and author is not None and author.pk == viewer.pk
    return PostView(
        post=post,
        author=author_view,
        author_name=author_name,
        show_body=show_body,
        is_hidden=post.status == PostStatus.HIDDEN,
        is_held=post.status == PostStatus.HELD,
        is_rejected=post.status == PostStatus.REJECTED,
        is_mine=is_mine,
        can_edit=(is_mine or access.is_moderator)
        and edit_refusal(access=access, viewer=viewer, post=post, thread=thread) is None,
        reactions=reactions,
        attachments=files if show_body else [],
        quote=quote,
    )


def quotable_post(*, thread: Thread, pk: Any) -> Post | None:
    """The published post of this thread a reply may quote, or None."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Post.objects.filter(thread=thread, pk=number, status=PostStatus.PUBLISHED)
        .select_related("author")
        .first()
    )


def _slug_of(reference: str) -> str:
    return (reference or "").strip().rstrip("/").rsplit("/", 1)[-1]


def practice_by_reference(reference: str) -> Practice | None:
    """A published practice named by its slug or by its address on the site."""
    slug = _slug_of(reference)
    if not slug:
        return None
    return Practice.objects.filter(slug=slug, status=PracticeStatus.PUBLISHED).first()


def event_by_reference(reference: str) -> Event | None:
    """An event anyone may see (published, postponed or cancelled, never a draft) named by its slug or by
    its address on the site."""
    slug = _slug_of(reference)
    if not slug:
        return None
    return events_public().filter(slug=slug).first()


def events_to_link(query: str, *, limit: int) -> list[Event]:
    """Events a thread may be about whose title holds `query`, upcoming and past, latest first."""
    query = (query or "").strip()
    if not query:
        return []
    events = events_public().filter(title__icontains=query).select_related("host_city")
    return list(events.order_by("-starts_at", "-pk")[:limit])

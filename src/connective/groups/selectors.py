"""Every read of groups and their discussions, filtered by what the viewer may see. Visibility lives here:
pages, the API, feeds, search and notifications all ask these functions.

- Open groups: anyone sees the group and reads its discussions and library; members post.
- Closed groups: anyone sees the group's page (description, moderators, counts); members read and post.
- Secret groups: only members, people with a pending invitation, and programme staff know they exist; to
  everyone else every address of the group and of its content answers 404, and no list or count shows them.
Programme staff see and moderate every group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from connective.accounts.rules import is_member, is_programme_staff
from connective.groups.models import (
    Access,
    Group,
    Invitation,
    MemberRole,
    Membership,
    Post,
    PostStatus,
    RequestStatus,
    Thread,
)


@dataclass(frozen=True)
class GroupAccess:
    """What one viewer may do in one group, decided once per request."""

    group: Group
    membership: Membership | None
    is_staff: bool
    invited: bool = False

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_moderator(self) -> bool:
        return self.is_staff or (self.membership is not None and self.membership.role == MemberRole.MODERATOR)

    @property
    def can_read(self) -> bool:
        """Threads, posts, the library and the member list."""
        return self.group.access == Access.OPEN or self.is_member or self.is_staff

    @property
    def is_muted(self) -> bool:
        muted_until = self.membership.muted_until if self.membership else None
        return muted_until is not None and muted_until > timezone.now()

    @property
    def can_post(self) -> bool:
        if self.group.archived_at is not None:
            return False
        if self.is_staff:
            return True
        return self.is_member and not self.is_muted

    @property
    def posts_held(self) -> bool:
        """Whether this viewer's next post waits for a moderator."""
        return (
            self.group.hold_first_posts
            and not self.is_moderator
            and self.membership is not None
            and not self.membership.approved_poster
        )


def _visible_filter(viewer: Any) -> Q:
    public = Q(access__in=[Access.OPEN, Access.CLOSED])
    if not is_member(viewer):
        return public
    mine = Exists(Membership.objects.filter(group=OuterRef("pk"), user=viewer))
    invited = Exists(
        Invitation.objects.filter(group=OuterRef("pk"), invitee=viewer, status=RequestStatus.PENDING)
    )
    return public | Q(mine) | Q(invited)


def groups_visible_to(viewer: Any) -> QuerySet[Group]:
    """Every group the viewer may know exists."""
    if is_programme_staff(viewer):
        return Group.objects.all()
    return Group.objects.filter(_visible_filter(viewer))


def group_access(*, viewer: Any, group: Group) -> GroupAccess:
    staff = bool(is_programme_staff(viewer))
    membership = None
    invited = False
    if is_member(viewer):
        membership = Membership.objects.filter(group=group, user=viewer).first()
        if membership is None and group.access == Access.SECRET and not staff:
            invited = Invitation.objects.filter(
                group=group, invitee=viewer, status=RequestStatus.PENDING
            ).exists()
    return GroupAccess(group=group, membership=membership, is_staff=staff, invited=invited)


def group_get_for(*, viewer: Any, slug: str) -> GroupAccess:
    """The group and what the viewer may do in it; 404 when the viewer may not know it exists."""
    group = Group.objects.select_related("region").filter(slug=slug).first()
    if group is None:
        raise Http404("No such group.")
    access = group_access(viewer=viewer, group=group)
    if group.access == Access.SECRET and not (access.is_member or access.is_staff or access.invited):
        raise Http404("No such group.")
    return access


def group_get_readable(*, viewer: Any, slug: str) -> GroupAccess:
    """As group_get_for, and 404 too when the viewer may see the group but not read inside it (closed groups
    to non-members): their content is not there for them."""
    access = group_get_for(viewer=viewer, slug=slug)
    if not access.can_read:
        raise Http404("No such page.")
    return access


def threads_of(access: GroupAccess) -> QuerySet[Thread]:
    if not access.can_read:
        return Thread.objects.none()
    return Thread.objects.filter(group=access.group).select_related("author")


def thread_get_for(*, access: GroupAccess, pk: int) -> Thread:
    thread = threads_of(access).filter(pk=pk).first()
    if thread is None:
        raise Http404("No such thread.")
    return thread


def posts_visible_in(*, access: GroupAccess, thread: Thread, viewer: Any) -> QuerySet[Post]:
    """Published posts for everyone who may read; moderators also see hidden and held posts; authors see
    their own held posts (marked as waiting)."""
    posts = Post.objects.filter(thread=thread)
    if access.is_moderator:
        return posts
    shown = Q(status=PostStatus.PUBLISHED) | Q(status=PostStatus.HIDDEN)
    if is_member(viewer):
        shown |= Q(author=viewer, status=PostStatus.HELD)
    # Hidden posts keep their place in the thread but show only "hidden by a moderator" to readers.
    return posts.filter(shown)


def threads_about_practice(*, viewer: Any, practice: Any, limit: int = 5) -> list[Thread]:
    """Discussions about a practice in groups the viewer may read, latest first; one query."""
    return _threads_about(Thread.objects.filter(practice=practice), viewer=viewer, limit=limit)


def threads_about_event(*, viewer: Any, event: Any, limit: int = 5) -> list[Thread]:
    """Discussions about an event in groups the viewer may read, latest first; one query."""
    return _threads_about(Thread.objects.filter(event=event), viewer=viewer, limit=limit)


def _threads_about(threads: QuerySet[Thread], *, viewer: Any, limit: int) -> list[Thread]:
    # Threads without a published post (an opening post waiting for a moderator) are not there for readers.
    threads = threads.filter(post_count__gt=0)
    if not is_programme_staff(viewer):
        readable = Q(group__access=Access.OPEN)
        if is_member(viewer):
            readable |= Q(Exists(Membership.objects.filter(group=OuterRef("group_id"), user=viewer)))
        threads = threads.filter(readable)
    return list(threads.select_related("group").order_by("-last_post_at", "-pk")[:limit])

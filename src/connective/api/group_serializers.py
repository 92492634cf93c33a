"""How working groups, their threads and posts look in the API.

Mapping only: which groups, threads and posts a caller gets is decided by connective.groups.selectors, what the
caller may do by its GroupAccess, and people are shown through network.selectors.person_view (what the caller
may see of them, nothing more).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connective.api.serializers import RegionSerializer, TopicSerializer
from connective.core.text import render_markdown
from connective.events.models import EventStatus
from connective.groups.discussions import PostView
from connective.groups.models import Attachment, Group, Thread
from connective.groups.selectors import GroupAccess
from connective.network.selectors import PersonView, person_view
from connective.practices.models import PracticeStatus


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _viewer(context: Mapping[str, Any]) -> Any:
    request = context.get("request")
    return request.user if request is not None else None


class PersonReferenceSerializer(serializers.Serializer):
    """A person named on a page: the name, and the profile and photo when the caller may see them."""

    name = serializers.CharField()
    slug = serializers.CharField(allow_null=True, help_text="Null when the caller may not open the profile.")
    url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_url(self, person: PersonView) -> str | None:
        return _absolute(self.context, person.url) if person.url else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_photo_url(self, person: PersonView) -> str | None:
        return _absolute(self.context, person.photo_url) if person.photo_url else None


def _person(context: Mapping[str, Any], user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    view = person_view(user, _viewer(context), brief=True)
    return dict(PersonReferenceSerializer(view, context=context).data)


# --- Groups -------------------------------------------------------------------------------------------------


class GroupListItemSerializer(serializers.Serializer):
    """A group as the list shows it."""

    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="thematic or regional")
    kind_label = serializers.CharField(source="get_kind_display")
    access = serializers.CharField(
        help_text="open: anyone reads, members post; closed: anyone sees the group, members read and post; "
        "secret: only members and invitees know it exists."
    )
    access_label = serializers.CharField(source="get_access_display")
    summary = serializers.CharField()
    region = RegionSerializer(allow_null=True)
    topics = TopicSerializer(many=True, source="topics.all")
    languages = serializers.ListField(child=serializers.CharField(), help_text="Working languages, ISO 639-1")
    member_count = serializers.IntegerField()
    thread_count = serializers.IntegerField()
    last_activity_at = serializers.DateTimeField(allow_null=True)
    archived = serializers.SerializerMethodField(help_text="An archived group is read-only.")
    is_member = serializers.SerializerMethodField(help_text="Whether the caller belongs to the group.")
    role = serializers.SerializerMethodField(
        help_text="The caller's role in the group: member, moderator or null."
    )
    cover_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_archived(self, group: Group) -> bool:
        return group.archived_at is not None

    def get_is_member(self, group: Group) -> bool:
        return group.pk in self.context["roles"]

    @extend_schema_field({"type": "string", "enum": ["member", "moderator"], "nullable": True})
    def get_role(self, group: Group) -> str | None:
        return self.context["roles"].get(group.pk)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_cover_url(self, group: Group) -> str | None:
        return _absolute(self.context, group.cover.url) if group.cover else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, group: Group) -> str:
        return _absolute(self.context, reverse("groups:detail", kwargs={"slug": group.slug}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, group: Group) -> str:
        return _absolute(self.context, reverse("group-detail", kwargs={"slug": group.slug}))


class GroupPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    sort = serializers.CharField()
    results = GroupListItemSerializer(many=True)


class GroupCallerSerializer(serializers.Serializer):
    """What the caller is and may do in the group."""

    is_member = serializers.BooleanField()
    is_moderator = serializers.BooleanField(help_text="Moderators of the group and programme staff.")
    is_invited = serializers.BooleanField(source="invited", help_text="An invitation waits for the caller.")
    can_read = serializers.BooleanField(help_text="Threads and posts are open to the caller.")
    can_post = serializers.BooleanField(help_text="The caller may start threads and reply.")
    posts_held = serializers.BooleanField(
        help_text="The caller's next post waits for a moderator's approval."
    )
    muted_until = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_muted_until(self, access: GroupAccess) -> str | None:
        if not access.is_muted or access.membership is None or access.membership.muted_until is None:
            return None
        return serializers.DateTimeField().to_representation(access.membership.muted_until)


class GroupDetailSerializer(GroupListItemSerializer):
    """A whole group, with what the caller may do in it (context: `access`, `moderators`)."""

    description = serializers.CharField(help_text="Markdown, as written.")
    description_html = serializers.SerializerMethodField(help_text="The description rendered and sanitised.")
    description_language = serializers.CharField()
    created_at = serializers.DateTimeField()
    moderators = serializers.SerializerMethodField()
    caller = serializers.SerializerMethodField()
    threads_url = serializers.SerializerMethodField(
        help_text="The API address of the group's threads; null when the caller may not read them."
    )

    def get_is_member(self, group: Group) -> bool:
        return bool(self.context["access"].is_member)

    @extend_schema_field({"type": "string", "enum": ["member", "moderator"], "nullable": True})
    def get_role(self, group: Group) -> str | None:
        membership = self.context["access"].membership
        return str(membership.role) if membership is not None else None

    def get_description_html(self, group: Group) -> str:
        return str(render_markdown(group.description))

    @extend_schema_field(PersonReferenceSerializer(many=True))
    def get_moderators(self, group: Group) -> list[dict[str, Any] | None]:
        return [_person(self.context, membership.user) for membership in self.context["moderators"]]

    @extend_schema_field(GroupCallerSerializer)
    def get_caller(self, group: Group) -> dict[str, Any]:
        return dict(GroupCallerSerializer(self.context["access"], context=self.context).data)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_threads_url(self, group: Group) -> str | None:
        if not self.context["access"].can_read:
            return None
        return _absolute(self.context, reverse("group-thread-list", kwargs={"group_slug": group.slug}))


# --- Threads ------------------------------------------------------------------------------------------------


class PracticeReferenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()


class LinkedEventSerializer(serializers.Serializer):
    """The event a thread is about (the events API describes events in full)."""

    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()


class ThreadSerializer(serializers.Serializer):
    """A thread as the group's thread list shows it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.SerializerMethodField(help_text="Who started it; null for a deleted account.")
    created_at = serializers.DateTimeField()
    last_post_at = serializers.DateTimeField(allow_null=True)
    post_count = serializers.IntegerField(help_text="Published posts, the opening post included.")
    pinned = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="A locked thread takes no more replies.")
    practice = serializers.SerializerMethodField(help_text="The published practice the thread is about.")
    event = serializers.SerializerMethodField(
        help_text="The event the thread is about; null when there is none or it went back to draft."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(PersonReferenceSerializer(allow_null=True))
    def get_author(self, thread: Thread) -> dict[str, Any] | None:
        return _person(self.context, thread.author)

    @extend_schema_field(PracticeReferenceSerializer(allow_null=True))
    def get_practice(self, thread: Thread) -> dict[str, str] | None:
        practice = thread.practice
        # A practice taken back to draft after the thread linked it is not named to readers.
        if practice is None or practice.status != PracticeStatus.PUBLISHED:
            return None
        return {
            "slug": practice.slug,
            "title": practice.title,
            "url": _absolute(self.context, practice.get_absolute_url()),
        }

    @extend_schema_field(LinkedEventSerializer(allow_null=True))
    def get_event(self, thread: Thread) -> dict[str, str] | None:
        event = thread.event
        # An event taken back to draft after the thread linked it is not named to readers.
        if event is None or event.status == EventStatus.DRAFT:
            return None
        return {
            "slug": event.slug,
            "title": event.title,
            "url": _absolute(self.context, reverse("events:detail", kwargs={"slug": event.slug})),
        }

    def _thread_kwargs(self, thread: Thread) -> dict[str, Any]:
        return {"slug": self.context["access"].group.slug, "pk": thread.pk}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, thread: Thread) -> str:
        return _absolute(self.context, reverse("groups:thread", kwargs=self._thread_kwargs(thread)))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, thread: Thread) -> str:
        kwargs = {"group_slug": self.context["access"].group.slug, "thread_id": thread.pk}
        return _absolute(self.context, reverse("group-thread-detail", kwargs=kwargs))


class ThreadPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = ThreadSerializer(many=True)


class GroupReferenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ThreadCallerSerializer(serializers.Serializer):
    can_reply = serializers.BooleanField()
    is_subscribed = serializers.BooleanField(help_text="The caller hears of new replies.")


class ThreadDetailSerializer(ThreadSerializer):
    """A thread with its group and what the caller may do in it (context: `access`, `can_reply`,
    `is_subscribed`)."""

    group = serializers.SerializerMethodField()
    caller = serializers.SerializerMethodField()
    posts_url = serializers.SerializerMethodField()

    @extend_schema_field(GroupReferenceSerializer)
    def get_group(self, thread: Thread) -> dict[str, str]:
        group = self.context["access"].group
        return {"slug": group.slug, "name": group.name}

    @extend_schema_field(ThreadCallerSerializer)
    def get_caller(self, thread: Thread) -> dict[str, bool]:
        return {"can_reply": self.context["can_reply"], "is_subscribed": self.context["is_subscribed"]}

    @extend_schema_field(OpenApiTypes.URI)
    def get_posts_url(self, thread: Thread) -> str:
        kwargs = {"group_slug": self.context["access"].group.slug, "thread_id": thread.pk}
        return _absolute(self.context, reverse("group-post-list", kwargs=kwargs))


# --- Posts --------------------------------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    url = serializers.SerializerMethodField(help_text="Served to readers of the group only.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: Attachment) -> str:
        kwargs = {"slug": self.context["access"].group.slug, "pk": attachment.pk}
        return _absolute(self.context, reverse("groups:attachment", kwargs=kwargs))


class QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    author_name = serializers.CharField()
    shown = serializers.BooleanField(
        help_text="False when the quoted post is no longer published: its text does not travel with the quote."
    )


class ReactionSerializer(serializers.Serializer):
    reaction = serializers.CharField(help_text="like, thanks, insightful or agree")
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    given = serializers.BooleanField(help_text="The caller gave this reaction.")


class PostSerializer(serializers.Serializer):
    """A post as the thread page shows it to the caller (a discussions.PostView). A post hidden by a
    moderator keeps its place for other readers as a placeholder: its status and place, without author,
    text, quote, attachments or reactions. Moderators get it whole."""

    id = serializers.IntegerField(source="post.pk")
    position = serializers.IntegerField(source="post.position", help_text="Place in the thread, from 1.")
    status = serializers.CharField(
        source="post.status",
        help_text="published; hidden (a placeholder unless the caller moderates); held (waiting for a "
        "moderator: listed to its author and the moderators only); rejected (moderators only).",
    )
    author = serializers.SerializerMethodField(help_text="Null for a placeholder or a deleted account.")
    body = serializers.SerializerMethodField(help_text="Markdown, as written.")
    body_html = serializers.SerializerMethodField(
        help_text="The body rendered and sanitised, with mentions as links."
    )
    quote = serializers.SerializerMethodField(help_text="The post this one quotes.")
    created_at = serializers.DateTimeField(source="post.created_at")
    edited_at = serializers.DateTimeField(
        source="post.edited_at", allow_null=True, help_text="Set when the post was edited."
    )
    reactions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    is_mine = serializers.BooleanField(help_text="The caller wrote it.")
    can_edit = serializers.BooleanField(help_text="The caller may edit it (on the site).")
    url = serializers.SerializerMethodField()

    @extend_schema_field(PersonReferenceSerializer(allow_null=True))
    def get_author(self, view: PostView) -> dict[str, Any] | None:
        if not view.show_body or view.author is None:
            return None
        return dict(PersonReferenceSerializer(view.author, context=self.context).data)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_body(self, view: PostView) -> str | None:
        return view.post.body if view.show_body else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_body_html(self, view: PostView) -> str | None:
        return view.post.body_html if view.show_body else None

    @extend_schema_field(QuoteSerializer(allow_null=True))
    def get_quote(self, view: PostView) -> dict[str, Any] | None:
        quote = view.quote
        quoted = view.post.quote_of
        if quote is None or quoted is None:
            return None
        return {
            "id": quote.pk,
            "position": quoted.position,
            "author_name": quote.author_name,
            "shown": quote.shown,
        }

    @extend_schema_field(ReactionSerializer(many=True))
    def get_reactions(self, view: PostView) -> list[dict[str, Any]]:
        if not view.show_body:
            return []
        return [
            {"reaction": item.value, "label": item.label, "count": item.count, "given": item.given}
            for item in view.reactions
        ]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, view: PostView) -> list[Any]:
        return list(AttachmentSerializer(view.attachments, many=True, context=self.context).data)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, view: PostView) -> str:
        kwargs = {"slug": self.context["access"].group.slug, "pk": view.post.pk}
        return _absolute(self.context, reverse("groups:post", kwargs=kwargs))


class PostPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Posts of the thread shown to the caller.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = PostSerializer(many=True)


# --- Writing ---------------------------------------------------------------------------------------------
# Only types are checked here: emptiness, lengths, files and every rule of the group are the discussion
# services' (connective.groups.discussions), so the API answers with the same messages as the pages.


def _text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default="", help_text=help_text
    )


class ThreadCreateSerializer(serializers.Serializer):
    title = _text()
    body = _text("Markdown. Mention a member with @ and their profile's short name.")
    practice = _text("A published practice the thread is about (optional): its slug or its address.")
    event = _text("An event the thread is about (optional, not a draft): its slug or its address.")


class PostCreateSerializer(serializers.Serializer):
    body = _text("Markdown. Mention a member with @ and their profile's short name.")
    quote_of = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of a published post of this thread."
    )


_FILES_HELP = "Files to attach (multipart/form-data only), checked by their content as on the site."


class ThreadCreateUploadSerializer(ThreadCreateSerializer):
    """For the schema: the same fields sent as multipart/form-data, with files."""

    attachments = serializers.ListField(child=serializers.FileField(), required=False, help_text=_FILES_HELP)


class PostCreateUploadSerializer(PostCreateSerializer):
    """For the schema: the same fields sent as multipart/form-data, with files."""

    attachments = serializers.ListField(child=serializers.FileField(), required=False, help_text=_FILES_HELP)

"""The groups API: groups, threads and posts the caller may see, and posting with the rules of the pages.

Visibility comes from connective.groups.selectors (one place for pages, feeds and the API): a secret group,
and everything in it, answers 404 to whoever may not know it exists; a closed group's threads answer 404 to
non-members. Writes go through connective.groups.discussions, the services the pages call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, UserRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param

from connective.accounts.models import User
from connective.api.group_filters import PageForm
from connective.api.group_selectors import Page, groups_listed, page_of, threads_listed
from connective.api.group_serializers import (
    GroupDetailSerializer,
    GroupListItemSerializer,
    GroupPageSerializer,
    PostCreateSerializer,
    PostCreateUploadSerializer,
    PostPageSerializer,
    PostSerializer,
    ThreadCreateSerializer,
    ThreadCreateUploadSerializer,
    ThreadDetailSerializer,
    ThreadPageSerializer,
    ThreadSerializer,
)
from connective.groups.discussions import (
    POSTS_PER_PAGE,
    event_by_reference,
    post_create,
    posting_refusal,
    practice_by_reference,
    quotable_post,
    reply_refusal,
    thread_create,
    thread_for_page,
    thread_page,
    thread_page_count,
)
from connective.groups.discussions import (
    page_of as page_of_position,
)
from connective.groups.forms import GroupFilterForm
from connective.groups.group_selectors import moderators_of, roles_in
from connective.groups.models import Thread
from connective.groups.selectors import GroupAccess, group_get_for, group_get_readable, posts_visible_in

PAGE_SIZE = 20
SLUG = "[-a-zA-Z0-9_]+"

ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="Wrong input: each wrong field or parameter with its messages, in the reader's language. "
    "Nothing is saved.",
)
REFUSED = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}},
    description="The caller reads here but may not post: not signed in, not a member, muted, the group "
    "archived or the thread locked. The message says which.",
)


def _not_found(what: str) -> OpenApiResponse:
    return OpenApiResponse(
        response={"type": "object", "properties": {"detail": {"type": "string"}}}, description=what
    )


GROUP_SLUG = OpenApiParameter("group_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Group slug")
THREAD_ID = OpenApiParameter("thread_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Thread id")
PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1; 20 results per page.")
POST_PAGE = OpenApiParameter(
    "page",
    OpenApiTypes.INT,
    description=f"Page number, from 1. Page n holds positions {POSTS_PER_PAGE}×(n−1)+1 to {POSTS_PER_PAGE}×n, "
    "as on the thread page, so a post never changes page; a page has fewer posts when some are not shown "
    "to the caller.",
)

GROUP_PARAMETERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words to find in the name or summary (at most 200 characters)."
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["thematic", "regional"]),
    OpenApiParameter(
        "access",
        OpenApiTypes.STR,
        enum=["open", "closed", "secret"],
        description="Secret groups are listed only to those who may know them.",
    ),
    OpenApiParameter("region", OpenApiTypes.STR, description="Region slug."),
    OpenApiParameter("topic", OpenApiTypes.STR, description="Topic slug; a cluster includes its subtopics."),
    OpenApiParameter("language", OpenApiTypes.STR, description="Working language, ISO 639-1 code (e.g. fr)."),
    OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the caller's groups."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["name", "active", "members"]),
    PAGE,
]

WRITING = (
    "Sign in on the site first: the session cookie authenticates, and a write sends the CSRF token in the "
    "X-CSRFToken header. The rules and messages are those of the pages, through the same services. Send "
    "JSON, or multipart/form-data to attach files (`attachments`, several times), which are checked by their "
    "content as on the site."
)


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _page_body(request: Request, page: Page[Any], results: Any, **extra: Any) -> dict[str, Any]:
    url = request.build_absolute_uri()
    previous = None
    if page.page == 2:
        previous = remove_query_param(url, "page")
    elif page.page > 2:
        previous = replace_query_param(url, "page", page.page - 1)
    return {
        "count": page.total,
        "next": replace_query_param(url, "page", page.page + 1) if page.has_next else None,
        "previous": previous,
        "page": page.page,
        "num_pages": page.num_pages,
        **extra,
        "results": results,
    }


def _group_for(request: Request, slug: str) -> GroupAccess:
    # One answer for "no such group" and "a group you may not know": the selectors' own messages would
    # tell the two apart.
    try:
        return group_get_for(viewer=request.user, slug=slug)
    except Http404:
        raise NotFound() from None


def _readable(request: Request, slug: str) -> GroupAccess:
    try:
        return group_get_readable(viewer=request.user, slug=slug)
    except Http404:
        raise NotFound() from None


def _thread(request: Request, access: GroupAccess, thread_id: str) -> Thread:
    """The thread as its page decides (404 for a thread whose opening post the caller may not see), with its
    author's profile data joined and `is_followed` set."""
    try:
        allowed = thread_for_page(access=access, viewer=request.user, pk=int(thread_id))
    except Http404:
        raise NotFound() from None
    thread = (
        threads_listed(access=access, viewer=request.user)
        .select_related("event")
        .filter(pk=allowed.pk)
        .first()
    )
    if thread is None:
        # The page's rule above decides; the list's query only adds the joins. Should the two ever differ,
        # the thread shows as its page shows it, its author loaded on demand.
        thread = allowed
    thread.is_followed = getattr(allowed, "is_followed", False)  # type: ignore[attr-defined]
    return thread


def _service_errors(error: ValidationError, field: str) -> dict[str, list[str]]:
    """A service's ValidationError as the API's error body; messages without a field belong to `field`."""
    if hasattr(error, "error_dict"):
        return {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    return {field: [str(message) for message in error.messages]}


class GroupWriteThrottle(UserRateThrottle):
    """How fast one member writes through the API (threads and replies together): a script gone wrong
    fills no group."""

    scope = "groups_write"

    def get_rate(self) -> str:
        return str(settings.API_GROUP_WRITE_RATE)


class _Writing(viewsets.ViewSet):
    def get_throttles(self) -> list[BaseThrottle]:
        throttles = list(super().get_throttles())
        if self.request.method == "POST":
            throttles.append(GroupWriteThrottle())
        return throttles

    def _refuse(self, request: Request, refusal: str | None) -> None:
        """403 with the services' reason, for a caller who reads here but may not write."""
        if refusal is None:
            return
        if not request.user.is_authenticated:
            raise NotAuthenticated(refusal)
        raise PermissionDenied(refusal)


def _author(request: Request) -> User:
    # Only reached once the services' refusal said the caller may write, so a signed-in member.
    user = request.user
    assert isinstance(user, User)
    return user


def _files(request: Request) -> list[Any]:
    return list(request.FILES.getlist("attachments")) if request.FILES else []


class GroupViewSet(viewsets.ViewSet):
    """Working groups the caller may know exist."""

    lookup_field = "slug"
    lookup_value_regex = SLUG

    @extend_schema(
        summary="List working groups",
        description=(
            "The group list's search, with its filters. Open and closed groups for everyone; secret groups "
            "only for their members, people they invited and programme staff."
        ),
        parameters=GROUP_PARAMETERS,
        responses={200: GroupPageSerializer, 400: ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = GroupFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        data = form.cleaned_data
        page = page_of(groups_listed(viewer=request.user, query=data), page=data["page"], page_size=PAGE_SIZE)
        if page.page > page.num_pages:
            form.page_missing(page.page, page.num_pages)
            return Response(_form_errors(form), status=400)
        context = {
            "request": request,
            "roles": roles_in(viewer=request.user, group_ids=[group.pk for group in page.items]),
        }
        results = GroupListItemSerializer(page.items, many=True, context=context).data
        return Response(_page_body(request, page, results, sort=data.get("sort") or "name"))

    @extend_schema(
        summary="Read a working group",
        description="The group's page: description, topics, moderators, counts, and what the caller may do.",
        responses={
            200: GroupDetailSerializer,
            404: _not_found("No such group, or a secret group the caller may not know."),
        },
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        access = _group_for(request, slug)
        context = {"request": request, "access": access, "moderators": moderators_of(access.group)}
        return Response(GroupDetailSerializer(access.group, context=context).data)


class GroupThreadViewSet(_Writing):
    """The discussions of a group, for those who may read them."""

    lookup_field = "thread_id"
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="List a group's threads",
        description="Pinned threads first, then by their latest post.",
        parameters=[GROUP_SLUG, PAGE],
        responses={
            200: ThreadPageSerializer,
            400: ERRORS,
            404: _not_found("No such group, or one whose discussions the caller may not read."),
        },
    )
    def list(self, request: Request, group_slug: str) -> Response:
        access = _readable(request, group_slug)
        form = PageForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        # The linked event is named in every row: joined here, not read once per thread.
        threads = threads_listed(access=access, viewer=request.user).select_related("event")
        page = page_of(threads, page=form.cleaned_data["page"], page_size=PAGE_SIZE)
        if not form.check_page(page.num_pages):
            return Response(_form_errors(form), status=400)
        context = {"request": request, "access": access}
        results = ThreadSerializer(page.items, many=True, context=context).data
        return Response(_page_body(request, page, results))

    @extend_schema(
        summary="Start a thread",
        description="Starts a thread with its opening post. " + WRITING,
        parameters=[GROUP_SLUG],
        request={
            "application/json": ThreadCreateSerializer,
            "multipart/form-data": ThreadCreateUploadSerializer,
        },
        responses={
            201: ThreadDetailSerializer,
            400: ERRORS,
            403: REFUSED,
            404: _not_found("No such group, or one whose discussions the caller may not read."),
        },
    )
    def create(self, request: Request, group_slug: str) -> Response:
        access = _readable(request, group_slug)
        self._refuse(request, posting_refusal(access=access, viewer=request.user))
        given = ThreadCreateSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=400)
        data = given.validated_data
        unknown: dict[str, list[str]] = {}
        practice = event = None
        if data["practice"].strip():
            practice = practice_by_reference(data["practice"])
            if practice is None:
                unknown["practice"] = [gettext("No published good practice has this short name or address.")]
        if data["event"].strip():
            event = event_by_reference(data["event"])
            if event is None:
                unknown["event"] = [gettext("No published event has this short name or address.")]
        if unknown:
            return Response(unknown, status=400)
        try:
            thread = thread_create(
                author=_author(request),
                access=access,
                title=data["title"],
                body=data["body"],
                practice=practice,
                event=event,
                attachments=_files(request),
            )
        except ValidationError as error:
            return Response(_service_errors(error, "body"), status=400)
        return Response(self._detail(request, access, _thread(request, access, str(thread.pk))), status=201)

    @extend_schema(
        summary="Read a thread",
        parameters=[GROUP_SLUG, THREAD_ID],
        responses={
            200: ThreadDetailSerializer,
            404: _not_found("No such thread, or one the caller may not read."),
        },
    )
    def retrieve(self, request: Request, group_slug: str, thread_id: str) -> Response:
        access = _readable(request, group_slug)
        return Response(self._detail(request, access, _thread(request, access, thread_id)))

    def _detail(self, request: Request, access: GroupAccess, thread: Thread) -> Any:
        context = {
            "request": request,
            "access": access,
            "can_reply": reply_refusal(access=access, viewer=request.user, thread=thread) is None,
            "is_subscribed": bool(getattr(thread, "is_followed", False)),
        }
        return ThreadDetailSerializer(thread, context=context).data


class ThreadPostViewSet(_Writing):
    """The posts of a thread, by their place in it."""

    @extend_schema(
        summary="List a thread's posts",
        description=(
            "In the order they were written, as on the thread page. A post hidden by a moderator keeps its "
            "place as a placeholder without author or text (moderators get it whole); a post waiting for "
            "approval is listed only to its author and the moderators."
        ),
        parameters=[GROUP_SLUG, THREAD_ID, POST_PAGE],
        responses={
            200: PostPageSerializer,
            400: ERRORS,
            404: _not_found("No such thread, or one the caller may not read."),
        },
    )
    def list(self, request: Request, group_slug: str, thread_id: str) -> Response:
        access = _readable(request, group_slug)
        thread = _thread(request, access, thread_id)
        form = PageForm(request.query_params)
        if not form.is_valid() or not form.check_page(thread_page_count(thread)):
            return Response(_form_errors(form), status=400)
        shown = thread_page(access=access, viewer=request.user, thread=thread, page=form.cleaned_data["page"])
        total = posts_visible_in(access=access, thread=thread, viewer=request.user).count()
        page = Page(items=shown.items, total=total, page=shown.number, num_pages=shown.num_pages)
        results = PostSerializer(shown.items, many=True, context={"request": request, "access": access}).data
        return Response(_page_body(request, page, results))

    @extend_schema(
        summary="Reply in a thread",
        description=(
            "Adds a post at the end of the thread. In a group that holds new members' first posts the reply "
            "comes back with status held until a moderator approves it. " + WRITING
        ),
        parameters=[GROUP_SLUG, THREAD_ID],
        request={
            "application/json": PostCreateSerializer,
            "multipart/form-data": PostCreateUploadSerializer,
        },
        responses={
            201: PostSerializer,
            400: ERRORS,
            403: REFUSED,
            404: _not_found("No such thread, or one the caller may not read."),
        },
    )
    def create(self, request: Request, group_slug: str, thread_id: str) -> Response:
        access = _readable(request, group_slug)
        thread = _thread(request, access, thread_id)
        self._refuse(request, reply_refusal(access=access, viewer=request.user, thread=thread))
        given = PostCreateSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=400)
        data = given.validated_data
        quoted = None
        if data["quote_of"] is not None:
            quoted = quotable_post(thread=thread, pk=data["quote_of"])
            if quoted is None:
                message = gettext("You can quote only a published post of this thread.")
                return Response({"quote_of": [message]}, status=400)
        try:
            post = post_create(
                author=_author(request),
                access=access,
                thread=thread,
                body=data["body"],
                quote_of=quoted,
                attachments=_files(request),
            )
        except ValidationError as error:
            return Response(_service_errors(error, "body"), status=400)
        shown = thread_page(
            access=access, viewer=request.user, thread=thread, page=page_of_position(post.position)
        )
        view = next(item for item in shown.items if item.post.pk == post.pk)
        context = {"request": request, "access": access}
        return Response(PostSerializer(view, context=context).data, status=status.HTTP_201_CREATED)

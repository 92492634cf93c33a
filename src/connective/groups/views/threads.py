"""Group discussions: a thread page, starting a thread, replying (with a quote), editing, the history of a
post for moderators, reactions, following a thread and attachments.

Everything a viewer may not read answers 404 (secret groups, closed groups to outsiders, hidden and waiting
posts). A member who may read but not write (muted, not a member of an open group, a locked thread) gets
the page with the reason, and a refused form keeps what they typed. Every page works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connective.groups import uploads
from connective.groups.discussion_forms import PostEditForm, PostForm, ReactionForm, ThreadForm
from connective.groups.discussions import (
    attachment_get_for,
    edit_refusal,
    events_to_link,
    post_create,
    post_edit,
    post_get_for,
    post_page_url,
    posting_refusal,
    quotable_post,
    reaction_toggle,
    reply_refusal,
    revisions_of,
    thread_create,
    thread_for_page,
    thread_page,
    thread_subscription_set,
    thread_with_access,
)
from connective.groups.models import Post, PostStatus, Thread
from connective.groups.selectors import GroupAccess, group_get_readable
from connective.practices.selectors import practice_search

HISTORY_PER_PAGE = 20
PRACTICE_CHOICES = 8
EVENT_CHOICES = 8


def _add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            for item in field_errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _thread_url(access: GroupAccess, thread: Thread) -> str:
    return reverse("groups:thread", kwargs={"slug": access.group.slug, "pk": thread.pk})


def _page_links(request: HttpRequest, page: Any) -> dict[str, str]:
    base = request.path
    links = {}
    if page.has_previous:
        number = page.previous_page_number
        links["previous"] = base if number == 1 else f"{base}?page={number}"
    if page.has_next:
        links["next"] = f"{base}?page={page.next_page_number}"
    return links


# --- A thread -----------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer: Any = request.user
    access, found = thread_with_access(viewer=viewer, slug=slug, pk=pk)
    page = thread_page(access=access, viewer=viewer, thread=found, page=request.GET.get("page"))
    refusal = reply_refusal(access=access, viewer=viewer, thread=found)
    context = {
        "group": access.group,
        "access": access,
        "thread": found,
        "page": page,
        "links": _page_links(request, page),
        "form": PostForm(),
        "refusal": refusal,
        # Reactions are buttons for those who may write, counts for everyone else.
        "can_react": posting_refusal(access=access, viewer=viewer) is None,
        "signed_in": viewer.is_authenticated,
    }
    return render(request, "groups/thread.html", context)


@login_required
@require_POST
def thread_subscription(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = thread_for_page(access=access, viewer=viewer, pk=pk)
    follow = request.POST.get("follow") == "1"
    thread_subscription_set(user=viewer, access=access, thread=found, subscribed=follow)
    if follow:
        messages.success(request, _("You follow this thread: you hear of every reply."))
    else:
        messages.success(request, _("You no longer follow this thread."))
    return redirect(_thread_url(access, found))


# --- Starting a thread --------------------------------------------------------------------------------


def _practice_choices(query: str) -> list[Any]:
    query = (query or "").strip()
    if not query:
        return []
    return list(practice_search(query={"q": query}, page_size=PRACTICE_CHOICES).items)


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    refusal = posting_refusal(access=access, viewer=viewer)
    status = 403 if refusal is not None else 200
    choices: list[Any] = []
    event_choices: list[Any] = []
    searched = searched_events = False
    if request.method == "POST" and ("find_practice" in request.POST or "find_event" in request.POST):
        # Searching is not sending: keep what was typed, show no errors yet. A result chosen before this
        # search moves into its text field, so that the new results do not make it disappear.
        typed = request.POST.dict()
        for field in ("practice", "event"):
            if typed.get(f"{field}_choice"):
                typed[field] = typed.pop(f"{field}_choice")
        form = ThreadForm(initial=typed)
        practice_query = typed.get("practice_query", "").strip()
        event_query = typed.get("event_query", "").strip()
        # Enter in either search box presses the form's first button (the practices' "Find"): search what
        # was typed, and say "nothing found" for an empty box only when its own button was pressed.
        choices = _practice_choices(practice_query)
        event_choices = events_to_link(event_query, limit=EVENT_CHOICES)
        searched = bool(practice_query) or ("find_practice" in request.POST and not event_query)
        searched_events = bool(event_query) or ("find_event" in request.POST and not practice_query)
    elif request.method == "POST":
        form = ThreadForm(request.POST, request.FILES)
        if refusal is None:
            if form.is_valid():
                try:
                    created = thread_create(
                        author=viewer,
                        access=access,
                        title=form.cleaned_data["title"],
                        body=form.cleaned_data["body"],
                        practice=form.cleaned_data["practice"],
                        event=form.cleaned_data["event"],
                        attachments=form.cleaned_data["attachments"],
                    )
                except PermissionDenied as denied:
                    refusal, status = str(denied), 403
                except ValidationError as error:
                    _add_service_errors(form, error)
                    status = 400
                else:
                    if created.post_count == 0:
                        messages.success(
                            request,
                            _(
                                "Your thread was saved. A moderator reads first posts of new members before others see them."
                            ),
                        )
                    else:
                        messages.success(request, _("Your thread was started."))
                    return redirect(_thread_url(access, created))
            else:
                status = 400
    else:
        form = ThreadForm(
            initial={"practice": request.GET.get("practice", ""), "event": request.GET.get("event", "")}
        )
    context = {
        "group": access.group,
        "access": access,
        "form": form,
        "refusal": refusal,
        "practice_choices": choices,
        "searched": searched,
        "event_choices": event_choices,
        "searched_events": searched_events,
        "files_lost": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "groups/thread_form.html", context, status=status)


# --- Replying and editing -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    access: GroupAccess,
    thread: Thread,
    form: Form,
    mode: str,
    refusal: str | None,
    status: int,
    post: Post | None = None,
    quoted: Post | None = None,
) -> HttpResponse:
    context = {
        "group": access.group,
        "access": access,
        "thread": thread,
        "form": form,
        "mode": mode,
        "refusal": refusal,
        "post": post,
        "quoted": quoted,
        "files_lost": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "groups/post_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = thread_for_page(access=access, viewer=viewer, pk=pk)
    refusal = reply_refusal(access=access, viewer=viewer, thread=found)
    status = 403 if refusal is not None else 200
    if request.method == "GET":
        quoted = quotable_post(thread=found, pk=request.GET.get("quote"))
        form = PostForm(initial={"quote_of": quoted.pk if quoted else None})
        return _form_page(
            request,
            access=access,
            thread=found,
            form=form,
            mode="reply",
            refusal=refusal,
            status=status,
            quoted=quoted,
        )
    form = PostForm(request.POST, request.FILES)
    quoted = quotable_post(thread=found, pk=request.POST.get("quote_of"))
    if refusal is None:
        if form.is_valid():
            quote_pk = form.cleaned_data["quote_of"]
            if quote_pk is not None and quoted is None:
                form.add_error(None, _("You can quote only a published post of this thread."))
                status = 400
            else:
                try:
                    created = post_create(
                        author=viewer,
                        access=access,
                        thread=found,
                        body=form.cleaned_data["body"],
                        quote_of=quoted,
                        attachments=form.cleaned_data["attachments"],
                    )
                except PermissionDenied as denied:
                    refusal, status = str(denied), 403
                except ValidationError as error:
                    _add_service_errors(form, error)
                    status = 400
                else:
                    if created.status == PostStatus.HELD:
                        messages.success(
                            request,
                            _(
                                "Your reply was saved. A moderator reads first posts of new members before others see them."
                            ),
                        )
                    return redirect(post_page_url(created, group_slug=access.group.slug))
        else:
            status = 400
    return _form_page(
        request,
        access=access,
        thread=found,
        form=form,
        mode="reply",
        refusal=refusal,
        status=status,
        quoted=quoted,
    )


@require_http_methods(["GET"])
def post_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A post's permanent address: the page of its thread that shows it."""
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = post_get_for(access=access, viewer=viewer, pk=pk)
    # The thread itself may be closed to the viewer (its opening post waits for a moderator).
    thread_for_page(access=access, viewer=viewer, pk=found.thread_id)
    return redirect(post_page_url(found, group_slug=access.group.slug))


@login_required
@require_http_methods(["GET", "POST"])
def post_edit_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = post_get_for(access=access, viewer=viewer, pk=pk)
    if found.status in (PostStatus.HIDDEN, PostStatus.REJECTED) and not access.is_moderator:
        # Its text is not there for the reader, so neither is a form holding it.
        raise Http404("No such post.")
    refusal = edit_refusal(access=access, viewer=viewer, post=found, thread=found.thread)
    status = 403 if refusal is not None else 200
    if request.method == "GET":
        form = PostEditForm(initial={"body": found.body})
    else:
        form = PostEditForm(request.POST)
        if refusal is None:
            if form.is_valid():
                try:
                    post_edit(editor=viewer, access=access, post=found, body=form.cleaned_data["body"])
                except PermissionDenied as denied:
                    refusal, status = str(denied), 403
                except ValidationError as error:
                    _add_service_errors(form, error)
                    status = 400
                else:
                    messages.success(request, _("Your changes were saved."))
                    return redirect(post_page_url(found, group_slug=access.group.slug))
            else:
                status = 400
    return _form_page(
        request,
        access=access,
        thread=found.thread,
        form=form,
        mode="edit",
        refusal=refusal,
        status=status,
        post=found,
    )


@login_required
@require_http_methods(["GET"])
def post_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Earlier versions of a post, for the group's moderators only (404 for everyone else)."""
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    if not access.is_moderator:
        raise Http404("No such page.")
    found = post_get_for(access=access, viewer=viewer, pk=pk)
    page = Paginator(revisions_of(found), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "group": access.group,
        "access": access,
        "thread": found.thread,
        "post": found,
        "page": page,
        "links": _page_links(request, _PageAdapter(page)),
    }
    return render(request, "groups/post_history.html", context)


class _PageAdapter:
    """A Django Page read like a ThreadPage by _page_links."""

    def __init__(self, page: Any) -> None:
        self.has_previous = page.has_previous()
        self.has_next = page.has_next()
        self.previous_page_number = page.number - 1
        self.next_page_number = page.number + 1


# --- Reactions ----------------------------------------------------------------------------------------


@login_required
@require_POST
def react(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = post_get_for(access=access, viewer=viewer, pk=pk)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the reactions offered."))
        return redirect(post_page_url(found, group_slug=access.group.slug))
    try:
        reaction_toggle(user=viewer, access=access, post=found, reaction=form.cleaned_data["reaction"])
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(post_page_url(found, group_slug=access.group.slug))


# --- Attachments --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def attachment(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    viewer: Any = request.user
    access = group_get_readable(viewer=viewer, slug=slug)
    found = attachment_get_for(access=access, viewer=viewer, pk=pk)
    if not found.file.name or not found.file.storage.exists(found.file.name):
        raise Http404("The file is missing.")
    return uploads.download_response(file=found.file, name=found.name, content_type=found.content_type)


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/threads/new/", thread_new, name="thread_new"),
    path("<slug:slug>/threads/<int:pk>/", thread, name="thread"),
    path("<slug:slug>/threads/<int:pk>/reply/", reply, name="reply"),
    path("<slug:slug>/threads/<int:pk>/follow/", thread_subscription, name="thread_subscription"),
    path("<slug:slug>/posts/<int:pk>/", post_link, name="post"),
    path("<slug:slug>/posts/<int:pk>/edit/", post_edit_view, name="post_edit"),
    path("<slug:slug>/posts/<int:pk>/history/", post_history, name="post_history"),
    path("<slug:slug>/posts/<int:pk>/react/", react, name="react"),
    path("<slug:slug>/attachments/<int:pk>/", attachment, name="attachment"),
]

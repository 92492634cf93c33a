"""Reporting posts and moderating a group: the queue, the log, the decisions, and staff's list of every report.

What a viewer may not read answers 404 (secret groups to outsiders, the inside of closed groups to
non-members); readers without the right to moderate get 403. Every decision form works without JavaScript
and asks for a reason; when the reason is missing the page says so and keeps what was typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from connective.accounts.models import User
from connective.accounts.rules import is_programme_staff
from connective.core.pagination import page_links
from connective.groups.models import Membership, Post, PostReport, PostReportStatus, PostStatus
from connective.groups.moderation import (
    held_posts,
    may_moderate,
    may_report,
    member_mute,
    member_remove,
    member_unmute,
    moderation_log_of,
    post_approve,
    post_hide,
    post_reject,
    post_report_create,
    post_report_open_exists,
    post_restore,
    report_dismiss,
    reported_post_entries,
    reported_posts,
    thread_lock,
    thread_pin,
    thread_unlock,
    thread_unpin,
)
from connective.groups.moderation_forms import (
    MUTE_DAYS,
    MemberModerationForm,
    PostModerationForm,
    PostReportForm,
    ThreadModerationForm,
)
from connective.groups.selectors import GroupAccess, group_get_readable, thread_get_for

QUEUE_PER_PAGE = 20
LOG_PER_PAGE = 50
ALL_REPORTS_PER_PAGE = 25


def add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            for item in field_errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _moderator_access(request: HttpRequest, slug: str) -> GroupAccess:
    """The group if the viewer moderates it; 404 when they may not read it, else 403."""
    access = group_get_readable(viewer=request.user, slug=slug)
    if not may_moderate(request.user, access):
        raise PermissionDenied(_("Only the group's moderators and programme staff may do this."))
    return access


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _post_in(access: GroupAccess, pk: int) -> Post:
    post = Post.objects.filter(pk=pk, thread__group=access.group).select_related("thread", "author").first()
    if post is None:
        raise Http404("No such post.")
    return post


def _queue_url(access: GroupAccess) -> str:
    return reverse("groups:moderation", kwargs={"slug": access.group.slug})


# --- Reporting a post ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = group_get_readable(viewer=request.user, slug=slug)
    post = (
        Post.objects.filter(pk=pk, thread__group=access.group, status=PostStatus.PUBLISHED)
        .select_related("thread", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_report(request.user, access):
        raise PermissionDenied(_("Only members of the group may report posts."))
    reporter: Any = request.user
    own = post.author_id == reporter.pk
    already = post_report_open_exists(reporter=reporter, post=post)
    form = PostReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if not own and not already and form.is_valid():
            try:
                post_report_create(
                    reporter=reporter,
                    access=access,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you for your report. The group's moderators will look at the post; its author "
                        "is not told who reported it."
                    ),
                )
                return redirect(reverse("groups:post", kwargs={"slug": access.group.slug, "pk": post.pk}))
    context = {
        "access": access,
        "group": access.group,
        "thread": post.thread,
        "post": post,
        "form": form,
        "own": own,
        "already": already,
    }
    return render(request, "groups/report_form.html", context, status=status)


# --- The queue and the log ----------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    access = _moderator_access(request, slug)
    reported = Paginator(reported_posts(access.group), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    held = Paginator(held_posts(access.group), QUEUE_PER_PAGE).get_page(request.GET.get("held"))
    context = {
        "access": access,
        "group": access.group,
        "tab": "moderation",
        "reported": reported,
        "reported_links": page_links(request, reported),
        "entries": reported_post_entries(list(reported.object_list)),
        "held": held,
        "held_links": page_links(request, held, "held"),
        "here": request.get_full_path(),
    }
    return render(request, "groups/moderation_queue.html", context)


@require_GET
def log(request: HttpRequest, slug: str) -> HttpResponse:
    access = _moderator_access(request, slug)
    page = Paginator(moderation_log_of(access.group), LOG_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "group": access.group,
        "tab": "moderation",
        "page": page,
        "links": page_links(request, page),
    }
    return render(request, "groups/moderation_log.html", context)


@require_GET
def all_reports(request: HttpRequest) -> HttpResponse:
    """Programme staff: the open reports of every group, secret ones included. Nobody else learns it exists."""
    if not is_programme_staff(request.user):
        raise Http404("No such page.")
    page = Paginator(reported_posts(None), ALL_REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "links": page_links(request, page),
        "entries": reported_post_entries(list(page.object_list)),
    }
    return render(request, "groups/moderation_all_reports.html", context)


# --- Decisions ----------------------------------------------------------------------------------------


def _decide_post(action: str, *, moderator: Any, access: GroupAccess, post: Post, reason: str) -> str:
    """Carry out `action` on the post; the confirmation to show."""
    if action == "hide":
        post_hide(moderator=moderator, access=access, post=post, reason=reason)
        return _("The post is hidden and its author is told why.")
    if action == "restore":
        post_restore(moderator=moderator, access=access, post=post, reason=reason)
        return _("The post is published again and its author is told.")
    if action == "approve":
        post_approve(moderator=moderator, access=access, post=post, reason=reason)
        return _("The post is published and its author may post without approval from now on.")
    if action == "reject":
        post_reject(moderator=moderator, access=access, post=post, reason=reason)
        return _("The post is not published and its author is told why.")
    open_report = PostReport.objects.filter(post=post, status=PostReportStatus.OPEN).first()
    if open_report is None:
        raise ValidationError(_("This post has no open report."), code="state")
    report_dismiss(moderator=moderator, access=access, report=open_report, reason=reason)
    return _("The reports are dismissed and the post stays.")


@require_http_methods(["GET", "POST"])
def moderate_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _moderator_access(request, slug)
    post = _post_in(access, pk)
    default_next = _queue_url(access)
    if request.method == "POST":
        form = PostModerationForm(request.POST)
        if form.is_valid():
            try:
                done = _decide_post(
                    form.cleaned_data["action"],
                    moderator=request.user,
                    access=access,
                    post=post,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(_safe_next(request, form.cleaned_data["next"], default_next))
        status = 400
    else:
        form = PostModerationForm(
            initial={"action": request.GET.get("action"), "next": request.GET.get("next", "")}
        )
        status = 200
    context = {
        "access": access,
        "group": access.group,
        "tab": "moderation",
        "post": post,
        "thread": post.thread,
        "form": form,
        "back": _safe_next(request, form["next"].value(), default_next),
    }
    return render(request, "groups/moderation_post.html", context, status=status)


_THREAD_ACTIONS = {
    "lock": (thread_lock, gettext_lazy("The thread is locked: no more replies.")),
    "unlock": (thread_unlock, gettext_lazy("The thread is open for replies again.")),
    "pin": (thread_pin, gettext_lazy("The thread is pinned to the top of the group.")),
    "unpin": (thread_unpin, gettext_lazy("The thread is no longer pinned.")),
}


@require_http_methods(["GET", "POST"])
def moderate_thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _moderator_access(request, slug)
    thread = thread_get_for(access=access, pk=pk)
    default_next = reverse("groups:thread", kwargs={"slug": access.group.slug, "pk": thread.pk})
    if request.method == "POST":
        form = ThreadModerationForm(request.POST)
        if form.is_valid():
            service, done = _THREAD_ACTIONS[form.cleaned_data["action"]]
            try:
                service(
                    moderator=request.user, access=access, thread=thread, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, str(done))
                return redirect(_safe_next(request, form.cleaned_data["next"], default_next))
        status = 400
    else:
        form = ThreadModerationForm(
            initial={"action": request.GET.get("action"), "next": request.GET.get("next", "")}
        )
        status = 200
    context = {
        "access": access,
        "group": access.group,
        "tab": "moderation",
        "thread": thread,
        "form": form,
        "back": _safe_next(request, form["next"].value(), default_next),
    }
    return render(request, "groups/moderation_thread.html", context, status=status)


@require_http_methods(["GET", "POST"])
def moderate_member(request: HttpRequest, slug: str, user_pk: int) -> HttpResponse:
    access = _moderator_access(request, slug)
    membership = Membership.objects.filter(group=access.group, user_id=user_pk).select_related("user").first()
    if membership is None:
        raise Http404("No such member.")
    member: User = membership.user
    default_next = reverse("groups:members", kwargs={"slug": access.group.slug})
    if request.method == "POST":
        form = MemberModerationForm(request.POST)
        if form.is_valid():
            action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
            moderator: Any = request.user
            try:
                if action == "mute":
                    until = timezone.now() + timedelta(days=form.cleaned_data["days"])
                    member_mute(moderator=moderator, access=access, member=member, until=until, reason=reason)
                    done = _("%(name)s is muted and is told why.") % {"name": member.display_name}
                elif action == "unmute":
                    member_unmute(moderator=moderator, access=access, member=member, reason=reason)
                    done = _("%(name)s may post again.") % {"name": member.display_name}
                else:
                    member_remove(moderator=moderator, access=access, member=member, reason=reason)
                    done = _("%(name)s is no longer a member and is told why.") % {
                        "name": member.display_name
                    }
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(_safe_next(request, form.cleaned_data["next"], default_next))
        status = 400
    else:
        form = MemberModerationForm(
            initial={"action": request.GET.get("action"), "next": request.GET.get("next", "")}
        )
        status = 200
    context = {
        "access": access,
        "group": access.group,
        "tab": "moderation",
        "membership": membership,
        "member": member,
        "is_muted": membership.muted_until is not None and membership.muted_until > timezone.now(),
        "mute_days": MUTE_DAYS,
        "form": form,
        "back": _safe_next(request, form["next"].value(), default_next),
    }
    return render(request, "groups/moderation_member.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("reports/", all_reports, name="all_reports"),
    path("<slug:slug>/posts/<int:pk>/report/", report, name="report"),
    path("<slug:slug>/moderation/", queue, name="moderation"),
    path("<slug:slug>/moderation/log/", log, name="moderation_log"),
    path("<slug:slug>/moderation/posts/<int:pk>/", moderate_post, name="moderate_post"),
    path("<slug:slug>/moderation/threads/<int:pk>/", moderate_thread, name="moderate_thread"),
    path("<slug:slug>/moderation/members/<int:user_pk>/", moderate_member, name="moderate_member"),
]

"""Private conversations: writing to a member, the inbox, a conversation, blocking and reporting.

Everything a member does not take part in answers 404. Refusals (a block, an account that is gone) read the
same neutral sentence and keep what the member typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connective.accounts.models import User
from connective.network.conversation_forms import MessageForm, ReportForm
from connective.network.conversations import (
    block_create,
    block_remove,
    blockers_between,
    conversation_between,
    conversation_get_for,
    conversation_mark_read,
    conversation_messages,
    conversation_other,
    conversation_start,
    inbox_entries,
    inbox_for,
    message_get_reportable,
    message_refusal,
    message_report_create,
    message_report_exists,
    message_send,
    message_views,
)
from connective.network.models import Conversation
from connective.network.selectors import person_get_visible, person_view

INBOX_PER_PAGE = 25
MESSAGES_PER_PAGE = 50


def _add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            for item in field_errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _error_status(error: ValidationError) -> int:
    return 429 if getattr(error, "code", None) == "rate_limited" else 400


# --- Writing to a member ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_get_visible(viewer=request.user, slug=slug)
    if person.is_owner:
        raise Http404("No conversation with yourself.")
    recipient = User.objects.get(pk=person.user_id)
    sender: Any = request.user
    refusal = message_refusal(sender=sender, recipient=recipient)
    form = MessageForm(request.POST if request.method == "POST" else None)
    status = 200
    if refusal is not None:
        status = 403
    elif request.method == "POST":
        if form.is_valid():
            try:
                message = conversation_start(
                    sender=sender, recipient=recipient, body=form.cleaned_data["body"]
                )
            except PermissionDenied as denied:
                refusal, status = str(denied), 403
            except ValidationError as error:
                status = _error_status(error)
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(
                    reverse("network:conversation", kwargs={"pk": message.conversation_id})
                    + f"#message-{message.pk}"
                )
        else:
            status = 400
    existing = conversation_between(viewer=sender, other=recipient)
    context = {"person": person, "form": form, "refusal": refusal, "existing": existing}
    return render(request, "network/messages/write.html", context, status=status)


# --- Inbox --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), INBOX_PER_PAGE).get_page(request.GET.get("page"))
    entries = inbox_entries(viewer=request.user, rows=page.object_list)
    return render(request, "network/messages/inbox.html", {"page": page, "entries": entries})


# --- One conversation ---------------------------------------------------------------------------------


def _render_conversation(
    request: HttpRequest,
    conversation: Conversation,
    *,
    form: MessageForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer: Any = request.user
    other = conversation_other(conversation=conversation, viewer=viewer)
    other_view = person_view(other, viewer) if other is not None else None
    blockers = blockers_between(viewer, other)
    if refusal is None:
        refusal = message_refusal(sender=viewer, recipient=other, blockers=blockers)
    page = Paginator(conversation_messages(conversation), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "conversation": conversation,
        "other": other_view,
        "other_name": other_view.name if other_view is not None else _("Former member"),
        "page": page,
        "items": message_views(
            viewer=viewer,
            messages=list(page.object_list),
            other=other_view,
            other_id=other.pk if other is not None else None,
        ),
        "form": form if form is not None else MessageForm(),
        "refusal": refusal,
        "can_block": other is not None and viewer.pk not in blockers,
        "has_blocked": other is not None and viewer.pk in blockers,
    }
    return render(request, "network/messages/conversation.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    found = conversation_get_for(viewer=request.user, pk=pk)
    if request.method == "GET":
        conversation_mark_read(viewer=request.user, conversation=found)
        return _render_conversation(request, found)
    sender: Any = request.user
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _render_conversation(request, found, form=form, status=400)
    try:
        message = message_send(sender=sender, conversation=found, body=form.cleaned_data["body"])
    except PermissionDenied as denied:
        return _render_conversation(request, found, form=form, refusal=str(denied), status=403)
    except ValidationError as error:
        _add_service_errors(form, error)
        return _render_conversation(request, found, form=form, status=_error_status(error))
    return redirect(reverse("network:conversation", kwargs={"pk": found.pk}) + f"#message-{message.pk}")


# --- Blocking -----------------------------------------------------------------------------------------


def _other_or_404(request: HttpRequest, pk: int) -> tuple[Conversation, User]:
    found = conversation_get_for(viewer=request.user, pk=pk)
    other = conversation_other(conversation=found, viewer=request.user)
    if other is None:
        raise Http404("The other member's account no longer exists.")
    return found, other


@login_required
@require_POST
def block(request: HttpRequest, pk: int) -> HttpResponse:
    found, other = _other_or_404(request, pk)
    blocker: Any = request.user
    block_create(blocker=blocker, blocked=other)
    messages.success(
        request,
        _("You blocked %(name)s: they can no longer send you messages. They are not told.")
        % {"name": person_view(other, blocker).name},
    )
    return redirect("network:conversation", pk=found.pk)


@login_required
@require_POST
def unblock(request: HttpRequest, pk: int) -> HttpResponse:
    found, other = _other_or_404(request, pk)
    blocker: Any = request.user
    block_remove(blocker=blocker, blocked=other)
    messages.success(
        request,
        _("You unblocked %(name)s: you can write to each other again.")
        % {"name": person_view(other, blocker).name},
    )
    return redirect("network:conversation", pk=found.pk)


# --- Reporting ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    found = conversation_get_for(viewer=request.user, pk=pk)
    reporter: Any = request.user
    message = message_get_reportable(viewer=reporter, conversation=found, pk=message_pk)
    form = ReportForm(request.POST if request.method == "POST" else None)
    already = message_report_exists(reporter=reporter, message=message)
    status = 200
    if request.method == "POST" and not already:
        if form.is_valid():
            try:
                message_report_create(
                    reporter=reporter,
                    message=message,
                    reason=form.cleaned_data["reason"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                status = 400
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Thank you. Staff will look at the message and tell you what they decided.")
                )
                return redirect(
                    reverse("network:conversation", kwargs={"pk": found.pk}) + f"#message-{message.pk}"
                )
        else:
            status = 400
    elif request.method == "POST":
        status = 400
    context = {
        "conversation": found,
        "message": message,
        "form": form,
        "already": already,
        "is_removed": message.removed_at is not None,
    }
    return render(request, "network/messages/report.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("people/<slug:slug>/write/", write, name="write"),
    path("messages/", inbox, name="inbox"),
    path("messages/<int:pk>/", conversation, name="conversation"),
    path("messages/<int:pk>/block/", block, name="block"),
    path("messages/<int:pk>/unblock/", unblock, name="unblock"),
    path("messages/<int:pk>/report/<int:message_pk>/", report, name="message_report"),
]

"""The organisers' side of an event: participants and applicants with their answers, decisions with a message,
check-in, the CSV export, and publishing, postponing, rescheduling or cancelling. Organisers of the event and
programme staff only: everyone else gets 404, as for a page that is not there for them."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connective.core.forms import errors_text
from connective.core.pagination import page_links
from connective.events.forms import DecisionForm, StatusForm
from connective.events.invite import invite_suggestions
from connective.events.models import Registration, RegistrationStatus
from connective.events.registration import application_decide, checkin_set, places_of
from connective.events.selectors import EventAccess, event_for, participants_for_organisers
from connective.events.services import event_cancel, event_postpone, event_publish, event_reschedule
from connective.network.models import OrganisationType

PARTICIPANTS_PER_PAGE = 50


def managed(request: HttpRequest, slug: str) -> EventAccess:
    """The event for its organisers and programme staff; 404 for everyone else."""
    access = event_for(request.user, slug)
    if not rules.has_perm("events.manage", request.user, access):
        raise Http404
    return access


def _reserved_for(reserved: Any) -> str:
    if reserved.region_id is not None:
        return str(reserved.region.name)
    try:
        return str(OrganisationType(reserved.organisation_type).label)
    except ValueError:
        return reserved.organisation_type


def _manage_context(
    request: HttpRequest, access: EventAccess, status_form: StatusForm | None = None
) -> dict[str, Any]:
    event = access.event
    status = request.GET.get("status", "")
    if status not in RegistrationStatus.values:
        status = ""
    page = Paginator(participants_for_organisers(event, status=status), PARTICIPANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts: dict[str, int] = {}
    for value in Registration.objects.filter(event=event).values_list("status", flat=True).order_by():
        counts[value] = counts.get(value, 0) + 1
    places = places_of(event)
    return {
        "event": event,
        "access": access,
        "page": page,
        "page_links": page_links(request, page),
        "status": status,
        "status_choices": [
            (value, label, counts.get(value, 0)) for value, label in RegistrationStatus.choices
        ],
        "free_places": places.free_total(),
        "reserved": [(r, places.held.get(r.pk, 0), _reserved_for(r)) for r in places.reserved],
        "decision_form": DecisionForm(),
        "status_form": status_form or StatusForm(event=event),
        "now": timezone.now(),
        "invite": invite_suggestions(event=event),
    }


@require_safe
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    access = managed(request, slug)
    return render(request, "events/manage.html", _manage_context(request, access))


def _registration_of(access: EventAccess, registration_id: int) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "user"), pk=registration_id, event=access.event
    )


@require_POST
def decide(request: HttpRequest, slug: str, registration_id: int) -> HttpResponse:
    access = managed(request, slug)
    registration = _registration_of(access, registration_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("events:manage", slug=slug)
    try:
        application_decide(
            registration=registration,
            decision=form.cleaned_data["decision"],
            message=form.cleaned_data["message"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect("events:manage", slug=slug)
    messages.success(
        request,
        _("Decision saved for %(name)s; they have been told.") % {"name": registration.user.display_name},
    )
    return redirect("events:manage", slug=slug)


@require_POST
def check_in(request: HttpRequest, slug: str, registration_id: int) -> HttpResponse:
    access = managed(request, slug)
    registration = _registration_of(access, registration_id)
    attended = request.POST.get("attended") == "1"
    try:
        checkin_set(registration=registration, attended=attended, actor=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    # Back to the same filtered list the organiser was checking people in from.
    status = request.POST.get("status", "")
    target = reverse("events:manage", kwargs={"slug": slug})
    if status in RegistrationStatus.values:
        target += "?" + urlencode({"status": status})
    return redirect(target)


@require_http_methods(["POST"])
def change_status(request: HttpRequest, slug: str) -> HttpResponse:
    access = managed(request, slug)
    event = access.event
    form = StatusForm(request.POST, event=event)
    if not form.is_valid():
        return render(request, "events/manage.html", _manage_context(request, access, form), status=400)
    action = form.cleaned_data["action"]
    message = form.cleaned_data["message"]
    try:
        if action == "publish":
            event_publish(event=event, actor=request.user)
        elif action == "postpone":
            event_postpone(event=event, message=message, actor=request.user)
        elif action == "reschedule":
            event_reschedule(
                event=event,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                message=message,
                actor=request.user,
            )
        else:
            event_cancel(event=event, message=message, actor=request.user)
    except ValidationError as error:
        form.add_error(None, errors_text(error))
        return render(request, "events/manage.html", _manage_context(request, access, form), status=400)
    messages.success(request, _("The event is updated; everyone registered has been told."))
    return redirect("events:manage", slug=slug)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_safe
def participants_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    access = managed(request, slug)
    event = access.event
    header = [
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("City"),
        _("Country"),
        _("Status"),
        _("Registered"),
        _("Attended"),
        _("Practice brought"),
        _("Challenge brought"),
        *(str(q) for q in event.questions),
    ]

    def rows() -> Any:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)
        for r in participants_for_organisers(event).iterator(chunk_size=500):
            answers = {a.get("question"): a.get("answer") for a in r.answers if isinstance(a, dict)}
            yield writer.writerow(
                [
                    _csv_cell(v)
                    for v in [
                        r.user.display_name,
                        r.user.email,
                        r.user.organisation.name if r.user.organisation else "",
                        r.user.city.name if r.user.city else "",
                        r.user.country_id or "",
                        r.get_status_display(),
                        timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M")
                        if r.checked_in_at
                        else "",
                        r.practice.title if r.practice else "",
                        r.challenge,
                        *(answers.get(str(q), "") for q in event.questions),
                    ]
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="participants-{event.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/manage/", manage, name="manage"),
    path("<slug:slug>/manage/participants.csv", participants_csv, name="participants_csv"),
    path("<slug:slug>/manage/status/", change_status, name="status"),
    path("<slug:slug>/manage/<int:registration_id>/", decide, name="decide"),
    path("<slug:slug>/manage/<int:registration_id>/check-in/", check_in, name="check_in"),
]

"""The public side of events: the list with filters, the month calendar, the event page, registering or
applying, cancelling, answering an offered place, and "my events".

Whether the viewer may see an event is decided by selectors.event_for: a draft answers 404 to everyone but its
organisers and programme staff.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connective.core.forms import errors_text
from connective.core.maps import project
from connective.core.pagination import page_links
from connective.events.feedback import feedback_may_give
from connective.events.forms import EventFilterForm, MonthForm, RegistrationForm
from connective.events.models import Event, EventStatus, RegistrationStatus
from connective.events.registration import (
    free_places,
    offer_accept,
    offer_decline,
    registration_cancel,
    registration_create,
    registration_set_public,
    registration_window_problem,
)
from connective.events.selectors import (
    EventAccess,
    EventFilters,
    event_for,
    event_list,
    event_page_parts,
    events_in_month,
    my_registrations,
    public_participants,
)
from connective.network.selectors import person_view

EVENTS_PER_PAGE = 24
REGISTRATIONS_PER_PAGE = 30
# The event page shows the first of the public list; the rest are on the list's own pages.
PUBLIC_PARTICIPANTS_SHOWN = 48
PUBLIC_PARTICIPANTS_PER_PAGE = 100
# Half the width and height, in degrees, of the map around a venue.
MAP_SPAN = (12.0, 6.0)


# --- The list and the calendar ------------------------------------------------------------------------------


@require_safe
def event_list_view(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    data = form.valid_data
    filters = EventFilters(
        q=data.get("q") or "",
        format=data.get("format") or "",
        topic=data.get("topic") or "",
        region=data.get("region") or "",
        language=data.get("language") or "",
        mode=data.get("mode") or "",
        when=data.get("when") or "upcoming",
    )
    paginator = Paginator(event_list(request.user, filters), EVENTS_PER_PAGE)
    number = data.get("page") or 1
    out_of_range = number > paginator.num_pages
    if out_of_range:
        form.page_missing(number, paginator.num_pages)
        page = paginator.page(paginator.num_pages)
        events: list[Event] = []
    else:
        page = paginator.page(number)
        events = list(page.object_list)
    context = {
        "form": form,
        "page": page,
        "events": events,
        "when": filters.when,
        "out_of_range": out_of_range,
        "page_links": page_links(request, page) if not out_of_range else {},
        "query_text": filters.q,
    }
    return render(request, "events/event_list.html", context, status=400 if form.errors else 200)


@require_safe
def month_view(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET)
    first = form.first_day()
    zone = timezone.get_current_timezone()
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    end = start + timedelta(days=days_in_month)
    by_day: dict[int, list[Event]] = {}
    for event in events_in_month(request.user, start, end)[:500]:
        first_day = max(timezone.localtime(event.starts_at, zone).date(), first)
        last_day = min(timezone.localtime(event.ends_at, zone).date(), (end - timedelta(days=1)).date())
        day = first_day
        while day <= last_day:
            by_day.setdefault(day.day, []).append(event)
            day += timedelta(days=1)
    weeks = [
        [(day, by_day.get(day, [])) if day else (0, []) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month)
    ]
    previous_month = (start - timedelta(days=1)).strftime("%Y-%m")
    next_month = end.strftime("%Y-%m")
    context = {
        "form": form,
        "month": first,
        "weeks": weeks,
        "weekdays": [calendar.day_abbr[i] for i in range(7)],
        "previous_month": previous_month,
        "next_month": next_month,
        "today": timezone.localdate(),
        "has_events": bool(by_day),
    }
    return render(request, "events/event_calendar.html", context, status=400 if form.errors else 200)


# --- The event page -------------------------------------------------------------------------------------------


def _venue_map(event: Event) -> dict[str, Any] | None:
    if event.latitude is None or event.longitude is None:
        return None
    x, y = project(event.latitude, event.longitude)
    span_x, span_y = MAP_SPAN
    left = min(max(x - span_x, 0.0), 360.0 - 2 * span_x)
    top = min(max(y - span_y, 0.0), 180.0 - 2 * span_y)
    return {
        "x": round(x, 3),
        "y": round(y, 3),
        "view_box": f"{left:.3f} {top:.3f} {2 * span_x:.3f} {2 * span_y:.3f}",
        "osm": (
            f"https://www.openstreetmap.org/?mlat={event.latitude:.5f}&mlon={event.longitude:.5f}"
            f"#map=15/{event.latitude:.5f}/{event.longitude:.5f}"
        ),
    }


def _practices_of(user: Any, event: Event) -> list[tuple[int, str]]:
    """The member's own practices, to name one they bring (only asked where the event asks for it)."""
    from connective.practices.models import Practice

    if not user.is_authenticated or not event.asks_for_contribution:
        return []
    return list(Practice.objects.filter(author=user).order_by("title").values_list("pk", "title")[:100])


def event_context(
    request: HttpRequest, access: EventAccess, form: RegistrationForm | None = None
) -> dict[str, Any]:
    event = access.event
    viewer = request.user
    parts = event_page_parts(access)
    registration = access.registration
    may_register = rules.has_perm("events.register", viewer, access)
    problem = registration_window_problem(event)
    can_register_again = registration is None or registration.status in (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.EXPIRED,
    )
    show_form = problem is None and can_register_again and (may_register or not viewer.is_authenticated)
    if show_form and form is None and viewer.is_authenticated:
        form = RegistrationForm(event=event, practices=_practices_of(viewer, event))
    participants: list[Any] = []
    more_participants = 0
    if event.public_participants:
        listed = list(public_participants(event)[: PUBLIC_PARTICIPANTS_SHOWN + 1])
        participants = [person_view(r.user, viewer, brief=True) for r in listed[:PUBLIC_PARTICIPANTS_SHOWN]]
        more_participants = len(listed) > PUBLIC_PARTICIPANTS_SHOWN
    return {
        "event": event,
        "access": access,
        "registration": registration,
        "form": form if show_form else None,
        "show_form": show_form,
        "window_problem": problem,
        "free_places": free_places(event),
        "organisers": [person_view(u, viewer, brief=True) for u in parts["organisers"]],
        "sessions": [
            (session, [person_view(u, viewer, brief=True) for u in session.speakers.all()])
            for session in parts["sessions"]
        ],
        "documents": parts["documents"],
        "topics": parts["topics"],
        "practices": parts["practices"],
        "participants": participants,
        "more_participants": more_participants,
        "venue_map": _venue_map(event),
        "event_zone": ZoneInfo(event.time_zone),
        "same_zone": timezone.get_current_timezone_name() == event.time_zone,
        "manages": access.manages,
        "is_past": event.ends_at < timezone.now(),
        "may_give_feedback": event.starts_at <= timezone.now() and feedback_may_give(registration),
    }


def _render_event(
    request: HttpRequest, access: EventAccess, form: RegistrationForm | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "events/event_detail.html", event_context(request, access, form), status=status)


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_event(request, event_for(request.user, slug))


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register (open registration) or apply (with the organisers' questions). GET shows the event page."""
    access = event_for(request.user, slug)
    event = access.event
    if request.method == "GET":
        return redirect(reverse("events:detail", kwargs={"slug": slug}) + "#register")
    if not rules.has_perm("events.register", request.user, access):
        raise Http404
    form = RegistrationForm(request.POST, event=event, practices=_practices_of(request.user, event))
    if not form.is_valid():
        return _render_event(request, access, form, status=400)
    practice = None
    if form.cleaned_data.get("practice"):
        from connective.practices.models import Practice

        practice = Practice.objects.filter(pk=int(form.cleaned_data["practice"]), author=request.user).first()
    try:
        registration = registration_create(
            event=event,
            user=request.user,
            answers=form.answers(),
            practice=practice,
            challenge=form.cleaned_data.get("challenge") or "",
            public=bool(form.cleaned_data.get("public")),
        )
    except ValidationError as error:
        form.add_error(None, errors_text(error))
        return _render_event(request, access, form, status=400)
    text = {
        RegistrationStatus.CONFIRMED: _("Your place is confirmed."),
        RegistrationStatus.WAITLISTED: _(
            "The event is full: you are on the waitlist. We will tell you when a place is free."
        ),
        RegistrationStatus.APPLIED: _(
            "Your application was sent. The organisers will tell you their decision."
        ),
    }.get(RegistrationStatus(registration.status), _("Saved."))
    messages.success(request, text)
    return redirect("events:detail", slug=slug)


def _own_registration(request: HttpRequest, slug: str) -> tuple[EventAccess, Any]:
    access = event_for(request.user, slug)
    if access.registration is None:
        raise Http404
    return access, access.registration


@login_required
@require_POST
def cancel_registration(request: HttpRequest, slug: str) -> HttpResponse:
    _access, registration = _own_registration(request, slug)
    try:
        registration_cancel(registration=registration, actor=request.user)
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect("events:detail", slug=slug)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("events:detail", slug=slug)


@login_required
@require_POST
def answer_offer(request: HttpRequest, slug: str) -> HttpResponse:
    _access, registration = _own_registration(request, slug)
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            offer_accept(registration=registration)
            messages.success(request, _("Your place is confirmed."))
        elif answer == "decline":
            offer_decline(registration=registration)
            messages.success(request, _("You turned the place down; it goes to the next person waiting."))
        else:
            messages.error(request, _("Choose to take the place or to turn it down."))
    except ValidationError as error:
        messages.error(request, errors_text(error))
    return redirect("events:detail", slug=slug)


@require_safe
def participants_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole public list of participants (those who opted in), page by page."""
    access = event_for(request.user, slug)
    if not access.event.public_participants:
        raise Http404
    page = Paginator(public_participants(access.event), PUBLIC_PARTICIPANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    people = [person_view(r.user, request.user, brief=True) for r in page.object_list]
    return render(
        request,
        "events/participants.html",
        {
            "event": access.event,
            "access": access,
            "page": page,
            "people": people,
            "page_links": page_links(request, page),
        },
    )


@login_required
@require_POST
def set_listing(request: HttpRequest, slug: str) -> HttpResponse:
    """A participant chooses whether their name is on the event's public list of participants."""
    access, registration = _own_registration(request, slug)
    if not access.event.public_participants:
        raise Http404
    public = request.POST.get("public") == "1"
    registration_set_public(registration=registration, public=public)
    messages.success(
        request,
        _("Your name is on the public list of participants.")
        if public
        else _("Your name is no longer on the public list of participants."),
    )
    return redirect("events:detail", slug=slug)


# --- My events --------------------------------------------------------------------------------------------------


def _time_zone_choices() -> list[str]:
    from connective.core.middleware import known_time_zones

    # Region/City names only: the list people recognise (no "Etc/GMT+3" or legacy aliases).
    return sorted(z for z in known_time_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/")))


@login_required
@require_safe
def my_events(request: HttpRequest) -> HttpResponse:
    from connective.events.calendar import calendar_token_for

    now = timezone.now()
    registrations = my_registrations(request.user)
    upcoming = list(registrations.filter(event__ends_at__gte=now)[:100])
    past_page = Paginator(registrations.filter(event__ends_at__lt=now), REGISTRATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    organised = list(
        Event.objects.filter(organisers=request.user.pk)
        .exclude(status=EventStatus.CANCELLED)
        .filter(ends_at__gte=now)[:50]
    )
    token = calendar_token_for(request.user)
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": upcoming,
            "past_page": past_page,
            "past_links": page_links(request, past_page),
            "organised": organised,
            "time_zones": _time_zone_choices(),
            "feed_url": request.build_absolute_uri(
                reverse("events:feed_mine", kwargs={"token": token.token})
            ),
        },
    )


@login_required
@require_POST
def set_time_zone(request: HttpRequest) -> HttpResponse:
    from connective.accounts.services import user_set_time_zone

    try:
        user_set_time_zone(user=request.user, time_zone=request.POST.get("time_zone", ""))  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("Times are now shown in your chosen time zone."))
    return redirect("events:mine")


fixed_urlpatterns: list[URLPattern] = [
    path("", event_list_view, name="list"),
    path("calendar/", month_view, name="calendar"),
    path("mine/", my_events, name="mine"),
    path("mine/time-zone/", set_time_zone, name="time_zone"),
]

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", event_detail, name="detail"),
    path("<slug:slug>/register/", register, name="register"),
    path("<slug:slug>/cancel/", cancel_registration, name="cancel_registration"),
    path("<slug:slug>/offer/", answer_offer, name="offer"),
    path("<slug:slug>/listing/", set_listing, name="listing"),
    path("<slug:slug>/participants/", participants_page, name="participants"),
]

"""The events API: events, their agenda and the caller's registrations, and registering with the rules of the
pages.

Visibility comes from connective.events.selectors (one place for pages, feeds and the API): a draft, and
everything about it, answers 404 to everyone but its organisers and programme staff. Writes go through
connective.events.registration, the services the pages call, so the statuses and messages are theirs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import rules
from django.http import Http404
from django.utils.translation import gettext, ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from connective.accounts.models import User
from connective.api.event_filters import RegistrationListForm, event_filters_of
from connective.api.event_selectors import (
    events_listed,
    organisers_of,
    own_practice,
    registration_shown,
    registration_statuses,
    registrations_listed,
    sessions_of,
    with_topics,
)
from connective.api.event_serializers import (
    EventDetailSerializer,
    EventListItemSerializer,
    EventPageSerializer,
    MyRegistrationSerializer,
    OfferAnswerSerializer,
    RegistrationCreateSerializer,
    RegistrationPageSerializer,
    SessionPageSerializer,
    SessionSerializer,
)
from connective.api.group_filters import PageForm
from connective.api.group_selectors import page_of
from connective.api.group_views import (
    ERRORS,
    PAGE,
    SLUG,
    WRITING,
    GroupWriteThrottle,
    _form_errors,
    _page_body,
)
from connective.events.forms import EventFilterForm
from connective.events.models import EventFormat, ParticipationMode, Registration, RegistrationStatus
from connective.events.registration import (
    RegistrationError,
    offer_accept,
    offer_decline,
    places_of,
    registration_cancel,
    registration_create,
    registration_window_problem,
)
from connective.events.selectors import EventAccess, event_for

PAGE_SIZE = 20
SESSIONS_PAGE_SIZE = 50
# A registration that no longer takes part; registering again reuses it (events.registration).
ENDED = (RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED)
# RegistrationError codes that belong to one field of the request; the others concern the request as a whole.
ERROR_FIELDS = {"answers": "answers", "challenge": "challenge"}

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}
NOT_FOUND = OpenApiResponse(response=DETAIL, description="No such event, or a draft the caller may not see.")
NO_REGISTRATION = OpenApiResponse(
    response=DETAIL,
    description="No such event, a draft the caller may not see, or no registration of the caller's there.",
)
SIGN_IN = OpenApiResponse(response=DETAIL, description="Not signed in.")
REFUSED = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="The services refused, in the reader's language (registration closed, event full for an "
    "offer, already registered, an unanswered question, ...), or the input is wrong. Nothing is saved.",
)

LIST_PARAMETERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Words to find in the title or summary (at most 200 characters)."
    ),
    OpenApiParameter("format", OpenApiTypes.STR, enum=list(EventFormat.values)),
    OpenApiParameter("topic", OpenApiTypes.STR, description="Topic slug; a cluster includes its subtopics."),
    OpenApiParameter("region", OpenApiTypes.STR, description="Region slug."),
    OpenApiParameter(
        "language", OpenApiTypes.STR, description="Language spoken at the event, ISO 639-1 code (e.g. fr)."
    ),
    OpenApiParameter(
        "mode",
        OpenApiTypes.STR,
        enum=["online", "in_person"],
        description="How the caller takes part; hybrid events count as both.",
    ),
    OpenApiParameter(
        "when",
        OpenApiTypes.STR,
        enum=["upcoming", "past", "all"],
        description="upcoming (the default: not yet over, soonest first), past (latest first) or all.",
    ),
    PAGE,
]
REGISTRATION_PARAMETERS = [
    OpenApiParameter(
        "when",
        OpenApiTypes.STR,
        enum=["upcoming", "past", "all"],
        description="By the dates of the events: upcoming (soonest first), past or all (the default; latest "
        "first).",
    ),
    PAGE,
]
SESSION_PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, description=f"Page number, from 1; {SESSIONS_PAGE_SIZE} sessions per page."
)


def _event_for(request: Request, slug: str) -> EventAccess:
    # One answer for "no such event" and "a draft you may not see".
    try:
        return event_for(request.user, slug)
    except Http404:
        raise NotFound() from None


def _signed_in(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def _own_registration(request: Request, access: EventAccess) -> Registration:
    _signed_in(request)
    if access.registration is None:
        raise NotFound(gettext("You have no registration at this event."))
    return access.registration


def _registration_errors(error: RegistrationError) -> dict[str, list[str]]:
    """A RegistrationError as the API's error body, under the field it concerns."""
    field = ERROR_FIELDS.get(str(getattr(error, "code", "") or ""), api_settings.NON_FIELD_ERRORS_KEY)
    return {field: [str(message) for message in error.messages]}


def _registration_body(request: Request, registration: Registration) -> Any:
    shown = registration_shown(registration=registration)
    return MyRegistrationSerializer(shown, context={"request": request}).data


class EventWriteThrottle(GroupWriteThrottle):
    """How fast one member registers, cancels and answers offers through the API: the groups API's rate, in
    a budget of its own."""

    scope = "events_write"


class EventFormatNegotiation(DefaultContentNegotiation):
    """`format` names the kind of event (a study trip, a webinar), as on the event list page, where Django REST
    framework would read it as the format of the response: here the Accept header alone chooses that."""

    # Only URL_FORMAT_OVERRIDE is read from the settings here; None turns the query parameter off.
    settings: Any = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class EventViewSet(viewsets.ViewSet):
    """Events the caller may see: published, postponed and cancelled ones; drafts for their organisers and
    programme staff."""

    content_negotiation_class = EventFormatNegotiation
    lookup_field = "slug"
    lookup_value_regex = SLUG

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = list(super().get_throttles())
        if self.request.method in ("POST", "DELETE"):
            throttles.append(EventWriteThrottle())
        return throttles

    @extend_schema(
        summary="List events",
        description="The event list's search, with its filters.",
        parameters=LIST_PARAMETERS,
        responses={200: EventPageSerializer, 400: ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = EventFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        data = form.cleaned_data
        filters = event_filters_of(data)
        page = page_of(
            events_listed(viewer=request.user, filters=filters), page=data["page"], page_size=PAGE_SIZE
        )
        if page.page > page.num_pages:
            form.page_missing(page.page, page.num_pages)
            return Response(_form_errors(form), status=400)
        context = {
            "request": request,
            "statuses": registration_statuses(
                viewer=request.user, event_ids=[event.pk for event in page.items]
            ),
        }
        results = EventListItemSerializer(page.items, many=True, context=context).data
        return Response(_page_body(request, page, results, when=filters.when))

    @extend_schema(
        summary="Read an event",
        description=(
            "The event page: times in the event's zone, venue, organisers, languages, places, the registration "
            "window, and the caller's own registration. The link to join online is given to confirmed "
            "participants and the organisers only."
        ),
        responses={200: EventDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        access = _event_for(request, slug)
        event = with_topics(access.event)
        registration = access.registration
        if registration is not None:
            registration.event = event
        problem = registration_window_problem(event)
        may_register = bool(rules.has_perm("events.register", request.user, access))
        context = {
            "request": request,
            "access": access,
            "statuses": {event.pk: registration.status} if registration is not None else {},
            "organisers": organisers_of(event),
            "places_left": places_of(event).free_total() if event.capacity is not None else None,
            "window_problem": problem,
            "can_register": (
                problem is None and may_register and (registration is None or registration.status in ENDED)
            ),
            "shows_online_url": bool(rules.has_perm("events.participant_material", request.user, access)),
        }
        return Response(EventDetailSerializer(event, context=context).data)

    @extend_schema(
        summary="List an event's agenda",
        operation_id="events_sessions_list",
        description="Its sessions in time order, with their speakers; times in the event's zone.",
        parameters=[SESSION_PAGE],
        responses={200: SessionPageSerializer, 400: ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="sessions", url_name="sessions")
    def sessions(self, request: Request, slug: str) -> Response:
        access = _event_for(request, slug)
        form = PageForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        page = page_of(
            sessions_of(access.event), page=form.cleaned_data["page"], page_size=SESSIONS_PAGE_SIZE
        )
        if not form.check_page(page.num_pages):
            return Response(_form_errors(form), status=400)
        context = {"request": request, "event": access.event}
        results = SessionSerializer(page.items, many=True, context=context).data
        return Response(_page_body(request, page, results, time_zone=access.event.time_zone))

    @extend_schema(
        summary="Register or apply",
        description=(
            "Open registration confirms a place while one is free, then puts the caller on the waitlist; "
            "an event with selection takes an application (status applied) that the organisers decide on. "
            "Cancelled or expired registrations may register again. " + WRITING
        ),
        request=RegistrationCreateSerializer,
        responses={201: MyRegistrationSerializer, 400: REFUSED, 403: SIGN_IN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="registration", url_name="registration")
    def registration(self, request: Request, slug: str) -> Response:
        access = _event_for(request, slug)
        user = _signed_in(request)
        if not rules.has_perm("events.register", user, access):
            raise PermissionDenied()
        given = RegistrationCreateSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=400)
        data = given.validated_data
        event = access.event
        errors: dict[str, list[str]] = {}
        # The questions the page's form asks: in application mode only.
        questions = event.questions if event.participation == ParticipationMode.APPLICATION else []
        answers = [str(answer) for answer in data["answers"]]
        if answers and not questions:
            errors["answers"] = [gettext("This event asks no questions; send no answers.")]
        elif len(answers) > len(questions):
            errors["answers"] = [
                ngettext(
                    "This event asks %(count)d question; send at most one answer for each.",
                    "This event asks %(count)d questions; send at most one answer for each.",
                    len(questions),
                )
                % {"count": len(questions)}
            ]
        practice = None
        challenge = str(data["challenge"])
        if not event.asks_for_contribution:
            not_asked = gettext("This event does not ask participants to bring a practice or a challenge.")
            if data["practice"] is not None:
                errors["practice"] = [not_asked]
            if challenge.strip():
                errors["challenge"] = [not_asked]
        elif data["practice"] is not None:
            practice = own_practice(user=user, pk=int(data["practice"]))
            if practice is None:
                errors["practice"] = [gettext("Choose one of your own practices.")]
        if errors:
            return Response(errors, status=400)
        try:
            registration = registration_create(
                event=event,
                user=user,
                answers=answers,
                practice=practice,
                challenge=challenge,
                public=bool(data["public"]),
            )
        except RegistrationError as error:
            return Response(_registration_errors(error), status=400)
        return Response(_registration_body(request, registration), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel the caller's registration",
        description=(
            "Withdraws a confirmed place, an application, a place on the waitlist or an offered place; a "
            "place freed before the event is offered to the next person waiting. " + WRITING
        ),
        request=None,
        responses={200: MyRegistrationSerializer, 400: REFUSED, 403: SIGN_IN, 404: NO_REGISTRATION},
    )
    @registration.mapping.delete
    def cancel_registration(self, request: Request, slug: str) -> Response:
        access = _event_for(request, slug)
        registration = _own_registration(request, access)
        try:
            registration = registration_cancel(registration=registration, actor=request.user)
        except RegistrationError as error:
            return Response(_registration_errors(error), status=400)
        return Response(_registration_body(request, registration))

    @extend_schema(
        summary="Answer an offered place",
        description=(
            "When a place is freed, the next person on the waitlist is offered it until offer_expires_at. "
            "accept: true confirms it; false turns it down and it goes to the next person waiting. " + WRITING
        ),
        request=OfferAnswerSerializer,
        responses={200: MyRegistrationSerializer, 400: REFUSED, 403: SIGN_IN, 404: NO_REGISTRATION},
    )
    @action(detail=True, methods=["post"], url_path="registration/offer", url_name="offer")
    def offer(self, request: Request, slug: str) -> Response:
        access = _event_for(request, slug)
        registration = _own_registration(request, access)
        given = OfferAnswerSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=400)
        try:
            if given.validated_data["accept"]:
                registration = offer_accept(registration=registration)
            else:
                registration = offer_decline(registration=registration)
        except RegistrationError as error:
            return Response(_registration_errors(error), status=400)
        return Response(_registration_body(request, registration))


class RegistrationViewSet(viewsets.ViewSet):
    """The caller's own registrations."""

    @extend_schema(
        summary="List the caller's registrations",
        description=(
            'As on "my events": every registration of the caller\'s, whatever its status, with its event. '
            "Sign in on the site first: the session cookie authenticates."
        ),
        parameters=REGISTRATION_PARAMETERS,
        responses={200: RegistrationPageSerializer, 400: ERRORS, 403: SIGN_IN},
    )
    def list(self, request: Request) -> Response:
        user = _signed_in(request)
        form = RegistrationListForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        when = form.cleaned_data["when"]
        page = page_of(
            registrations_listed(viewer=user, when=when), page=form.cleaned_data["page"], page_size=PAGE_SIZE
        )
        if not form.check_page(page.num_pages):
            return Response(_form_errors(form), status=400)
        results = MyRegistrationSerializer(page.items, many=True, context={"request": request}).data
        return Response(_page_body(request, page, results, when=when))

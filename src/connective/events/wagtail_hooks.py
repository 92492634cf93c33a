"""Events in the back office: programme staff create and change events, their agenda sessions and reserved
places, and review the proposals of the call for topics.

Event is a plain model, not a ClusterableModel, so its sessions and reserved places cannot be inline panels
(those need a ParentalKey); they have their own screens, reached from the event's edit screen and listed
filtered by event (?event=<id>).

Every form saves through the services in back_office.py and proposals.py, so the checks, the audit log, the
offers of freed places and the calendar revision are the same as anywhere else. Times are typed and shown in
the event's own time zone, whatever zone the staff member works in. Events are not deleted here: their
registrations belong to the people registered; status changes (publish, postpone, cancel) are made on the
event's management page, which tells the registrants.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from connective.accounts.models import Role, User
from connective.accounts.rules import is_programme_staff
from connective.core.middleware import time_zone_valid
from connective.core.models import Country
from connective.events.back_office import (
    MAX_ORGANISERS,
    MAX_SPEAKERS,
    event_errors,
    event_save,
    reserved_delete,
    reserved_errors,
    reserved_save,
    session_delete,
    session_errors,
    session_save,
)
from connective.events.models import AgendaSession, Event, EventProposal, ProposalStatus, ReservedPlaces
from connective.events.proposals import NOTE_MAX_LENGTH, proposal_decide, proposal_to_event
from connective.network.models import OrganisationType
from connective.practices.forms import city_resolve

# --- Who may do what ----------------------------------------------------------------------------------------


class StaffOnlyPolicy(BasePermissionPolicy):
    """Programme staff (and administrators) may take the `allowed` actions; nobody else reaches these screens."""

    def __init__(self, model: type[models.Model], allowed: Iterable[str]) -> None:
        super().__init__(model)
        self.allowed = frozenset(allowed)

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action in self.allowed and bool(is_programme_staff(user))

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return bool(self.allowed & set(actions)) and bool(is_programme_staff(user))

    def users_with_any_permission(self, actions: Any) -> QuerySet[User]:
        if not self.allowed & set(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(role__in=[Role.STAFF, Role.ADMINISTRATOR]), is_active=True
        )


register_permission_policy(Event, StaffOnlyPolicy(Event, {"add", "change", "view"}), exact_class=True)
register_permission_policy(
    AgendaSession, StaffOnlyPolicy(AgendaSession, {"add", "change", "delete", "view"}), exact_class=True
)
register_permission_policy(
    ReservedPlaces, StaffOnlyPolicy(ReservedPlaces, {"add", "change", "delete", "view"}), exact_class=True
)
register_permission_policy(
    EventProposal, StaffOnlyPolicy(EventProposal, {"change", "view"}), exact_class=True
)


# --- Shared by the forms ------------------------------------------------------------------------------------


def people_from_emails(text: str, *, limit: int) -> list[User]:
    """Active members named by e-mail address, one per line (or comma-separated), in the order given."""
    addresses = [
        line.strip().lower() for line in (text or "").replace(",", "\n").splitlines() if line.strip()
    ]
    addresses = list(dict.fromkeys(addresses))
    if len(addresses) > limit:
        raise ValidationError(gettext("Name at most %(limit)d people.") % {"limit": limit})
    found = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=addresses, is_active=True, deleted_at__isnull=True)
    }
    missing = [address for address in addresses if address not in found]
    if missing:
        raise ValidationError(
            gettext("No active member has the address %(addresses)s.") % {"addresses": ", ".join(missing)}
        )
    return [found[address] for address in addresses]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _zone(name: str) -> ZoneInfo | None:
    return ZoneInfo(name) if time_zone_valid(name) else None


def as_local_time(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """The date and time as typed, read as the event's local time. The form field made it aware in the
    staff member's own zone; taking that back off gives exactly what was typed."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zone)


def shown_in(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored time as the event's local time, without a zone so the widget shows it unchanged."""
    return value.astimezone(zone).replace(tzinfo=None) if value is not None else None


class ServiceChecksMixin:
    """Runs a service's checks on the form's would-be object during clean(), so errors appear next to their
    fields before anything is saved (and a field that fails is left out of the model's own constraint check,
    whose message would name the constraint rather than the problem)."""

    ERROR_FIELDS: dict[str, str] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        form: Any = self
        for key, messages_ in errors.items():
            field = self.ERROR_FIELDS.get(key, key)
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)

    def add_validation_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            self.add_service_errors(
                {key: ValidationError(value).messages for key, value in error.error_dict.items()}
            )
        else:
            self.add_service_errors({NON_FIELD_ERRORS: [str(m) for m in error.messages]})

    def candidate(self) -> Any:
        """A copy of the instance with the cleaned values, as the save would make it."""
        form: Any = self
        return construct_instance(form, copy.copy(form.instance), form._meta.fields, form._meta.exclude)


class ServiceFormViewMixin:
    """The service may still refuse (someone else changed the event meanwhile): show why, save nothing."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            form.add_validation_error(error)
            return self.form_invalid(form)  # type: ignore[attr-defined]


# --- Events -------------------------------------------------------------------------------------------------

LOCAL_HELP = _("In the event's own time zone.")


class EventAdminForm(ServiceChecksMixin, WagtailAdminModelForm):
    ERROR_FIELDS = {"organisers": "organiser_emails", "host_city": "host_city_name"}
    LOCAL_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    language = forms.ChoiceField(
        label=_("Language of the description"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no language “%(value)s” to choose.")},
    )
    interpretation = forms.MultipleChoiceField(
        label=_("Interpretation into"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no language “%(value)s” to choose.")},
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_(
            "The IANA name of the event's time zone, e.g. “Africa/Nairobi” or “America/Bogota”. Left empty, "
            "the host city's zone is used."
        ),
    )
    host_city_name = forms.CharField(
        label=_("Host city"),
        max_length=200,
        required=False,
        help_text=_("The city or town where the event takes place, e.g. “Tunis” or “São Paulo”."),
    )
    host_country = forms.ChoiceField(label=_("Country of the host city"), required=False)
    questions = forms.CharField(
        label=_("Questions for applicants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line; asked when participation is by application."),
    )
    survey_questions = forms.CharField(
        label=_("Feedback questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line, asked after the event besides the overall rating."),
    )
    organiser_emails = forms.CharField(
        label=_("Organisers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The e-mail addresses of the organisers, one per line. They manage participants and decisions on "
            "the event's page."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = sorted(((c.code, c.name) for c in Country.objects.all()), key=lambda p: p[1].casefold())
        self.fields["host_country"].choices = [("", "—"), *countries]  # type: ignore[attr-defined]
        self.host_city = self.instance.host_city if self.instance.host_city_id else None
        event = self.instance
        if event.pk:
            zone = _zone(event.time_zone) or ZoneInfo("UTC")
            for name in self.LOCAL_TIMES:
                self.initial[name] = shown_in(getattr(event, name), zone)
            self.initial["questions"] = "\n".join(str(q) for q in event.questions or [])
            self.initial["survey_questions"] = "\n".join(str(q) for q in event.survey_questions or [])
            self.initial["organiser_emails"] = "\n".join(
                event.organisers.order_by("pk").values_list("email", flat=True)
            )
            if self.host_city is not None:
                self.initial["host_city_name"] = self.host_city.name
                self.initial["host_country"] = self.host_city.country_id

    def clean_questions(self) -> list[str]:
        return _lines(self.cleaned_data.get("questions") or "")

    def clean_survey_questions(self) -> list[str]:
        return _lines(self.cleaned_data.get("survey_questions") or "")

    def clean_organiser_emails(self) -> list[User]:
        return people_from_emails(self.cleaned_data.get("organiser_emails") or "", limit=MAX_ORGANISERS)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        self._clean_city(cleaned)
        zone_name = (cleaned.get("time_zone") or "").strip()
        if not zone_name and self.host_city is not None:
            zone_name = self.host_city.timezone
        if "time_zone" in cleaned:
            if not zone_name:
                self.add_error("time_zone", gettext("Give the time zone, or a host city whose zone we know."))
            else:
                cleaned["time_zone"] = zone_name
        zone = _zone(zone_name)
        if zone is not None:
            for name in self.LOCAL_TIMES:
                if name in cleaned:
                    cleaned[name] = as_local_time(cleaned[name], zone)
        if cleaned.get("region") is None and self.host_city is not None and "region" in self.fields:
            cleaned["region"] = self.host_city.country.region
        candidate = self.candidate()
        candidate.host_city = self.host_city
        self.add_service_errors(event_errors(candidate))
        return cleaned

    def _clean_city(self, cleaned: dict[str, Any]) -> None:
        name = (cleaned.get("host_city_name") or "").strip()
        code = cleaned.get("host_country") or ""
        self.host_city = None
        if not name and not code:
            return
        if not code:
            self.add_error("host_country", gettext("Choose the country of the city."))
            return
        country = Country.objects.filter(code=code).first()
        if country is None:
            self.add_error("host_country", gettext("Choose a country from the list."))
            return
        if not name:
            self.add_error("host_city_name", gettext("Give the name of the city."))
            return
        city = city_resolve(name=name, country=country)
        if city is None:
            self.add_error(
                "host_city_name",
                gettext(
                    "We do not know a city called %(city)s in %(country)s. Check the spelling or the country."
                )
                % {"city": name, "country": country.name},
            )
            return
        self.host_city = city


def _save_event(view: Any) -> Event:
    form = view.form
    event = form.instance
    event.host_city = form.host_city
    return event_save(
        event=event,
        actor=view.request.user,
        topics=form.cleaned_data.get("topics") or [],
        organisers=form.cleaned_data.get("organiser_emails") or [],
    )


class EventCreateView(ServiceFormViewMixin, CreateView):
    def save_instance(self) -> Event:
        return _save_event(self)


class EventEditView(ServiceFormViewMixin, EditView):
    def save_instance(self) -> Event:
        return _save_event(self)

    @cached_property
    def header_more_buttons(self) -> list[Any]:
        buttons = list(super().header_more_buttons)
        by_event = "?" + urlencode({"event": self.object.pk})
        buttons += [
            Button(
                _("Agenda"),
                url=reverse("wagtailsnippets_events_agendasession:list") + by_event,
                icon_name="list-ul",
                priority=5,
            ),
            Button(
                _("Add a session"),
                url=reverse("wagtailsnippets_events_agendasession:add") + by_event,
                icon_name="plus",
                priority=6,
            ),
            Button(
                _("Reserved places"),
                url=reverse("wagtailsnippets_events_reservedplaces:list") + by_event,
                icon_name="group",
                priority=7,
            ),
            Button(
                _("Participants and status"),
                url=reverse("events:manage", kwargs={"slug": self.object.slug}),
                icon_name="user",
                priority=8,
            ),
        ]
        return buttons


class EventViewSet(SnippetViewSet):
    model = Event
    icon = "date"
    menu_label = _("Events")
    list_display = ["title", "format", "status", "starts_at", "host_city", "confirmed_count"]
    list_filter = ["status", "format"]
    search_fields = ["title"]
    ordering = ["-starts_at", "-pk"]
    list_per_page = 50
    add_view_class = EventCreateView
    edit_view_class = EventEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("title"),
                    FieldPanel("format"),
                    FieldPanel("summary"),
                    FieldPanel("description"),
                    FieldPanel("language"),
                    FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("host_organisation"),
                    FieldPanel("organiser_emails"),
                    MultiFieldPanel(
                        [FieldPanel("slug", read_only=True), FieldPanel("status", read_only=True)],
                        heading=_("Address and status"),
                        help_text=_(
                            "The address is made from the title and never changes. The status changes on the "
                            "event's page (publish, postpone, cancel), which tells everyone registered."
                        ),
                    ),
                ],
                heading=_("The event"),
            ),
            ObjectList(
                [
                    FieldPanel("time_zone"),
                    FieldRowPanel(
                        [
                            FieldPanel("starts_at", help_text=LOCAL_HELP),
                            FieldPanel("ends_at", help_text=LOCAL_HELP),
                        ]
                    ),
                    FieldPanel("mode"),
                    MultiFieldPanel(
                        [
                            FieldPanel("host_city_name"),
                            FieldPanel("host_country"),
                            FieldPanel("region"),
                            FieldPanel("venue_name"),
                            FieldPanel("venue_address"),
                            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                        ],
                        heading=_("Place"),
                    ),
                    FieldPanel("online_url"),
                    FieldPanel("travel_cover"),
                    FieldPanel("travel_note"),
                    FieldPanel("languages"),
                    FieldPanel("interpretation"),
                ],
                heading=_("When and where"),
            ),
            ObjectList(
                [
                    FieldPanel("participation"),
                    FieldPanel("capacity", help_text=_("Empty means no limit. Reserved places count in it.")),
                    FieldRowPanel(
                        [
                            FieldPanel("registration_opens_at", help_text=LOCAL_HELP),
                            FieldPanel("registration_closes_at", help_text=LOCAL_HELP),
                        ]
                    ),
                    FieldPanel("offer_hours"),
                    FieldPanel("questions"),
                    FieldPanel("asks_for_contribution"),
                    FieldPanel("public_participants"),
                    FieldPanel("badges"),
                    FieldPanel("certificates"),
                    FieldPanel("survey_questions"),
                ],
                heading=_("Participation"),
            ),
        ],
        base_form_class=EventAdminForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return Event.objects.select_related("host_city")


# --- Agenda sessions ----------------------------------------------------------------------------------------


class _EventPartForm(ServiceChecksMixin, WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "event" in self.fields:
            field = self.fields["event"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Event.objects.order_by("-starts_at", "-pk")
            field.error_messages["invalid_choice"] = gettext(
                "There is no such event. Choose one from the list."
            )


class AgendaSessionAdminForm(_EventPartForm):
    ERROR_FIELDS = {"speakers": "speaker_emails"}

    speaker_emails = forms.CharField(
        label=_("Speakers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The e-mail addresses of speakers with an account, one per line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.instance
        if session.pk:
            zone = _zone(session.event.time_zone) or ZoneInfo("UTC")
            self.initial["starts_at"] = shown_in(session.starts_at, zone)
            self.initial["ends_at"] = shown_in(session.ends_at, zone)
            self.initial["speaker_emails"] = "\n".join(
                session.speakers.order_by("pk").values_list("email", flat=True)
            )

    def clean_speaker_emails(self) -> list[User]:
        return people_from_emails(self.cleaned_data.get("speaker_emails") or "", limit=MAX_SPEAKERS)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        event = cleaned.get("event")
        if event is None:
            return cleaned
        zone = _zone(event.time_zone) or ZoneInfo("UTC")
        for name in ("starts_at", "ends_at"):
            if name in cleaned:
                cleaned[name] = as_local_time(cleaned[name], zone)
        self.add_service_errors(session_errors(self.candidate()))
        return cleaned


def _event_from_query(request: HttpRequest) -> dict[str, Any]:
    """The event a new session or reservation is for, when the link from the event's screen named it."""
    raw = request.GET.get("event", "")
    if raw.isdigit() and Event.objects.filter(pk=int(raw)).exists():
        return {"event": int(raw)}
    return {}


def _index_for_event(viewset_index_url: str, event_id: int | None) -> str:
    return viewset_index_url + ("?" + urlencode({"event": event_id}) if event_id else "")


class AgendaSessionCreateView(ServiceFormViewMixin, CreateView):
    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **_event_from_query(self.request)}

    def save_instance(self) -> AgendaSession:
        return session_save(
            session=self.form.instance,
            actor=self.request.user,
            speakers=self.form.cleaned_data.get("speaker_emails") or [],
        )

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class AgendaSessionEditView(ServiceFormViewMixin, EditView):
    def save_instance(self) -> AgendaSession:
        return session_save(
            session=self.form.instance,
            actor=self.request.user,
            speakers=self.form.cleaned_data.get("speaker_emails") or [],
        )

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class AgendaSessionDeleteView(DeleteView):
    def delete_action(self) -> None:
        session_delete(session=self.object, actor=self.request.user)

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class AgendaSessionViewSet(SnippetViewSet):
    model = AgendaSession
    icon = "list-ul"
    menu_label = _("Agenda sessions")
    list_display = ["title", "event", "starts_at", "ends_at", "location"]
    list_filter = ["event"]
    search_fields = ["title"]
    ordering = ["event", "starts_at", "pk"]
    list_per_page = 50
    add_view_class = AgendaSessionCreateView
    edit_view_class = AgendaSessionEditView
    delete_view_class = AgendaSessionDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("event"),
            FieldPanel("title"),
            FieldPanel("description"),
            FieldRowPanel(
                [FieldPanel("starts_at", help_text=LOCAL_HELP), FieldPanel("ends_at", help_text=LOCAL_HELP)]
            ),
            FieldPanel("location"),
            FieldPanel("speaker_emails"),
            FieldPanel("guest_speakers"),
        ],
        base_form_class=AgendaSessionAdminForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgendaSession]:
        return AgendaSession.objects.select_related("event")


# --- Reserved places ----------------------------------------------------------------------------------------


class ReservedPlacesAdminForm(_EventPartForm):
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=[("", "—"), *OrganisationType.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a type of organisation from the list.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("event") is not None and "places" in cleaned:
            self.add_service_errors(reserved_errors(self.candidate()))
        return cleaned


def _save_reserved(view: Any) -> ReservedPlaces:
    return reserved_save(reserved=view.form.instance, actor=view.request.user)


class ReservedPlacesCreateView(ServiceFormViewMixin, CreateView):
    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **_event_from_query(self.request)}

    def save_instance(self) -> ReservedPlaces:
        return _save_reserved(self)

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class ReservedPlacesEditView(ServiceFormViewMixin, EditView):
    def save_instance(self) -> ReservedPlaces:
        return _save_reserved(self)

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class ReservedPlacesDeleteView(DeleteView):
    def delete_action(self) -> None:
        reserved_delete(reserved=self.object, actor=self.request.user)

    def get_success_url(self) -> str:
        return _index_for_event(reverse(self.index_url_name), self.object.event_id)


class ReservedPlacesViewSet(SnippetViewSet):
    model = ReservedPlaces
    icon = "group"
    menu_label = _("Reserved places")
    list_display = ["event", "region", "organisation_type", "places"]
    list_filter = ["event"]
    ordering = ["event", "pk"]
    list_per_page = 50
    add_view_class = ReservedPlacesCreateView
    edit_view_class = ReservedPlacesEditView
    delete_view_class = ReservedPlacesDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("event"),
            FieldPanel(
                "region",
                help_text=_("Either a region (people from its countries) or a type of organisation."),
            ),
            FieldPanel("organisation_type"),
            FieldPanel("places"),
        ],
        base_form_class=ReservedPlacesAdminForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReservedPlaces]:
        return ReservedPlaces.objects.select_related("event", "region")


# --- Proposals of the call for topics -----------------------------------------------------------------------


class ProposalReviewForm(ServiceChecksMixin, WagtailAdminModelForm):
    ERROR_FIELDS = {"note": "review_note_text"}

    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", "—"), ("accept", _("Accept")), ("decline", _("Decline"))],
        error_messages={"invalid_choice": _("Choose accept or decline.")},
    )
    review_note_text = forms.CharField(
        label=_("Answer to the proposer"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when declining: tell the proposer why."),
    )
    create_draft = forms.BooleanField(
        label=_("Create the event draft now"),
        required=False,
        help_text=_(
            "For an accepted proposal: an event draft with its topic, dates, host and the proposer as organiser."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        proposal = self.instance
        waiting = proposal.status == ProposalStatus.SUBMITTED
        self.initial["review_note_text"] = proposal.review_note
        self.fields["decision"].disabled = not waiting
        self.fields["review_note_text"].disabled = not waiting
        draft_possible = proposal.event_id is None and proposal.status in (
            ProposalStatus.SUBMITTED,
            ProposalStatus.ACCEPTED,
        )
        self.fields["create_draft"].disabled = not draft_possible

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        proposal = self.instance
        decision = cleaned.get("decision") or ""
        if proposal.status == ProposalStatus.SUBMITTED:
            if not decision:
                self.add_error("decision", gettext("Choose accept or decline."))
            elif decision == "decline" and not (cleaned.get("review_note_text") or "").strip():
                self.add_error("review_note_text", gettext("Tell the proposer why the proposal is declined."))
        will_be_accepted = proposal.status == ProposalStatus.ACCEPTED or decision == "accept"
        if cleaned.get("create_draft") and not will_be_accepted:
            self.add_error("create_draft", gettext("Only an accepted proposal can become an event."))
        return cleaned


class ProposalReviewView(ServiceFormViewMixin, EditView):
    created_event: Event | None = None

    def save_instance(self) -> EventProposal:
        proposal = self.object
        data = self.form.cleaned_data
        if proposal.status == ProposalStatus.SUBMITTED:
            proposal = proposal_decide(
                proposal=proposal,
                accept=data["decision"] == "accept",
                note=data.get("review_note_text") or "",
                actor=self.request.user,
            )
        if data.get("create_draft"):
            self.created_event = proposal_to_event(proposal=proposal, actor=self.request.user)
            proposal.refresh_from_db()
        return proposal

    def get_success_message(self) -> str:
        if self.created_event is not None:
            return gettext("The event draft “%(title)s” is created. Complete it here, then publish it.") % {
                "title": self.created_event.title
            }
        return gettext("Your answer to “%(title)s” is saved; the proposer has been told.") % {
            "title": self.object.title
        }

    def get_success_url(self) -> str:
        if self.created_event is not None:
            return reverse("wagtailsnippets_events_event:edit", args=[self.created_event.pk])
        return reverse(self.index_url_name)


class EventProposalViewSet(SnippetViewSet):
    model = EventProposal
    icon = "help"
    menu_label = _("Event proposals")
    list_display = ["title", "proposer", "city", "proposed_start", "status", "created_at"]
    list_filter = ["status", "format"]
    search_fields = ["title"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    edit_view_class = ProposalReviewView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title", read_only=True),
                    FieldPanel("format", read_only=True),
                    FieldPanel("proposer", read_only=True),
                    FieldPanel("organisation", read_only=True),
                    FieldPanel("city", read_only=True),
                    FieldPanel("proposed_start", read_only=True),
                    FieldPanel("proposed_end", read_only=True),
                    FieldPanel("language", read_only=True),
                    FieldPanel("challenge", read_only=True),
                    FieldPanel("partners", read_only=True),
                    FieldPanel("status", read_only=True),
                    FieldPanel("event", read_only=True),
                ],
                heading=_("The proposal"),
            ),
            MultiFieldPanel(
                [FieldPanel("decision"), FieldPanel("review_note_text"), FieldPanel("create_draft")],
                heading=_("The programme's answer"),
            ),
        ],
        base_form_class=ProposalReviewForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventProposal]:
        return EventProposal.objects.select_related("proposer", "city")


class EventsViewSetGroup(SnippetViewSetGroup):
    items = (EventViewSet, AgendaSessionViewSet, ReservedPlacesViewSet, EventProposalViewSet)
    menu_icon = "date"
    menu_label = _("Events")
    menu_name = "events"
    menu_order = 340


register_snippet(EventsViewSetGroup)


@hooks.register("before_bulk_action")
def _event_parts_bulk_delete(request: HttpRequest, action_type: str, objects: list[Any], action: Any) -> Any:
    """Deleting several sessions or reserved places at once goes through the same services as deleting one,
    so the audit log and the offers of freed places follow."""
    if action_type != "delete" or not objects:
        return None
    if not all(isinstance(obj, AgendaSession | ReservedPlaces) for obj in objects):
        return None
    for obj in objects:
        if isinstance(obj, AgendaSession):
            session_delete(session=obj, actor=request.user)
        else:
            reserved_delete(reserved=obj, actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d item deleted.", "%(count)d items deleted.", len(objects))
        % {"count": len(objects)},
    )
    return redirect(action.next_url)

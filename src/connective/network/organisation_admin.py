"""Organisations in the back office: staff verify them and merge duplicates; staff see every member.

Merging moves every link to the duplicate onto the organisation that is kept, then deletes the duplicate, in one
transaction. The links are found from the model's reverse relations rather than from a fixed list, so that a
relation another app adds later moves too instead of being cascaded away or set to nothing with the duplicate.
Follows point at organisations by id, not by foreign key, so they are moved by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from connective.accounts.models import Role, User
from connective.accounts.rules import is_programme_staff
from connective.core.services import audit_log_record
from connective.network import tasks as network_tasks
from connective.network.models import ActivityVerb, Follow, FollowKind, Organisation

LISTING_URL = "wagtailsnippets_network_organisation:list"
EDIT_URL = "wagtailsnippets_network_organisation:edit"
VERIFY_URL = "network_admin_organisation_verify"
MERGE_URL = "network_admin_organisation_merge"
PEOPLE_URL = "network_admin_people"

# --- Logo -----------------------------------------------------------------------------------------------------

LOGO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
# Refused before Pillow decodes the picture: a small file can hold a huge image.
LOGO_MAX_PIXELS = 16_000_000


def organisation_validate_logo(file: UploadedFile) -> str:
    """The logo's format as a file extension, or a ValidationError that says what to upload instead."""
    from PIL import Image as PILImage

    if file.size is not None and file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            gettext("The logo is %(size)s MB; the limit is 2 MB. Please upload a smaller file.")
            % {"size": f"{file.size / (1024 * 1024):.1f}"},
            code="too_large",
        )
    detected = ""
    pixels = 0
    try:
        file.seek(0)
        with PILImage.open(file) as picture:
            detected = picture.format or ""
            pixels = picture.width * picture.height
            picture.verify()
    except Exception:  # Pillow raises many types for a file that is not an image
        detected = ""
    finally:
        file.seek(0)
    if detected not in LOGO_FORMATS:
        raise ValidationError(
            gettext("The logo must be a JPEG, PNG or WebP image."),
            code="invalid_type",
        )
    if pixels > LOGO_MAX_PIXELS:
        raise ValidationError(
            gettext("The logo has too many pixels. Please upload one of at most 4,000 by 4,000 pixels."),
            code="too_large",
        )
    return LOGO_FORMATS[detected]


class OrganisationAdminForm(WagtailAdminModelForm):
    """The organisation snippet's form: a logo that really is a small image, a known description language,
    and a city in the organisation's country."""

    description_language = forms.ChoiceField(
        label=_("Language of the description"),
        choices=[],
        help_text=_("The language the description is written in, so that readers' browsers read it right."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from connective.practices.models import ContentLanguage

        self.fields["description_language"].choices = ContentLanguage.choices  # type: ignore[attr-defined]

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            extension = organisation_validate_logo(logo)
            # The stored name carries the detected type, whatever the uploaded file was called.
            stem = slugify((logo.name or "").rsplit(".", 1)[0])[:60] or "logo"
            logo.name = f"{stem}.{extension}"
        return logo

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        city, country = cleaned.get("city"), cleaned.get("country")
        if city is not None and country is not None and city.country_id != country.pk:
            self.add_error("city", gettext("This city is not in the organisation's country."))
        return cleaned


# --- Services -------------------------------------------------------------------------------------------------


def _require_staff(actor: Any) -> None:
    if not is_programme_staff(actor):
        raise PermissionDenied


@transaction.atomic
def organisation_verify(*, organisation: Organisation, actor: Any, verified: bool) -> Organisation:
    """Staff confirm (or withdraw the confirmation) that an organisation exists and is what it says.

    Asking for the state the organisation is already in changes nothing: a second click on the same button
    must not log or announce the verification twice. Withdrawing it also withdraws the "was verified" news
    from followers' feeds, which would otherwise keep claiming it.
    """
    _require_staff(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_verified == verified:
        return organisation
    from connective.network.follows import activity_record
    from connective.network.models import Activity

    if verified:
        organisation.verified_at = timezone.now()
        organisation.verified_by = actor
    else:
        organisation.verified_at = None
        organisation.verified_by = None
    organisation.save(update_fields=["verified_at", "verified_by", "updated_at"])
    audit_log_record(
        actor=actor,
        action="organisation.verify" if verified else "organisation.unverify",
        target=organisation,
    )
    if verified:
        activity_record(
            verb=ActivityVerb.ORGANISATION_VERIFIED, organisation=organisation, city=organisation.city
        )
    else:
        Activity.objects.filter(verb=ActivityVerb.ORGANISATION_VERIFIED, organisation=organisation).delete()
    network_tasks.schedule_organisation_index(organisation.pk)
    return organisation


def organisation_back_office_saved(
    *, actor: Any, organisation: Organisation, changed: Sequence[str], created: bool
) -> None:
    """Staff created or changed an organisation in the back office (Wagtail saved it): log, re-index.

    People and practices carry their organisation's name in their search documents, so a new name re-indexes
    them too.
    """
    audit_log_record(
        actor=actor,
        action="organisation.create" if created else "organisation.back_office_edit",
        target=organisation,
        fields=sorted(changed),
    )
    network_tasks.schedule_organisation_index(organisation.pk)
    if not created and "name" in changed:
        _schedule_people_index(User.objects.filter(organisation=organisation).values_list("pk", flat=True))
        _schedule_practices_index(organisation.led_practices.values_list("pk", flat=True))  # type: ignore[attr-defined]


def organisation_back_office_deleting(*, actor: Any, organisation: Organisation) -> None:
    """An administrator is deleting an organisation in the back office: log it; re-index what named it."""
    audit_log_record(actor=actor, action="organisation.delete", target=organisation, name=organisation.name)
    network_tasks.schedule_organisation_index(organisation.pk)
    _schedule_people_index(User.objects.filter(organisation=organisation).values_list("pk", flat=True))
    _schedule_practices_index(organisation.led_practices.values_list("pk", flat=True))  # type: ignore[attr-defined]


def _schedule_people_index(user_ids: Iterable[int]) -> None:
    for user_id in list(user_ids):
        network_tasks.schedule_person_index(user_id)


def _schedule_practices_index(practice_ids: Iterable[int]) -> None:
    from connective.practices.tasks import practice_index

    def enqueue(practice_id: int) -> None:
        practice_index.enqueue(practice_id)

    for practice_id in list(practice_ids):
        transaction.on_commit(partial(enqueue, practice_id))


# --- Merging duplicates ---------------------------------------------------------------------------------------

# Names staff read for the links they know; any other relation is named from its model.
_KNOWN_LINKS: dict[tuple[str, str], tuple[str, Any]] = {
    ("accounts.user", "organisation"): ("people", _("People")),
    ("practices.practice", "lead_organisation"): ("practices_led", _("Practices led")),
    ("practices.practice", "partners"): ("partnerships", _("Practice partnerships")),
    ("network.activity", "organisation"): ("activities", _("Activities")),
    ("groups.invitation", "organisation"): ("group_invitations", _("Group invitations")),
    ("events.event", "host_organisation"): ("events_hosted", _("Events hosted")),
    ("events.eventproposal", "organisation"): ("event_proposals", _("Event proposals")),
}
_LINK_ORDER = (
    "people",
    "practices_led",
    "partnerships",
    "follows",
    "activities",
    "group_invitations",
    "events_hosted",
    "event_proposals",
)
# Fields of the kept organisation that the duplicate fills in when they are empty (and the verification).
MERGE_FILLED_FIELDS = ("website", "description", "logo", "city")


@dataclass(frozen=True)
class MergeLink:
    key: str
    label: str
    # Links of the duplicate that move to the kept organisation.
    count: int
    # Of those, links the kept organisation already had: they become one instead of two.
    shared: int = 0


@dataclass(frozen=True)
class MergePreview:
    keep: Organisation
    duplicate: Organisation
    links: list[MergeLink]
    filled: list[str]

    @property
    def filled_labels(self) -> list[str]:
        fields: list[Any] = [Organisation._meta.get_field(name) for name in self.filled]
        return [str(capfirst(field.verbose_name)) for field in fields]


def _reverse_relations() -> list[Any]:
    """Every foreign key and many-to-many field of another model that points at organisations."""
    relations = []
    for field in Organisation._meta.get_fields(include_hidden=True):
        if not field.auto_created or field.concrete:
            continue
        related_model = field.related_model
        # The intermediate table of a many-to-many field is reached through that field, not on its own.
        if related_model is None or related_model._meta.auto_created:  # type: ignore[union-attr]
            continue
        if field.one_to_many or field.one_to_one or field.many_to_many:
            relations.append(field)
    return relations


def _relation_key(relation: Any) -> tuple[str, str]:
    model_label = relation.related_model._meta.label_lower
    known = _KNOWN_LINKS.get((model_label, relation.field.name))
    if known is not None:
        return known[0], str(known[1])
    label = f"{capfirst(relation.related_model._meta.verbose_name_plural)} ({relation.field.verbose_name})"
    return f"{model_label}.{relation.field.name}", label


def _through(relation: Any) -> tuple[type[models.Model], str, str]:
    """The intermediate model of a many-to-many relation, its column for the other side, and for ours."""
    field = relation.field
    return field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()


def _shared_follower_ids(keep: Organisation, duplicate: Organisation) -> list[int]:
    followers = Follow.objects.filter(kind=FollowKind.ORGANISATION, object_id=duplicate.pk).values(
        "follower_id"
    )
    return list(
        Follow.objects.filter(
            kind=FollowKind.ORGANISATION, object_id=keep.pk, follower_id__in=followers
        ).values_list("follower_id", flat=True)
    )


def _filled_fields(keep: Organisation, duplicate: Organisation) -> list[str]:
    filled = []
    for name in MERGE_FILLED_FIELDS:
        if name == "city":
            # A city from another country would contradict the kept organisation's country.
            if (
                keep.city is None
                and duplicate.city is not None
                and duplicate.city.country_id == keep.country_id
            ):
                filled.append(name)
        elif not getattr(keep, name) and getattr(duplicate, name):
            filled.append(name)
    # Both records stand for one organisation: staff who verified either of them verified it.
    if keep.verified_at is None and duplicate.verified_at is not None:
        filled.append("verified_at")
    return filled


def organisation_merge_preview(*, keep: Organisation, duplicate: Organisation) -> MergePreview:
    """What merging `duplicate` into `keep` would move and fill in; nothing is changed."""
    links: list[MergeLink] = []
    for relation in _reverse_relations():
        key, label = _relation_key(relation)
        if relation.many_to_many:
            through, other_column, own_column = _through(relation)
            rows = through._default_manager.filter(**{own_column: duplicate.pk})
            kept_others = through._default_manager.filter(**{own_column: keep.pk}).values(other_column)
            count = rows.count()
            shared = rows.filter(**{f"{other_column}__in": kept_others}).count() if count else 0
            links.append(MergeLink(key, label, count, shared))
        else:
            count = relation.related_model._default_manager.filter(**{relation.field.name: duplicate}).count()
            links.append(MergeLink(key, label, count))
    follows = Follow.objects.filter(kind=FollowKind.ORGANISATION, object_id=duplicate.pk).count()
    shared = len(_shared_follower_ids(keep, duplicate)) if follows else 0
    links.append(MergeLink("follows", gettext("Follows"), follows, shared))
    order = {key: position for position, key in enumerate(_LINK_ORDER)}
    links.sort(key=lambda link: (order.get(link.key, len(order)), link.key))
    return MergePreview(keep=keep, duplicate=duplicate, links=links, filled=_filled_fields(keep, duplicate))


def _move_follows(keep: Organisation, duplicate: Organisation) -> None:
    """Followers of both keep one follow, the earliest: "following since" stays true."""
    kind = FollowKind.ORGANISATION
    theirs = dict(
        Follow.objects.filter(kind=kind, object_id=duplicate.pk).values_list("follower_id", "created_at")
    )
    ours = dict(
        Follow.objects.filter(kind=kind, object_id=keep.pk, follower_id__in=list(theirs)).values_list(
            "follower_id", "created_at"
        )
    )
    duplicate_earlier = [follower for follower, since in ours.items() if theirs[follower] < since]
    kept_earlier = [follower for follower in ours if follower not in set(duplicate_earlier)]
    Follow.objects.filter(kind=kind, object_id=keep.pk, follower_id__in=duplicate_earlier).delete()
    Follow.objects.filter(kind=kind, object_id=duplicate.pk, follower_id__in=kept_earlier).delete()
    Follow.objects.filter(kind=kind, object_id=duplicate.pk).update(object_id=keep.pk)


def _move_relation(relation: Any, keep: Organisation, duplicate: Organisation) -> list[int]:
    """Move one relation's links; returns the ids of the objects on the other side that changed."""
    if relation.many_to_many:
        through, other_column, own_column = _through(relation)
        manager = through._default_manager
        rows = manager.filter(**{own_column: duplicate.pk})
        other_ids = list(rows.values_list(other_column, flat=True))
        kept_others = manager.filter(**{own_column: keep.pk}).values(other_column)
        rows.filter(**{f"{other_column}__in": kept_others}).delete()
        rows.update(**{own_column: keep.pk})
        return other_ids
    model_manager = relation.related_model._default_manager
    ids = list(model_manager.filter(**{relation.field.name: duplicate}).values_list("pk", flat=True))
    model_manager.filter(pk__in=ids).update(**{relation.field.name: keep})
    return ids


@transaction.atomic
def organisation_merge(*, keep: Organisation, duplicate: Organisation, actor: Any) -> Organisation:
    """Fold `duplicate` into `keep`: every person, practice, partnership, follow and activity moves, empty
    fields of `keep` are filled from `duplicate`, and `duplicate` is deleted. Returns the kept organisation."""
    _require_staff(actor)
    if keep.pk == duplicate.pk:
        raise ValidationError(
            gettext("An organisation cannot be merged into itself. Choose two different organisations."),
            code="same",
        )
    # Both rows locked, in id order so that two merges of the same pair cannot deadlock.
    locked = {
        organisation.pk: organisation
        for organisation in Organisation.objects.select_for_update(of=("self",))
        .select_related("city")
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(
            gettext("One of the two organisations no longer exists; it may have been merged already."),
            code="gone",
        )
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    preview = organisation_merge_preview(keep=keep, duplicate=duplicate)

    from connective.practices.models import Practice

    moved_people: list[int] = []
    moved_practices: set[int] = set()
    try:
        for relation in _reverse_relations():
            ids = _move_relation(relation, keep, duplicate)
            if relation.related_model is User:
                moved_people.extend(ids)
            elif relation.related_model is Practice:
                moved_practices.update(ids)
        _move_follows(keep, duplicate)
    except IntegrityError as error:
        raise ValidationError(
            gettext(
                "These organisations cannot be merged: a record links to both where only one link is allowed. "
                "Nothing was changed."
            ),
            code="conflict",
        ) from error

    update_fields = []
    for name in preview.filled:
        setattr(keep, name, getattr(duplicate, name))
        update_fields.append(name)
        if name == "description":
            keep.description_language = duplicate.description_language
            update_fields.append("description_language")
        elif name == "verified_at":
            keep.verified_by_id = duplicate.verified_by_id
            update_fields.append("verified_by")
    if update_fields:
        keep.save(update_fields=[*update_fields, "updated_at"])

    duplicate_pk = duplicate.pk
    audit_log_record(
        actor=actor,
        action="organisation.merge",
        target=keep,
        duplicate={"id": duplicate_pk, "name": duplicate.name, "slug": duplicate.slug},
        moved={link.key: link.count for link in preview.links},
        shared={link.key: link.shared for link in preview.links if link.shared},
        filled=preview.filled,
    )
    duplicate.delete()

    if moved_practices:
        # Wagtail's "usage" counts read the reference index, which a bulk update does not touch.
        from wagtail.models import ReferenceIndex

        for practice in Practice.objects.filter(pk__in=moved_practices):
            ReferenceIndex.create_or_update_for_object(practice)
    network_tasks.schedule_organisation_index(keep.pk)
    network_tasks.schedule_organisation_index(duplicate_pk)
    _schedule_people_index(moved_people)
    _schedule_practices_index(sorted(moved_practices))
    return keep


# --- People, as staff see them --------------------------------------------------------------------------------

PEOPLE_PER_PAGE = 50


def people_for_staff(*, query: str = "", role: str = "") -> QuerySet[User]:
    """Every account, former members included, for the back office; `query` matches names and addresses."""
    people = User.objects.select_related("organisation", "country").order_by("last_name", "first_name", "pk")
    for word in query.split()[:10]:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if role in Role.values:
        people = people.filter(role=role)
    return people


# --- Views ----------------------------------------------------------------------------------------------------


class StaffOnlyMixin:
    """Programme staff and administrators; editors are sent back to the dashboard by Wagtail."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_programme_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _organisation_breadcrumbs(
    home: Sequence[dict[str, Any]], organisation: Organisation, label: str
) -> list[dict[str, Any]]:
    return [
        *home,
        {"url": reverse(LISTING_URL), "label": gettext("Organisations")},
        {"url": reverse(EDIT_URL, args=[organisation.pk]), "label": organisation.name},
        {"url": "", "label": label},
    ]


class OrganisationVerifyView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "network/admin/verify.html"
    header_icon = "success"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.organisation = get_object_or_404(
            Organisation.objects.select_related("verified_by", "country", "city"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        if self.organisation.is_verified:
            return gettext("Withdraw verification")
        return gettext("Verify organisation")

    def get_page_subtitle(self) -> str:
        return self.organisation.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return _organisation_breadcrumbs(self.breadcrumbs_items, self.organisation, self.get_page_title())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation, edit_url=reverse(EDIT_URL, args=[self.organisation.pk])
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verified = request.POST.get("verified") == "1"
        organisation = organisation_verify(
            organisation=self.organisation, actor=request.user, verified=verified
        )
        if verified:
            message = gettext("“%(name)s” is now verified.")
        else:
            message = gettext("“%(name)s” is no longer verified.")
        messages.success(request, message % {"name": organisation.name})
        return redirect(EDIT_URL, organisation.pk)


class MergeForm(forms.Form):
    """The confirmed choice: which organisation stays, which one is folded into it and deleted."""

    keep = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=forms.HiddenInput)
    duplicate = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=forms.HiddenInput)


CANDIDATES_SHOWN = 50


class OrganisationMergeView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Three steps on one address: find the other organisation, see what would move, confirm.

    `?other=<pk>` names the other organisation; `?keep=other` keeps it instead of this one.
    """

    template_name = "network/admin/merge.html"
    header_icon = "resubmit"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.organisation = get_object_or_404(
            Organisation.objects.select_related("country", "city"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return gettext("Merge duplicates")

    def get_page_subtitle(self) -> str:
        return self.organisation.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return _organisation_breadcrumbs(
            self.breadcrumbs_items, self.organisation, gettext("Merge duplicates")
        )

    def _candidates(self, query: str) -> list[Organisation]:
        candidates = Organisation.objects.exclude(pk=self.organisation.pk).select_related("country", "city")
        if query:
            candidates = candidates.filter(name__icontains=query)
        else:
            # Duplicates are almost always typed for the same country; a search reaches the others.
            candidates = candidates.filter(country_id=self.organisation.country_id)
        return list(candidates.order_by("name", "pk")[: CANDIDATES_SHOWN + 1])

    def _base_context(self) -> dict[str, Any]:
        context = super().get_context_data()
        context.update(
            organisation=self.organisation, edit_url=reverse(EDIT_URL, args=[self.organisation.pk])
        )
        return context

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = self._base_context()
        other_id = self.request.GET.get("other", "")
        if not other_id.isdigit():
            query = self.request.GET.get("q", "").strip()[:100]
            candidates = self._candidates(query)
            context.update(
                step="choose",
                query=query,
                candidates=candidates[:CANDIDATES_SHOWN],
                more_candidates=len(candidates) > CANDIDATES_SHOWN,
            )
            return context
        other = get_object_or_404(Organisation.objects.select_related("country", "city"), pk=int(other_id))
        if other.pk == self.organisation.pk:
            context.update(
                step="choose",
                query="",
                candidates=self._candidates(""),
                error=gettext(
                    "An organisation cannot be merged into itself. Choose two different organisations."
                ),
            )
            return context
        keep_other = self.request.GET.get("keep") == "other"
        keep, duplicate = (other, self.organisation) if keep_other else (self.organisation, other)
        form = MergeForm(initial={"keep": keep.pk, "duplicate": duplicate.pk})
        context.update(
            step="preview",
            other=other,
            keep_other=keep_other,
            preview=organisation_merge_preview(keep=keep, duplicate=duplicate),
            form=form,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MergeForm(request.POST)
        if form.is_valid():
            keep, duplicate = form.cleaned_data["keep"], form.cleaned_data["duplicate"]
            if self.organisation.pk not in {keep.pk, duplicate.pk}:
                form.add_error(None, gettext("Merge from this organisation's own page."))
            else:
                try:
                    kept = organisation_merge(keep=keep, duplicate=duplicate, actor=request.user)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        gettext("“%(duplicate)s” has been merged into “%(keep)s”.")
                        % {"duplicate": duplicate.name, "keep": kept.name},
                    )
                    return redirect(EDIT_URL, kept.pk)
        return self.render_to_response(self._invalid_context(form))

    def _invalid_context(self, form: MergeForm) -> dict[str, Any]:
        context = self._base_context()
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        context.update(step="refused", errors=errors)
        return context


class PeopleView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every member with their account details, read-only: the back office is where staff see everything."""

    template_name = "network/admin/people.html"
    header_icon = "user"

    def get_page_title(self) -> str:
        return gettext("People")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": gettext("People")}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        role = self.request.GET.get("role", "")
        paginator = Paginator(people_for_staff(query=query, role=role), PEOPLE_PER_PAGE)
        page: Page[User] = paginator.get_page(self.request.GET.get("p"))
        context.update(
            query=query,
            role=role if role in Role.values else "",
            roles=Role.choices,
            page=page,
            people=list(page.object_list),
            result_count=ngettext("%(count)s person", "%(count)s people", paginator.count)
            % {"count": paginator.count},
        )
        return context


organisation_verify_view = OrganisationVerifyView.as_view()
organisation_merge_view = OrganisationMergeView.as_view()
people_view = PeopleView.as_view()

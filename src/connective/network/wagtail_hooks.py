"""The network in the back office: organisations (edit, verify, merge duplicates) and the people listing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import django_filters
from django.db import transaction
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet

from connective.accounts.rules import is_programme_staff
from connective.core.models import Region
from connective.network.models import Organisation
from connective.network.organisation_admin import (
    MERGE_URL,
    PEOPLE_URL,
    VERIFY_URL,
    OrganisationAdminForm,
    organisation_back_office_deleting,
    organisation_back_office_saved,
    organisation_merge_view,
    organisation_verify_view,
    people_view,
)


def _verify_label(organisation: Organisation) -> Any:
    return _("Withdraw verification") if organisation.is_verified else _("Verify")


def _organisation_buttons(organisation: Organisation, user: Any, button_class: type[Button]) -> list[Button]:
    if not is_programme_staff(user):
        return []
    return [
        button_class(
            _verify_label(organisation),
            reverse(VERIFY_URL, args=[organisation.pk]),
            icon_name="success",
            priority=20,
        ),
        button_class(
            _("Merge with a duplicate"),
            reverse(MERGE_URL, args=[organisation.pk]),
            icon_name="resubmit",
            priority=30,
        ),
    ]


class OrganisationCreateView(CreateView):
    @transaction.atomic
    def save_instance(self) -> Any:
        instance = super().save_instance()
        organisation_back_office_saved(
            actor=self.request.user, organisation=instance, changed=self.form.changed_data, created=True
        )
        return instance


class OrganisationEditView(EditView):
    @transaction.atomic
    def save_instance(self) -> Any:
        changed = list(self.form.changed_data)
        instance = super().save_instance()
        organisation_back_office_saved(
            actor=self.request.user, organisation=instance, changed=changed, created=False
        )
        return instance

    @cached_property
    def header_more_buttons(self) -> list[Any]:
        buttons = list(super().header_more_buttons)
        buttons.extend(_organisation_buttons(self.object, self.request.user, Button))
        return buttons


class OrganisationDeleteView(DeleteView):
    def delete_action(self) -> None:
        # One transaction, so that re-indexing runs after the organisation is gone, not before.
        with transaction.atomic():
            organisation_back_office_deleting(actor=self.request.user, organisation=self.object)
            super().delete_action()


class OrganisationFilterSet(WagtailFilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), field_name="country__region", queryset=Region.objects.order_by("position")
    )
    verified = django_filters.BooleanFilter(
        label=_("Verified"),
        field_name="verified_at",
        lookup_expr="isnull",
        # "Verified: yes" means "verified_at is not null".
        exclude=True,
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = Organisation
        fields = ["type", "region", "verified"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "type", "country", "city", BooleanColumn("is_verified", label=_("Verified"))]
    filterset_class = OrganisationFilterSet
    search_fields = ["name"]
    list_per_page = 50
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    delete_view_class = OrganisationDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldPanel("type"),
            FieldPanel("country"),
            FieldPanel("city"),
            FieldPanel("website"),
            FieldPanel("description"),
            FieldPanel("description_language"),
            FieldPanel("logo", help_text=_("A JPEG, PNG or WebP image of at most 2 MB.")),
            MultiFieldPanel(
                [FieldPanel("verified_at", read_only=True), FieldPanel("verified_by", read_only=True)],
                heading=_("Verification"),
                help_text=_("Staff verify an organisation with the “Verify” action in the menu above."),
            ),
        ],
        base_form_class=OrganisationAdminForm,
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return Organisation.objects.select_related("country", "city")


register_snippet(OrganisationViewSet)


@hooks.register("register_admin_urls")
def _network_admin_urls() -> list[Any]:
    return [
        path("network/organisations/<int:pk>/verify/", organisation_verify_view, name=VERIFY_URL),
        path("network/organisations/<int:pk>/merge/", organisation_merge_view, name=MERGE_URL),
        path("network/people/", people_view, name=PEOPLE_URL),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(is_programme_staff(request.user))


@hooks.register("register_admin_menu_item")
def _people_menu_item() -> MenuItem:
    return StaffMenuItem(_("People"), reverse(PEOPLE_URL), name="network-people", icon_name="user", order=310)


@hooks.register("register_snippet_listing_buttons")
def _organisation_listing_buttons(snippet: Any, user: Any, next_url: str | None = None) -> Iterator[Any]:
    if isinstance(snippet, Organisation):
        yield from _organisation_buttons(snippet, user, ListingButton)


from connective.network import wagtail_reports  # noqa: E402, F401  (its hooks register on import)

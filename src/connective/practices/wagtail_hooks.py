"""The knowledge base in the back office: a listing of practices, an editing screen, and the review screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from connective.accounts.rules import is_editor
from connective.practices.admin_views import practice_review
from connective.practices.models import SECTION_FIELDS, Practice, PracticeStatus
from connective.practices.services import practice_back_office_edited


class PracticePermissionPolicy(ModelPermissionPolicy):
    """Editors, staff and administrators review and correct practices; members never reach the back office.

    Nobody adds a practice here: records start on the public form, where the city is chosen and the place
    fields derived from it. Only administrators delete; editors reject or unpublish instead, which keeps the
    history.
    """

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action == "add":
            return False
        if action == "delete":
            return bool(user.is_active and user.is_superuser)
        return bool(is_editor(user))


register_permission_policy(Practice, PracticePermissionPolicy(Practice))


def _review_url(practice: Practice) -> str:
    return reverse("practice_admin_review", kwargs={"pk": practice.pk})


class PracticeEditView(EditView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        buttons = list(super().header_more_buttons)
        buttons.append(Button(_("Review"), url=_review_url(self.object), icon_name="tasks", priority=5))
        return buttons


_TEXT_PANELS = [FieldPanel(name) for name in SECTION_FIELDS]


class PracticeViewSet(SnippetViewSet):
    model = Practice
    icon = "doc-full-inverse"
    menu_label = _("Good practices")
    menu_name = "practices"
    menu_order = 150
    add_to_admin_menu = True
    list_display = ["title", "city", "status", "submitted_at", "published_at"]
    list_filter = ["status", "language"]
    search_fields = ["title"]
    ordering = ["-submitted_at", "-id"]
    list_per_page = 50
    edit_view_class = PracticeEditView
    inspect_view_enabled = False
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("title"),
                    FieldPanel("summary"),
                    FieldPanel("language"),
                    MultiFieldPanel(
                        [
                            FieldPanel("slug", read_only=True),
                            FieldPanel("status", read_only=True),
                            FieldPanel("author", read_only=True),
                            FieldPanel("city", read_only=True),
                            FieldPanel("country", read_only=True),
                            FieldPanel("city_size", read_only=True),
                        ],
                        heading=_("Record"),
                        help_text=_(
                            "The status changes through the review screen; the place is chosen by the author."
                        ),
                    ),
                    FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("sdgs", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("Overview"),
            ),
            ObjectList(
                [*_TEXT_PANELS, FieldPanel("start_year"), FieldPanel("end_year")],
                heading=_("Content"),
            ),
            ObjectList(
                [
                    FieldPanel("lead_organisation"),
                    FieldPanel("partners"),
                    FieldPanel("contact", read_only=True),
                    FieldPanel("licence"),
                    FieldPanel("last_verified"),
                ],
                heading=_("People and licence"),
            ),
            ObjectList(
                [
                    InlinePanel("images", heading=_("Images"), label=_("Image")),
                    InlinePanel("documents", heading=_("Documents"), label=_("Document")),
                    InlinePanel("links", heading=_("Sources and links"), label=_("Link")),
                    InlinePanel("relations", heading=_("Related practices"), label=_("Related practice")),
                ],
                heading=_("Media and links"),
            ),
        ]
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return Practice.objects.select_related("city")


register_snippet(PracticeViewSet)


@hooks.register("register_admin_urls")
def _practice_admin_urls() -> list[Any]:
    return [path("practices/<int:pk>/review/", practice_review, name="practice_admin_review")]


@hooks.register("register_snippet_listing_buttons")
def _practice_listing_buttons(snippet: Any, user: Any, next_url: str | None = None) -> Iterator[Any]:
    if isinstance(snippet, Practice) and is_editor(user):
        label = _("Review") if snippet.status == PracticeStatus.SUBMITTED else _("Review history")
        yield ListingButton(label, _review_url(snippet), priority=5)


@hooks.register("after_edit_snippet")
def _practice_after_edit(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, Practice):
        practice_back_office_edited(actor=request.user, practice=instance)

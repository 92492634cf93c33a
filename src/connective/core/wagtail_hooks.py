"""Back-office screens for the shared vocabulary and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from connective.core.forms import TranslatedNamesForm
from connective.core.models import SDG, AuditLog, City, Region, Topic


def _name_panels() -> list[FieldPanel]:
    return [FieldPanel(f"name_{code}") for code, _language in settings.LANGUAGES]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "slug", "parent"]
    list_filter = ["parent"]
    search_fields = ["slug"]
    ordering = ["position", "slug"]
    edit_handler = ObjectList(
        [*_name_panels(), FieldPanel("slug"), FieldPanel("parent"), FieldPanel("position")],
        base_form_class=TranslatedNamesForm,
    )


class SDGViewSet(SnippetViewSet):
    model = SDG
    icon = "pick"
    menu_label = _("SDGs")
    list_display = ["number", "name", "colour"]
    edit_handler = ObjectList(
        [*_name_panels(), FieldPanel("number"), FieldPanel("colour")], base_form_class=TranslatedNamesForm
    )


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "globe"
    menu_label = _("Regions")
    list_display = ["name", "slug"]
    edit_handler = ObjectList(
        [*_name_panels(), FieldPanel("slug"), FieldPanel("position")], base_form_class=TranslatedNamesForm
    )


class CityViewSet(SnippetViewSet):
    """Cities come from GeoNames; staff look them up here but do not type new ones."""

    model = City
    icon = "site"
    menu_label = _("Cities")
    list_display = ["name", "country", "population"]
    search_fields = ["name", "ascii_name"]
    list_filter = ["country__region"]
    ordering = ["-population"]
    create_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [FieldPanel("name", read_only=True), FieldPanel("population", read_only=True)]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = _("Vocabulary")
    menu_icon = "list-ul"
    menu_order = 500
    items = (TopicViewSet, SDGViewSet, RegionViewSet, CityViewSet)


register_snippet(VocabularyGroup)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """An audit log is only ever read in the back office, even by administrators."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


class AuditLogViewSet(ModelViewSet):
    model = AuditLog
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["action"]


register_permission_policy(AuditLog, ReadOnlyPermissionPolicy(AuditLog))


audit_log_viewset = AuditLogViewSet("audit_log")


@hooks.register("register_admin_viewset")
def register_audit_log() -> ModelViewSet:
    return audit_log_viewset

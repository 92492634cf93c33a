from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from connective.network.models import Organisation


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "type", "country", "city"]
    list_filter = ["type", "country__region"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("type"),
        FieldPanel("country"),
        FieldPanel("city"),
        FieldPanel("website"),
        FieldPanel("description"),
    ]


register_snippet(OrganisationViewSet)

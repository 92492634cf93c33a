from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "connective.groups"
    label = "groups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        # The group notification kinds register with the one notification service.
        from connective.groups import notices  # noqa: F401
        from connective.groups.group_selectors import group_documents
        from connective.groups.models import Group
        from connective.search.signals import keep_vectors
        from connective.search.sources import VectorSource, register_vector_source

        register_vector_source(
            VectorSource(
                domain="group",
                ids=lambda: Group.objects.values_list("pk", flat=True),
                documents=group_documents,
            )
        )
        keep_vectors(Group, domain="group", fields=("name", "summary", "description", "description_language"))

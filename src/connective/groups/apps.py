from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "connective.groups"
    label = "groups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        # The group notification kinds register with the one notification service.
        from connective.groups import notices  # noqa: F401

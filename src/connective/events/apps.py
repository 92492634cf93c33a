from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "connective.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # The event notification kinds register with the one notification service.
        from connective.events import notices  # noqa: F401

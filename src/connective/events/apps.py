from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "connective.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # The event notification kinds register with the one notification service.
        from connective.events import notices  # noqa: F401
        from connective.events.models import Event
        from connective.events.selectors import event_documents
        from connective.search.signals import keep_vectors
        from connective.search.sources import VectorSource, register_vector_source

        register_vector_source(
            VectorSource(
                domain="event",
                ids=lambda: Event.objects.values_list("pk", flat=True),
                documents=event_documents,
            )
        )
        keep_vectors(Event, domain="event", fields=("title", "summary", "description", "language"))

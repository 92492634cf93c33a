from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "connective.practices"
    label = "practices"
    verbose_name = _("Good practices")

    def ready(self) -> None:
        from connective.practices.models import Practice
        from connective.practices.signals import practice_deleted

        post_delete.connect(practice_deleted, sender=Practice, dispatch_uid="practice-index-on-delete")

        from connective.practices.models import PracticeStatus
        from connective.practices.selectors import practice_documents
        from connective.search.sources import VectorSource, register_vector_source

        register_vector_source(
            VectorSource(
                domain="practice",
                ids=lambda: Practice.objects.filter(status=PracticeStatus.PUBLISHED).values_list(
                    "pk", flat=True
                ),
                documents=practice_documents,
            )
        )

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Index tables are not models, so `flush` (used between transactional tests) leaves them behind; their rows
# would then point at ids that now belong to other records.
INDEXED_DOMAINS = ("practice", "person_public", "person_member", "organisation")


def _clear_indexes_after_flush(sender: AppConfig, **kwargs: Any) -> None:
    # `migrate` passes its plan; `flush` sends post_migrate without one. Only a flush empties the indexes.
    if kwargs.get("plan") is not None:
        return
    from connective.search.index import SearchIndex

    for domain in INDEXED_DOMAINS:
        SearchIndex(domain, using=kwargs.get("using", "default")).clear()


class SearchConfig(AppConfig):
    name = "connective.search"
    label = "connective_search"
    verbose_name = _("Search")

    def ready(self) -> None:
        post_migrate.connect(_clear_indexes_after_flush, sender=self)

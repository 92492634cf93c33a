from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_vocabulary(sender: AppConfig, **kwargs: Any) -> None:
    # Topics, SDGs, regions and countries are reference data every install needs, test databases included.
    from connective.core.places import load_vocabulary

    load_vocabulary(using=kwargs.get("using", "default"))


class CoreConfig(AppConfig):
    name = "connective.core"
    label = "core"
    verbose_name = _("Shared vocabulary")

    def ready(self) -> None:
        post_migrate.connect(_load_vocabulary, sender=self)

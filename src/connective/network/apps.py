from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "connective.network"
    label = "network"
    verbose_name = _("Actors network")

    def ready(self) -> None:
        # The private-message notice registers with the one notification service.
        from connective.network import notices  # noqa: F401
        from connective.network.search import register_directory_vectors

        register_directory_vectors()

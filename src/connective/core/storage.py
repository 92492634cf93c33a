"""Where files that only some readers may fetch are kept (settings.STORAGES["private"])."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT: no web server serves them; views hand them out after
    checking the reader. Follows PRIVATE_MEDIA_ROOT when settings change (as FileSystemStorage does for
    MEDIA_ROOT), because a model field keeps its storage object for the life of the process."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", "/private-files-are-not-served/")
        super().__init__(**kwargs)

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    @cached_property
    def base_location(self) -> Any:
        return self._value_or_setting(getattr(self, "_location", None), settings.PRIVATE_MEDIA_ROOT)


def private_storage() -> Storage:
    # Called once when the model class is built; the storage it returns reads its location from settings.
    return storages["private"]

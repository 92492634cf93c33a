"""The group library: documents and links members share in a group, with search.

Whoever may read the group reads its library and downloads its documents; whoever may post in it adds to it.
An item is removed by the member who added it or by a moderator (audit-logged either way). Documents pass
the same content check as post attachments (groups/uploads.py) and are served only through a view that
checks the reader, as downloads.
"""

from __future__ import annotations

from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from connective.accounts.rules import is_member
from connective.core.services import audit_log_record
from connective.groups.models import Group, LibraryItem, LibraryItemKind
from connective.groups.moderation import may_moderate
from connective.groups.selectors import GroupAccess
from connective.groups.uploads import UPLOAD_MAX_BYTES, storage_name, upload_check
from connective.practices.models import ContentLanguage

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
URL_MAX = 500
# Words of a search beyond this add nothing but work.
SEARCH_WORDS_MAX = 8


# --- Reads --------------------------------------------------------------------------------------------


def library_languages(group: Group) -> list[tuple[str, str]]:
    """Languages an item may be in: the platform's languages and the group's working languages."""
    choices = {str(code): str(label) for code, label in ContentLanguage.choices}
    for code in group.languages or []:
        code = str(code).lower()
        if code in choices:
            continue
        found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
        if found is not None:
            choices[code] = str(found.name)
    return sorted(choices.items(), key=lambda pair: pair[1])


def library_items(
    access: GroupAccess, *, q: str = "", kind: str = "", language: str = ""
) -> QuerySet[LibraryItem]:
    """The items the viewer may read, newest first; every word of `q` is found in the title or description."""
    if not access.can_read:
        return LibraryItem.objects.none()
    items = LibraryItem.objects.filter(group=access.group).select_related("added_by")
    for word in (q or "").split()[:SEARCH_WORDS_MAX]:
        items = items.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if kind in LibraryItemKind.values:
        items = items.filter(kind=kind)
    if language:
        items = items.filter(language=language)
    return items.order_by("-added_at", "-pk")


def library_item_get(*, access: GroupAccess, pk: int) -> LibraryItem:
    """An item of the group the viewer may read, else 404."""
    item = library_items(access).filter(pk=pk).first()
    if item is None:
        raise Http404("No such item in the library.")
    return item


def library_may_add(user: Any, access: GroupAccess) -> bool:
    return bool(user is not None and user.has_perm("groups.post", access))


def library_may_remove(user: Any, access: GroupAccess, item: LibraryItem) -> bool:
    if not is_member(user) or not access.can_read:
        return False
    return item.added_by_id == user.pk or may_moderate(user, access)


# --- Writes -------------------------------------------------------------------------------------------


def _clean_text(
    *, title: str, description: str, language: str, access: GroupAccess, errors: dict[str, list[str]]
) -> tuple[str, str]:
    title = " ".join((title or "").split())
    description = (description or "").replace("\r\n", "\n").strip()
    if not title:
        errors["title"] = [gettext("Give the item a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [
            gettext("The title is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": TITLE_MAX, "length": len(title)}
        ]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            gettext("The description is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": DESCRIPTION_MAX, "length": len(description)}
        ]
    if language not in dict(library_languages(access.group)):
        errors["language"] = [gettext("Choose the language of the item.")]
    return title, description


def _clean_url(url: str, errors: dict[str, list[str]]) -> str:
    url = (url or "").strip()
    if not url:
        errors["url"] = [gettext("Give the address of the page, starting with https:// or http://.")]
        return url
    if len(url) > URL_MAX:
        errors["url"] = [
            gettext("The address is too long: at most %(limit)d characters.") % {"limit": URL_MAX}
        ]
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = [gettext("Give a web address starting with https:// or http://.")]
    return url


def library_item_add(
    *,
    adder: Any,
    access: GroupAccess,
    kind: str,
    title: str,
    description: str = "",
    language: str = "en",
    file: Any = None,
    url: str = "",
) -> LibraryItem:
    """Share a document (an uploaded file of an allowed type, at most 20 MB) or a link (http or https).

    Raises PermissionDenied when the member may not post in the group, ValidationError (by field: title,
    description, language, file, url, kind) for bad input; nothing is saved then.
    """
    if not library_may_add(adder, access):
        raise PermissionDenied(gettext("Only members who may post in the group add to its library."))
    errors: dict[str, list[str]] = {}
    if kind not in LibraryItemKind.values:
        raise ValidationError({"kind": [gettext("Choose whether you share a document or a link.")]})
    title, description = _clean_text(
        title=title, description=description, language=language, access=access, errors=errors
    )
    checked = None
    if kind == LibraryItemKind.DOCUMENT:
        if file is None:
            errors["file"] = [gettext("Choose the file to share.")]
        else:
            try:
                checked = upload_check(file, max_bytes=UPLOAD_MAX_BYTES)
            except ValidationError as error:
                errors["file"] = error.messages
        url = ""
    else:
        url = _clean_url(url, errors)
    if errors:
        raise ValidationError(errors)
    item = LibraryItem(
        group=access.group,
        kind=kind,
        title=title,
        description=description,
        language=language,
        url=url,
        added_by=adder,
    )
    stored = ""
    if checked is not None:
        file.seek(0)
        item.file.save(storage_name(checked), file, save=False)
        stored = item.file.name or ""
        item.content_type = checked.content_type
        item.size = checked.size
    try:
        with transaction.atomic():
            item.save()
            audit_log_record(
                actor=adder, action="groups.library_add", target=item, group_id=access.group.pk, kind=kind
            )
    except Exception:
        # The row did not land, so neither does the file.
        if stored:
            item.file.storage.delete(stored)
        raise
    return item


@transaction.atomic
def library_item_remove(*, actor: Any, access: GroupAccess, item: LibraryItem) -> None:
    """Remove an item (the member who added it, or a moderator); its file is deleted after commit."""
    if item.group_id != access.group.pk or not library_may_remove(actor, access, item):
        raise PermissionDenied(gettext("Only the member who added it and the moderators may remove this."))
    name = item.file.name if item.file else ""
    storage = item.file.storage
    audit_log_record(
        actor=actor,
        action="groups.library_remove",
        target=item,
        group_id=access.group.pk,
        title=item.title,
        kind=item.kind,
        added_by_id=item.added_by_id,
    )
    item.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))

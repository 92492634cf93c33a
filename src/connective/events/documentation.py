"""What stays after an event: its outcomes (Markdown), documents, presentations, photos and links, and the
good practices presented there. The organisers write it (views check `events.manage`); every write is atomic
and audit-logged.

Files pass the same content check as the groups' shared files (groups/uploads.py): their type is judged by
their bytes, photos must be images, and they are kept in private storage, handed out only by a view that
checks the reader (participants-only documents to participants and organisers).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from connective.core.services import audit_log_record
from connective.events.models import DocumentKind, Event, EventDocument
from connective.events.selectors import EventAccess
from connective.groups.uploads import GIF, JPEG, PNG, UPLOAD_MAX_BYTES, WEBP, storage_name, upload_check
from connective.practices.models import Practice, PracticeStatus

OUTCOMES_MAX = 20000
TITLE_MAX = 250
URL_MAX = 500
IMAGE_TYPES = frozenset(kind.content_type for kind in (JPEG, PNG, WEBP, GIF))


# --- Reads --------------------------------------------------------------------------------------------


def documents_for(access: EventAccess) -> QuerySet[EventDocument]:
    """The event's documents the viewer may see: participants-only ones to participants and organisers."""
    documents = EventDocument.objects.filter(event=access.event)
    if not (access.is_participant or access.manages):
        documents = documents.filter(participants_only=False)
    return documents.order_by("kind", "created_at", "pk")


def document_get(access: EventAccess, pk: int) -> EventDocument | None:
    return documents_for(access).filter(pk=pk).first()


def practices_presented(event: Event, *, published_only: bool = True) -> QuerySet[Practice]:
    practices = event.practices.all()
    if published_only:
        practices = practices.filter(status=PracticeStatus.PUBLISHED)
    return practices.only("pk", "slug", "title", "status").order_by("title", "pk")


def practice_from_reference(reference: str) -> Practice | None:
    """The published practice a slug or a practice page's address points to."""
    reference = (reference or "").strip()
    if not reference:
        return None
    # "https://…/en/practices/solar-lights/" and "solar-lights" both end in the slug.
    slug = [part for part in reference.split("?")[0].split("#")[0].split("/") if part]
    if not slug:
        return None
    return Practice.objects.filter(slug=slug[-1], status=PracticeStatus.PUBLISHED).first()


# --- Writes -------------------------------------------------------------------------------------------


@transaction.atomic
def outcomes_update(*, event: Event, actor: Any, outcomes: str) -> Event:
    outcomes = (outcomes or "").replace("\r\n", "\n").strip()
    if len(outcomes) > OUTCOMES_MAX:
        raise ValidationError(
            {
                "outcomes": [
                    gettext("The outcomes are too long: at most %(limit)d characters (they have %(length)d).")
                    % {"limit": OUTCOMES_MAX, "length": len(outcomes)}
                ]
            }
        )
    event.outcomes = outcomes
    event.save(update_fields=["outcomes", "updated_at"])
    audit_log_record(actor=actor, action="event.outcomes_update", target=event, length=len(outcomes))
    return event


def _clean_title(title: str, errors: dict[str, list[str]]) -> str:
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = [gettext("Give the document a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [
            gettext("The title is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": TITLE_MAX, "length": len(title)}
        ]
    return title


def _clean_url(url: str, errors: dict[str, list[str]]) -> str:
    url = (url or "").strip()
    if not url:
        errors["url"] = [gettext("Give the address of the page, starting with https:// or http://.")]
    elif len(url) > URL_MAX:
        errors["url"] = [
            gettext("The address is too long: at most %(limit)d characters.") % {"limit": URL_MAX}
        ]
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [gettext("Give a web address starting with https:// or http://.")]
    return url


def document_add(
    *,
    event: Event,
    actor: Any,
    kind: str,
    title: str,
    file: Any = None,
    url: str = "",
    participants_only: bool = False,
) -> EventDocument:
    """Add a file (document, presentation, photo; at most 20 MB, allowed types only) or a link (http/https).

    Raises ValidationError by field (kind, title, file, url) for bad input; nothing is saved then.
    """
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": [gettext("Choose a document, a presentation, a photo or a link.")]})
    errors: dict[str, list[str]] = {}
    title = _clean_title(title, errors)
    checked = None
    if kind == DocumentKind.LINK:
        url = _clean_url(url, errors)
    else:
        url = ""
        if file is None:
            errors["file"] = [gettext("Choose the file to add.")]
        else:
            try:
                checked = upload_check(file, max_bytes=UPLOAD_MAX_BYTES)
            except ValidationError as error:
                errors["file"] = error.messages
            else:
                if kind == DocumentKind.PHOTO and checked.content_type not in IMAGE_TYPES:
                    errors["file"] = [gettext("A photo must be a JPEG, PNG, WebP or GIF image.")]
                    checked = None
    if errors:
        raise ValidationError(errors)
    document = EventDocument(
        event=event,
        kind=kind,
        title=title,
        url=url,
        participants_only=bool(participants_only),
        added_by=actor,
    )
    stored = ""
    if checked is not None:
        file.seek(0)
        document.file.save(storage_name(checked), file, save=False)
        stored = document.file.name or ""
        document.content_type = checked.content_type
        document.size = checked.size
    try:
        with transaction.atomic():
            document.save()
            audit_log_record(
                actor=actor,
                action="event.document_add",
                target=event,
                document=document.pk,
                kind=kind,
                title=title,
            )
    except Exception:
        # The row did not land, so neither does the file.
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_remove(*, document: EventDocument, actor: Any) -> None:
    """Remove a document or link; its file is deleted once the removal is committed."""
    name = document.file.name if document.file else ""
    storage = document.file.storage
    audit_log_record(
        actor=actor,
        action="event.document_remove",
        target=document.event,
        document=document.pk,
        kind=document.kind,
        title=document.title,
    )
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def practice_link(*, event: Event, actor: Any, practice: Practice) -> None:
    """Name a good practice presented at the event; it then shows on the event's page (and the event on it)."""
    if practice.status != PracticeStatus.PUBLISHED:
        raise ValidationError({"practice": [gettext("Only published practices can be linked.")]})
    if event.practices.filter(pk=practice.pk).exists():
        raise ValidationError({"practice": [gettext("This practice is already linked to the event.")]})
    event.practices.add(practice)
    audit_log_record(actor=actor, action="event.practice_link", target=event, practice=practice.pk)


@transaction.atomic
def practice_unlink(*, event: Event, actor: Any, practice: Practice) -> None:
    event.practices.remove(practice)
    audit_log_record(actor=actor, action="event.practice_unlink", target=event, practice=practice.pk)

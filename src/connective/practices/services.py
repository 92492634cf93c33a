"""Every write to the knowledge base: drafting, submitting, editorial review, media, links and relations.

Lifecycle of a practice (the only moves the services allow):

    draft ──submit──▶ submitted ──approve──────────▶ published ──unpublish──▶ changes_requested
      ▲                  │  ├──request_changes──▶ changes_requested ──submit──▶ submitted
      │                  │  └──reject───────────▶ rejected (final; the author can no longer edit)
      └─ author edits ───┘       changes_requested ──reject──▶ rejected

An editor approves only what was submitted: a member's draft may still be half-written, so publishing it
unasked would put words in the author's mouth. The one exception is a draft the editor wrote themselves
(back-office content), which they may publish directly. Approval runs the same completeness check as
submission, because an editor may have changed the record in the back office since it was submitted.

Unpublishing sends the record back to "changes requested" with the editor's reason, so the author can fix it
and submit again; removing something for good is a rejection.

E-mail and search indexing happen on commit: a change that rolls back must not tell anyone anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.accounts.models import Role, User
from connective.core.models import City, CitySize
from connective.core.places import ascii_fold
from connective.core.services import audit_log_record
from connective.network.models import ActivityVerb
from connective.practices.models import (
    SECTION_FIELDS,
    LinkKind,
    Practice,
    PracticeDocument,
    PracticeImage,
    PracticeLink,
    PracticeRelation,
    PracticeReview,
    PracticeStatus,
    RelationKind,
    ReviewAction,
)

# --- Completeness -------------------------------------------------------------------------------------

# What a record needs before an editor looks at it, with the message the author reads next to the field.
REQUIRED_FOR_SUBMISSION: dict[str, Any] = {
    "title": _("Give the practice a title."),
    "summary": _("Write a short summary."),
    "language": _("Choose the language the record is written in."),
    "city": _("Tell us in which city the practice takes place."),
    "topics": _("Choose at least one topic."),
    "challenge": _("Describe the challenge the city faced."),
    "solution": _("Describe the solution."),
    "results": _("Describe the results and how they were measured."),
    "contact": _("Name a contact person other members can write to."),
}

# Fields a draft may carry; anything else in `data` is ignored so callers can pass a whole cleaned form.
_TEXT_FIELDS = ("title", "summary", "language", *SECTION_FIELDS, "licence")
_VALUE_FIELDS = ("start_year", "end_year", "last_verified", "lead_organisation", "contact")
_MANY_FIELDS = ("topics", "sdgs", "partners")


def practice_completeness_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per-field messages for what a submission still lacks; empty when it is complete.

    `values` is either cleaned form data or `practice_values(practice)`, so the form can tell the author
    before anything is saved and the service can refuse a record that was changed elsewhere.
    """
    errors: dict[str, list[str]] = {}
    for field, message in REQUIRED_FOR_SUBMISSION.items():
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip()
        elif value is not None and not isinstance(value, City | User) and hasattr(value, "__iter__"):
            value = list(value)
        if not value:
            errors[field] = [str(message)]
    return errors


def practice_values(practice: Practice) -> dict[str, Any]:
    """The record as a mapping of the fields the completeness check reads."""
    plain = ("title", "summary", "language", "challenge", "solution", "results")
    values: dict[str, Any] = {field: getattr(practice, field) for field in plain}
    values["city"] = practice.city if practice.city_id else None
    values["contact"] = practice.contact if practice.contact_id else None
    values["topics"] = list(practice.topics.all()) if practice.pk else []
    return values


def _raise_if_incomplete(practice: Practice) -> None:
    errors = practice_completeness_errors(practice_values(practice))
    if errors:
        raise ValidationError(errors)


# --- Drafting -----------------------------------------------------------------------------------------


def practice_slug_for(*, title: str, city: City | None, exclude_pk: int | None = None) -> str:
    """A unique ASCII slug. Titles in Arabic (or any script slugify cannot transliterate) use the city.

    Slugs stay ASCII because the public URLs match `<slug:slug>`, which accepts ASCII only.
    """
    base = slugify(ascii_fold(title))[:100].strip("-")
    if not base:
        place = slugify(city.ascii_name) if city is not None else ""
        base = f"practice-{place}".strip("-")[:100]
    candidate, number = base, 2
    existing = Practice.objects.all()
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.filter(slug__startswith=base).values_list("slug", flat=True))
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def practice_apply_place(practice: Practice, city: City) -> None:
    """Country, region, size band and coordinates follow from the city; set them together, always."""
    practice.city = city
    practice.country = city.country
    practice.region_id = city.country.region_id
    practice.city_size = CitySize.for_population(city.population)
    practice.latitude = city.latitude
    practice.longitude = city.longitude


def _apply_data(practice: Practice, data: Mapping[str, Any]) -> list[str]:
    """Copy the fields present in `data` onto the record; returns the many-to-many fields to set."""
    for field in _TEXT_FIELDS:
        if field in data and data[field] is not None:
            setattr(practice, field, data[field])
    for field in _VALUE_FIELDS:
        if field in data:
            setattr(practice, field, data[field])
    if data.get("city") is not None:
        practice_apply_place(practice, data["city"])
    start, end = data.get("start_year", practice.start_year), data.get("end_year", practice.end_year)
    if start and end and end < start:
        raise ValidationError({"end_year": [gettext("The end year cannot be before the start year.")]})
    return [field for field in _MANY_FIELDS if field in data]


def _save_with_revision(*, practice: Practice, user: Any, data: Mapping[str, Any]) -> None:
    many = _apply_data(practice, data)
    # Parental many-to-many fields (modelcluster) are held in memory and written by save(), so set them first.
    for field in many:
        getattr(practice, field).set(data[field] or [])
    practice.save()
    if "links" in data:
        _replace_links(practice, data["links"] or [])
    if "relations" in data:
        _replace_relations(practice, data["relations"] or [])
    # A revision on every save gives the back office its revision history and a way to compare versions.
    # clean=False: a draft may be incomplete on purpose.
    practice.save_revision(user=user, clean=False, log_action=True)


@transaction.atomic
def practice_create_draft(*, author: User, data: Mapping[str, Any]) -> Practice:
    """A new draft by `author`. It needs a title and a city: the record's address and map pin hang on them.

    `data` holds cleaned form data: the model's field names, `city` as a City, `topics`/`sdgs`/`partners` as
    iterables, optionally `links` (mappings with title/url/kind) and `relations` (pairs of kind and Practice).
    Missing keys are left at their defaults; the contact defaults to the author.
    """
    if not author.has_perm("practices.add_practice"):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [gettext("A draft needs at least a title.")]
    if data.get("city") is None:
        errors["city"] = [gettext("A draft needs the city where the practice takes place.")]
    if errors:
        raise ValidationError(errors)
    practice = Practice(author=author, status=PracticeStatus.DRAFT, language=author.language[:2] or "en")
    data = dict(data)
    if data.get("contact") is None:
        data["contact"] = author
    _apply_data(practice, data)
    practice.slug = practice_slug_for(title=practice.title, city=practice.city)
    _save_with_revision(practice=practice, user=author, data=data)
    audit_log_record(actor=author, action="practice.create_draft", target=practice, slug=practice.slug)
    return practice


@transaction.atomic
def practice_update(*, actor: User, practice: Practice, data: Mapping[str, Any]) -> Practice:
    """Change a draft (author) or any record (editor). The slug stays so that links keep working."""
    if not actor.has_perm("practices.change_practice", practice):
        raise PermissionDenied
    if "title" in data and not (data["title"] or "").strip():
        raise ValidationError({"title": [gettext("A practice needs a title.")]})
    if "city" in data and data["city"] is None:
        raise ValidationError({"city": [gettext("A practice needs the city where it takes place.")]})
    data = dict(data)
    if "contact" in data and data["contact"] is None:
        data["contact"] = practice.author or actor
    _save_with_revision(practice=practice, user=actor, data=data)
    audit_log_record(actor=actor, action="practice.update", target=practice, fields=sorted(data))
    if practice.status == PracticeStatus.PUBLISHED:
        _schedule_index(practice)
        _record_activity(practice, ActivityVerb.PRACTICE_UPDATED)
    return practice


def practice_back_office_edited(*, actor: Any, practice: Practice) -> None:
    """An editor saved the record in the back office (Wagtail wrote it and its revision): log, re-index."""
    audit_log_record(actor=actor, action="practice.back_office_edit", target=practice)
    if practice.status == PracticeStatus.PUBLISHED:
        _schedule_index(practice)
        _record_activity(practice, ActivityVerb.PRACTICE_UPDATED)


# --- Review -------------------------------------------------------------------------------------------


ALLOWED_FROM: dict[str, frozenset[str]] = {
    ReviewAction.SUBMIT: frozenset({PracticeStatus.DRAFT, PracticeStatus.CHANGES_REQUESTED}),
    ReviewAction.APPROVE: frozenset({PracticeStatus.SUBMITTED}),
    ReviewAction.REQUEST_CHANGES: frozenset({PracticeStatus.SUBMITTED}),
    ReviewAction.REJECT: frozenset({PracticeStatus.SUBMITTED, PracticeStatus.CHANGES_REQUESTED}),
    ReviewAction.UNPUBLISH: frozenset({PracticeStatus.PUBLISHED}),
}


def practice_allowed_actions(practice: Practice, user: Any) -> list[str]:
    """The review decisions `user` may take on `practice` now (for the back-office form)."""
    if not user.has_perm("practices.review_practice", practice):
        return []
    allowed = [action for action, states in ALLOWED_FROM.items() if practice.status in states]
    if _may_publish_own_draft(practice, user) and ReviewAction.APPROVE not in allowed:
        allowed.append(ReviewAction.APPROVE)
    return [action for action in allowed if action != ReviewAction.SUBMIT]


def _may_publish_own_draft(practice: Practice, user: Any) -> bool:
    return practice.status == PracticeStatus.DRAFT and practice.author_id == getattr(user, "pk", None)


def _check_transition(practice: Practice, action: str) -> None:
    if practice.status not in ALLOWED_FROM[action]:
        raise ValidationError(
            gettext("A practice that is “%(status)s” cannot be %(action)s.")
            % {"status": practice.get_status_display(), "action": _ACTION_VERBS[action]},
            code="invalid_transition",
        )


_ACTION_VERBS: dict[str, Any] = {
    ReviewAction.SUBMIT: _("submitted"),
    ReviewAction.APPROVE: _("approved"),
    ReviewAction.REQUEST_CHANGES: _("sent back for changes"),
    ReviewAction.REJECT: _("rejected"),
    ReviewAction.UNPUBLISH: _("unpublished"),
}


def _require_reviewer(editor: Any, practice: Practice) -> None:
    if not editor.has_perm("practices.review_practice", practice):
        raise PermissionDenied


def _require_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [gettext("Write a comment: the author needs to know why.")]})
    return comment


def _lock(practice: Practice) -> Practice:
    """Re-read the record under a row lock so two editors cannot decide on the same version at once."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    practice.status = locked.status
    return practice


def _record_review(
    *, practice: Practice, actor: Any, action: str, comment: str, status: str
) -> PracticeReview:
    practice.status = status
    fields = ["status", "updated_at"]
    now = timezone.now()
    if action == ReviewAction.SUBMIT:
        practice.submitted_at = now
        fields.append("submitted_at")
    if action == ReviewAction.APPROVE:
        practice.published_at = now
        fields.append("published_at")
    practice.save(update_fields=fields)
    review = PracticeReview.objects.create(practice=practice, actor=actor, action=action, comment=comment)
    audit_log_record(
        actor=actor, action=f"practice.{action}", target=practice, comment=comment, status=status
    )
    return review


@transaction.atomic
def practice_submit(*, actor: User, practice: Practice) -> PracticeReview:
    """The author asks for review. An incomplete record is refused with a message per field, unchanged."""
    if not actor.has_perm("practices.change_practice", practice):
        raise PermissionDenied
    _lock(practice)
    _check_transition(practice, ReviewAction.SUBMIT)
    _raise_if_incomplete(practice)
    review = _record_review(
        practice=practice,
        actor=actor,
        action=ReviewAction.SUBMIT,
        comment="",
        status=PracticeStatus.SUBMITTED,
    )
    _notify_author(practice, "received", comment="")
    _notify_editors(practice)
    return review


@transaction.atomic
def practice_approve(*, editor: User, practice: Practice, comment: str = "") -> PracticeReview:
    _require_reviewer(editor, practice)
    _lock(practice)
    if not _may_publish_own_draft(practice, editor):
        _check_transition(practice, ReviewAction.APPROVE)
    _raise_if_incomplete(practice)
    review = _record_review(
        practice=practice,
        actor=editor,
        action=ReviewAction.APPROVE,
        comment=(comment or "").strip(),
        status=PracticeStatus.PUBLISHED,
    )
    _record_activity(practice, ActivityVerb.PRACTICE_PUBLISHED)
    _notify_author(practice, "approved", comment=review.comment)
    _schedule_index(practice)
    return review


@transaction.atomic
def practice_request_changes(*, editor: User, practice: Practice, comment: str) -> PracticeReview:
    _require_reviewer(editor, practice)
    comment = _require_comment(comment)
    _lock(practice)
    _check_transition(practice, ReviewAction.REQUEST_CHANGES)
    review = _record_review(
        practice=practice,
        actor=editor,
        action=ReviewAction.REQUEST_CHANGES,
        comment=comment,
        status=PracticeStatus.CHANGES_REQUESTED,
    )
    _notify_author(practice, "changes_requested", comment=comment)
    return review


@transaction.atomic
def practice_reject(*, editor: User, practice: Practice, comment: str) -> PracticeReview:
    _require_reviewer(editor, practice)
    comment = _require_comment(comment)
    _lock(practice)
    _check_transition(practice, ReviewAction.REJECT)
    review = _record_review(
        practice=practice,
        actor=editor,
        action=ReviewAction.REJECT,
        comment=comment,
        status=PracticeStatus.REJECTED,
    )
    _notify_author(practice, "rejected", comment=comment)
    return review


@transaction.atomic
def practice_unpublish(*, editor: User, practice: Practice, comment: str) -> PracticeReview:
    _require_reviewer(editor, practice)
    comment = _require_comment(comment)
    _lock(practice)
    _check_transition(practice, ReviewAction.UNPUBLISH)
    review = _record_review(
        practice=practice,
        actor=editor,
        action=ReviewAction.UNPUBLISH,
        comment=comment,
        status=PracticeStatus.CHANGES_REQUESTED,
    )
    _notify_author(practice, "unpublished", comment=comment)
    # Re-indexing a record that is no longer published removes it from public search.
    _schedule_index(practice)
    return review


REVIEW_SERVICES = {
    ReviewAction.APPROVE: practice_approve,
    ReviewAction.REQUEST_CHANGES: practice_request_changes,
    ReviewAction.REJECT: practice_reject,
    ReviewAction.UNPUBLISH: practice_unpublish,
}


def _record_activity(practice: Practice, verb: str) -> None:
    """Tell the followers of the practice's author, contact, lead organisation, city and topics."""
    # Imported here: the network's feed reads practices through practices.selectors.
    from connective.network.follows import activity_record_for_practice

    activity_record_for_practice(practice=practice, verb=verb)


def _schedule_index(practice: Practice) -> None:
    from connective.practices.tasks import practice_index

    practice_id = practice.pk
    transaction.on_commit(lambda: practice_index.enqueue(practice_id))


# --- Notifications ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mail:
    subject: Any
    template: str
    link: str  # "detail", "edit", "mine" or "review"


_AUTHOR_MAILS: dict[str, _Mail] = {
    "received": _Mail(_("We received your practice “%(title)s”"), "practices/email/received.txt", "mine"),
    "approved": _Mail(_("Your practice “%(title)s” is published"), "practices/email/approved.txt", "detail"),
    "changes_requested": _Mail(
        _("Changes requested for your practice “%(title)s”"), "practices/email/changes_requested.txt", "edit"
    ),
    "rejected": _Mail(
        _("Your practice “%(title)s” was not accepted"), "practices/email/rejected.txt", "mine"
    ),
    "unpublished": _Mail(
        _("Your practice “%(title)s” was unpublished"), "practices/email/unpublished.txt", "edit"
    ),
}
_EDITOR_MAIL = _Mail(_("New practice to review: “%(title)s”"), "practices/email/to_review.txt", "review")


def _link(practice: Practice, kind: str) -> str:
    if kind == "detail":
        path = practice.get_absolute_url()
    elif kind == "edit":
        path = reverse("practices:edit", kwargs={"slug": practice.slug})
    elif kind == "review":
        path = reverse("practice_admin_review", kwargs={"pk": practice.pk})
    else:
        path = reverse("practices:mine")
    return f"{settings.SITE_URL}{path}"


def _message(*, mail: _Mail, practice: Practice, recipient: User, comment: str) -> EmailMultiAlternatives:
    # Rendered in the recipient's language, whatever language the person acting uses.
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "practice": practice,
            "recipient": recipient,
            "comment": comment,
            "link": _link(practice, mail.link),
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        subject = str(mail.subject) % {"title": practice.title}
        body = render_to_string(mail.template, context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[recipient.email])


def _send_on_commit(messages: Sequence[EmailMultiAlternatives]) -> None:
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(list(messages)))


def _notify_author(practice: Practice, kind: str, *, comment: str) -> None:
    author = practice.author
    if author is None or not author.is_active:
        return
    _send_on_commit(
        [_message(mail=_AUTHOR_MAILS[kind], practice=practice, recipient=author, comment=comment)]
    )


def practice_editors() -> Iterable[User]:
    """Who reviews: editors, programme staff and administrators with an active account."""
    roles = [Role.EDITOR, Role.STAFF, Role.ADMINISTRATOR]
    return User.objects.filter(is_active=True, role__in=roles).order_by("pk")


def _notify_editors(practice: Practice) -> None:
    messages = [
        _message(mail=_EDITOR_MAIL, practice=practice, recipient=editor, comment="")
        for editor in practice_editors()
        if editor.pk != practice.author_id
    ]
    _send_on_commit(messages)


# --- Images, documents, links, relations --------------------------------------------------------------

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "csv", "txt")
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def practice_validate_image(file: UploadedFile) -> str:
    """The image's format as a file extension, or a ValidationError a member understands."""
    from PIL import Image as PILImage

    if file.size is not None and file.size > IMAGE_MAX_BYTES:
        raise ValidationError(
            gettext("The image is %(size)s MB; the limit is 10 MB. Please upload a smaller image.")
            % {"size": _megabytes(file.size)},
            code="too_large",
        )
    try:
        file.seek(0)
        with PILImage.open(file) as picture:
            detected = picture.format or ""
            picture.verify()
    except Exception:  # Pillow raises many types for a file that is not an image
        detected = ""
    finally:
        file.seek(0)
    if detected not in IMAGE_FORMATS:
        raise ValidationError(
            gettext(
                "This file is not a JPEG, PNG or WebP image. Please upload a photo or graphic in one of "
                "these formats."
            ),
            code="invalid_type",
        )
    return IMAGE_FORMATS[detected]


def practice_validate_document(file: UploadedFile) -> str:
    extension = (file.name or "").rsplit(".", 1)[-1].lower() if "." in (file.name or "") else ""
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            gettext("Documents can be %(types)s files.") % {"types": ", ".join(DOCUMENT_EXTENSIONS)},
            code="invalid_type",
        )
    if file.size is not None and file.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            gettext("The document is %(size)s MB; the limit is 20 MB.") % {"size": _megabytes(file.size)},
            code="too_large",
        )
    return extension


def _require_change(actor: Any, practice: Practice) -> None:
    if not actor.has_perm("practices.change_practice", practice):
        raise PermissionDenied


@transaction.atomic
def practice_add_image(
    *, actor: User, practice: Practice, file: UploadedFile, alt_text: str, caption: str = ""
) -> PracticeImage:
    """Store the upload as a Wagtail image (renditions, focal point, back-office library) and attach it."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    _require_change(actor, practice)
    alt_text = (alt_text or "").strip()
    errors: dict[str, list[str]] = {}
    if not alt_text:
        errors["alt_text"] = [gettext("Describe the image for people who cannot see it (alternative text).")]
    try:
        extension = practice_validate_image(file)
    except ValidationError as error:
        errors["image"] = error.messages
    if errors:
        raise ValidationError(errors)
    stem = (
        re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_fold((file.name or "image").rsplit(".", 1)[0]))[:60] or "image"
    )
    image_model = get_image_model()
    image = image_model(title=alt_text[:255], uploaded_by_user=actor)
    image.file = ImageFile(file, name=f"{stem}.{extension}")
    image._set_image_file_metadata()
    image.save()
    position = practice.images.count()
    attached = PracticeImage.objects.create(
        practice=practice, image=image, alt_text=alt_text, caption=(caption or "").strip(), position=position
    )
    practice.save_revision(user=actor, clean=False, log_action=True)
    audit_log_record(actor=actor, action="practice.add_image", target=practice, image=image.pk)
    return attached


@transaction.atomic
def practice_remove_image(*, actor: User, practice: Practice, practice_image: PracticeImage) -> None:
    _require_change(actor, practice)
    if practice_image.practice_id != practice.pk:
        raise PermissionDenied
    image_id = practice_image.image_id
    practice_image.delete()
    practice.save_revision(user=actor, clean=False, log_action=True)
    audit_log_record(actor=actor, action="practice.remove_image", target=practice, image=image_id)


@transaction.atomic
def practice_add_document(
    *, actor: User, practice: Practice, file: UploadedFile, title: str
) -> PracticeDocument:
    from django.core.files import File
    from wagtail.documents import get_document_model

    _require_change(actor, practice)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["document_title"] = [gettext("Give the document a title.")]
    try:
        extension = practice_validate_document(file)
    except ValidationError as error:
        errors["document"] = error.messages
    if errors:
        raise ValidationError(errors)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_fold((file.name or "document").rsplit(".", 1)[0]))[:60]
    document_model = get_document_model()
    document = document_model(title=title[:255], uploaded_by_user=actor)
    document.file = File(file, name=f"{stem or 'document'}.{extension}")
    document._set_document_file_metadata()
    document.save()
    attached = PracticeDocument.objects.create(practice=practice, document=document, title=title[:250])
    practice.save_revision(user=actor, clean=False, log_action=True)
    audit_log_record(actor=actor, action="practice.add_document", target=practice, document=document.pk)
    return attached


def _replace_links(practice: Practice, links: Iterable[Mapping[str, Any]]) -> None:
    practice.links.all().delete()
    PracticeLink.objects.bulk_create(
        PracticeLink(
            practice=practice,
            title=(link.get("title") or link["url"])[:250],
            url=link["url"],
            kind=link.get("kind") or LinkKind.LINK,
        )
        for link in links
        if link.get("url")
    )


@transaction.atomic
def practice_set_links(*, actor: User, practice: Practice, links: Iterable[Mapping[str, Any]]) -> Practice:
    """Replace the sources and further links with `links` (mappings with title, url, kind)."""
    _require_change(actor, practice)
    _replace_links(practice, links)
    practice.save_revision(user=actor, clean=False, log_action=True)
    audit_log_record(actor=actor, action="practice.set_links", target=practice)
    return practice


def _replace_relations(practice: Practice, relations: Iterable[tuple[str, Practice]]) -> None:
    wanted: dict[int, str] = {}
    errors: list[str] = []
    for kind, target in relations:
        if target.pk == practice.pk:
            errors.append(gettext("A practice cannot be related to itself."))
        elif target.status != PracticeStatus.PUBLISHED:
            errors.append(gettext("“%(title)s” is not published.") % {"title": target.title})
        else:
            wanted[target.pk] = RelationKind(kind)
    if errors:
        raise ValidationError({"relations": errors})
    practice.relations.all().delete()
    PracticeRelation.objects.bulk_create(
        PracticeRelation(source=practice, target_id=target_id, kind=kind)
        for target_id, kind in wanted.items()
    )


@transaction.atomic
def practice_set_relations(
    *, actor: User, practice: Practice, relations: Iterable[tuple[str, Practice]]
) -> Practice:
    """Replace the links to other published practices: (kind, target), kind related/adapts/replicates."""
    _require_change(actor, practice)
    relations = list(relations)
    _replace_relations(practice, relations)
    practice.save_revision(user=actor, clean=False, log_action=True)
    audit_log_record(
        actor=actor,
        action="practice.set_relations",
        target=practice,
        relations=[[str(kind), target.pk] for kind, target in relations],
    )
    return practice


# --- Contact relay --------------------------------------------------------------------------------------
# "Write to the contact person": the platform relays a member's message by e-mail, so the contact's address
# is never shown to anyone. The sending limits are counted from the audit log, which every relayed message
# writes anyway, so no message text is kept on the platform.
from datetime import timedelta as _timedelta  # noqa: E402

from django.core.mail import EmailMessage as _EmailMessage  # noqa: E402

from connective.accounts import models as _account_models  # noqa: E402
from connective.practices import models as _practice_models  # noqa: E402

CONTACT_SUBJECT_MAX = 150
CONTACT_MESSAGE_MIN = 20
CONTACT_MESSAGE_MAX = 5000
# (window, most messages one sender may relay in it), across all practices.
CONTACT_SEND_LIMITS: tuple[tuple[_timedelta, int], ...] = ((_timedelta(hours=1), 5), (_timedelta(days=1), 20))
CONTACT_AUDIT_ACTION = "practice.contact_sent"


def contact_subject_clean(subject: str) -> str:
    """One line of text: a line break in a subject is a paste accident or a header injection attempt."""
    return " ".join(subject.split())


def contact_public_name(user: _account_models.User) -> str:
    """The name a contact relay shows for a person; never derived from their e-mail address."""
    # "Former member" after an account was deleted; never derived from the e-mail address.
    return user.display_name


def practice_contact_refusal(*, sender: object, practice: _practice_models.Practice) -> str | None:
    """Why `sender` may not write to the practice's contact person, in words for them; None when they may."""
    from django.utils.translation import gettext

    from connective.accounts.rules import is_member

    if not is_member(sender):
        return gettext("Please sign in to write to the contact person.")
    if not practice.is_published:
        return gettext("Only published practices can be contacted.")
    if practice.contact_id is None:
        return gettext("This practice has no contact person.")
    if practice.contact_id == getattr(sender, "pk", None):
        return gettext("You are the contact person for this practice.")
    if practice.contact is None or not practice.contact.is_active:
        return gettext("The contact person of this practice can no longer be reached.")
    if not getattr(sender, "has_perm", lambda *args: False)("practices.contact_practice", practice):
        return gettext("You may not write to the contact person of this practice.")
    return None


def _contact_limit_reached(sender: _account_models.User) -> bool:
    from django.db.models import Count, Q
    from django.utils import timezone

    from connective.core.models import AuditLog

    now = timezone.now()
    longest = max(window for window, _limit in CONTACT_SEND_LIMITS)
    counts = AuditLog.objects.filter(
        actor=sender, action=CONTACT_AUDIT_ACTION, created_at__gte=now - longest
    ).aggregate(
        **{
            f"within_{index}": Count("id", filter=Q(created_at__gte=now - window))
            for index, (window, _limit) in enumerate(CONTACT_SEND_LIMITS)
        }
    )
    return any(
        counts[f"within_{index}"] >= limit for index, (_window, limit) in enumerate(CONTACT_SEND_LIMITS)
    )


def _contact_email(
    *,
    sender: _account_models.User,
    practice: _practice_models.Practice,
    subject: str,
    message: str,
    share_email: bool,
) -> _EmailMessage:
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext

    contact = practice.contact
    assert contact is not None  # checked by practice_contact_refusal
    languages = {code for code, _name in settings.LANGUAGES}
    language = contact.language if contact.language in languages else settings.LANGUAGE_CODE
    # The contact reads the message in their own language, whatever language the sender uses.
    with translation.override(language):
        context = {
            "contact_name": contact_public_name(contact),
            "sender_name": contact_public_name(sender),
            "sender_organisation": sender.organisation.name if sender.organisation else "",
            "practice_title": practice.title,
            "practice_url": settings.SITE_URL + practice.get_absolute_url(),
            "subject": subject,
            "message": message,
            "share_email": share_email,
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        body = render_to_string("practices/email/contact_message.txt", context)
        email_subject = gettext("[%(site)s] %(subject)s (about “%(practice)s”)") % {
            "site": settings.WAGTAIL_SITE_NAME,
            "subject": subject,
            "practice": contact_subject_clean(practice.title),
        }
    return _EmailMessage(
        subject=email_subject,
        body=body,
        to=[contact.email],
        reply_to=[sender.email] if share_email else [],
    )


def practice_contact_send(
    *,
    sender: _account_models.User,
    practice: _practice_models.Practice,
    subject: str,
    message: str,
    share_email: bool,
) -> None:
    """Relay a member's message to the practice's contact person by e-mail.

    Raises PermissionDenied when the sender may not write (the message says why) and ValidationError for bad
    input or when the sender has reached a sending limit (code "rate_limited"). Nothing is sent then.
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils.translation import gettext

    from connective.core.services import audit_log_record

    refusal = practice_contact_refusal(sender=sender, practice=practice)
    if refusal is not None:
        raise PermissionDenied(refusal)

    subject = contact_subject_clean(subject)
    message = message.strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = gettext("Please write a subject.")
    elif len(subject) > CONTACT_SUBJECT_MAX:
        errors["subject"] = gettext("The subject can have at most %(limit)d characters.") % {
            "limit": CONTACT_SUBJECT_MAX
        }
    if len(message) < CONTACT_MESSAGE_MIN:
        errors["message"] = gettext(
            "The message is too short: please write at least %(limit)d characters."
        ) % {"limit": CONTACT_MESSAGE_MIN}
    elif len(message) > CONTACT_MESSAGE_MAX:
        errors["message"] = gettext("The message is too long: at most %(limit)d characters.") % {
            "limit": CONTACT_MESSAGE_MAX
        }
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Lock the sender's row so two messages sent at the same moment cannot both slip under the limit
        # (PostgreSQL; SQLite's immediate transactions already run one writer at a time).
        locked = _account_models.User.objects.select_for_update().filter(pk=sender.pk)
        list(locked.values_list("pk", flat=True))
        if _contact_limit_reached(sender):
            hourly = CONTACT_SEND_LIMITS[0][1]
            daily = CONTACT_SEND_LIMITS[1][1]
            raise ValidationError(
                gettext(
                    "You have reached the limit of messages to contact persons (%(hourly)d per hour, "
                    "%(daily)d per day). Please try again later."
                )
                % {"hourly": hourly, "daily": daily},
                code="rate_limited",
            )
        audit_log_record(
            actor=sender,
            action=CONTACT_AUDIT_ACTION,
            target=practice,
            recipient_id=practice.contact_id,
            shared_email=share_email,
        )
        email = _contact_email(
            sender=sender, practice=practice, subject=subject, message=message, share_email=share_email
        )
        # Sent only once the audit entry is stored: a rolled-back send must not reach anyone.
        transaction.on_commit(email.send)

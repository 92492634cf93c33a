"""Members write practices here: a new record, editing their own draft, and the list of their records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from connective.accounts.rules import is_editor
from connective.practices.duplicates import NearDuplicate, near_duplicates
from connective.practices.forms import (
    SERVICE_TO_FORM_FIELD,
    LinkFormSet,
    PracticeForm,
    links_data,
    links_initial,
)
from connective.practices.models import Practice, PracticeReview
from connective.practices.selectors import practices_visible_to
from connective.practices.services import (
    REQUIRED_FOR_SUBMISSION,
    practice_add_document,
    practice_add_image,
    practice_create_draft,
    practice_remove_image,
    practice_update,
)
from connective.practices.services import practice_submit as practice_submit_for_review

MY_PRACTICES_PER_PAGE = 20
_REQUIRED_FORM_FIELDS = frozenset(
    SERVICE_TO_FORM_FIELD.get(name, name) for name in REQUIRED_FOR_SUBMISSION
) - {
    "contact_email"  # empty means the author, so it is never missing
}


@login_required
@require_http_methods(["GET", "POST"])
def practice_submit(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("practices.add_practice"):
        raise Http404
    return _practice_form(request, practice=None)


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: HttpRequest, slug: str) -> HttpResponse:
    practice = practices_visible_to(request.user).filter(slug=slug).select_related("city", "country").first()
    if practice is None:
        raise Http404("No such practice.")
    if practice.author_id != request.user.pk:
        # Editors change other people's records in the back office, where the review history is.
        if is_editor(request.user):
            return redirect(reverse("wagtailsnippets_practices_practice:edit", args=[practice.pk]))
        raise Http404("No such practice.")
    if not request.user.has_perm("practices.change_practice", practice):
        messages.info(
            request,
            _("“%(title)s” is %(status)s and cannot be changed now.")
            % {"title": practice.title, "status": practice.get_status_display().lower()},
        )
        return redirect("practices:mine")
    return _practice_form(request, practice=practice)


def _practice_form(request: HttpRequest, *, practice: Practice | None) -> HttpResponse:
    user: Any = request.user
    duplicates: list[NearDuplicate] = []
    if request.method == "POST":
        form = PracticeForm(request.POST, request.FILES, user=user, practice=practice)
        links = LinkFormSet(request.POST, prefix="links")
        submitting = request.POST.get("action") == "submit"
        valid = form.is_valid()
        valid = links.is_valid() and valid
        if valid and submitting:
            valid = form.check_complete()
        if valid:
            duplicates = _duplicates_to_confirm(form, practice)
        if valid and not duplicates:
            saved = _save(request, form=form, links=links, practice=practice, submitting=submitting)
            if saved is not None:
                if submitting:
                    messages.success(
                        request, _("Thank you. Your practice was submitted; an editor will review it.")
                    )
                    return redirect("practices:mine")
                messages.success(request, _("Your draft was saved."))
                return redirect("practices:edit", slug=saved.slug)
    else:
        initial = (
            PracticeForm.initial_for(practice)
            if practice is not None
            else {"language": _default_language(request)}
        )
        form = PracticeForm(initial=initial, user=user, practice=practice)
        links = LinkFormSet(initial=links_initial(practice), prefix="links")
    held = request.method == "POST" and bool(form.errors or links.total_error_count() or duplicates)
    status = 400 if held else 200
    return render(
        request,
        "practices/submit.html",
        {
            "form": form,
            "links": links,
            "practice": practice,
            "error_summary": _error_summary(form, links),
            "required_fields": _REQUIRED_FORM_FIELDS,
            "duplicates": duplicates,
        },
        status=status,
    )


def _duplicates_to_confirm(form: PracticeForm, practice: Practice | None) -> list[NearDuplicate]:
    """Published practices the member should look at before this one is saved ([] when there is nothing to
    ask): none once they ticked "a different practice", and none on an edit that leaves the title, summary
    and language as saved, which were checked (or confirmed) when they were last changed."""
    data = form.cleaned_data
    if data.get("not_duplicate"):
        return []
    title = data.get("title") or ""
    summary = data.get("summary") or ""
    language = data.get("language") or (practice.language if practice is not None else "")
    if practice is not None and (title, summary, language) == (
        practice.title,
        practice.summary,
        practice.language,
    ):
        return []
    return near_duplicates(
        title=title,
        summary=summary,
        language=language,
        exclude_id=practice.pk if practice is not None else None,
    )


def _save(
    request: HttpRequest, *, form: PracticeForm, links: Any, practice: Practice | None, submitting: bool
) -> Practice | None:
    """Everything the member sent, in one transaction: a refusal by any service saves none of it."""
    user: Any = request.user
    data = form.practice_data()
    data["links"] = links_data(links)
    try:
        with transaction.atomic():
            if practice is None:
                saved = practice_create_draft(author=user, data=data)
            else:
                saved = practice_update(actor=user, practice=practice, data=data)
            for image in form.existing_images:
                if str(image.pk) in form.cleaned_data.get("remove_images", []):
                    practice_remove_image(actor=user, practice=saved, practice_image=image)
            if form.cleaned_data.get("image"):
                practice_add_image(
                    actor=user,
                    practice=saved,
                    file=form.cleaned_data["image"],
                    alt_text=form.cleaned_data.get("image_alt") or "",
                    caption=form.cleaned_data.get("image_caption") or "",
                )
            if form.cleaned_data.get("document"):
                practice_add_document(
                    actor=user,
                    practice=saved,
                    file=form.cleaned_data["document"],
                    title=form.cleaned_data.get("document_title") or "",
                )
            if submitting:
                practice_submit_for_review(actor=user, practice=saved)
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    return saved


def _default_language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]


def _error_summary(form: PracticeForm, links: Any) -> list[tuple[str, str]]:
    """(anchor, message) for each error, so the summary at the top links to the field it is about."""
    summary: list[tuple[str, str]] = []
    for message in form.non_field_errors():
        summary.append(("", str(message)))
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form[name]
        anchor = field.auto_id
        if name in {"topics", "sdgs", "remove_images"}:
            anchor = f"{field.auto_id}_0"
        for message in errors:
            summary.append((anchor, f"{field.label}: {message}"))
    for index, link_form in enumerate(links.forms, start=1):
        for name, errors in link_form.errors.items():
            for message in errors:
                label = link_form[name].label if name in link_form.fields else ""
                summary.append(
                    (
                        link_form[name].auto_id if name in link_form.fields else "",
                        f"{_('Link')} {index}, {label}: {message}",
                    )
                )
    return summary


@login_required
def my_practices(request: HttpRequest) -> HttpResponse:
    latest = PracticeReview.objects.filter(practice=OuterRef("pk")).order_by("-created_at", "-id")
    practices = (
        Practice.objects.filter(author=request.user)
        .select_related("city", "country")
        .annotate(
            last_review_action=Subquery(latest.values("action")[:1]),
            last_review_comment=Subquery(latest.values("comment")[:1]),
        )
        .order_by("-updated_at", "-id")
    )
    page = Paginator(practices, MY_PRACTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "practices/mine.html", {"page": page})

"""After the event: certificates (the participant's PDF, the public check of a code, issuing them), name badges,
the feedback survey and its results, and the documentation (outcomes, documents, practices presented).

Who sees what: the event itself must be visible to the viewer (else 404). A signed-out visitor is sent to sign
in on pages that belong to a person; a signed-in member without the right gets 404, so nobody learns what
exists behind an address. Organisers and programme staff (`events.manage`) run the organisers' pages.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connective.core.forms import add_service_errors
from connective.events.after_forms import (
    CertificateVerifyForm,
    DocumentForm,
    FeedbackForm,
    OutcomesForm,
    PracticeLinkForm,
)
from connective.events.certificates import (
    badges_pdf,
    certificate_by_code,
    certificate_of,
    certificate_pdf,
    certificates_due,
    certificates_issue,
    certificates_issued_count,
)
from connective.events.documentation import (
    document_add,
    document_get,
    document_remove,
    documents_for,
    outcomes_update,
    practice_link,
    practice_unlink,
    practices_presented,
)
from connective.events.feedback import feedback_may_give, feedback_problem, feedback_results, feedback_submit
from connective.events.models import EventDocument
from connective.events.registration import RegistrationError
from connective.events.selectors import EventAccess, event_for
from connective.groups.uploads import download_response

# --- helpers ------------------------------------------------------------------------------------------


def _manager_access(request: HttpRequest, slug: str) -> EventAccess:
    """The event if the viewer organises it (or is programme staff); 404 for everyone else."""
    access = event_for(request.user, slug)
    if not rules.has_perm("events.manage", request.user, access):
        raise Http404
    return access


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal documents: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


# --- certificates -------------------------------------------------------------------------------------


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone types a certificate's code and is taken to its page."""
    form = CertificateVerifyForm(request.GET or None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            code = form.cleaned_data["code"]
            if certificate_by_code(code) is not None:
                return redirect("events:certificate_check", code=code)
            form.add_error(
                "code", _("No certificate has this code. Check the code printed on the certificate.")
            )
            status = 404
        else:
            status = 400
    return render(request, "events/certificate_verify.html", {"form": form}, status=status)


@require_safe
def certificate_check(request: HttpRequest, code: str) -> HttpResponse:
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    return render(
        request,
        "events/certificate_check.html",
        {"certificate": certificate, "valid": certificate.revoked_at is None},
    )


@require_safe
def certificate(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The signed-in participant's own certificate as a PDF."""
    access = event_for(request.user, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = certificate_of(access.registration)
    if found is None:
        raise Http404
    return _pdf_response(certificate_pdf(found), f"certificate-{access.event.slug}.pdf")


@require_POST
def issue_certificates(request: HttpRequest, slug: str) -> HttpResponse:
    access = _manager_access(request, slug)
    try:
        issued = certificates_issue(event=access.event, actor=request.user)
    except RegistrationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(count)d certificate was issued; the participant is told.",
                    "%(count)d certificates were issued; the participants are told.",
                    issued,
                )
                % {"count": issued},
            )
        else:
            messages.info(request, _("Every participant checked in already has a certificate."))
    return redirect("events:documentation", slug=access.event.slug)


@require_safe
def badges(request: HttpRequest, slug: str) -> HttpResponse:
    access = _manager_access(request, slug)
    if not access.event.badges:
        raise Http404
    return _pdf_response(badges_pdf(access.event), f"badges-{access.event.slug}.pdf")


# --- feedback -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    access = event_for(request.user, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    registration = access.registration
    if registration is None or not feedback_may_give(registration):
        raise Http404
    event = access.event
    problem = feedback_problem(registration)
    form = FeedbackForm(request.POST or None, questions=list(event.survey_questions or []))
    status = 200
    if request.method == "POST":
        status = 400
        if problem is None and form.is_valid():
            data = form.cleaned_data
            try:
                feedback_submit(
                    registration=registration,
                    overall=data["overall"],
                    usefulness=data["usefulness"],
                    answers=form.answers(),
                    comment=data["comment"],
                )
            except RegistrationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect("events:feedback", slug=event.slug)
    context = {"event": event, "access": access, "form": form, "problem": problem}
    return render(request, "events/feedback_form.html", context, status=status)


@require_safe
def feedback_results_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _manager_access(request, slug)
    context = {"event": access.event, "access": access, "results": feedback_results(access.event)}
    return render(request, "events/feedback_results.html", context)


# --- documentation ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def documentation(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisers' page after the event: outcomes, documents, practices presented, certificates, badges."""
    access = _manager_access(request, slug)
    event = access.event
    user: Any = request.user
    outcomes_form = OutcomesForm(initial={"outcomes": event.outcomes})
    document_form = DocumentForm()
    practice_form = PracticeLinkForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "outcomes":
            outcomes_form = OutcomesForm(request.POST)
            if outcomes_form.is_valid():
                try:
                    outcomes_update(event=event, actor=user, outcomes=outcomes_form.cleaned_data["outcomes"])
                except ValidationError as error:
                    add_service_errors(outcomes_form, error)
                else:
                    messages.success(request, _("The outcomes are saved."))
                    return redirect("events:documentation", slug=event.slug)
        elif action == "document":
            document_form = DocumentForm(request.POST, request.FILES)
            if document_form.is_valid():
                data = document_form.cleaned_data
                try:
                    added = document_add(
                        event=event,
                        actor=user,
                        kind=data["kind"],
                        title=data["title"],
                        file=data["file"],
                        url=data["url"],
                        participants_only=data["participants_only"],
                    )
                except ValidationError as error:
                    add_service_errors(document_form, error)
                else:
                    messages.success(request, _("“%(title)s” is added.") % {"title": added.title})
                    return redirect("events:documentation", slug=event.slug)
        elif action == "practice":
            practice_form = PracticeLinkForm(request.POST)
            if practice_form.is_valid():
                practice = practice_form.cleaned_data["practice"]
                try:
                    practice_link(event=event, actor=user, practice=practice)
                except ValidationError as error:
                    add_service_errors(practice_form, error)
                else:
                    messages.success(request, _("“%(title)s” is linked.") % {"title": practice.title})
                    return redirect("events:documentation", slug=event.slug)
        elif action == "remove_document":
            document = EventDocument.objects.filter(
                event=event, pk=_int(request.POST.get("document"))
            ).first()
            if document is None:
                raise Http404
            document_remove(document=document, actor=user)
            messages.success(request, _("“%(title)s” is removed.") % {"title": document.title})
            return redirect("events:documentation", slug=event.slug)
        elif action == "unlink_practice":
            linked = event.practices.filter(pk=_int(request.POST.get("practice"))).first()
            if linked is None:
                raise Http404
            practice_unlink(event=event, actor=user, practice=linked)
            messages.success(request, _("“%(title)s” is no longer linked.") % {"title": linked.title})
            return redirect("events:documentation", slug=event.slug)
        else:
            messages.error(request, _("This action is unknown. Please use the buttons on the page."))
        status = 400
    context = {
        "event": event,
        "access": access,
        "outcomes_form": outcomes_form,
        "document_form": document_form,
        "practice_form": practice_form,
        "documents": list(documents_for(access)),
        "practices": list(practices_presented(event, published_only=False)),
        "certificates_issued": certificates_issued_count(event) if event.certificates else 0,
        "certificates_due": certificates_due(event).count() if event.certificates else 0,
    }
    return render(request, "events/documentation.html", context, status=status)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require_safe
def document(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """A document of the event as a download; participants-only ones for participants and organisers."""
    access = event_for(request.user, slug)
    found = document_get(access, pk)
    if found is None or not found.file:
        raise Http404
    return download_response(
        file=found.file, name=PurePosixPath(found.file.name or "").name, content_type=found.content_type
    )


fixed_urlpatterns: list[URLPattern] = [
    path("certificates/", verify, name="verify"),
    path("certificates/<str:code>/", certificate_check, name="certificate_check"),
]

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/certificate.pdf", certificate, name="certificate"),
    path("<slug:slug>/feedback/", feedback, name="feedback"),
    path("<slug:slug>/manage/feedback/", feedback_results_page, name="feedback_results"),
    path("<slug:slug>/manage/certificates/", issue_certificates, name="issue_certificates"),
    path("<slug:slug>/manage/badges.pdf", badges, name="badges"),
    path("<slug:slug>/manage/documentation/", documentation, name="documentation"),
    path("<slug:slug>/documents/<int:pk>/", document, name="document"),
]

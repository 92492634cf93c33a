"""The editors' review screen in the back office: the record, its history, and the decision form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from connective.accounts.rules import is_editor
from connective.practices.forms import ReviewForm
from connective.practices.models import Practice, PracticeImage, ReviewAction
from connective.practices.services import REVIEW_SERVICES, practice_allowed_actions

LISTING_URL = "wagtailsnippets_practices_practice:list"
EDIT_URL = "wagtailsnippets_practices_practice:edit"
HISTORY_URL = "wagtailsnippets_practices_practice:history"

# What the editor reads when choosing, per decision.
DECISION_LABELS: dict[str, Any] = {
    ReviewAction.APPROVE: ReviewAction.APPROVE.label,
    ReviewAction.REQUEST_CHANGES: ReviewAction.REQUEST_CHANGES.label,
    ReviewAction.REJECT: ReviewAction.REJECT.label,
    ReviewAction.UNPUBLISH: ReviewAction.UNPUBLISH.label,
}


class PracticeReviewView(WagtailAdminTemplateMixin, FormView):  # type: ignore[type-arg]
    template_name = "practices/admin/review.html"
    header_icon = "tasks"
    form_class = ReviewForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_editor(request.user):
            raise PermissionDenied
        self.practice = get_object_or_404(
            Practice.objects.select_related(
                "city", "country", "region", "author", "contact", "lead_organisation"
            ),
            pk=kwargs["pk"],
        )
        self.decisions = practice_allowed_actions(self.practice, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Review")

    def get_page_subtitle(self) -> str:
        return self.practice.title

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(LISTING_URL), "label": _("Good practices")},
            {"url": reverse(EDIT_URL, args=[self.practice.pk]), "label": self.practice.title},
            {"url": "", "label": _("Review")},
        ]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["choices"] = [(action, DECISION_LABELS[action]) for action in self.decisions]
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        practice = self.practice
        context.update(
            practice=practice,
            sections=practice.sections(),
            topics=list(practice.topics.all()),
            sdgs=list(practice.sdgs.all()),
            partners=list(practice.partners.all()),
            images=list(PracticeImage.objects.filter(practice=practice).select_related("image")),
            documents=list(practice.documents.select_related("document")),
            links=list(practice.links.all()),
            relations=list(practice.relations.select_related("target")),
            reviews=list(practice.reviews.select_related("actor")[:50]),
            revisions=list(practice.revisions.select_related("user").order_by("-created_at", "-id")[:20]),
            history_url=reverse(HISTORY_URL, args=[practice.pk]),
            edit_url=reverse(EDIT_URL, args=[practice.pk]),
            can_decide=bool(self.decisions),
        )
        return context

    def form_valid(self, form: ReviewForm) -> HttpResponse:
        decision = form.cleaned_data["decision"]
        service = REVIEW_SERVICES[decision]
        try:
            editor: Any = self.request.user
            service(editor=editor, practice=self.practice, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(title)s”: %(decision)s. The author has been told by e-mail.")
            % {"title": self.practice.title, "decision": DECISION_LABELS[decision]},
        )
        return redirect(LISTING_URL)


practice_review = PracticeReviewView.as_view()

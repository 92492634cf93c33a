"""The call for topics: members propose an event their city would host and follow the programme's answer;
programme staff accept or decline proposals and turn accepted ones into event drafts.

A member sees only their own proposals; staff see every one. Anyone else's proposal, and the staff actions for
anyone but staff, answer 404.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connective.core.forms import errors_text
from connective.core.pagination import page_links
from connective.events.models import EventProposal, ProposalStatus
from connective.events.proposal_forms import SERVICE_TO_FORM_FIELD, ProposalDecisionForm, ProposalForm
from connective.events.proposal_selectors import proposal_for_review, proposal_own, proposals_for
from connective.events.proposals import (
    proposal_decide,
    proposal_submit,
    proposal_to_event,
    proposal_withdraw,
)

PROPOSALS_PER_PAGE = 25


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("events.propose", request.user):
        raise Http404
    if request.method != "POST":
        form = ProposalForm(user=request.user)
        return render(request, "events/propose.html", {"form": form})
    form = ProposalForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            proposal_submit(proposer=request.user, **form.service_data())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    field = SERVICE_TO_FORM_FIELD.get(key, key)
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you: your proposal was sent. The programme will answer you here and by notification."
                ),
            )
            return redirect("events:proposals")
    return render(request, "events/propose.html", {"form": form}, status=400)


def _proposals_context(
    request: HttpRequest, *, only: EventProposal | None = None, bound: ProposalDecisionForm | None = None
) -> dict[str, Any]:
    """The list of proposals, or with `only` the one proposal whose answer had errors, with its typed form."""
    reviewer = bool(rules.has_perm("events.review_proposals", request.user))
    status = request.GET.get("status", "")
    if status not in ProposalStatus.values:
        status = ""
    if only is not None:
        proposals: list[EventProposal] = [only]
        page = None
    else:
        page = Paginator(
            proposals_for(request.user, status=status, everyone=reviewer), PROPOSALS_PER_PAGE
        ).get_page(request.GET.get("page"))
        proposals = list(page.object_list)
    rows = []
    for proposal in proposals:
        form = None
        if reviewer and proposal.status == ProposalStatus.SUBMITTED:
            form = bound if bound is not None else ProposalDecisionForm(prefix=f"p{proposal.pk}")
        rows.append((proposal, form))
    return {
        "rows": rows,
        "page": page,
        "page_links": page_links(request, page) if page is not None else {},
        "reviewer": reviewer,
        "only": only,
        "status": status,
        "status_choices": [("", _("All proposals")), *ProposalStatus.choices],
    }


@login_required
@require_safe
def proposals(request: HttpRequest) -> HttpResponse:
    return render(request, "events/proposals.html", _proposals_context(request))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_own(request.user, pk)
    try:
        proposal_withdraw(proposal=proposal, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("Your proposal “%(title)s” is withdrawn.") % {"title": proposal.title})
    return redirect("events:proposals")


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_review(request.user, pk)
    form = ProposalDecisionForm(request.POST, prefix=f"p{proposal.pk}")
    if form.is_valid():
        try:
            proposal_decide(
                proposal=proposal, accept=form.accept, note=form.cleaned_data["note"], actor=request.user
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Decided by someone else meanwhile: the list shows how.
                messages.error(request, errors_text(error))
                return redirect(reverse("events:proposals") + f"#proposal-{proposal.pk}")
            for key, errors in error.error_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            if form.accept:
                text = _("Proposal “%(title)s” accepted; the proposer has been told.")
            else:
                text = _("Proposal “%(title)s” declined; the proposer has been told.")
            messages.success(request, text % {"title": proposal.title})
            return redirect(reverse("events:proposals") + f"#proposal-{proposal.pk}")
    # Shown again on its own with what was typed, so a long answer is not lost to a missing choice.
    context = _proposals_context(request, only=proposal, bound=form)
    return render(request, "events/proposals.html", context, status=400)


@login_required
@require_POST
def create_event(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_review(request.user, pk)
    try:
        event = proposal_to_event(proposal=proposal, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect(reverse("events:proposals") + f"#proposal-{proposal.pk}")
    messages.success(
        request,
        _("The event draft “%(title)s” is created. Complete it here, then publish it.")
        % {"title": event.title},
    )
    return redirect("wagtailsnippets_events_event:edit", event.pk)


fixed_urlpatterns: list[URLPattern] = [
    path("propose/", propose, name="propose"),
    path("proposals/", proposals, name="proposals"),
    path("proposals/<int:pk>/withdraw/", withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/decide/", decide, name="proposal_decide"),
    path("proposals/<int:pk>/event/", create_event, name="proposal_event"),
]

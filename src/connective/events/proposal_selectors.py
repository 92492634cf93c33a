"""Reads of event proposals: a member sees their own, programme staff see every one. Anything else is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from connective.accounts.rules import is_member, is_programme_staff
from connective.events.models import EventProposal, ProposalStatus


def proposals_for(user: Any, *, status: str = "", everyone: bool = False) -> QuerySet[EventProposal]:
    """The proposals `user` may see, newest first: their own, or with `everyone` (staff only) all of them."""
    if not is_member(user):
        return EventProposal.objects.none()
    proposals = EventProposal.objects.select_related(
        "proposer", "organisation", "city__country", "event", "reviewed_by"
    ).prefetch_related("topics")
    if not (everyone and is_programme_staff(user)):
        proposals = proposals.filter(proposer=user)
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    return proposals.order_by("-created_at", "-pk")


def proposal_own(user: Any, pk: int) -> EventProposal:
    """A proposal of `user`'s own; 404 for anyone else's."""
    proposal = proposals_for(user).filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal


def proposal_for_review(user: Any, pk: int) -> EventProposal:
    """Any proposal, for programme staff; 404 for everyone else."""
    if not is_programme_staff(user):
        raise Http404
    proposal = proposals_for(user, everyone=True).filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal

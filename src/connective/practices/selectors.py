"""Every read of practices, filtered by what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from connective.accounts.rules import is_editor
from connective.practices.models import Practice, PracticeImage, PracticeStatus


def practices_visible_to(user: Any) -> QuerySet[Practice]:
    """Published practices for everyone; a member also sees their own; editors see all."""
    queryset = Practice.objects.all()
    if is_editor(user):
        return queryset
    if user is not None and user.is_authenticated:
        return queryset.filter(Q(status=PracticeStatus.PUBLISHED) | Q(author=user))
    return queryset.filter(status=PracticeStatus.PUBLISHED)


def practices_public() -> QuerySet[Practice]:
    return Practice.objects.filter(status=PracticeStatus.PUBLISHED)


def with_card_data(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    """What a practice card shows, fetched in a fixed number of queries."""
    return queryset.select_related("city", "country", "region").prefetch_related(
        "topics",
        Prefetch("images", queryset=PracticeImage.objects.select_related("image").order_by("position", "id")),
    )


def practice_get_visible(*, user: Any, slug: str) -> Practice:
    """The practice with all it shows on its page, or 404 when the viewer may not see it."""
    queryset = practices_visible_to(user).select_related(
        "city", "country", "region", "lead_organisation", "contact", "contact__organisation", "author"
    ).prefetch_related(
        "topics",
        "sdgs",
        "partners",
        "links",
        Prefetch("images", queryset=PracticeImage.objects.select_related("image").order_by("position", "id")),
        "documents__document",
    )
    practice = queryset.filter(slug=slug).first()
    if practice is None:
        raise Http404("No such practice.")
    return practice


def practice_related(*, practice: Practice, limit: int = 6) -> list[tuple[str, Practice]]:
    """Published practices linked either way, with the relation as the reader should see it."""
    from connective.practices.models import PracticeRelation

    outgoing = PracticeRelation.objects.filter(source=practice, target__status=PracticeStatus.PUBLISHED)
    incoming = PracticeRelation.objects.filter(target=practice, source__status=PracticeStatus.PUBLISHED)
    pairs: list[tuple[str, Practice]] = []
    for relation in outgoing.select_related("target__city", "target__country")[:limit]:
        pairs.append((relation.kind, relation.target))
    for relation in incoming.select_related("source__city", "source__country")[: max(0, limit - len(pairs))]:
        # "B adapts A" reads on A's page as "adapted by B".
        kind = {"adapts": "adapted_by", "replicates": "replicated_by"}.get(relation.kind, relation.kind)
        pairs.append((kind, relation.source))
    return pairs


def practice_home_highlights(*, user: Any) -> dict[str, Any]:
    published = practices_public()
    latest = list(with_card_data(published.order_by("-published_at", "-id"))[:6])
    return {
        "latest_practices": latest,
        "practice_count": published.count(),
        "country_count": published.values("country").distinct().count(),
        "city_count": published.values("city").distinct().count(),
    }

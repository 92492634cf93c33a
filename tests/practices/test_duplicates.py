"""Submitting a practice that is already in the knowledge base: held with a warning before anything is saved.

These run the real encoder: a practice typed in Spanish is recognised as one published in German.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from connective.core.models import Topic
from connective.practices.duplicates import near_duplicates
from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import practice_search_document, practice_search_index
from connective.practices.tasks import practice_index
from connective.search.vectors import DUPLICATE_THRESHOLD, VectorIndex, forget_vector_tables
from tests.factories import PracticeFactory, UserFactory, city

pytestmark = pytest.mark.django_db

BUDGET_DE = {
    "title": "Bonner Bürgerbudget: Einwohnerinnen und Einwohner entscheiden über 1,5 Millionen Euro",
    "summary": (
        "Die Bundesstadt Bonn stellt jährlich einen festen Betrag aus dem Investitionshaushalt bereit, über "
        "dessen Verwendung die Bevölkerung in einem mehrstufigen Verfahren abstimmt. Vorschläge werden online "
        "und in Stadtteilwerkstätten gesammelt, von der Verwaltung geprüft und anschließend zur Wahl gestellt."
    ),
    "language": "de",
    "challenge": "Viele Bonnerinnen und Bonner fühlten sich von Entscheidungen über ihren Stadtbezirk ausgeschlossen.",
    "objectives": "Die Bevölkerung direkt über einen Teil der Investitionen entscheiden lassen.",
    "solution": "Ein jährliches Bürgerbudget mit Vorschlagsphase, Prüfung durch die Verwaltung und Abstimmung.",
}
BUDGET_ES_TITLE = "Presupuesto ciudadano de Bonn: los habitantes deciden sobre 1,5 millones de euros"
BUDGET_ES_SUMMARY = (
    "La ciudad federal de Bonn reserva cada año una cantidad fija de su presupuesto de inversiones, cuyo uso "
    "decide la población en un procedimiento de varias etapas. Las propuestas se recogen en línea y en talleres "
    "de barrio, la administración las examina y después se someten a votación."
)


@pytest.fixture(autouse=True)
def _cities(db: Any) -> None:
    # The city chooser looks names up among the GeoNames cities, loaded per country on first use.
    city("Bonn", "DE")
    city("Sfax", "TN")


def published(**fields: Any) -> Practice:
    """A published practice, indexed by its words and its meaning as the background task does it."""
    practice = PracticeFactory(city=city("Bonn", "DE"), **fields)
    assert practice_index.call(practice.pk) is True
    return practice


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": BUDGET_ES_TITLE,
        "summary": BUDGET_ES_SUMMARY,
        "language": "es",
        "city_name": "Bonn",
        "country": "DE",
        "topics": [str(Topic.objects.get(slug="good-urban-governance").pk)],
        "challenge": "Muchos vecinos se sentían excluidos de las decisiones sobre su barrio.",
        "solution": "Un presupuesto anual con propuestas, revisión técnica y votación.",
        "licence": "cc-by-4.0",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "30",
        "links-0-title": "Bürgerbudget Bonn",
        "links-0-url": "https://www.bonn.de/buergerbudget",
        "links-0-kind": "source",
        "action": "draft",
    }
    data.update(overrides)
    return data


def test_near_duplicates_finds_a_german_practice_from_its_spanish_translation() -> None:
    german = published(**BUDGET_DE)

    found = near_duplicates(title=BUDGET_ES_TITLE, summary=BUDGET_ES_SUMMARY, language="es")

    assert [duplicate.practice for duplicate in found] == [german]
    assert found[0].reason == "very similar title and summary"
    assert found[0].score is not None
    assert found[0].score >= DUPLICATE_THRESHOLD


def test_practice_submit_in_spanish_of_a_german_practice_is_held_with_a_warning(
    client: Any, member: Any
) -> None:
    german = published(**BUDGET_DE)
    client.force_login(member)

    response = client.post(reverse("practices:submit"), form_data())

    assert response.status_code == 400
    assert list(Practice.objects.all()) == [german]
    content = html.unescape(response.content.decode())
    assert "This practice may already be in the knowledge base" in content
    assert f'<a href="{german.get_absolute_url()}" lang="de" dir="ltr">{german.title}</a>' in content
    assert "Bonn, Germany · German · very similar title and summary" in content
    assert 'name="not_duplicate"' in content
    assert "This is a different practice: save it anyway" in content
    # Everything typed is still in the form.
    assert f'value="{BUDGET_ES_TITLE}"' in content
    assert BUDGET_ES_SUMMARY in content
    assert "Muchos vecinos se sentían excluidos de las decisiones sobre su barrio." in content
    assert 'value="https://www.bonn.de/buergerbudget"' in content
    assert '<option value="es" selected>' in content


def test_practice_submit_with_not_duplicate_ticked_saves_it(client: Any, member: Any) -> None:
    published(**BUDGET_DE)
    client.force_login(member)

    response = client.post(reverse("practices:submit"), form_data(not_duplicate="on"))

    saved = Practice.objects.get(author=member)
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:edit", kwargs={"slug": saved.slug})
    assert saved.title == BUDGET_ES_TITLE
    assert saved.language == "es"
    assert saved.status == PracticeStatus.DRAFT
    assert Practice.objects.count() == 2


def test_practice_submit_of_an_unrelated_practice_saves_without_warning(client: Any, member: Any) -> None:
    published(**BUDGET_DE)
    client.force_login(member)
    data = form_data(
        title="Bus rapid transit for Sfax",
        summary="Dedicated bus lanes and level boarding cut commuting times in half.",
        language="en",
        city_name="Sfax",
        country="TN",
        challenge="Congested roads and long commutes.",
        solution="Two dedicated bus corridors with level boarding.",
    )

    response = client.post(reverse("practices:submit"), data)

    assert response.status_code == 302
    assert Practice.objects.get(author=member).title == "Bus rapid transit for Sfax"


def test_practice_submit_with_the_same_title_is_held_without_the_encoder(
    client: Any, member: Any, settings: Any
) -> None:
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
    existing = published(**BUDGET_DE)
    client.force_login(member)
    # Another case, no accents, other punctuation, and a summary about something else altogether.
    data = form_data(
        title="BONNER BURGERBUDGET – Einwohnerinnen und Einwohner entscheiden uber 1.5 Millionen Euro!",
        summary="Ein anderer Text.",
        language="de",
    )

    response = client.post(reverse("practices:submit"), data)

    assert response.status_code == 400
    assert list(Practice.objects.all()) == [existing]
    content = html.unescape(response.content.decode())
    assert "Bonn, Germany · German · same title" in content


def test_near_duplicates_without_the_encoder_ignores_a_title_that_only_contains_the_words(
    settings: Any,
) -> None:
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
    published(**BUDGET_DE)

    found = near_duplicates(title="Bonner Bürgerbudget", summary=BUDGET_ES_SUMMARY, language="de")

    assert found == []


def test_near_duplicates_never_lists_drafts_of_others(client: Any, member: Any) -> None:
    other = UserFactory()
    draft = PracticeFactory(
        author=other, status=PracticeStatus.DRAFT, published_at=None, city=city("Bonn", "DE"), **BUDGET_DE
    )
    # Even were a draft in both indexes (a practice unpublished a moment ago, its task still queued).
    document = practice_search_document(draft)
    practice_search_index().index([document])
    VectorIndex("practice").index([document])
    client.force_login(member)

    found = near_duplicates(title=BUDGET_DE["title"], summary=BUDGET_DE["summary"], language="de")
    response = client.post(reverse("practices:submit"), form_data())

    assert found == []
    assert response.status_code == 302
    assert Practice.objects.filter(author=member).count() == 1


def test_near_duplicates_does_not_list_the_practice_excluded() -> None:
    german = published(**BUDGET_DE)

    found = near_duplicates(
        title=BUDGET_DE["title"], summary=BUDGET_DE["summary"], language="de", exclude_id=german.pk
    )

    assert found == []
    assert [
        d.practice for d in near_duplicates(title=german.title, summary=german.summary, language="de")
    ] == [german]


def test_practice_edit_does_not_flag_the_practice_itself(client: Any, editor: Any) -> None:
    # An editor edits their own published practice in the member's form (others' in the back office).
    own = published(author=editor, **BUDGET_DE)
    client.force_login(editor)
    reworded = BUDGET_DE["summary"].replace("jährlich", "jedes Jahr")
    data = form_data(title=BUDGET_DE["title"], summary=reworded, language="de")

    response = client.post(reverse("practices:edit", kwargs={"slug": own.slug}), data)

    own.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:edit", kwargs={"slug": own.slug})
    assert own.summary == reworded
    assert Practice.objects.count() == 1


def test_practice_submit_keeps_the_ticked_box_through_other_errors(client: Any, member: Any) -> None:
    published(**BUDGET_DE)
    client.force_login(member)

    response = client.post(reverse("practices:submit"), form_data(not_duplicate="on", city_name="Atlantis"))

    assert response.status_code == 400
    assert not Practice.objects.filter(author=member).exists()
    content = response.content.decode()
    assert '<input type="hidden" name="not_duplicate" value="on">' in content
    assert "This practice may already be in the knowledge base" not in content


def test_practice_edit_keeping_title_and_summary_is_not_asked_again(client: Any, member: Any) -> None:
    # The member confirmed "a different practice" when the draft was first saved; saving it again with
    # the same title and summary does not ask once more.
    published(**BUDGET_DE)
    draft = PracticeFactory(
        author=member,
        status=PracticeStatus.DRAFT,
        published_at=None,
        city=city("Bonn", "DE"),
        title=BUDGET_ES_TITLE,
        summary=BUDGET_ES_SUMMARY,
        language="es",
    )
    client.force_login(member)

    response = client.post(
        reverse("practices:edit", kwargs={"slug": draft.slug}), form_data(solution="Votación en línea.")
    )

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.solution == "Votación en línea."
    assert (
        near_duplicates(title=draft.title, summary=draft.summary, language="es")[0].practice.language == "de"
    )

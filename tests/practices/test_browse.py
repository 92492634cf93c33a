from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connective.practices.models import Practice, PracticeStatus
from connective.practices.tasks import practice_index
from tests.factories import PracticeFactory, city

pytestmark = pytest.mark.django_db

LIST_URL = "/en/practices/"
MAP_URL = "/en/practices/map/"


def indexed(**kwargs: Any) -> Practice:
    practice = PracticeFactory(**kwargs)
    practice_index.call(practice.pk)
    return practice


@pytest.fixture
def many_practices() -> list[Practice]:
    places = [city("Tunis", "TN"), city("Leipzig", "DE"), city("Sfax", "TN")]
    now = timezone.now()
    return [
        indexed(
            title=f"Flood plan {n}",
            city=places[n % 3],
            topics=["climate-adaptation", "mobility"] if n % 2 else ["housing"],
            start_year=2015 + n % 4,
            published_at=now - timedelta(days=n),
        )
        for n in range(32)
    ]


def test_practice_list_shows_cards_facets_and_count(client: Client, many_practices: list[Practice]) -> None:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "32 practices" in html
    assert html.count('class="card"') == 20
    assert "Flood plan 0" in html
    assert 'href="?topic=housing"' in html
    assert re.search(r"Housing</span> <span class=\"count\">16<", html)
    assert 'href="?page=2" rel="next"' in html


@pytest.mark.parametrize(
    "params",
    [
        "",
        "?q=flood",
        "?q=flood&sort=newest&page=2",
        "?topic=housing&country=TN&year=2015&size=large&lang=en&sdg=11&region=mena",
        "?q=flood&topic=integrated-urban-development&page=2",
    ],
)
def test_practice_list_uses_few_queries(
    client: Client, many_practices: list[Practice], django_assert_max_num_queries: Any, params: str
) -> None:
    # The vocabulary, the facet table and the vectors are in memory after the first page. With words: the
    # index version, the ranked matches, the titles word for word and the vectors' version, then the page.
    client.get(LIST_URL + params)
    with django_assert_max_num_queries(7):
        response = client.get(LIST_URL + params)
    assert response.status_code == 200


def test_practice_list_uses_at_most_ten_queries_with_a_cold_cache(
    client: Client, many_practices: list[Practice], django_assert_max_num_queries: Any
) -> None:
    from django.core.cache import cache

    # The first request of a process also builds the facet table (3 queries, whatever the data size) and
    # loads the vectors (1); the vectors' version and the titles word for word are read on every search.
    with django_assert_max_num_queries(15):
        response = client.get(LIST_URL + "?q=flood&topic=housing")
    assert response.status_code == 200
    cache.clear()
    with django_assert_max_num_queries(11):
        response = client.get(LIST_URL + "?q=flood&topic=housing")
    assert response.status_code == 200


def test_practice_list_marks_selected_filters_and_links_to_remove_them(
    client: Client, many_practices: list[Practice]
) -> None:
    html = client.get(LIST_URL + "?q=flood&topic=housing&country=TN").content.decode()
    assert '<a href="?q=flood&amp;country=TN" rel="nofollow" aria-current="true">' in html
    assert "Remove Topic: Housing" in html
    assert "Remove search text “flood”" in html
    assert 'href="/en/practices/map/?q=flood&amp;topic=housing&amp;country=TN"' in html
    assert 'value="flood"' in html


def test_practice_list_sort_form_keeps_the_other_parameters(
    client: Client, many_practices: list[Practice]
) -> None:
    html = client.get(LIST_URL + "?q=flood&topic=housing&sort=oldest&page=2").content.decode()
    sort_form = html[html.index('class="sort-form"') : html.index("</form>", html.index('class="sort-form"'))]
    assert '<input type="hidden" name="q" value="flood">' in sort_form
    assert '<input type="hidden" name="topic" value="housing">' in sort_form
    assert 'name="page"' not in sort_form
    assert '<option value="oldest" selected>' in sort_form


def test_practice_list_pages_link_back_and_forth(client: Client, many_practices: list[Practice]) -> None:
    html = client.get(LIST_URL + "?sort=newest&page=2").content.decode()
    assert 'href="?sort=newest&amp;page=1" rel="prev"' in html
    assert '<span aria-current="page">2</span>' in html
    assert "Flood plan 20" in html
    assert "Flood plan 19" not in html


def test_practice_list_never_shows_drafts(client: Client, many_practices: list[Practice]) -> None:
    indexed(title="Secret flood draft", status=PracticeStatus.DRAFT, published_at=None)
    assert "Secret flood draft" not in client.get(LIST_URL + "?q=secret").content.decode()
    assert "Secret flood draft" not in client.get(LIST_URL).content.decode()


def test_practice_list_explains_an_empty_result(client: Client) -> None:
    indexed(title="Flood plan")
    response = client.get(LIST_URL + "?q=volcano")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No practice matches this search." in html
    assert "0 practices" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("q=" + "x" * 201, "Search text can be at most 200 characters long (it has 201)."),
        ("topic=nope", "There is no topic “nope”."),
        ("sdg=abc", "“abc” is not an SDG number: use a number from 1 to 17."),
        ("sdg=18", "There is no SDG 18: use a number from 1 to 17."),
        ("region=atlantis", "There is no region “atlantis”."),
        ("country=XX", "There is no country with the code “XX”."),
        ("size=huge", "There is no city size “huge”."),
        ("year=20x0", "“20x0” is not a year: use four digits, e.g. 2020."),
        ("lang=xx", "There is no content language “xx”."),
        ("city=abc", "The city must be given by its number."),
        ("sort=best", "Sort by relevance, newest or oldest, not “best”."),
        ("page=0", "Pages are counted from 1."),
        ("page=two", "The page must be a number, e.g. 2."),
        ("page=3", "There is no page 3: the results fit on 2 pages."),
    ],
)
def test_practice_list_explains_bad_parameters(
    client: Client, many_practices: list[Practice], params: str, message: str
) -> None:
    response = client.get(f"{LIST_URL}?{params}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    assert 'role="alert"' in html


def test_practice_list_keeps_valid_filters_when_one_is_wrong(
    client: Client, many_practices: list[Practice]
) -> None:
    response = client.get(LIST_URL + "?topic=housing&topic=nope&country=TN")
    assert response.status_code == 400
    # The wrong topic list is left out; the country filter still applies.
    assert "21 practices" in response.content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "(flood",
        "flood AND",
        "OR",
        "NEAR(flood plan)",
        "*",
        "-flood",
        "flood*",
        "🌊",
        "فيضان",
        "'",
        "\\",
        "%",
    ],
)
def test_practice_list_never_fails_on_search_text(
    client: Client, many_practices: list[Practice], typed: str
) -> None:
    response = client.get(LIST_URL, {"q": typed})
    assert response.status_code == 200


def test_practice_list_works_in_arabic(client: Client, many_practices: list[Practice]) -> None:
    response = client.get("/ar/practices/?q=flood")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_practice_map_draws_each_practice_and_lists_it(client: Client) -> None:
    tunis = city("Tunis", "TN")
    practice = indexed(title="Bus lanes for Tunis", city=tunis)
    indexed(title="Draft lanes", city=tunis, status=PracticeStatus.DRAFT, published_at=None)
    response = client.get(MAP_URL)
    assert response.status_code == 200
    html = response.content.decode()
    x, y = round(tunis.longitude + 180, 1), round(90 - tunis.latitude, 1)
    assert (
        f'<a href="{practice.get_absolute_url()}"><title>Bus lanes for Tunis</title>'
        f'<circle class="point" cx="{x}" cy="{y}" r="2.5"/></a>'
    ) in html
    assert f'<li><a href="{practice.get_absolute_url()}"><bdi>Bus lanes for Tunis</bdi></a></li>' in html
    assert "<h4>Tunisia</h4>" in html
    assert "Draft lanes" not in html
    assert "<script" not in html


def test_practice_map_keeps_decimal_points_in_other_languages(client: Client) -> None:
    tunis = city("Tunis", "TN")
    indexed(title="Bus lanes", city=tunis)
    html = client.get("/de/practices/map/").content.decode()
    assert f'cx="{round(tunis.longitude + 180, 1)}"' in html


def test_practice_map_honours_the_filters(client: Client, many_practices: list[Practice]) -> None:
    html = client.get(MAP_URL + "?country=DE&q=flood").content.decode()
    assert "11 practices" in html
    assert "<h4>Germany</h4>" in html
    assert "<h4>Tunisia</h4>" not in html
    assert 'href="/en/practices/?country=DE&amp;q=flood"' in html


def test_practice_map_groups_large_sets_by_city(
    client: Client, many_practices: list[Practice], monkeypatch: Any
) -> None:
    from connective.practices import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 10)
    html = client.get(MAP_URL).content.decode()
    assert "32 practices in 3 cities" in html
    leipzig = city("Leipzig", "DE")
    assert f'<a href="/en/practices/?city={leipzig.pk}"><bdi>Leipzig</bdi></a> (11 practices)' in html


def test_practice_map_uses_few_queries(
    client: Client, many_practices: list[Practice], django_assert_max_num_queries: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    # As the list's cold page, less the ranking: the vectors' version and their loading included.
    with django_assert_max_num_queries(12):
        response = client.get(MAP_URL + "?q=flood&topic=housing")
    assert response.status_code == 200


def test_practice_map_explains_bad_parameters(client: Client) -> None:
    response = client.get(MAP_URL + "?topic=nope")
    assert response.status_code == 400
    assert (
        "There is no topic &ldquo;nope&rdquo;." in response.content.decode()
        or "There is no topic “nope”." in (response.content.decode())
    )


def test_practice_list_links_its_export_with_the_search(
    client: Client, many_practices: list[Practice]
) -> None:
    html = client.get(LIST_URL + "?q=flood&page=2").content.decode()
    assert '<a href="/en/practices/export.csv?q=flood" rel="nofollow">CSV</a>' in html

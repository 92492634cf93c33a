"""Template helpers that build links keeping the reader's query."""

from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from connective.practices.selectors import FacetValue


def render(source: str, query: str, **context: object) -> str:
    request = RequestFactory().get(f"/en/practices/?{query}")
    return Template("{% load connective %}" + source).render(Context({"request": request, **context}))


def test_query_toggle_adds_a_value_and_drops_the_page() -> None:
    assert render("{% query_toggle 'topic' 'waste' %}", "q=flood&topic=water&page=3") == (
        "?q=flood&amp;topic=water&amp;topic=waste"
    )


def test_query_toggle_removes_a_selected_value() -> None:
    assert render("{% query_toggle 'topic' 'water' %}", "q=flood&topic=water") == "?q=flood"


def test_facet_items_link_each_value_with_its_count_and_state() -> None:
    values = [
        FacetValue("water", "Water <and> sanitation", 12345, True),
        FacetValue("waste", "Waste", 7, False, level=1),
    ]
    with translation.override("de"):
        html = render("{% facet_items 'topic' values %}", "q=flood&topic=water&page=2", values=values)
    first, second = html.split("\n")
    assert first == (
        '<li><a href="?q=flood" rel="nofollow" aria-current="true"><span><span class="visually-hidden">'
        'Ausgewählt: </span>Water &lt;and&gt; sanitation</span> <span class="count">12345'
        '<span class="visually-hidden"> Praxisbeispiele</span></span></a></li>'
    )
    assert second.startswith(
        '<li class="sub"><a href="?q=flood&amp;topic=water&amp;topic=waste" rel="nofollow">'
    )
    assert "aria-current" not in second


def test_map_points_write_numbers_for_svg_in_any_language() -> None:
    from connective.practices.selectors import MapPoint

    points = [MapPoint(193.4, 38.7, "Tunis <&>", 12, "/en/practices/?city=3", "MENA", "Tunisia")]
    with translation.override("de"):
        html = render("{% map_points points True %}", "", points=points)
    assert html == (
        '<a href="/en/practices/?city=3"><title>Tunis &lt;&amp;&gt; (12)</title>'
        f'<circle class="point" cx="193.4" cy="38.7" r="{points[0].radius}"/></a>'
    )
    assert "," not in html


def test_facet_items_links_equal_query_toggle_for_every_value() -> None:
    query = "q=flood&topic=water&country=TN&country=DE&page=4"
    values = [FacetValue(v, v, 1, v in {"water", "TN"}) for v in ("water", "waste", "TN", "BR")]
    for key in ("topic", "country", "sdg"):
        html = render("{% facet_items key values %}", query, key=key, values=values)
        for value in values:
            expected = render(f"{{% query_toggle '{key}' '{value.value}' %}}", query)
            assert f'href="{expected}"' in html

"""WCAG 2.2 A/AA checks with axe-core (shipped inside the axe-playwright-python wheel) on the key pages."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("path", ["/en/", "/ar/", "/en/accounts/login/", "/fr/accounts/signup/"])
def test_page_has_no_wcag_violations(page: Any, path: str) -> None:
    page.goto(path)
    assert axe_violations(page) == []


@pytest.fixture
def indexed_practice(published_practice: Any) -> Any:
    from connective.practices.tasks import practice_index

    practice_index.call(published_practice.pk)
    return published_practice


@pytest.mark.parametrize(
    "path",
    [
        "/en/practices/",
        "/en/practices/?q=solar&topic=mobility",
        "/en/practices/?q=nothing+matches+this",
        "/en/practices/{slug}/",
        "/ar/practices/{slug}/",
        "/en/practices/map/",
    ],
)
def test_practice_page_has_no_wcag_violations(page: Any, indexed_practice: Any, path: str) -> None:
    page.goto(path.format(slug=indexed_practice.slug))
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/en/practices/new/", "/en/practices/mine/", "/en/practices/{slug}/"])
def test_member_practice_page_has_no_wcag_violations(
    page: Any, indexed_practice: Any, member: Any, path: str
) -> None:
    from tests.e2e.conftest import log_in

    log_in(page, member.email)
    page.goto(path.format(slug=indexed_practice.slug))
    assert axe_violations(page) == []


def test_practice_form_with_errors_has_no_wcag_violations(page: Any, member: Any) -> None:
    from tests.e2e.conftest import log_in

    log_in(page, member.email)
    page.goto("/en/practices/new/")
    page.get_by_role("button", name="Submit for review").click()
    page.locator("#error-summary").wait_for()
    assert axe_violations(page) == []

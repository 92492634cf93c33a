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

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_has_landmarks_skip_link_and_language_switcher(page: Any) -> None:
    page.goto("/en/")
    assert page.locator("header[role=banner]").count() == 1
    assert page.locator("main#main").count() == 1
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.get_by_role("link", name="AR Arabic").click()
    page.wait_for_url("**/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"

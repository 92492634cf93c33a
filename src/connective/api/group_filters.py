"""The `page` parameter of the groups API's threads and posts. (The list of groups takes the group list
page's own form, groups.forms.GroupFilterForm, so the page and the API filter alike.)"""

from __future__ import annotations

from django import forms
from django.utils.translation import ngettext

from connective.core.forms import page_number_field


class PageForm(forms.Form):
    """A page number; check_page tells a page beyond the last one once the pages are counted."""

    page = page_number_field()

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def check_page(self, num_pages: int) -> bool:
        """Add an error when the page asked for is beyond the last one; True when the page exists."""
        page = int(self.cleaned_data["page"])
        if page <= num_pages:
            return True
        message = ngettext(
            "There is no page %(page)d: the results fit on %(pages)d page.",
            "There is no page %(page)d: the results fit on %(pages)d pages.",
            num_pages,
        ) % {"page": page, "pages": num_pages}
        self.add_error("page", forms.ValidationError(message, code="out_of_range"))
        return False

"""The group library: the list with search, adding a document or a link, downloading, removing.

Readers of the group see the library (others get 404); members who may post add to it; the member who added
an item and the moderators remove it.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connective.groups.library import (
    library_item_add,
    library_item_get,
    library_item_remove,
    library_items,
    library_languages,
    library_may_add,
    library_may_remove,
)
from connective.groups.library_forms import LibraryItemForm, LibrarySearchForm
from connective.groups.models import LibraryItemKind
from connective.groups.selectors import group_get_readable
from connective.groups.uploads import download_response
from connective.groups.views.moderation import add_service_errors, page_links

LIBRARY_PER_PAGE = 25


@require_GET
def library(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_get_readable(viewer=request.user, slug=slug)
    languages = library_languages(access.group)
    search = LibrarySearchForm(request.GET or None, languages=languages)
    filters = search.cleaned_data if search.is_valid() else {}
    items = library_items(
        access, q=filters.get("q", ""), kind=filters.get("kind", ""), language=filters.get("language", "")
    )
    page = Paginator(items, LIBRARY_PER_PAGE).get_page(request.GET.get("page"))
    user = request.user
    names = dict(languages)
    rows = [
        (item, library_may_remove(user, access, item), names.get(item.language, item.language))
        for item in page.object_list
    ]
    context = {
        "access": access,
        "group": access.group,
        "tab": "library",
        "search": search,
        "searching": any(filters.get(key) for key in ("q", "kind", "language")),
        "page": page,
        "rows": rows,
        "links": page_links(request, page),
        "may_add": library_may_add(user, access),
    }
    return render(request, "groups/library.html", context)


@require_http_methods(["GET", "POST"])
def library_add(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_get_readable(viewer=request.user, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not library_may_add(request.user, access):
        raise PermissionDenied(_("Only members who may post in the group add to its library."))
    languages = library_languages(access.group)
    status = 200
    if request.method == "POST":
        form = LibraryItemForm(request.POST, request.FILES, languages=languages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = library_item_add(
                    adder=request.user,
                    access=access,
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    language=data["language"],
                    file=data["file"],
                    url=data["url"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(title)s” is in the library.") % {"title": item.title})
                return redirect("groups:library", slug=access.group.slug)
        status = 400
    else:
        form = LibraryItemForm(
            initial={"kind": LibraryItemKind.DOCUMENT, "language": request.LANGUAGE_CODE}, languages=languages
        )
    context = {"access": access, "group": access.group, "tab": "library", "form": form}
    return render(request, "groups/library_form.html", context, status=status)


@require_GET
def library_item(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """A shared document, for readers of the group only, always as a download."""
    access = group_get_readable(viewer=request.user, slug=slug)
    item = library_item_get(access=access, pk=pk)
    if item.kind != LibraryItemKind.DOCUMENT or not item.file:
        raise Http404("No document.")
    return download_response(
        file=item.file, name=PurePosixPath(item.file.name or "").name, content_type=item.content_type
    )


@require_POST
def library_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = group_get_readable(viewer=request.user, slug=slug)
    item = library_item_get(access=access, pk=pk)
    user: Any = request.user
    if not library_may_remove(user, access, item):
        raise PermissionDenied(_("Only the member who added it and the moderators may remove this."))
    library_item_remove(actor=user, access=access, item=item)
    messages.success(request, _("“%(title)s” is no longer in the library.") % {"title": item.title})
    return redirect(reverse("groups:library", kwargs={"slug": access.group.slug}))


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/library/", library, name="library"),
    path("<slug:slug>/library/add/", library_add, name="library_add"),
    path("<slug:slug>/library/<int:pk>/", library_item, name="library_item"),
    path("<slug:slug>/library/<int:pk>/remove/", library_remove, name="library_remove"),
]

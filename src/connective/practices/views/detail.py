"""The public page of one practice, the contact relay and the PDF export.

Visibility comes from `practice_get_visible` alone: a page, its contact form and its PDF show the same
practices to the same viewer, and a 404 for everything else.
"""

from __future__ import annotations

import hashlib
import mimetypes
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from connective.core.forms import add_service_errors
from connective.network.selectors import person_view
from connective.practices.contact_forms import PracticeContactForm
from connective.practices.models import LinkKind, Practice, PracticeLink
from connective.practices.selectors import practice_get_visible, practice_related
from connective.practices.services import contact_public_name, practice_contact_refusal, practice_contact_send
from connective.practices.similar import similar_practices

# How the page names each relation, read from this practice's side (see selectors.practice_related).
RELATION_LABELS = {
    "adapts": gettext_lazy("Adapts"),
    "replicates": gettext_lazy("Replicates"),
    "adapted_by": gettext_lazy("Adapted by"),
    "replicated_by": gettext_lazy("Replicated by"),
    "related": gettext_lazy("Related practice"),
}

# The locator map is an equirectangular world (x = longitude + 180, y = 90 - latitude) cropped at 60° south.
MAP_HEIGHT = 150


def _content_direction(practice: Practice) -> str:
    return "rtl" if practice.language in settings.LANGUAGES_BIDI else "ltr"


def _safe_links(practice: Practice, kind: str) -> list[PracticeLink]:
    # Links come from members and imports; only web addresses become clickable, never script or data URLs.
    return [
        link
        for link in practice.links.all()
        if link.kind == kind and urlsplit(link.url).scheme in {"http", "https"}
    ]


def _map_marker(practice: Practice) -> dict[str, float]:
    x = min(max(practice.longitude + 180.0, 0.0), 360.0)
    y = min(max(90.0 - practice.latitude, 0.0), float(MAP_HEIGHT))
    return {"x": round(x, 1), "y": round(y, 1)}


def _page_context(practice: Practice, viewer: Any) -> dict[str, Any]:
    """What the page and the PDF both show."""
    images = list(practice.images.all())
    # One query for every image's renditions instead of one per image.
    prefetch_related_objects([item.image for item in images], "renditions")
    contact = practice.contact
    return {
        "practice": practice,
        "content_dir": _content_direction(practice),
        "images": images,
        "sources": _safe_links(practice, LinkKind.SOURCE),
        "further_links": _safe_links(practice, LinkKind.LINK),
        "contact_name": contact_public_name(contact) if contact else "",
        # Position and organisation as the contact shows them to this viewer (their profile's visibility).
        "contact_view": person_view(contact, viewer, brief=True) if contact else None,
        "marker": _map_marker(practice),
        "map_height": MAP_HEIGHT,
    }


def _related(practice: Practice) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": RELATION_LABELS.get(kind, RELATION_LABELS["related"]), "practice": other}
        for kind, other in practice_related(practice=practice)
    ]


def _render_detail(
    request: HttpRequest, practice: Practice, *, form: PracticeContactForm | None = None, status: int = 200
) -> HttpResponse:
    context = _page_context(practice, request.user)
    refusal = practice_contact_refusal(sender=request.user, practice=practice)
    context.update(
        {
            "related": _related(practice),
            "similar": similar_practices(practice=practice),
            "can_contact": refusal is None,
            "contact_form": form if form is not None else PracticeContactForm(),
            "can_edit": request.user.has_perm("practices.change_practice", practice),
            "source_url": request.build_absolute_uri(practice.get_absolute_url()),
        }
    )
    return render(request, "practices/detail.html", context, status=status)


@require_safe
def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = practice_get_visible(user=request.user, slug=slug)
    return _render_detail(request, practice)


@require_http_methods(["GET", "POST"])
def practice_contact(request: HttpRequest, slug: str) -> HttpResponse:
    practice = practice_get_visible(user=request.user, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = practice_contact_refusal(sender=request.user, practice=practice)
    form = PracticeContactForm(request.POST if request.method == "POST" else None)
    status = 200
    if refusal is not None:
        status = 403
    elif request.method == "POST":
        if form.is_valid():
            try:
                practice_contact_send(
                    sender=request.user,  # type: ignore[arg-type]
                    practice=practice,
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    share_email=form.cleaned_data["share_email"],
                )
            except PermissionDenied as denied:
                refusal, status = str(denied), 403
            except ValidationError as error:
                status = 429 if getattr(error, "code", None) == "rate_limited" else 400
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your message was sent to the contact person."))
                return redirect(practice.get_absolute_url())
        else:
            status = 400
    context = {
        "practice": practice,
        "content_dir": _content_direction(practice),
        "contact_name": contact_public_name(practice.contact) if practice.contact else "",
        "form": form,
        "refusal": refusal,
    }
    return render(request, "practices/contact.html", context, status=status)


# --- PDF ------------------------------------------------------------------------------------------------

PDF_CACHE_SECONDS = 3600


def _pdf_fetcher() -> Any:
    """WeasyPrint may read our media and static files, nothing else: a PDF never fetches from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    site = settings.SITE_URL.rstrip("/")

    class LocalFilesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme == "storage":
                name = unquote(parts.path)
                data = _read_storage(name)
            elif url.startswith(site + settings.MEDIA_URL):
                name = unquote(parts.path)[len(settings.MEDIA_URL) :]
                data = _read_storage(name)
            elif url.startswith(site + settings.STATIC_URL):
                name = unquote(parts.path)[len(settings.STATIC_URL) :]
                found = finders.find(name) if ".." not in name.split("/") else None
                if not found or isinstance(found, list):
                    raise ValueError(f"No such static file: {name}")
                with open(found, "rb") as handle:
                    data = handle.read()
            else:
                raise ValueError(f"Only local files go into a PDF, not {url}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})

    return LocalFilesOnly(allowed_protocols={"storage", "http", "https"})


def _read_storage(name: str) -> bytes:
    if not name or ".." in name.split("/"):
        raise ValueError(f"Not a media file: {name}")
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def practice_pdf_bytes(*, practice: Practice, source_url: str) -> bytes:
    from weasyprint import HTML

    # The PDF is cached and shared by every reader, so it shows the contact as a visitor sees them.
    context = _page_context(practice, None)
    context["source_url"] = source_url
    context["site_name"] = settings.WAGTAIL_SITE_NAME
    html = render_to_string("practices/pdf.html", context)
    output = BytesIO()
    HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_pdf_fetcher()).write_pdf(output)
    return output.getvalue()


@require_safe
def practice_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    practice = practice_get_visible(user=request.user, slug=slug)
    source_url = request.build_absolute_uri(practice.get_absolute_url())
    if practice.is_published:
        # The PDF of a published record is the same for every reader; render it once per version and language.
        version = f"{practice.pk}:{practice.updated_at.isoformat()}:{get_language()}:{source_url}"
        key = "practice-pdf:" + hashlib.sha256(version.encode()).hexdigest()
        pdf = cache.get(key)
        if pdf is None:
            pdf = practice_pdf_bytes(practice=practice, source_url=source_url)
            cache.set(key, pdf, PDF_CACHE_SECONDS)
    else:
        pdf = practice_pdf_bytes(practice=practice, source_url=source_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{practice.slug}.pdf"'
    if practice.is_published:
        patch_cache_control(response, public=True, max_age=PDF_CACHE_SECONDS)
    else:
        # A record under review is for its author and editors only; no shared cache may keep it.
        patch_cache_control(response, private=True, no_store=True)
    return response

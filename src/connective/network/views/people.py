"""People, organisation and city pages, who works with whom, and the member's profile form.

What a viewer sees of a person comes from selectors.person_view alone: a field the viewer may not see is not
in the PersonView, so no template here can show it. Lists of people are filtered in the database by the same
visibility (so pages count right) and then shown through person_view.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from connective.core.maps import project
from connective.core.models import City
from connective.core.pagination import page_links
from connective.network.forms import (
    LanguageFormSet,
    ProfileForm,
    ProfileLinkFormSet,
    language_choices,
    languages_initial,
    links_initial,
    profile_data,
)
from connective.network.models import Organisation, Profile
from connective.network.selectors import (
    NETWORK_PRACTICE_LIMIT,
    ROLE_LABELS,
    PersonView,
    network_of,
    organisation_practices,
    people_showing,
    person_get_visible,
    person_practices,
    person_view,
    with_profile_data,
)
from connective.network.services import profile_ensure, profile_update
from connective.practices.selectors import practices_public

PAGE_SIZE = 20
# --- Helpers ----------------------------------------------------------------------------------------------


def _page(request: HttpRequest, items: Any, param: str) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def _write_url(slug: str) -> str:
    # The conversation view is another part of the network; until its route exists the address is built
    # by hand, the same one it will have.
    try:
        return reverse("network:write", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/{get_language() or 'en'}/people/{slug}/write/"


def _safe_links(view: PersonView) -> list[Any]:
    # Only web addresses become clickable, never script or data URLs (the service also refuses them).
    return [link for link in view.links if link.url.lower().startswith(("http://", "https://"))]


def _small_map(latitude: float, longitude: float) -> dict[str, float]:
    """A 90° by 45° window of the world map around a place, and the place's point in it."""
    x, y = project(latitude, longitude)
    width, height = 90.0, 45.0
    left = min(max(x - width / 2, 0.0), 360.0 - width)
    top = min(max(y - height / 2, 0.0), 180.0 - height)
    return {
        "x": round(x, 2),
        "y": round(y, 2),
        "left": round(left, 2),
        "top": round(top, 2),
        "width": width,
        "height": height,
    }


# --- People -----------------------------------------------------------------------------------------------


@require_safe
def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_get_visible(viewer=request.user, slug=slug)
    page = _page(request, person_practices(user_id=person.user_id), "page")
    contributions = [
        (
            practice,
            ", ".join(
                str(ROLE_LABELS[role])
                for role, holder in (("contact", practice.contact_id), ("author", practice.author_id))
                if holder == person.user_id
            ),
        )
        for practice in page.object_list
    ]
    context = {
        "person": person,
        "person_links": _safe_links(person),
        "contributions": contributions,
        "page": page,
        "page_links": page_links(request, page, "page"),
        # A PersonView is not a model, so the rule is asked directly rather than through the user.
        "can_write": rules.has_perm("network.offer_message", request.user, person),
        "write_url": _write_url(slug),
    }
    return render(request, "network/person.html", context)


@require_safe
def person_network(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_get_visible(viewer=request.user, slug=slug)
    network = network_of(person_practices(user_id=person.user_id), request.user, user_id=person.user_id)
    context = {
        "subject_name": person.name,
        "subject_url": person.url,
        "network": network,
        "limit": NETWORK_PRACTICE_LIMIT,
    }
    return render(request, "network/network_view.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    profile = profile_ensure(user=user)
    profile = (
        Profile.objects.select_related("user__organisation", "user__city", "user__country")
        .prefetch_related("expertise", "languages", "links")
        .get(pk=profile.pk)
    )
    if not user.has_perm("network.change_profile", profile):
        raise Http404
    if request.method == "POST":
        form = ProfileForm(
            request.POST, request.FILES, profile=profile, initial=ProfileForm.initial_for(profile)
        )
        languages = LanguageFormSet(request.POST, prefix="languages")
        links = ProfileLinkFormSet(request.POST, prefix="links")
        valid = form.is_valid()
        valid = languages.is_valid() and valid
        valid = links.is_valid() and valid
        if valid:
            try:
                profile_update(profile=profile, actor=user, data=profile_data(form, languages, links))
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("network:person", slug=profile.slug)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile), profile=profile)
        languages = LanguageFormSet(initial=languages_initial(profile), prefix="languages")
        links = ProfileLinkFormSet(initial=links_initial(profile), prefix="links")
    has_errors = bool(form.errors or languages.total_error_count() or links.total_error_count())
    context = {
        "form": form,
        # Not "languages": base.html uses that name for the interface languages.
        "language_rows": languages,
        "link_rows": links,
        "profile": profile,
        "language_choices": language_choices(),
        "error_summary": _error_summary(form, languages, links),
        # A file cannot be sent back to the browser: say so, rather than let it vanish unnoticed.
        "photo_lost": has_errors and bool(request.FILES.get("photo")) and "photo" not in form.errors,
    }
    return render(request, "network/profile_edit.html", context, status=400 if has_errors else 200)


def _error_summary(form: ProfileForm, languages: Any, links: Any) -> list[tuple[str, str]]:
    """(anchor, message) for each error, so the summary at the top links to the field it is about."""
    summary: list[tuple[str, str]] = [("", str(message)) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        bound = form[name]
        anchor = f"{bound.auto_id}_0" if name in {"expertise", "visibility"} else bound.auto_id
        summary.extend((anchor, f"{bound.label}: {message}") for message in errors)
    for title, formset in ((_("Language"), languages), (_("Link"), links)):
        summary.extend(("", str(message)) for message in formset.non_form_errors())
        for index, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                anchor = row[name].auto_id if name in row.fields else ""
                label = row[name].label if name in row.fields else ""
                summary.extend((anchor, f"{title} {index}, {label}: {message}") for message in errors)
    return summary


# --- Organisations ----------------------------------------------------------------------------------------


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("city", "country"), slug=slug)


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    members_query = with_profile_data(
        people_showing(request.user, "organisation")
        .filter(organisation=organisation)
        .order_by("last_name", "first_name", "pk")
    )
    members_page = _page(request, members_query, "members")
    members = [
        view
        for view in (person_view(user, request.user) for user in members_page.object_list)
        if view.organisation
    ]
    practices_page = _page(request, organisation_practices(organisation=organisation), "practices")
    context = {
        "organisation": organisation,
        "members": members,
        "members_page": members_page,
        "members_links": page_links(request, members_page, "members"),
        "practices_page": practices_page,
        "practices_links": page_links(request, practices_page, "practices"),
        "website_safe": organisation.website.lower().startswith(("http://", "https://")),
    }
    return render(request, "network/organisation.html", context)


@require_safe
def organisation_network(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(slug)
    network = network_of(
        organisation_practices(organisation=organisation), request.user, organisation_id=organisation.pk
    )
    context = {
        "subject_name": organisation.name,
        "subject_url": reverse("network:organisation", kwargs={"slug": organisation.slug}),
        "network": network,
        "limit": NETWORK_PRACTICE_LIMIT,
    }
    return render(request, "network/network_view.html", context)


# --- Cities -----------------------------------------------------------------------------------------------


@require_safe
def city_detail(request: HttpRequest, geoname_id: int) -> HttpResponse:
    city = get_object_or_404(City.objects.select_related("country__region"), geoname_id=geoname_id)
    people_query = with_profile_data(
        people_showing(request.user, "place").filter(city=city).order_by("last_name", "first_name", "pk")
    )
    people_page = _page(request, people_query, "people")
    people = [
        view for view in (person_view(user, request.user) for user in people_page.object_list) if view.city
    ]
    organisations_page = _page(
        request,
        Organisation.objects.filter(city=city).select_related("city", "country").order_by("name", "pk"),
        "organisations",
    )
    practices = (
        practices_public()
        .filter(city=city)
        .select_related("city", "country")
        .order_by("-published_at", "-id")
    )
    practice_total = practices.count()
    context = {
        "city": city,
        "people": people,
        "people_page": people_page,
        "people_links": page_links(request, people_page, "people"),
        "organisations_page": organisations_page,
        "organisations_links": page_links(request, organisations_page, "organisations"),
        "practices": list(practices[:PAGE_SIZE]) if practice_total else [],
        "practice_total": practice_total,
        "practices_url": f"{reverse('practices:list')}?city={city.pk}",
        # Robots read the page as a visitor: with nothing public on it, it stays out of search engines.
        "has_activity": bool(
            people_page.paginator.count or organisations_page.paginator.count or practice_total
        ),
        "map": _small_map(city.latitude, city.longitude),
    }
    return render(request, "network/city.html", context)


urlpatterns: list[URLPattern] = [
    path("people/<slug:slug>/", person_detail, name="person"),
    path("people/<slug:slug>/network/", person_network, name="person_network"),
    path("profile/edit/", profile_edit, name="profile_edit"),
    path("organisations/<slug:slug>/", organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/network/", organisation_network, name="organisation_network"),
    path("cities/<int:geoname_id>/", city_detail, name="city"),
]

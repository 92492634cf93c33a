"""The groups themselves: the list, each group's home with its threads, members, joining and leaving,
requests to join, invitations and settings.

Every group page extends groups/base_group.html and gets its context from `group_layout` (the other group
views call it too). Whether the viewer may see a group at all is decided by selectors.group_get_for: a secret
group answers 404 to everyone who is not a member, invited, or programme staff.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from connective.accounts.rules import is_member, is_programme_staff
from connective.core.forms import errors_text
from connective.core.pagination import page_links
from connective.groups import converters  # noqa: F401  (registers <group_slug:...>)
from connective.groups.forms import (
    GroupFilterForm,
    GroupSettingsForm,
    InvitationAnswerForm,
    InviteForm,
    InviteSearchForm,
    JoinRequestForm,
    ModeratorForm,
    RequestDecisionForm,
)
from connective.groups.group_selectors import (
    group_search,
    invitation_count_for,
    invitations_pending_for,
    invite_candidates,
    join_request_pending_of,
    join_requests_pending,
    members_of,
    moderators_of,
    roles_in,
    topics_of,
)
from connective.groups.models import Access, Invitation, RequestStatus
from connective.groups.selectors import GroupAccess, group_get_for, group_get_readable, threads_of
from connective.groups.services import (
    group_join,
    group_leave,
    group_update,
    invitation_answer,
    invitation_create,
    invitation_create_for_organisation,
    join_request_create,
    join_request_decide,
    join_request_withdraw,
    moderator_set,
)
from connective.groups.templatetags.group_layout import group_state
from connective.network.selectors import person_view

GROUPS_PER_PAGE = 24
THREADS_PER_PAGE = 30
MEMBERS_PER_PAGE = 50
REQUESTS_PER_PAGE = 25
INVITATIONS_PER_PAGE = 25


# --- Shared by every group page -----------------------------------------------------------------------------


def group_layout(request: HttpRequest, access: GroupAccess, *, tab: str) -> dict[str, Any]:
    """What groups/base_group.html needs: the group, the viewer's access, the tab (discussions, library,
    members, moderation or settings) and the viewer's membership state (templatetags.group_layout); a view
    that passes only `group` and `access` gets the state computed by the layout itself."""
    state = group_state(viewer=request.user, access=access)
    state["tab"] = tab
    return {"group": access.group, "access": access, "tab": tab, "state": state}


def _page(request: HttpRequest, items: Any, per_page: int) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _moderated(request: HttpRequest, slug: str) -> GroupAccess:
    """The group for one of its moderators (or staff); 404 for everyone else, as for a page that is not
    there for them."""
    access = group_get_for(viewer=request.user, slug=slug)
    if not rules.has_perm("groups.moderate", request.user, access):
        raise Http404("No such page.")
    return access


def _detail_url(access: GroupAccess) -> str:
    return reverse("groups:detail", kwargs={"slug": access.group.slug})


# --- The list of groups -----------------------------------------------------------------------------------


@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET)
    data = form.valid_data
    paginator = Paginator(group_search(viewer=request.user, query=data), GROUPS_PER_PAGE)
    number = data.get("page") or 1
    items: list[Any] = []
    out_of_range = number > paginator.num_pages
    if out_of_range:
        form.page_missing(number, paginator.num_pages)
        page = paginator.page(paginator.num_pages)
    else:
        page = paginator.page(number)
        items = list(page.object_list)
    roles = roles_in(viewer=request.user, group_ids=[group.pk for group in items])
    context = {
        "form": form,
        "page": page,
        "cards": [(group, roles.get(group.pk)) for group in items],
        "out_of_range": out_of_range,
        "page_links": page_links(request, page) if not out_of_range else {},
        "query_text": data.get("q", ""),
        "invitation_count": invitation_count_for(request.user),
    }
    return render(request, "groups/group_list.html", context, status=400 if form.errors else 200)


# --- A group's home -------------------------------------------------------------------------------------------


def _home_context(request: HttpRequest, access: GroupAccess) -> dict[str, Any]:
    viewer = request.user
    threads_page = None
    if access.can_read:
        threads = threads_of(access)
        if not access.is_moderator:
            # A thread whose opening post waits for a moderator is not there yet, except for its author.
            shown = Q(post_count__gt=0)
            if is_member(viewer):
                shown |= Q(author=viewer)
            threads = threads.filter(shown)
        threads_page = _page(request, threads.order_by("-pinned", "-last_post_at", "-pk"), THREADS_PER_PAGE)
    return {
        "moderators": [person_view(m.user, viewer, brief=True) for m in moderators_of(access.group)],
        "topics": topics_of(access.group),
        "threads_page": threads_page,
        "threads_links": page_links(request, threads_page) if threads_page else {},
    }


def _render_home(
    request: HttpRequest, access: GroupAccess, join_form: JoinRequestForm | None = None, status: int = 200
) -> HttpResponse:
    context = group_layout(request, access, tab="discussions")
    context.update(_home_context(request, access))
    context["join_form"] = join_form or JoinRequestForm()
    return render(request, "groups/group_detail.html", context, status=status)


@require_safe
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_home(request, group_get_for(viewer=request.user, slug=slug))


# --- Joining and leaving ------------------------------------------------------------------------------------


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Join an open group, or ask to join a closed one (with the message typed on the group's page)."""
    access = group_get_for(viewer=request.user, slug=slug)
    group = access.group
    if group.access == Access.CLOSED:
        form = JoinRequestForm(request.POST)
        if not form.is_valid():
            return _render_home(request, access, join_form=form, status=400)
        try:
            join_request_create(user=request.user, access=access, message=form.cleaned_data["message"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return _render_home(request, access, join_form=form, status=400)
        messages.success(
            request,
            _("Your request to join %(group)s was sent. The moderators will answer you.")
            % {"group": group.name},
        )
        return redirect(_detail_url(access))
    try:
        group_join(user=request.user, access=access)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
    return redirect(_detail_url(access))


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_get_for(viewer=request.user, slug=slug)
    join_request = join_request_pending_of(viewer=request.user, group=access.group)
    if join_request is None:
        messages.error(request, _("You have no request waiting for this group."))
        return redirect(_detail_url(access))
    try:
        join_request_withdraw(user=request.user, join_request=join_request)
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        messages.success(request, _("Your request to join was withdrawn."))
    return redirect(_detail_url(access))


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_get_for(viewer=request.user, slug=slug)
    group = access.group
    try:
        group_leave(user=request.user, access=access)
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect(_detail_url(access))
    messages.success(request, _("You left %(group)s.") % {"group": group.name})
    if group.access == Access.SECRET and not is_programme_staff(request.user):
        # The group is no longer there for the one who left it.
        return redirect("groups:list")
    return redirect(_detail_url(access))


# --- Members ------------------------------------------------------------------------------------------------


@require_safe
def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = group_get_readable(viewer=request.user, slug=slug)
    page = _page(request, members_of(access), MEMBERS_PER_PAGE)
    rows = [(membership, person_view(membership.user, request.user, brief=True)) for membership in page]
    context = group_layout(request, access, tab="members")
    context.update(
        page=page,
        rows=rows,
        page_links=page_links(request, page),
        can_moderate=rules.has_perm("groups.moderate", request.user, access),
    )
    return render(request, "groups/members.html", context)


@login_required
@require_POST
def moderator(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    access = _moderated(request, slug)
    form = ModeratorForm(request.POST)
    members_url = reverse("groups:members", kwargs={"slug": slug})
    membership = members_of(access).filter(user_id=user_id).first()
    if membership is None:
        raise Http404("No such member.")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(members_url)
    try:
        moderator_set(
            actor=request.user, access=access, user=membership.user, moderator=form.cleaned_data["moderator"]
        )
    except ValidationError as error:
        messages.error(request, errors_text(error))
    else:
        name = membership.user.display_name
        if form.cleaned_data["moderator"]:
            messages.success(request, _("%(name)s is now a moderator.") % {"name": name})
        else:
            messages.success(request, _("%(name)s is no longer a moderator.") % {"name": name})
    return redirect(members_url)


# --- Requests to join ----------------------------------------------------------------------------------------


def _render_requests(
    request: HttpRequest,
    access: GroupAccess,
    *,
    bound: tuple[int, RequestDecisionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = _page(request, join_requests_pending(access), REQUESTS_PER_PAGE)
    rows = []
    for join_request in page:
        form = bound[1] if bound and bound[0] == join_request.pk else RequestDecisionForm()
        rows.append((join_request, person_view(join_request.user, request.user, brief=True), form))
    context = group_layout(request, access, tab="members")
    context.update(page=page, rows=rows, page_links=page_links(request, page))
    return render(request, "groups/requests.html", context, status=status)


@login_required
@require_safe
def requests(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_requests(request, _moderated(request, slug))


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _moderated(request, slug)
    join_request = join_requests_pending(access).filter(pk=pk).first()
    if join_request is None:
        messages.error(request, _("This request was already answered or withdrawn."))
        return redirect("groups:requests", slug=slug)
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        return _render_requests(request, access, bound=(pk, form), status=400)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        join_request_decide(
            moderator=request.user,
            access=access,
            join_request=join_request,
            accept=accept,
            response=form.cleaned_data["response"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return _render_requests(request, access, bound=(pk, form), status=400)
    name = join_request.user.display_name
    if accept:
        messages.success(request, _("%(name)s is now a member.") % {"name": name})
    else:
        messages.success(request, _("You declined the request of %(name)s.") % {"name": name})
    return redirect("groups:requests", slug=slug)


# --- Invitations ------------------------------------------------------------------------------------------


@login_required
@require_safe
def invitations(request: HttpRequest) -> HttpResponse:
    page = _page(request, invitations_pending_for(request.user), INVITATIONS_PER_PAGE)
    return render(
        request,
        "groups/invitations.html",
        {"page": page, "page_links": page_links(request, page)},
    )


@login_required
@require_POST
def invitation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    viewer: Any = request.user
    invitation = (
        Invitation.objects.filter(pk=pk, invitee=viewer, status=RequestStatus.PENDING)
        .select_related("group")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("groups:invitations")
    accept = form.cleaned_data["decision"] == "accept"
    group = invitation.group
    try:
        invitation_answer(user=request.user, invitation=invitation, accept=accept)
    except ValidationError as error:
        messages.error(request, errors_text(error))
        return redirect("groups:invitations")
    if accept:
        messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
        return redirect("groups:detail", slug=group.slug)
    messages.success(request, _("You declined the invitation to %(group)s.") % {"group": group.name})
    return redirect("groups:invitations")


def _render_invite(
    request: HttpRequest, access: GroupAccess, *, text: str, form: InviteForm, status: int = 200
) -> HttpResponse:
    search = InviteSearchForm({"q": text})
    people: list[Any] = []
    organisations: list[Any] = []
    if search.is_valid():
        found_people, found_organisations = invite_candidates(
            viewer=request.user, access=access, text=search.cleaned_data["q"]
        )
        # Each with the value the form's `target` takes.
        people = [(f"user:{user.pk}", person_view(user, request.user, brief=True)) for user in found_people]
        organisations = [(f"organisation:{org.pk}", org) for org in found_organisations]
    context = group_layout(request, access, tab="members")
    context.update(
        search=search,
        form=form,
        query_text=text,
        people=people,
        organisations=organisations,
        searched=bool(text.strip()),
    )
    return render(request, "groups/invite.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Moderators find a person or an organisation by name and invite them, with a message."""
    access = _moderated(request, slug)
    if request.method != "POST":
        return _render_invite(request, access, text=request.GET.get("q", ""), form=InviteForm())
    form = InviteForm(request.POST)
    text = request.POST.get("q", "")
    if not form.is_valid():
        return _render_invite(request, access, text=text, form=form, status=400)
    message = form.cleaned_data["message"]
    try:
        if "invitee" in form.cleaned_data:
            invitee = form.cleaned_data["invitee"]
            invitation_create(inviter=request.user, access=access, invitee=invitee, message=message)
            messages.success(request, _("%(name)s is invited.") % {"name": invitee.display_name})
        else:
            organisation = form.cleaned_data["organisation"]
            sent = invitation_create_for_organisation(
                inviter=request.user, access=access, organisation=organisation, message=message
            )
            if sent:
                messages.success(
                    request,
                    _("%(count)d people of %(organisation)s are invited.")
                    % {"count": len(sent), "organisation": organisation.name},
                )
            else:
                messages.warning(
                    request,
                    _("Everyone at %(organisation)s is already a member or invited.")
                    % {"organisation": organisation.name},
                )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                form.add_error(key if key in form.fields else "target", errors)
        else:
            form.add_error(None, error)
        return _render_invite(request, access, text=text, form=form, status=400)
    invite_url = reverse("groups:invite", kwargs={"slug": slug})
    return redirect(f"{invite_url}?{urlencode({'q': text})}" if text.strip() else invite_url)


# --- Settings ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _moderated(request, slug)
    group = access.group
    staff = bool(is_programme_staff(request.user))
    initial = GroupSettingsForm.initial_for(group)
    if request.method == "POST":
        form = GroupSettingsForm(request.POST, request.FILES, initial=initial, group=group, staff=staff)
        if form.is_valid():
            try:
                group_update(actor=request.user, access=access, data=form.to_data())
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The group's settings were saved."))
                return redirect(_detail_url(access))
    else:
        form = GroupSettingsForm(initial=initial, group=group, staff=staff)
    context = group_layout(request, access, tab="settings")
    context.update(
        form=form,
        # A file cannot be sent back to the browser: say so, rather than let it vanish unnoticed.
        cover_lost=bool(form.errors) and bool(request.FILES.get("cover")) and "cover" not in form.errors,
    )
    return render(request, "groups/settings.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("", group_list, name="list"),
    path("invitations/", invitations, name="invitations"),
    path("invitations/<int:pk>/", invitation_respond, name="invitation_answer"),
    path("<group_slug:slug>/", group_detail, name="detail"),
    path("<group_slug:slug>/join/", join, name="join"),
    path("<group_slug:slug>/withdraw/", withdraw, name="withdraw"),
    path("<group_slug:slug>/leave/", leave, name="leave"),
    path("<group_slug:slug>/members/", members, name="members"),
    path("<group_slug:slug>/members/<int:user_id>/moderator/", moderator, name="moderator"),
    path("<group_slug:slug>/requests/", requests, name="requests"),
    path("<group_slug:slug>/requests/<int:pk>/", request_decide, name="request_decide"),
    path("<group_slug:slug>/invite/", invite, name="invite"),
    path("<group_slug:slug>/settings/", settings_page, name="settings"),
]

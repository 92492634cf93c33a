"""Working groups in the back office: programme staff create groups, change them and name their moderators;
a menu item leads to the reports of every group.

The forms save through services.group_create and services.group_update, so a group made here has the same
checks, counters, moderator memberships, moderation log and audit log as anywhere else. Groups are not deleted
here: their discussions belong to their members.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from connective.accounts.models import Role, User
from connective.accounts.rules import is_programme_staff
from connective.groups.forms import language_codes_from
from connective.groups.models import Group, MemberRole, Membership
from connective.groups.selectors import group_access
from connective.groups.services import (
    MAX_LANGUAGES,
    group_create,
    group_errors,
    group_update,
    group_validate_cover,
)
from connective.practices.models import ContentLanguage

MAX_MODERATORS = 20


class StaffOnlyPolicy(BasePermissionPolicy):
    """Programme staff (and administrators) add, change and view groups; nobody deletes them here."""

    ALLOWED = frozenset({"add", "change", "view"})

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action in self.ALLOWED and bool(is_programme_staff(user))

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return bool(self.ALLOWED & set(actions)) and bool(is_programme_staff(user))

    def users_with_any_permission(self, actions: Any) -> QuerySet[User]:
        if not self.ALLOWED & set(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(role__in=[Role.STAFF, Role.ADMINISTRATOR]), is_active=True
        )


class GroupAdminForm(WagtailAdminModelForm):
    """The group's fields, with its working languages as text and its moderators as e-mail addresses (the
    back office has no chooser of people, and staff know the addresses of those they name)."""

    languages_text = forms.CharField(
        label=_("Working languages"),
        required=False,
        max_length=200,
        help_text=_("Codes or names, separated by commas, e.g. “en, fr, ar”."),
    )
    moderator_emails = forms.CharField(
        label=_("Moderators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The e-mail addresses of the moderators, one per line. They become members of the group; "
            "moderators left out of the list keep their membership without the role."
        ),
    )
    description_language = forms.ChoiceField(
        label=_("Language of the description"), choices=ContentLanguage.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.instance
        if group is not None and group.pk:
            self.fields["languages_text"].initial = ", ".join(group.languages or [])
            self.fields["moderator_emails"].initial = "\n".join(
                Membership.objects.filter(group=group, role=MemberRole.MODERATOR)
                .order_by("joined_at", "pk")
                .values_list("user__email", flat=True)
            )

    def clean_languages_text(self) -> list[str]:
        codes, unknown = language_codes_from(self.cleaned_data.get("languages_text") or "")
        if unknown:
            raise ValidationError(
                gettext("We do not know the language “%(text)s”. Use two-letter codes, e.g. “en” or “fr”.")
                % {"text": unknown[0]}
            )
        if len(codes) > MAX_LANGUAGES:
            raise ValidationError(gettext("List at most %(limit)d languages.") % {"limit": MAX_LANGUAGES})
        return codes

    def clean_moderator_emails(self) -> list[User]:
        addresses = [
            line.strip().lower()
            for line in (self.cleaned_data.get("moderator_emails") or "").replace(",", "\n").splitlines()
            if line.strip()
        ]
        addresses = list(dict.fromkeys(addresses))
        if len(addresses) > MAX_MODERATORS:
            raise ValidationError(gettext("Name at most %(limit)d moderators.") % {"limit": MAX_MODERATORS})
        found = {
            user.email.lower(): user
            for user in User.objects.filter(email__in=addresses, is_active=True, deleted_at__isnull=True)
        }
        missing = [address for address in addresses if address not in found]
        if missing:
            raise ValidationError(
                gettext("No active member has the address %(addresses)s.") % {"addresses": ", ".join(missing)}
            )
        return [found[address] for address in addresses]

    def clean_cover(self) -> Any:
        cover = self.cleaned_data.get("cover")
        if isinstance(cover, UploadedFile):
            group_validate_cover(cover)
        return cover

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors:
            # The service's own checks, shown next to the fields they are about.
            data = self.service_data()
            data.pop("cover", None)
            for key, messages in group_errors(data).items():
                field = {"languages": "languages_text", "moderators": "moderator_emails"}.get(key, key)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned form in the shape group_create and group_update take."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            "name": cleaned.get("name") or "",
            "kind": cleaned.get("kind"),
            "access": cleaned.get("access"),
            "summary": cleaned.get("summary") or "",
            "description": cleaned.get("description") or "",
            "description_language": cleaned.get("description_language") or "en",
            "languages": cleaned.get("languages_text") or [],
            "topics": list(cleaned.get("topics") or []),
            "region": cleaned.get("region"),
            "hold_first_posts": bool(cleaned.get("hold_first_posts")),
            "moderators": cleaned.get("moderator_emails") or [],
        }
        cover = cleaned.get("cover")
        if isinstance(cover, UploadedFile):
            data["cover"] = cover
        elif cover is False:
            # The "clear" box of the file input.
            data["remove_cover"] = True
        return data


def _show_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            field = {"languages": "languages_text", "moderators": "moderator_emails"}.get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class GroupCreateView(CreateView):
    def save_instance(self) -> Group:
        data = self.form.service_data()
        data.pop("remove_cover", None)
        return group_create(actor=self.request.user, **data)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _show_service_errors(form, error)
            return self.form_invalid(form)


class GroupEditView(EditView):
    def save_instance(self) -> Group:
        access = group_access(viewer=self.request.user, group=self.object)
        return group_update(actor=self.request.user, access=access, data=self.form.service_data())

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _show_service_errors(form, error)
            return self.form_invalid(form)


class GroupViewSet(SnippetViewSet):
    model = Group
    icon = "group"
    menu_label = _("Working groups")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["name", "kind", "access", "member_count", "thread_count", "last_activity_at"]
    list_filter = ["kind", "access"]
    search_fields = ["name"]
    list_per_page = 50
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("name"), FieldPanel("kind"), FieldPanel("access")],
                heading=_("The group"),
            ),
            FieldPanel("moderator_emails"),
            MultiFieldPanel(
                [
                    FieldPanel("summary"),
                    FieldPanel("description"),
                    FieldPanel("description_language"),
                    FieldPanel("languages_text"),
                    FieldPanel("region"),
                    FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("Description"),
            ),
            FieldPanel("cover", help_text=_("A JPEG, PNG or WebP image of at most 5 MB, shown wide (16:9).")),
            FieldPanel("hold_first_posts"),
        ],
        base_form_class=GroupAdminForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return Group.objects.all()


register_permission_policy(Group, StaffOnlyPolicy(Group), exact_class=True)
register_snippet(GroupViewSet)


class StaffMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(is_programme_staff(request.user))


@hooks.register("register_admin_menu_item")
def _group_reports_menu_item() -> MenuItem:
    # Lazy: the reports page is a public-site address with the reader's language prefix.
    return StaffMenuItem(
        _("Group reports"),
        reverse_lazy("groups:all_reports"),  # type: ignore[arg-type]
        name="group-reports",
        icon_name="warning",
        order=330,
    )

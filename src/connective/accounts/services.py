from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from connective.accounts.models import Role, User
from connective.core.services import audit_log_record

EDITORS_GROUP = "Editors"
STAFF_GROUP = "Programme staff"

# Model permissions (app_label, codename) each back-office group holds, besides entering the back office.
GROUP_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    EDITORS_GROUP: [],
    STAFF_GROUP: [
        ("core", "change_topic"),
        ("core", "add_topic"),
        ("core", "change_sdg"),
        ("core", "change_region"),
        ("core", "view_city"),
        ("core", "view_auditlog"),
        ("network", "add_organisation"),
        ("network", "change_organisation"),
        ("network", "view_organisation"),
    ],
}


def _back_office_group(name: str) -> Group:
    """Groups that let a role into the Wagtail back office; created on first use, permissions kept current."""
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    for app_label, codename in GROUP_PERMISSIONS.get(name, []):
        wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*wanted)
    return group


@transaction.atomic
def user_set_role(*, actor: User | None, user: User, role: Role | str) -> User:
    role = Role(role)
    previous = user.role
    user.role = role
    user.is_superuser = role == Role.ADMINISTRATOR
    user.is_staff = role in {Role.EDITOR, Role.STAFF, Role.ADMINISTRATOR}
    user.save(update_fields=["role", "is_superuser", "is_staff"])
    editors, staff = _back_office_group(EDITORS_GROUP), _back_office_group(STAFF_GROUP)
    user.groups.remove(editors, staff)
    if role == Role.EDITOR:
        user.groups.add(editors)
    elif role == Role.STAFF:
        user.groups.add(editors, staff)
    audit_log_record(actor=actor, action="user.set_role", target=user, previous=previous, role=str(role))
    return user


def user_has_two_factor(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_set_time_zone(*, user: User, time_zone: str) -> User:
    """Choose the zone times are shown in ("" for the browser's). Unknown names are refused."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    from connective.core.middleware import time_zone_valid

    time_zone = (time_zone or "").strip()
    if time_zone and not time_zone_valid(time_zone):
        raise ValidationError(
            gettext("“%(zone)s” is not a time zone; choose one from the list, e.g. Africa/Nairobi.")
            % {"zone": time_zone},
            code="time_zone",
        )
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return user

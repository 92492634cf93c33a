from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    EDITOR = "editor", _("Editor")
    STAFF = "staff", _("Programme staff")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that can change what others see; they must sign in with a second factor.
PRIVILEGED_ROLES = frozenset({Role.EDITOR, Role.STAFF, Role.ADMINISTRATOR})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(_("preferred language"), max_length=8, default="en")
    # IANA name such as "Africa/Casablanca"; empty means the browser's, else UTC. Event times show in it.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    city = models.ForeignKey(
        "core.City",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_staff = models.BooleanField(_("back-office access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the member deleted their account: personal data is erased, contributions stay under
    # "former member" (accounts/privacy.py).
    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.deleted_at is not None:
            return str(_("Former member"))
        full = f"{self.first_name} {self.last_name}".strip()
        # Never derived from the e-mail address, which no other member may learn.
        return full or str(_("A member of the platform"))

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.display_name

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES or self.is_superuser

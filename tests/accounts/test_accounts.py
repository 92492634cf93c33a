from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from connective.accounts.models import Role, User
from connective.accounts.services import user_set_role
from connective.core.models import AuditLog
from tests.conftest import message_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_signup_sends_verification_mail_through_smtp_and_link_activates_account(
    client: Client, smtp_server: Any
) -> None:
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": "Fatou.Diop@Example.org",
            "first_name": "Fatou",
            "last_name": "Diop",
            "password1": "a long passphrase for dakar",
            "password2": "a long passphrase for dakar",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="fatou.diop@example.org")
    assert (user.first_name, user.last_name, user.role, user.language) == ("Fatou", "Diop", Role.MEMBER, "en")
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    body = message_text(received[0])
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link is not None, body
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    confirm = client.post("/" + path)
    assert confirm.status_code == 302
    assert user.emailaddress_set.get().verified is True


def test_signup_with_mismatched_passwords_keeps_what_was_typed_and_creates_nobody(client: Client) -> None:
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": "someone@example.org",
            "first_name": "Ana",
            "last_name": "Souza",
            "password1": "a long passphrase for recife",
            "password2": "a different passphrase",
        },
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    html = response.content.decode()
    assert 'value="someone@example.org"' in html
    assert 'value="Souza"' in html


def test_signup_in_german_renders_translated_interface_and_records_language(client: Client) -> None:
    client.post(
        "/de/accounts/signup/",
        {
            "email": "jonas@example.org",
            "first_name": "Jonas",
            "last_name": "Weber",
            "password1": "ein langes passwort für leipzig",
            "password2": "ein langes passwort für leipzig",
        },
    )
    assert User.objects.get(email="jonas@example.org").language == "de"


def test_login_with_verified_address_succeeds(client: Client, member: User) -> None:
    response = client.post("/en/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_login_failures_are_throttled_after_five_attempts(client: Client, member: User) -> None:
    for _ in range(5):
        response = client.post("/en/accounts/login/", {"login": member.email, "password": "wrong"})
        assert response.status_code == 200
    blocked = client.post("/en/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert blocked.status_code == 429 or "_auth_user_id" not in client.session


def test_password_reset_mail_reaches_smtp_server(client: Client, member: User, smtp_server: Any) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
    received = smtp_server.wait_for(1)
    assert received[0]["To"] == member.email
    assert "/accounts/password/reset/key/" in message_text(received[0])


def test_password_reset_for_unknown_address_sends_nothing_that_reveals_accounts(client: Client) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    # allauth may tell the unknown address that it has no account, but never names another member.
    assert all("nobody@example.org" in m.to for m in mail.outbox)


def test_user_set_role_editor_grants_back_office_access_and_is_logged(member: User) -> None:
    user_set_role(actor=None, user=member, role=Role.EDITOR)
    member.refresh_from_db()
    assert (member.is_staff, member.is_superuser) == (True, False)
    assert member.has_perm("wagtailadmin.access_admin")
    entry = AuditLog.objects.get(action="user.set_role")
    assert entry.details == {"previous": "member", "role": "editor"}


def test_user_set_role_back_to_member_removes_access(member: User) -> None:
    user_set_role(actor=None, user=member, role=Role.STAFF)
    user_set_role(actor=None, user=member, role=Role.MEMBER)
    member = User.objects.get(pk=member.pk)
    assert (member.is_staff, member.is_superuser) == (False, False)
    assert not member.has_perm("wagtailadmin.access_admin")


def test_privileged_user_without_totp_is_sent_to_two_factor_setup(client: Client) -> None:
    user = UserFactory(email="new-editor@example.org")
    user_set_role(actor=None, user=user, role=Role.EDITOR)
    client.force_login(user)
    for path in ("/en/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page itself is reachable (allauth first asks to confirm the password of a fresh session).
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 302
    assert setup["Location"].startswith(reverse("account_reauthenticate"))


def test_privileged_user_with_totp_reaches_back_office(client: Client, editor: User) -> None:
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_member_without_totp_is_not_asked_for_it(client: Client, member: User) -> None:
    client.force_login(member)
    assert client.get("/en/").status_code == 200


def test_member_cannot_enter_back_office(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/" not in response["Location"] or "login" in response["Location"]


def test_login_of_user_with_totp_asks_for_code(client: Client, editor: User) -> None:
    response = client.post("/en/accounts/login/", {"login": editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session


def test_login_of_user_with_totp_completes_with_a_valid_code(client: Client, editor: User) -> None:
    from tests.conftest import totp_code

    client.post("/en/accounts/login/", {"login": editor.email, "password": PASSWORD})
    wrong = client.post("/en/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)

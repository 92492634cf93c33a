from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from connective.core.models import Topic

pytestmark = pytest.mark.django_db


def _topic_form(topic: Topic, **names: str) -> dict[str, Any]:
    data = {f"name_{code}": topic.names.get(code, "") for code in ("en", "de", "fr", "es", "pt", "ar")}
    data.update({f"name_{code}": value for code, value in names.items()})
    data.update({"slug": topic.slug, "parent": topic.parent_id or "", "position": topic.position})
    return data


def test_staff_edits_a_topic_name_per_language(client: Client, staff: Any) -> None:
    topic = Topic.objects.get(slug="mobility")
    client.force_login(staff)
    response = client.post(
        f"/admin/snippets/core/topic/edit/{topic.pk}/", _topic_form(topic, de="Nachhaltige Mobilität")
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    with translation.override("de"):
        assert topic.name == "Nachhaltige Mobilität"
    assert topic.names["en"] == "Mobility"


def test_topic_without_english_name_is_refused_and_unchanged(client: Client, staff: Any) -> None:
    topic = Topic.objects.get(slug="housing")
    client.force_login(staff)
    response = client.post(f"/admin/snippets/core/topic/edit/{topic.pk}/", _topic_form(topic, en=""))
    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.names["en"] == "Housing"


def test_editor_cannot_change_vocabulary(client: Client, editor: Any) -> None:
    topic = Topic.objects.get(slug="waste-management")
    client.force_login(editor)
    response = client.post(f"/admin/snippets/core/topic/edit/{topic.pk}/", _topic_form(topic, en="Rubbish"))
    assert response.status_code in {302, 403}
    topic.refresh_from_db()
    assert topic.names["en"] == "Waste management"


def test_staff_reads_the_audit_log(client: Client, staff: Any) -> None:
    client.force_login(staff)
    response = client.get("/admin/audit_log/")
    assert response.status_code == 200
    assert "user.set_role" in response.content.decode()


def test_audit_log_cannot_be_edited_even_by_an_administrator(client: Client, staff: Any) -> None:
    from connective.accounts.models import Role
    from connective.accounts.services import user_set_role
    from connective.core.models import AuditLog

    admin = user_set_role(actor=None, user=staff, role=Role.ADMINISTRATOR)
    entry = AuditLog.objects.first()
    assert entry is not None
    client.force_login(admin)
    response = client.post(f"/admin/audit_log/edit/{entry.pk}/", {"action": "forged"})
    assert response.status_code in {302, 403}
    entry.refresh_from_db()
    assert entry.action == "user.set_role"
    assert client.post(f"/admin/audit_log/delete/{entry.pk}/").status_code in {302, 403}
    assert AuditLog.objects.filter(pk=entry.pk).exists()

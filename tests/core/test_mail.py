from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from tests.conftest import message_text


@pytest.mark.django_db
def test_send_mail_reaches_a_real_smtp_server_through_the_task_queue(smtp_server: Any) -> None:
    sent = mail.send_mail("Hello Tunis", "Body with ünïcödé", None, ["someone@example.org"])
    assert sent == 1
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0]["Subject"] == "Hello Tunis"
    assert received[0]["To"] == "someone@example.org"
    assert "ünïcödé" in message_text(received[0])


# The worker closes its database connection after its batch, as it would in production, so this test cannot
# run inside a transaction that is rolled back afterwards.
@pytest.mark.django_db(transaction=True)
def test_send_mail_with_database_backend_waits_for_the_worker(settings: Any, smtp_server: Any) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail.send_mail("Queued", "Later", None, ["queued@example.org"])
    assert DBTaskResult.objects.count() == 1
    assert smtp_server.messages == []
    call_command("db_worker", "--batch", "--interval", "0")
    assert len(smtp_server.wait_for(1)) == 1
    assert smtp_server.messages[0]["Subject"] == "Queued"
